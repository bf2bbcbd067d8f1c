"""A networkx view of the graph, and an interactive drawing of it that works offline.

Nodes are entities, events and claims (node id: the IRI), typed by their ``ckg:`` class and
labelled; edges carry roles (event -> entity: agent, target, place, controller) and provenance
(claim -> event: about; claim -> entity: claimant, reported by). Claims keep their sentence
and whether they are contested or hedged. Articles and reporting steps are left out: an
article is a hub joining all its claims, which would swamp every neighbourhood.

``draw`` writes one self-contained HTML document (vis-network, inlined from the copy the pyvis
package ships) shown in an ``<iframe srcdoc>``: no CDN, no file beside the notebook. pyvis'
own template, even with ``cdn_resources="in_line"``, still links Bootstrap from a CDN.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.claim_view import claim_view
from kg.errors import NotFoundError
from kg.store import GraphStore, load
from kg.vocab import ONTOLOGY, PREFIXES, WIKIDATA

RDF_TYPE = PREFIXES["rdf"] + "type"
EDGES = {
    ONTOLOGY + "agent": "agent",
    ONTOLOGY + "target": "target",
    ONTOLOGY + "place": "place",
    ONTOLOGY + "controller": "controller",
    ONTOLOGY + "about": "about",
    ONTOLOGY + "claimant": "claimant",
    ONTOLOGY + "reportedBy": "reported by",
}
ATTRIBUTES = {
    PREFIXES["rdfs"] + "label": "label",
    ONTOLOGY + "sentenceText": "sentence",
    ONTOLOGY + "claimType": "claim_type",
    ONTOLOGY + "contested": "contested",
    ONTOLOGY + "hedged": "hedged",
    ONTOLOGY + "start": "start",
    ONTOLOGY + "end": "end",
    ONTOLOGY + "count": "count",
    PREFIXES["geo"] + "lat": "lat",
    PREFIXES["geo"] + "long": "long",
    PREFIXES["skos"] + "exactMatch": "wikidata",
    ONTOLOGY + "inArticle": "article",
}
EVENTS = {
    "Event",
    "Control",
    "ControlChange",
    "ControlState",
    "Attack",
    "CasualtyReport",
    "Statement",
    "DiplomaticAction",
    "Movement",
    "OtherEvent",
}
LEFT_OUT = {"ReportingStep", "Article", "Report", "Source", "SourceStatement"}
GENERIC = {"Actor", "Place", "Event", "Control", "Source"}
FOCUS_KINDS = ("Place", "Actor", "Source")


TRIPLES = load("kg.notebook", "graphview_triples")
DEFAULT_CONSTRUCT = TRIPLES(p=[RDF_TYPE, *EDGES, *ATTRIBUTES])
DESCRIBE_NODES = TRIPLES(p=[RDF_TYPE, *ATTRIBUTES])

Triple = tuple[Any, Any, Any]


def local(iri: str) -> str:
    return iri.removeprefix(ONTOLOGY)


def kind_of(cls: str) -> str:
    if cls == "Claim":
        return "claim"
    return "event" if cls in EVENTS else "entity"


def python(term: Any) -> Any:
    from kg.notebook.sparql import python_value

    value = python_value(term)
    return value.isoformat() if hasattr(value, "isoformat") else value


# -- triples -> graph -------------------------------------------------------------------------
def construct_triples(store: GraphStore, query: str) -> list[Triple]:
    """The distinct triples of a CONSTRUCT query (the union default graph repeats some)."""
    seen = dict.fromkeys((t.subject, t.predicate, t.object) for t in store.query(query))
    return list(seen)


def classes(triples: Iterable[Triple]) -> dict[str, str]:
    """The most specific ckg class of each typed subject."""
    found: dict[str, set[str]] = {}
    for s, p, o in triples:
        if p.value == RDF_TYPE and o.value.startswith(ONTOLOGY):
            found.setdefault(s.value, set()).add(local(o.value))
    return {s: sorted(c - GENERIC or c)[0] for s, c in found.items()}


def add_nodes(graph: nx.MultiDiGraph, typed: dict[str, str], triples: list[Triple]) -> None:
    for iri, cls in typed.items():
        if cls not in LEFT_OUT:
            graph.add_node(iri, cls=cls, kind=kind_of(cls))
    for s, p, o in triples:
        if p.value in EDGES and isinstance(o, ox.NamedNode):
            graph.add_edge(s.value, o.value, key=EDGES[p.value], role=EDGES[p.value])


def add_attributes(
    graph: nx.MultiDiGraph, triples: Iterable[Triple], typed: dict[str, str], overwrite: bool = True
) -> None:
    for s, p, o in triples:
        if s.value not in graph or p.value not in ATTRIBUTES:
            continue
        name, data = ATTRIBUTES[p.value], graph.nodes[s.value]
        if overwrite or name not in data:
            data[name] = python(o)
    for iri, cls in typed.items():
        if iri in graph and "cls" not in graph.nodes[iri]:
            graph.nodes[iri].update(cls=cls, kind=kind_of(cls))


def graph_from_triples(triples: list[Triple]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    typed = classes(triples)
    add_nodes(graph, typed, triples)
    add_attributes(graph, triples, typed)
    return graph


# -- labels -----------------------------------------------------------------------------------
def neighbour(graph: nx.MultiDiGraph, node: str, role: str) -> str | None:
    return next((v for _, v, k in graph.out_edges(node, keys=True) if k == role), None)


def claim_label(graph: nx.MultiDiGraph, iri: str) -> str:
    """A claim named by its type, its event's day and the actors and place of its event:
    "control YYYY-MM-DD: CONTROLLER at PLACE"."""
    data = graph.nodes[iri]
    flag = "⚠ contested " if data.get("contested") else ""
    event = neighbour(graph, iri, "about")
    day, who, where = None, [], None
    if event is not None:
        day = graph.nodes[event].get("start")
        for role in (str(f.name) for f in claim_view().actor_fields()):
            actor = neighbour(graph, event, role)
            name = graph.nodes[actor].get("label") if actor else None
            if name and name not in who:
                who.append(name)
        place = neighbour(graph, event, "place")
        where = graph.nodes[place].get("label") if place else None
    text = f"{flag}{data.get('claim_type', 'claim')}"
    if day:
        text += f" {day}"
    if who or where:
        text += ": " + " / ".join(who[:2]) + (f" at {where}" if where else "")
    return text.replace(":  at", ": at")


def event_label(graph: nx.MultiDiGraph, iri: str) -> str:
    data = graph.nodes[iri]
    place = neighbour(graph, iri, "place")
    parts = [
        data.get("cls", "Event"),
        graph.nodes[place].get("label") if place else None,
        data.get("start"),
    ]
    return " · ".join(str(p) for p in parts if p)


def finish(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Fill labels, kinds and contested flags that the triples leave implicit."""
    for iri, data in graph.nodes(data=True):
        data.setdefault("cls", "Thing")
        data.setdefault("kind", kind_of(data["cls"]))
        if isinstance(data.get("wikidata"), str):
            data["wikidata"] = data["wikidata"].removeprefix(WIKIDATA)
        if isinstance(data.get("article"), str):
            data["article"] = data["article"].rsplit("/", 1)[-1]
        if data["kind"] == "claim":
            data["contested"] = bool(data.get("contested"))
            data["label"] = claim_label(graph, iri)
    for iri, data in graph.nodes(data=True):
        if data["kind"] == "event":
            claims = [u for u, _, k in graph.in_edges(iri, keys=True) if k == "about"]
            data["contested"] = any(graph.nodes[c].get("contested") for c in claims)
            data["label"] = event_label(graph, iri)
        data.setdefault("label", iri.rsplit("/", 1)[-1])
    return graph


# -- the public view --------------------------------------------------------------------------
def resolve_focus(store: GraphStore, focus: str) -> str:
    """An IRI for any name, alias, Wikidata id or IRI of a place, actor or source."""
    from kg.ask.entities import resolve_entity

    for kind in FOCUS_KINDS:
        try:
            return resolve_entity(store, focus, kind=kind).value
        except NotFoundError:
            continue
    raise NotFoundError(
        f"Nothing called {focus!r} in the store: check the spelling, or list "
        "names with `kg query` over rdfs:label"
    )


MAX_NODES = 40  # a neighbourhood drawn by default: readable, not a hairball


def to_networkx(
    store: GraphStore,
    focus: str | None = None,
    hops: int = 2,
    construct: str | None = None,
    max_nodes: int | None = MAX_NODES,
) -> nx.MultiDiGraph:
    """The graph of entities, events and claims; with ``focus``, only the nodes within
    ``hops`` edges of it (either direction), at most ``max_nodes`` of them (the nearest
    first, then the best connected; None for all); with ``construct``, only what that
    CONSTRUCT query returns (nodes it leaves undescribed get their class and label from the
    store)."""
    if construct is None:
        graph = graph_from_triples(construct_triples(store, DEFAULT_CONSTRUCT))
    else:
        graph = graph_from_triples(construct_triples(store, construct))
        described = construct_triples(store, DESCRIBE_NODES)
        add_attributes(graph, described, classes(described), overwrite=False)
    finish(graph)
    if focus is None:
        return graph
    centre = resolve_focus(store, focus)
    if centre not in graph:
        raise NotFoundError(f"{focus!r} ({centre}) has no events or claims in this graph")
    return neighbourhood(graph, centre, hops, max_nodes)


def neighbourhood(
    graph: nx.MultiDiGraph, centre: str, hops: int, max_nodes: int | None = None
) -> nx.MultiDiGraph:
    sub = nx.ego_graph(graph, centre, radius=hops, undirected=True)
    if max_nodes is not None and sub.number_of_nodes() > max_nodes:
        sub = sub.subgraph(trimmed(sub, centre, max_nodes)).copy()
    sub.graph["focus"] = centre
    return sub


def trimmed(sub: nx.MultiDiGraph, centre: str, max_nodes: int) -> set[str]:
    """At most ``max_nodes`` nodes around the centre, each neighbour of the centre with what
    makes it readable: an event with its actors and a claim reporting it, a claim with its
    event; the best connected neighbours first."""
    undirected = sub.to_undirected(as_view=True)
    kept = {centre}
    for node in sorted(undirected[centre], key=lambda n: (-undirected.degree(n), n)):
        group = [node]
        near = sorted(undirected[node], key=lambda n: (sub.nodes[n].get("kind") == "claim", n))
        claims = 0
        for other in near:
            kind = sub.nodes[other].get("kind")
            if other in kept or other in group:
                continue
            if kind == "claim":
                if claims:
                    continue
                claims += 1
            group.append(other)
        group = [n for n in group if n not in kept]
        if len(kept) + len(group) > max_nodes:
            if len(kept) >= max_nodes - 1:
                break
            continue
        kept.update(group)
    return kept


# -- drawing ----------------------------------------------------------------------------------
COLOURS = {
    "ArmedGroup": "#d62728",
    "Government": "#1f77b4",
    "State": "#6baed6",
    "Person": "#9467bd",
    "NewsAgency": "#8c564b",
    "Monitor": "#e377c2",
    "Organisation": "#7f7f7f",
    "AnonymousSource": "#c7c7c7",
    "Actor": "#bcbd22",
    "Town": "#2ca02c",
    "City": "#238b45",
    "Village": "#74c476",
    "Province": "#a1d99b",
    "Region": "#c7e9c0",
    "Country": "#17becf",
    "Place": "#2ca02c",
    "ControlChange": "#ff7f0e",
    "ControlState": "#fdae6b",
    "Attack": "#a50f15",
    "CasualtyReport": "#252525",
    "Statement": "#9e9ac8",
    "DiplomaticAction": "#3182bd",
    "Movement": "#e6550d",
    "OtherEvent": "#d9d9d9",
    "Claim": "#fff3b0",
}
SHAPES = {"entity": "dot", "event": "diamond", "claim": "box"}
CONTESTED = "#e00000"
VIS_DIR = "lib/vis-9.1.2"


@cache
def vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, from the pyvis package (no network needed)."""
    folder = resources.files("pyvis") / VIS_DIR
    js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    css = (folder / "vis-network.css").read_text(encoding="utf-8")
    return js.replace("</script", "<\\/script"), css


def hover(data: dict[str, Any]) -> str:
    """The tooltip: the sentence for a claim, else class and the facts the node carries."""
    lines = [f"{data['label']} ({data['cls']})"]
    if data.get("sentence"):
        lines.append(f"“{data['sentence']}”")
    if data.get("contested"):
        lines.append("CONTESTED: sources disagree")
    lines += [f"{k}: {data[k]}" for k in ("article", "start", "count", "wikidata") if data.get(k)]
    return "\n".join(lines)


def vis_node(index: int, data: dict[str, Any], focus: bool) -> dict[str, Any]:
    colour = COLOURS.get(data["cls"], "#999999")
    node = {
        "id": index,
        "label": data["label"][:48],
        "title": hover(data),
        "group": data["cls"],
        "shape": SHAPES.get(data["kind"], "dot"),
        "color": {"background": colour, "border": "#333333"},
        "borderWidth": 1,
        "size": 22 if focus else 12,
    }
    if data.get("contested"):
        node.update(
            borderWidth=4,
            color={"background": colour, "border": CONTESTED},
            shapeProperties={"borderDashes": [6, 3]},
            font={"color": CONTESTED},
        )
    return node


def vis_data(graph: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    ids = {node: i for i, node in enumerate(graph.nodes)}
    focus = graph.graph.get("focus")
    nodes = [vis_node(ids[n], d, n == focus) for n, d in graph.nodes(data=True)]
    edges = [
        {"from": ids[u], "to": ids[v], "label": k, "arrows": "to"}
        for u, v, k in graph.edges(keys=True)
    ]
    return {"nodes": nodes, "edges": edges}


def legend(graph: nx.MultiDiGraph) -> str:
    present = sorted({d["cls"] for _, d in graph.nodes(data=True)})
    items = [
        f'<span><i style="background:{COLOURS.get(c, "#999999")}"></i>{html.escape(c)}</span>'
        for c in present
    ]
    items.append(f'<span><i style="border:3px dashed {CONTESTED}"></i>contested</span>')
    return '<div class="legend">' + "".join(items) + "</div>"


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>{css}</style><style>
body{{margin:0;font:12px sans-serif}} #graph{{width:100%;height:{height}}}
div.vis-tooltip{{white-space:pre-wrap;max-width:420px}}
.legend span{{margin-right:10px;white-space:nowrap}}
.legend i{{display:inline-block;width:10px;height:10px;margin-right:3px;border:1px solid #333}}
</style><script>{js}</script></head><body><div id="graph"></div>{legend}<script>
const data = {data};
const options = {{physics: {{solver: "forceAtlas2Based", stabilization: {{iterations: 200}}}},
  layout: {{improvedLayout: data.nodes.length < 150}}, interaction: {{hover: true}},
  edges: {{font: {{size: 9, align: "middle"}}, color: "#999999", smooth: false}}}};
window.kgNetwork = new vis.Network(document.getElementById("graph"),
  {{nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}}, options);
window.kgNetwork.once("stabilizationIterationsDone", () => {{
  window.kgNetwork.setOptions({{physics: false}}); document.body.dataset.drawn = "yes"; }});
</script></body></html>"""


@dataclass(repr=False)
class GraphView:
    """A drawn graph: ``html`` is a complete offline page; notebooks show it in an iframe."""

    html: str
    nodes: int
    edges: int
    height: str = "640px"

    def __repr__(self) -> str:
        return f"<GraphView: {self.nodes} nodes, {self.edges} edges; .save(path) writes the page>"

    def _repr_html_(self) -> str:
        height = f"calc({self.height} + 60px)"
        return (
            f'<iframe class="kg-graph" srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{height};border:1px solid #ddd" '
            'sandbox="allow-scripts"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        Path(path).write_text(self.html, encoding="utf-8")
        return Path(path)


def draw(graph: nx.MultiDiGraph, height: str = "640px", title: str = "conflict-kg") -> GraphView:
    """An interactive drawing: colour by class, contested claims with a red dashed border,
    the sentence (and facts) on hover."""
    js, css = vis_assets()
    data = json.dumps(vis_data(graph), ensure_ascii=False).replace("</", "<\\/")
    page = PAGE.format(
        title=html.escape(title), css=css, js=js, height=height, legend=legend(graph), data=data
    )
    return GraphView(page, graph.number_of_nodes(), graph.number_of_edges(), height)


__all__ = ["to_networkx", "draw", "GraphView", "neighbourhood", "graph_from_triples"]

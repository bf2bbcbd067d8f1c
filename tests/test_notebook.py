"""Jupyter: the %%sparql magic, the networkx view, the figures, and every notebook in
``notebooks/`` executed in a real kernel (this interpreter's), exported to HTML and opened in
headless Chromium, where the drawn graph must be on a non-empty canvas with nothing fetched
off the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx
import pyoxigraph as ox
import pytest

pd = pytest.importorskip("pandas", reason="pip install '.[test]' (the notebook extra)")
pytest.importorskip("matplotlib", reason="pip install '.[test]'")
pytest.importorskip("IPython", reason="pip install '.[test]'")

from conftest import CHROMIUM, FLAGS  # noqa: E402

import kg  # noqa: E402
from kg.derived import recompute  # noqa: E402
from kg.notebook.graphview import draw, to_networkx  # noqa: E402
from kg.notebook.plots import casualties_by_day, casualty_events, control_timeline, place_map  # noqa: E402
from kg.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "kg-test-python"

# A hand-made store in the shape of ontology/MODEL.md: Testville changes hands three times,
# sources disagree about 5 January (one claim marked contested), and casualty claims with
# counts, perpetrators and days, one event reported by two articles.
TRIG = """
@prefix ckg: <https://w3id.org/conflict-kg/ontology#> .
@prefix id: <https://w3id.org/conflict-kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

id:graph\\/entities {
  id:entity\\/testville a ckg:Town ; rdfs:label "Testville" ; skos:altLabel "Tville" ;
      geo:lat 34.5 ; geo:long 40.5 .
  id:entity\\/otherton a ckg:City ; rdfs:label "Otherton" ; geo:lat 35.0 ; geo:long 39.0 .
  id:entity\\/red a ckg:ArmedGroup ; rdfs:label "Red Brigade" .
  id:entity\\/blue a ckg:Government ; rdfs:label "Blue Government" .
  id:entity\\/wire a ckg:NewsAgency ; rdfs:label "Wire Agency" .
  id:entity\\/watch a ckg:Monitor ; rdfs:label "War Watch" .
}
"""


def article(stem: str, published: str, claims: list[dict[str, Any]]) -> str:
    lines = [
        f"id:graph\\/{stem} {{",
        f'  id:article\\/{stem} a ckg:Article ; ckg:stem "{stem}" ; '
        f'ckg:published "{published}"^^xsd:date .',
    ]
    for i, c in enumerate(claims):
        event = c.get("event", f"id:event\\/{stem}-{i}")
        lines.append(
            f'  id:claim\\/{stem}\\/s{i}\\/c0 a ckg:Claim ; ckg:claimType "{c["type"]}" ; '
            f"ckg:inArticle id:article\\/{stem} ; ckg:sentenceIndex {i} ; "
            f'ckg:sentenceText "{c["sentence"]}" ; ckg:hedged false ; '
            f"ckg:contested {str(c.get('contested', False)).lower()} ; "
            f"ckg:claimant id:entity\\/watch ; "
            f"ckg:reportedBy id:entity\\/wire, id:entity\\/watch ; "
            f"ckg:reportingStep [ a ckg:ReportingStep ; ckg:position 1 ; "
            f"ckg:reporter id:entity\\/wire ] ; "
            f"ckg:about {event} ."
        )
        roles = " ; ".join(f"ckg:{k} id:entity\\/{v}" for k, v in c.get("roles", {}).items())
        count = f" ; ckg:count {c['count']}" if "count" in c else ""
        lines.append(
            f"  {event} a ckg:{c['cls']} ; {roles} ; "
            f'ckg:start "{c["start"]}"^^xsd:date ; ckg:end "{c["start"]}"^^xsd:date{count} .'
        )
    return "\n".join([*lines, "}"])


def control(start: str, controller: str, sentence: str, contested: bool = False) -> dict:
    return {
        "type": "control",
        "cls": "ControlChange",
        "start": start,
        "sentence": sentence,
        "contested": contested,
        "roles": {"place": "testville", "controller": controller, "agent": controller},
    }


def casualties(start: str, agent: str, count: int, event: str | None = None) -> dict:
    claim = {
        "type": "casualties",
        "cls": "CasualtyReport",
        "start": start,
        "count": count,
        "sentence": f"{count} people were killed by {agent}.",
        "roles": {"place": "testville", "agent": agent},
    }
    return claim | ({"event": event} if event else {})


SHARED = "id:event\\/shared-killing"


def hand_made_trig() -> str:
    return "\n".join(
        [
            TRIG,
            article(
                "a1",
                "2017-01-02",
                [
                    control("2017-01-01", "blue", "Blue holds Testville."),
                    casualties("2017-01-05", "red", 12, SHARED),
                ],
            ),
            article(
                "a2",
                "2017-01-06",
                [
                    control("2017-01-05", "red", "Red Brigade took Testville."),
                    casualties("2017-01-05", "blue", 3),
                ],
            ),
            article(
                "a3",
                "2017-01-07",
                [
                    control(
                        "2017-01-05", "blue", "Blue says it still holds Testville.", contested=True
                    ),
                    casualties("2017-01-05", "red", 12, SHARED),
                    casualties("2017-01-06", "red", 7),
                ],
            ),
            article("a4", "2017-01-11", [control("2017-01-10", "blue", "Blue retook Testville.")]),
            article(
                "a5", "2017-01-06", [control("2017-01-05", "red", "Red Brigade seized Tville.")]
            ),
        ]
    )


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hand") / "store"
    store = Store(path)
    store.oxigraph.load(hand_made_trig().encode(), format=ox.RdfFormat.TRIG)
    recompute(store)  # the derived data the timeline reads, as a build computes it
    store.flush()
    del store
    return path


# -- the magic --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "kg")
    return ip


SELECT_LABELS = (
    "SELECT ?e ?label ?lat WHERE { ?e rdfs:label ?label ; geo:lat ?lat } ORDER BY ?label"
)


def test_magic_select_gives_a_typed_dataframe_and_binds_out(shell: Any, hand_store: Path) -> None:
    result = shell.run_cell_magic("sparql", f"--store {hand_store} --out places", SELECT_LABELS)
    assert isinstance(result, pd.DataFrame)
    assert list(result.columns) == ["e", "label", "lat"]
    assert result["label"].tolist() == ["Otherton", "Testville"]
    assert result["lat"].tolist() == [35.0, 34.5]  # decimals become floats
    assert shell.user_ns["places"] is result


def test_magic_ask_construct_and_triples(shell: Any, hand_store: Path) -> None:
    import rdflib

    assert (
        shell.run_cell_magic("sparql", f"--store {hand_store}", "ASK { ?c ckg:contested true }")
        is True
    )
    graph = shell.run_cell_magic(
        "sparql",
        f"--store {hand_store}",
        "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a ckg:Town ; rdfs:label ?l }",
    )
    assert isinstance(graph, rdflib.Graph) and len(graph) == 1
    frame = shell.run_cell_magic(
        "sparql",
        f"--store {hand_store} --triples -q --out t",
        "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a ckg:Town ; rdfs:label ?l }",
    )
    assert frame is None  # --quiet
    assert shell.user_ns["t"].to_dict("records") == [
        {
            "subject": "https://w3id.org/conflict-kg/id/entity/testville",
            "predicate": "http://www.w3.org/2000/01/rdf-schema#label",
            "object": "Testville",
        }
    ]


def test_magic_default_store_is_kg_store(
    shell: Any, hand_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_STORE", str(hand_store))
    result = shell.run_cell_magic("sparql", "", "SELECT (COUNT(*) AS ?n) WHERE { ?c a ckg:Claim }")
    assert result["n"].tolist() == [9]


def test_magic_errors_are_one_line(shell: Any, hand_store: Path, tmp_path: Path) -> None:
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="Malformed SPARQL"):
        shell.run_cell_magic("sparql", f"--store {hand_store}", "SELEC nothing")
    with pytest.raises(UsageError, match="run `kg build` first"):
        shell.run_cell_magic("sparql", f"--store {tmp_path / 'none'}", "ASK {}")
    with pytest.raises(UsageError, match="Cannot reach"):
        shell.run_cell_magic("sparql", "http://127.0.0.1:9/sparql", "ASK {}")


def test_magic_over_an_endpoint(shell: Any, seeds_server: Any) -> None:
    import rdflib

    url = seeds_server.url + "/sparql"
    rows = shell.run_cell_magic(
        "sparql",
        f"{url} --out remote",
        'SELECT ?l ?lat WHERE { ?e skos:altLabel "Boukamal" ; rdfs:label ?l ; geo:lat ?lat }',
    )
    assert rows.to_dict("records") == [{"l": "Abu Kamal", "lat": pytest.approx(34.45, abs=0.01)}]
    assert shell.user_ns["remote"] is rows
    assert shell.run_cell_magic("sparql", url, 'ASK { ?c ckg:claimType "control" }') is True
    graph = shell.run_cell_magic(
        "sparql", url, "CONSTRUCT { ?e a ckg:Town } WHERE { ?e a ckg:Town }"
    )
    assert isinstance(graph, rdflib.Graph) and len(graph) > 0


def test_import_kg_stays_cheap() -> None:
    import subprocess

    code = (
        "import sys, kg; print(any(m in sys.modules for m in ('pandas', 'matplotlib', 'IPython')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert callable(kg.load_ipython_extension)


# -- the networkx view ------------------------------------------------------------------------
def test_focus_and_hops_on_the_seeds(seeds_store: Path) -> None:
    store = Store(seeds_store, read_only=True)
    one = to_networkx(store, focus="Boukamal", hops=1, max_nodes=None)
    two = to_networkx(store, focus="Albu Kamal", hops=2, max_nodes=None)
    town = "https://w3id.org/conflict-kg/id/entity/abu-kamal"
    assert isinstance(two, nx.MultiDiGraph) and two.graph["focus"] == town
    assert {d["kind"] for _, d in one.nodes(data=True)} == {"entity", "event"}
    assert set(one) < set(two)
    assert {d["kind"] for _, d in two.nodes(data=True)} == {"entity", "event", "claim"}
    assert all(nx.shortest_path_length(two.to_undirected(as_view=True), town, n) <= 2 for n in two)
    assert two.nodes[town]["label"] == "Abu Kamal" and two.nodes[town]["cls"] == "Town"
    roles = {k for _, _, k in two.edges(keys=True)}
    assert (
        {"place", "controller", "about"}
        <= roles
        <= {"agent", "target", "place", "controller", "about", "claimant", "reported by"}
    )
    claims = [d for _, d in two.nodes(data=True) if d["kind"] == "claim"]
    assert claims and all(d["sentence"] and "contested" in d for d in claims)
    assert set(to_networkx(store, focus="Q152828", hops=2, max_nodes=None)) == set(two)


def test_default_view_is_small_and_readable(seeds_store: Path) -> None:
    graph = to_networkx(Store(seeds_store, read_only=True), focus="Boukamal")
    town = "https://w3id.org/conflict-kg/id/entity/abu-kamal"
    assert town in graph and 5 < graph.number_of_nodes() <= 40
    labels = [d["label"] for _, d in graph.nodes(data=True) if d["kind"] == "claim"]
    assert labels and any("2017-11" in label and "Abu Kamal" in label for label in labels)
    assert not any("/" in label.split(":")[0] for label in labels)  # no IRI fragments


def test_contested_claims_are_marked(hand_store: Path) -> None:
    graph = to_networkx(Store(hand_store, read_only=True), focus="Tville", hops=2)
    contested = [n for n, d in graph.nodes(data=True) if d["kind"] == "claim" and d["contested"]]
    assert contested == ["https://w3id.org/conflict-kg/id/claim/a3/s0/c0"]
    event = next(v for _, v, k in graph.out_edges(contested[0], keys=True) if k == "about")
    assert graph.nodes[event]["contested"] is True
    assert graph.nodes[contested[0]]["label"].startswith("⚠ contested")


def test_construct_query_gives_the_subgraph(hand_store: Path) -> None:
    query = "CONSTRUCT { ?ev ckg:agent ?who } WHERE { ?ev a ckg:CasualtyReport ; ckg:agent ?who }"
    graph = to_networkx(Store(hand_store, read_only=True), construct=query)
    assert {k for _, _, k in graph.edges(keys=True)} == {"agent"}
    labels = {d["label"] for _, d in graph.nodes(data=True) if d["kind"] == "entity"}
    assert labels == {"Red Brigade", "Blue Government"}  # described from the store
    assert {d["cls"] for _, d in graph.nodes(data=True) if d["kind"] == "event"} == {
        "CasualtyReport"
    }


def test_drawing_is_offline_coloured_and_has_hover_sentences(hand_store: Path) -> None:
    graph = to_networkx(Store(hand_store, read_only=True), focus="Testville", hops=2)
    view = draw(graph)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", view.html)
    assert not re.search(r"cdnjs|jsdelivr|unpkg|googleapis", view.html)
    assert "<script src" not in view.html and "<link" not in view.html
    data = json.loads(
        view.html.split("const data = ", 1)[1].split(";\n", 1)[0].replace("<\\/", "</")
    )
    assert len(data["nodes"]) == graph.number_of_nodes() == view.nodes
    titles = " ".join(n["title"] for n in data["nodes"])
    assert "Red Brigade took Testville." in titles
    marked = [n for n in data["nodes"] if n["borderWidth"] == 4]
    assert len(marked) == 2 and all(n["color"]["border"] == "#e00000" for n in marked)
    assert len({n["color"]["background"] for n in data["nodes"]}) >= 4
    assert 'srcdoc="' in view._repr_html_()


# -- figures ----------------------------------------------------------------------------------
def gids(fig: Any, gid: str) -> list[Any]:
    return [a for a in fig.axes[0].get_children() if a.get_gid() == gid]


def test_control_timeline_bands_contested_days_and_sources(hand_store: Path) -> None:
    from matplotlib.figure import Figure

    fig = control_timeline(Store(hand_store, read_only=True), "Testville")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Blue Government", "Red Brigade"]
    assert len(gids(fig, "band")) == 3  # blue, red, blue again
    assert len(gids(fig, "contested")) == 1  # 5 January: Red took it, Blue says it did not
    assert len(gids(fig, "competing")) == 1  # Blue's word that day, on Blue's row
    texts = [a.get_text() for a in gids(fig, "sources")]
    assert len(texts) == 3 and texts[1].startswith("CONTESTED")
    assert all("Wire Agency (2017-01-" in t for t in texts)
    assert "(2017-01-06)" in texts[1] and "(2017-01-07)" in texts[1]  # both sides' reports
    assert fig._repr_png_().startswith(b"\x89PNG")


def test_control_timeline_of_the_seeds(seeds_store: Path) -> None:
    fig = control_timeline(Store(seeds_store, read_only=True), "Boukamal")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert {"Government of Syria", "Islamic State of Iraq and the Levant"} <= set(labels)
    assert any("Agence France-Presse" in a.get_text() for a in gids(fig, "sources"))


def test_casualties_by_day_and_perpetrator(hand_store: Path) -> None:
    store = Store(hand_store, read_only=True)
    events = casualty_events(store)
    assert [(e["day"], e["perpetrator"], e["count"], len(e["claims"])) for e in events] == [
        (dt.date(2017, 1, 5), "Blue Government", 3, 1),
        (dt.date(2017, 1, 5), "Red Brigade", 12, 2),  # one event, two reports: counted once
        (dt.date(2017, 1, 6), "Red Brigade", 7, 1),
    ]
    fig = casualties_by_day(store)
    ax = fig.axes[0]
    assert sorted(p.get_height() for p in ax.patches) == [3, 7, 12]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Blue Government", "Red Brigade"]
    assert "12 (2 claims)" in [t.get_text() for t in ax.texts]


def test_casualties_absent_is_a_message(tmp_path: Path) -> None:
    store = Store(tmp_path / "empty")
    fig = casualties_by_day(store)
    assert not fig.axes[0].patches
    assert "No dated casualty claims" in gids(fig, "empty")[0].get_text()


def test_map_renders_places_and_events_offline(hand_store: Path) -> None:
    fig = place_map(Store(hand_store, read_only=True))
    labels = [a.get_text() for a in gids(fig, "place-label")]
    assert labels == ["Testville"]  # Otherton has no events
    assert len(gids(fig, "event")) == 2  # ControlChange and CasualtyReport markers
    ax = fig.axes[0]
    assert ax.get_xlim()[0] < 40.5 < ax.get_xlim()[1] and ax.get_ylim()[0] < 34.5 < ax.get_ylim()[1]
    everything = place_map(Store(hand_store, read_only=True), all_places=True)
    assert sorted(a.get_text() for a in gids(everything, "place-label")) == [
        "Otherton",
        "Testville",
    ]


# -- notebooks in a real kernel, then in Chromium ---------------------------------------------
@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernelspec for this interpreter, so the notebooks run in the venv running the tests."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(kernel_name=KERNEL, prefix=str(prefix))
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "PYTHONPATH", "MPLBACKEND")}
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    package_root = str(Path(kg.__file__).resolve().parent.parent)  # the kg these tests import
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, saved["PYTHONPATH"]) if p)
    yield KERNEL
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def executed(kernel_env: str) -> dict[Path, Any]:
    import nbformat
    from nbclient import NotebookClient

    done = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            kernel_name=kernel_env,
            timeout=300,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        done[path] = nb
    return done


def outputs(nb: Any) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_clean(executed: dict[Path, Any], path: Path) -> None:
    found = outputs(executed[path])
    assert not [o for o in found if o["output_type"] == "error"]
    assert not [o for o in found if o.get("name") == "stderr" and "Traceback" in o["text"]]
    html = [o["data"]["text/html"] for o in found if "text/html" in o.get("data", {})]
    assert any('class="kg-graph"' in h for h in html), "no interactive graph drawn"
    assert sum("image/png" in o.get("data", {}) for o in found) >= 2, "no figures"


def test_explore_answers_the_question(executed: dict[Path, Any]) -> None:
    text = "".join(
        o.get("text", "") for o in outputs(executed[ROOT / "notebooks" / "explore.ipynb"])
    )
    assert "Abu Kamal on 2017-11-12: Islamic State of Iraq and the Levant" in text


def export_html(nb: Any, folder: Path, name: str) -> Path:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    path = folder / f"{name}.html"
    path.write_text(body, encoding="utf-8")
    return path


CANVAS_PIXELS = """() => {
  const canvas = document.querySelector('#graph canvas');
  if (!canvas || !canvas.width) return 0;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return painted;
}"""


@pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exported_notebook_draws_in_chromium(
    executed: dict[Path, Any], path: Path, tmp_path: Path
) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install '.[test]'")
    page_file = export_html(executed[path], tmp_path, path.stem)
    from_graphs: list[str] = []  # requests made by our drawings: must be none off the machine

    def guard(route: Any) -> None:
        url, frame = route.request.url, route.request.frame
        if frame.parent_frame is not None:
            from_graphs.append(url)
        if urlsplit(url).scheme in ("http", "https", "ws", "wss"):
            route.abort()  # nbconvert's own template links MathJax/require.js; never leave
        else:
            route.continue_()

    with playwright.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        try:
            context.route("**/*", guard)
            page = context.new_page()
            page.goto(page_file.as_uri())
            frames = graph_frames(page)
            assert frames, "no graph iframe in the exported page"
            for i, frame in enumerate(frames):
                # Chromium does not paint cross-origin frames out of view: scroll to each one
                page.locator("iframe.kg-graph").nth(i).scroll_into_view_if_needed()
                frame.wait_for_function("document.body.dataset.drawn === 'yes'", timeout=60_000)
                assert frame.evaluate("window.kgNetwork.body.data.nodes.length") > 10
                frame.wait_for_function(f"({CANVAS_PIXELS})() > 1000", timeout=30_000)
        finally:
            context.close()
    assert [u for u in from_graphs if not u.startswith(("data:", "about:"))] == []


def graph_frames(page: Any) -> list[Any]:
    page.wait_for_selector("iframe.kg-graph", state="attached")
    count = page.locator("iframe.kg-graph").count()
    page.wait_for_function(f"document.querySelectorAll('iframe.kg-graph').length === {count}")
    frames = [f for f in page.frames if f.parent_frame is not None]
    for frame in frames:
        frame.wait_for_selector("#graph", state="attached")
    return frames

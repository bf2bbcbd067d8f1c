"""The `kg` command: parse arguments, call the library, print. No logic of its own.

Exit status: 0 success, 1 when an input was rejected or a check failed, 2 for usage errors.
Errors print as one line; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import datetime as dt
import gc
import importlib
import io
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kg.claim_view import claim_view
from kg.errors import InputError, KGError
from kg.malloc import tune_child_processes

STARTED = time.perf_counter()  # for kg build --timings (the interpreter started a little earlier)

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(fn: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = fn
        return fn

    return register


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        from kg.extract.dates import why_not_a_day

        raise argparse.ArgumentTypeError(why_not_a_day(text)) from None


def count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give a number from 1 to 65535")
    return int(text)


def at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return int(text)


def open_store(args: argparse.Namespace, read_only: bool = False):
    from kg.store import default_store_path
    from kg.store import open_store as open_any

    return open_any(args.store or default_store_path(), read_only=read_only)


# -- commands --------------------------------------------------------------------------------
@command("build")
def cmd_build(args: argparse.Namespace) -> int:
    from kg.build import build
    from kg.cluster import default_scheduler

    paths = [Path(p) for p in args.paths] or [Path("seeds")]
    store = open_store(args)
    began = time.perf_counter()
    report = build(
        store,
        paths,
        progress=progress_printer(),
        force=args.force,
        columns=corpus_columns(args),
        workers=args.workers,
        # an explicit --workers beats $KG_SCHEDULER
        scheduler=args.scheduler or (None if args.workers else default_scheduler()),
        compact=args.compact,
    )
    for message in report.notes:
        print(f"note: {message}", file=sys.stderr)
    for message in report.rejected:
        print(f"rejected: {message}", file=sys.stderr)
    print(report.summary())
    if args.timings:
        startup = f"startup {began - STARTED:.2f} s (imports, store open)"
        print(f"timings: {startup}, {report.split()}", file=sys.stderr)
    return 0 if report.ok else 1


def corpus_columns(args: argparse.Namespace):
    """Column names for CSV / JSON Lines corpora (kg.read.corpus.Columns)."""
    from kg.read.corpus import Columns

    return Columns(
        text=args.text_column,
        date=args.date_column,
        title=args.title_column,
        publisher=args.publisher_column,
        id=args.id_column,
        url=args.url_column,
        date_format=args.date_format,
    )


def progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, stem: str) -> None:
        end = "\n" if done == total else ""
        print(f"\r[{done}/{total}] {stem[:60]:<60}", end=end, file=sys.stderr, flush=True)

    return show


@command("ask")
def cmd_ask(args: argparse.Namespace) -> int:
    from kg.ask.who_controlled import format_text, who_controlled

    answer = who_controlled(open_store(args, read_only=True), args.place, args.date, args.as_of)
    print(
        format_text(answer)
        if args.format == "text"
        else json.dumps(answer, indent=2, ensure_ascii=False)
    )
    return 0


def flat(claim: dict) -> dict[str, str]:
    """A claim as one row of text cells (entities by label, chains joined by ' > ')."""

    def cell(v) -> str:
        if v is None:
            return ""
        if isinstance(v, dict):
            return v.get("label") or (
                f"{v['start']}..{v['end']}"
                if v.get("start") != v.get("end")
                else v.get("start") or ""
            )
        if isinstance(v, list):
            return " > ".join(cell(x) for x in v)
        return str(v).lower() if isinstance(v, bool) else str(v)

    return {k: cell(claim.get(k)) for k in claim_view().view("export")}


@command("claims")
def cmd_claims(args: argparse.Namespace) -> int:
    from kg.ask.claims import list_claims

    claims = list_claims(
        open_store(args, read_only=True),
        article=args.article,
        type=args.type,
        place=args.place,
        actor=args.actor,
        limit=args.limit,
        offset=args.offset,
    )
    if args.format == "jsonl":
        for c in claims:
            print(json.dumps(c, ensure_ascii=False))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=claim_view().view("export"))
        writer.writeheader()
        writer.writerows(flat(c) for c in claims)
    else:
        print_table([flat(c) for c in claims], list(claim_view().view("table")))
    return 0


def print_table(rows: list[dict[str, str]], columns: list[str], width: int = 40) -> None:
    cut = {c: min(width, max([len(c)] + [len(r[c]) for r in rows])) for c in columns}
    print("  ".join(c.ljust(cut[c]) for c in columns))
    print("  ".join("-" * cut[c] for c in columns))
    for r in rows:
        print("  ".join(r[c][: cut[c]].ljust(cut[c]) for c in columns))


@command("query")
def cmd_query(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from kg.ask.stored_queries import run_file

    text, name = args.query, "query"
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise InputError(f"{path}: no such query file")
        text, name = path.read_text(encoding="utf-8"), path.stem
    values = dict(param_pair(p) for p in args.param)
    result = run_file(open_store(args, read_only=True), text, values, name)
    sys.stdout.buffer.write(serialize_result(result, args.format, ox))
    return 0


def param_pair(given: str) -> tuple[str, str]:
    """NAME=VALUE of `kg query --param`."""
    name, sep, value = given.partition("=")
    if not sep or not name.strip():
        raise InputError(f"--param {given!r}: write NAME=VALUE, e.g. --param place=Boukamal")
    return name.strip(), value


def serialize_result(result, fmt: str, ox) -> bytes:
    from kg.vocab import PREFIXES

    if isinstance(result, ox.QueryTriples):
        rdf = {
            "turtle": ox.RdfFormat.TURTLE,
            "nquads": ox.RdfFormat.N_QUADS,
            "table": ox.RdfFormat.TURTLE,
            "json": ox.RdfFormat.JSON_LD,
        }.get(fmt)
        if rdf is None:
            raise InputError(
                f"--format {fmt} does not fit a CONSTRUCT/DESCRIBE; use turtle or nquads"
            )
        triples = list(result)
        if rdf is ox.RdfFormat.N_QUADS:
            return ox.serialize(
                [ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=rdf
            )
        return ox.serialize(triples, format=rdf, prefixes=dict(PREFIXES)) or b""
    formats = {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }
    if fmt == "table":
        return results_table(result, ox).encode()
    if fmt not in formats:
        raise InputError(
            f"--format {fmt} does not fit a SELECT/ASK; use json, xml, csv, tsv or table"
        )
    return result.serialize(format=formats[fmt])


def results_table(result, ox) -> str:
    if isinstance(result, ox.QueryBoolean):
        return f"{bool(result)}\n"
    names = [v.value for v in result.variables]
    rows = [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result]
    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        print_table(rows, names, width=60)
    finally:
        sys.stdout = sys_stdout
    return out.getvalue()


# `kg serve` starts the web adapter, which sits above the library and this command: found by
# name when the command runs, never imported by the library
SERVE_MODULE = "server.launch"


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    from kg.store import default_store_path

    serve = importlib.import_module(SERVE_MODULE).serve
    serve(
        args.store or default_store_path(),
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        threads=args.threads,
        update_token=args.update_token or os.environ.get("KG_UPDATE_TOKEN"),
        workers=args.query_workers,
        http_workers=args.http_workers,
    )
    return 0


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    from kg.store.export import export

    export(open_store(args, read_only=True), Path(args.out) if args.out else None, args.format)
    return 0


@command("validate")
def cmd_validate(args: argparse.Namespace) -> int:
    from kg.resources import derived_ontology_path
    from kg.store.validate import check_data, check_ontology, load_graph, store_graph

    data = check_data(store_graph(open_store(args, read_only=True)))
    report = check_ontology(extra=load_graph(derived_ontology_path())) + data
    print(report.text)
    return 0 if report.ok else 1


@command("ontology")
def cmd_ontology(args: argparse.Namespace) -> int:
    from kg.store.ontology import ontology_graph, shapes_graph

    graph = shapes_graph() if args.shapes else ontology_graph()
    sys.stdout.buffer.write(graph.serialize(format="turtle", encoding="utf-8"))
    return 0


@command("refresh")
def cmd_refresh(args: argparse.Namespace) -> int:
    from kg.derived import DERIVED, current, recompute

    store = open_store(args, read_only=args.check)
    if args.check:  # each piece against a recompute from the claims, in memory
        found = current(store)
        for piece in DERIVED:
            print(f"{piece.name}: {'current' if found[piece.name] else 'stale'}")
        return 0 if all(found.values()) else 1
    started = time.perf_counter()
    recompute(store)
    store.flush()
    names = ", ".join(piece.name for piece in DERIVED)
    print(f"recomputed {names} in {time.perf_counter() - started:.1f} s")
    return 0


@command("backup")
def cmd_backup(args: argparse.Namespace) -> int:
    from kg.store import default_store_path
    from kg.store.backup import backup

    report = backup(Path(args.store or default_store_path()), Path(args.dest))
    print(report.summary("backed up"))
    return 0


@command("restore")
def cmd_restore(args: argparse.Namespace) -> int:
    from kg.derived import recompute
    from kg.store import default_store_path
    from kg.store.backup import restore

    store = Path(args.store or default_store_path())
    report = restore(Path(args.source), store, then=recompute)
    print(report.summary("restored"))
    return 0


@command("link")
def cmd_link(args: argparse.Namespace) -> int:
    from kg.ask.links import link_store_online, run_link_report

    if args.online:
        from kg.emit.wikidata import WikidataClient

        client = WikidataClient(
            base_url=args.api, cache_dir=Path(args.cache), min_interval=args.min_interval
        )
        for iri, qid in link_store_online(open_store(args), client, limit=args.limit):
            print(f"linked {iri} -> {qid}")
    if args.report or not args.online:
        print(run_link_report(open_store(args, read_only=True)))
    return 0


@command("eval")
def cmd_eval(args: argparse.Namespace) -> int:
    from kg.ask.evaluate import evaluate, load_gold

    scores = evaluate(open_store(args, read_only=True), load_gold([Path(p) for p in args.gold]))
    if args.format == "json":
        print(json.dumps(scores.as_dict(), indent=2))
    else:
        print(scores.format())
        if args.verbose:
            print("\nmissed:", *scores.misses, sep="\n  ")
            print("\nspurious:", *scores.spurious, sep="\n  ")
    return 0


@command("eval-control")
def cmd_eval_control(args: argparse.Namespace) -> int:
    from kg.ask.evaluate_control import evaluate_control
    from kg.build import build

    corpus = Path(args.corpus) if args.corpus else None
    store = None if corpus else open_store(args, read_only=True)
    scores = evaluate_control(Path(args.gold), corpus, store, build)
    if args.format == "json":
        print(json.dumps(scores.as_dict(), indent=2))
    else:
        print(scores.format(verbose=args.verbose))
    return 0


# -- parser ----------------------------------------------------------------------------------
STORE_HELP = (
    "store folder (default: $KG_STORE or .kg/store), or a SPARQL server: "
    "sparql+http://HOST:PORT/PATH"
)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="DIR|URL", help=STORE_HELP)
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    # the same options after a question ("kg ask who-controlled ... --store DIR"); given
    # before it ("kg ask --store DIR who-controlled ..."), the question leaves them alone
    inner = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    inner.add_argument("--store", metavar="DIR|URL", help=STORE_HELP)
    inner.add_argument("--debug", action="store_true", help="show tracebacks")
    p = argparse.ArgumentParser(
        prog="kg", description="Claims in conflict news, as a knowledge graph."
    )
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", parents=[common], help="ingest articles into the store")
    b.add_argument(
        "paths",
        nargs="*",
        help=".txt files or folders of them, or .csv/.jsonl corpora (default: seeds/)",
    )
    b.add_argument("--force", action="store_true", help="extract again even if unchanged")
    b.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="extraction processes (default: one per core; 1 for none)",
    )
    b.add_argument("--timings", action="store_true", help="print where the time went (stderr)")
    b.add_argument(
        "--compact",
        action=argparse.BooleanOptionalAction,
        help="rewrite the store's files in order afterwards, for faster queries (default: "
        "when the build at least doubled the store)",
    )
    b.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="extract on a Dask cluster, e.g. tcp://HOST:8786 (default: $KG_SCHEDULER unless "
        "--workers is given; needs pip install 'conflict-kg[dask]')",
    )
    corpus = b.add_argument_group("CSV / JSON Lines corpora (one article per row)")
    corpus.add_argument("--text-column", default="text", metavar="NAME")
    corpus.add_argument("--date-column", default="date", metavar="NAME")
    corpus.add_argument("--title-column", default="title", metavar="NAME")
    corpus.add_argument("--publisher-column", default="publisher", metavar="NAME")
    corpus.add_argument(
        "--id-column",
        default="id",
        metavar="NAME",
        help="the article's stem (default: a hash of its text when absent)",
    )
    corpus.add_argument("--url-column", default="url", metavar="NAME")
    corpus.add_argument(
        "--date-format",
        metavar="FORMAT",
        help="strptime format of the date column, e.g. %%m/%%d/%%Y",
    )

    a = sub.add_parser("ask", parents=[common], help="ask a stored question")
    asks = a.add_subparsers(dest="question", required=True)
    w = asks.add_parser("who-controlled", parents=[inner], help="who controlled PLACE on DATE")
    w.add_argument("place", help="any name or alias, a Wikidata id, or an IRI")
    w.add_argument("date", type=iso_date, help="YYYY-MM-DD")
    w.add_argument("--as-of", type=iso_date, dest="as_of", help="only reports published by then")
    w.add_argument("--format", choices=["json", "text"], default="json")

    c = sub.add_parser("claims", parents=[common], help="the table of claims")
    c.add_argument("--article", help="article stem")
    c.add_argument(
        "--type",
        choices=claim_view().type_names,
        help="only claims of this type: "
        + "; ".join(f"{t.name} ({t.describes})" for t in claim_view().types.values()),
    )
    c.add_argument("--place", help="only claims about this place (name, alias, Q-id or IRI)")
    c.add_argument("--actor", help="only claims involving this actor")
    c.add_argument("--limit", type=count, metavar="N", help="at most N claims (default: all)")
    c.add_argument("--offset", type=count, default=0, metavar="N", help="skip the first N claims")
    c.add_argument("--format", choices=["jsonl", "csv", "table"], default="table")

    q = sub.add_parser("query", parents=[common], help="run a SPARQL query")
    q.add_argument("query", help="the query text, or @file.rq")
    q.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter the query's header declares, in place of its example (places and "
        "actors by any name, alias or Wikidata id); repeat for several",
    )
    q.add_argument(
        "--format",
        default="table",
        choices=["json", "xml", "csv", "tsv", "table", "turtle", "nquads"],
    )

    s = sub.add_parser("serve", parents=[common], help="serve the endpoint and the web page")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=port, default=5000)
    s.add_argument("--timeout", type=float, default=10.0, help="per-query limit in seconds")
    s.add_argument(
        "--threads", type=at_least_one, default=8, help="requests handled at once per process"
    )
    s.add_argument(
        "--http-workers",
        type=at_least_one,
        help="server processes, each with its own query workers (default 2 on two cores or "
        "more, else 1: see SCALING.md)",
    )
    s.add_argument(
        "--query-workers",
        type=count,
        help="processes evaluating user queries, shared by the server processes and killed "
        "at the time limit (default $KG_QUERY_WORKERS, else one per core, two at least; "
        "0 runs them in threads)",
    )
    s.add_argument(
        "--update-token", help="allow SPARQL Update with this bearer token (or set KG_UPDATE_TOKEN)"
    )

    e = sub.add_parser("export", parents=[common], help="dump the whole dataset")
    e.add_argument("--format", choices=["turtle", "trig", "nquads", "jsonld"], default="trig")
    e.add_argument("--out", metavar="FILE")

    sub.add_parser("validate", parents=[common], help="OWL consistency and SHACL shapes")
    o = sub.add_parser("ontology", parents=[common], help="the whole ontology, as Turtle")
    o.add_argument("--shapes", action="store_true", help="the SHACL shapes instead")

    rf = sub.add_parser(
        "refresh",
        parents=[common],
        help="recompute the derived data (readings, cards, contradictions, pages, totals) from "
        "the claims",
    )
    rf.add_argument(
        "--check",
        action="store_true",
        help="only tell, for each piece, whether it equals a recompute (exit 1 if one does not)",
    )

    lk = sub.add_parser("link", parents=[common], help="Wikidata links: report, or link online")
    lk.add_argument("--report", action="store_true", help="list linked and unlinked entities")
    lk.add_argument(
        "--online",
        action="store_true",
        help="look unlinked entities up on the Wikidata API (needs the network)",
    )
    lk.add_argument("--api", default="https://www.wikidata.org/w/api.php", help="API address")
    lk.add_argument(
        "--cache",
        default=str(Path(".kg") / "wikidata-cache"),
        help="on-disk cache of API answers (later runs need no network)",
    )
    lk.add_argument("--min-interval", type=float, default=1.0, help="seconds between requests")
    lk.add_argument("--limit", type=int, help="link at most this many entities")

    ev = sub.add_parser("eval", parents=[common], help="precision and recall against gold claims")
    ev.add_argument("gold", nargs="+", help="gold .jsonl files (one claim per line)")
    ev.add_argument("--format", choices=["text", "json"], default="text")
    ev.add_argument("--verbose", "-v", action="store_true", help="list missed and spurious claims")
    ec = sub.add_parser(
        "eval-control",
        parents=[common],
        help="who-controlled answers against a gold set of cases (shared/gold/dev_control.json)",
    )
    ec.add_argument("gold", help="the gold JSON file (articles and cases)")
    ec.add_argument(
        "--corpus",
        help="CSV holding the cited articles (FA-KES columns): build "
        "them into a temporary store; without it, --store is scored as it is",
    )
    ec.add_argument("--format", choices=["text", "json"], default="text")
    ec.add_argument("--verbose", "-v", action="store_true", help="list every wrong answer")
    k = sub.add_parser(
        "backup", parents=[common], help="copy the store, safe while serving or building"
    )
    k.add_argument("dest", metavar="DEST", help="a new folder for the copy")
    r = sub.add_parser(
        "restore", parents=[common], help="replace the store's content with a backup"
    )
    r.add_argument("source", metavar="SRC", help="a folder written by kg backup")
    return p


def main(argv: list[str] | None = None) -> int:
    # at exit the collector would walk every object once more (spaCy's: about 0.3 s of a
    # one-article build); the process is ending, so nothing need be collected
    atexit.register(gc.freeze)
    tune_child_processes()  # workers and servers start with kg's malloc settings
    args = parser().parse_args(argv)
    name = args.command
    try:
        return COMMANDS[name](args)
    except KGError as exc:
        if args.debug:
            raise
        print(f"kg {name}: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build: read articles, extract claims, emit RDF, and replace each article's graph.

Each article lands whole or not at all (its graph is replaced in a transaction, with those of
a few other articles, or bulk-loaded with other new ones); a bad file is named with the reason
and skipped while the others land.
An article whose text, metadata and extractor are unchanged since the last build is skipped.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.derived import DERIVED, Change, prepare
from kg.derived import refresh as refresh_derived
from kg.derived.contradictions import count as count_contradictions
from kg.errors import InputError
from kg.extract.gazetteer import default_gazetteer
from kg.parallel import map_chunks
from kg.read.articles import Article, find_articles, read_article
from kg.read.corpus import Columns, is_corpus, read_corpus
from kg.resources import data_dir
from kg.store import GraphStore, Store, insert_data, load, write_durably
from kg.vocab import BASE, ONTOLOGY, article_iri, graph_iri

Progress = Callable[[int, int, str], None]


@dataclass
class BuildReport:
    articles: int = 0
    unchanged: int = 0
    claims: int = 0
    triples: int = 0
    seconds: float = 0.0
    rejected: list[str] = field(default_factory=list)
    undated: int = 0  # articles read with no publication date (their claims stay undated)
    notes: list[str] = field(default_factory=list)  # what the user should know; nothing lost
    contradictions: int = 0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (--timings)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        return (
            f"{self.articles} articles built, {self.unchanged} unchanged, {self.claims} claims, "
            f"{self.triples} triples, {len(self.rejected)} rejected, {self.undated} undated, "
            f"{self.seconds:.1f} s"
        )

    def split(self) -> str:
        return ", ".join(f"{stage} {s:.2f} s" for stage, s in self.timings.items())


class Laps:
    """Seconds per stage, added up over the stage's turns (extract, write, extract, ...)."""

    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds, self.last = seconds, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A digest of the rules and data: change either and articles are extracted again."""
    package = Path(__file__).resolve().parent
    files = sorted(
        [
            *package.glob("extract/**/*.py"),
            *package.glob("read/**/*.py"),
            package / "emit" / "graph.py",
            package / "emit" / "link.py",
            package / "vocab.py",
            package / "claim_view.py",
            *data_dir().glob("*.json*"),
            *data_dir().glob("*.csv"),
        ]
    )
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def read_all(
    paths: list[Path], report: BuildReport, columns: Columns | None = None
) -> list[Article]:
    corpora = [p for p in paths if is_corpus(p)]
    articles = [a for p in corpora for a in read_rows(p, columns or Columns(), report)]
    articles += (
        read_files([p for p in paths if p not in corpora], report)
        if len(corpora) < len(paths)
        else []
    )
    return articles


def read_rows(path: Path, columns: Columns, report: BuildReport) -> Iterator[Article]:
    """The rows of a CSV or JSON Lines corpus; bad rows are named in the report."""
    for found in read_corpus(path, columns, report.notes):
        if isinstance(found, InputError):
            report.rejected.append(found.message)
        else:
            yield found


def read_files(paths: list[Path], report: BuildReport) -> list[Article]:
    articles: list[Article] = []
    for path, meta in _find_each(paths, report):
        try:
            articles.append(read_article(path, meta))
        except InputError as exc:
            report.rejected.append(exc.message)
        except OSError as exc:
            report.rejected.append(f"{path}: cannot be read ({exc.strerror}); check permissions")
    return articles


def _find_each(paths: list[Path], report: BuildReport) -> list[tuple[Path, dict]]:
    """Each path on its own: a broken manifest or a missing path spoils no other folder."""
    found: list[tuple[Path, dict]] = []
    for path in paths:
        try:
            found.extend(find_articles([path]))
        except InputError as exc:
            report.rejected.append(exc.message)
            found.extend(_without_manifest(path) if path.exists() else ())
    return found


def _without_manifest(path: Path) -> Iterator[tuple[Path, dict]]:
    """A broken manifest is reported; its articles still land, without its metadata."""
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    return ((f, {}) for f in files)


UNCHANGED, ANY_ARTICLE = load("kg", "build_unchanged"), load("kg", "build_any_article")


# in a store's folder: the articles a build writes, until what derives from them is refreshed (a
# build cut short between the two leaves them for the next)
UNREFRESHED_FILE = "kg-unrefreshed-articles"


def unrefreshed(store: GraphStore) -> list[str]:
    """Articles an earlier build wrote but stopped before refreshing what derives from them."""
    path = store.journal(UNREFRESHED_FILE)
    try:
        return path.read_text(encoding="utf-8").splitlines() if path else []
    except FileNotFoundError:
        return []


def has_articles(store: GraphStore) -> bool:
    return bool(store.select(ANY_ARTICLE()))


def is_unchanged(store: GraphStore, article: Article) -> bool:
    rows = store.select(
        UNCHANGED(),
        {
            "article": ox.NamedNode(article_iri(article.stem)),
            "sha": ox.Literal(article.input_digest),
            "version": ox.Literal(extractor_version()),
        },
    )
    return bool(rows)


def undated_note(article: Article) -> str:
    where = article.source or article.stem
    why = (
        f'its dateline\'s "{article.unread_date}" is no day of the calendar'
        if article.unread_date
        else "none printed in the text, none given with it"
    )
    return (
        f"{where}: no publication date ({why}); its "
        "claims are stored undated and answer no who-controlled question: give it a "
        '"published" date (YYYY-MM-DD) in manifest.json or the corpus\'s date column'
    )


OCCURRENCES, ORPHANS = load("kg", "build_occurrences"), load("kg", "build_orphan_events")


def occurrences(store: GraphStore, stems: list[str]) -> list[str]:
    """The shared events the articles' claims report, as stored now."""
    found: set[str] = set()
    for stem in stems:
        rows = store.select(OCCURRENCES(g=[graph_iri(stem)]))
        found.update(r["event"].value for r in rows)
    return sorted(found)


def drop_orphan_events(store: GraphStore, events: list[str]) -> None:
    """Remove, among ``events``, those no claim reports any more (an article rebuilt with
    another date or place reports another event): the shared graph keeps no stale day."""
    from kg.vocab import ENTITIES_GRAPH

    for event in events:
        store.update(ORPHANS(event=[event], shared=[ENTITIES_GRAPH]))


SOURCE_FILE = load("kg", "build_source_file")


def keep_apart(
    articles: list[Article], store: GraphStore | None, report: BuildReport
) -> list[Article]:
    """Articles named by their file's stem, each kept apart from another of the same name read
    from another file (in this build, or stored by an earlier one): the later one is stored
    under its name and a mark of its folder, and the report says so. Nothing is replaced in
    silence; the same file built again updates its article."""
    sources: dict[str, str] = {}  # stem: the file it was read from
    kept = []
    for article in articles:
        source = article.source
        if source is not None:
            first = sources.get(article.stem) or (store and stored_source(store, article.stem))
            if first and first != source:
                renamed = f"{article.stem}_{hashlib.sha256(source.encode()).hexdigest()[:8]}"
                report.notes.append(
                    f"{source}: an article named {article.stem} comes from {first}; this one "
                    f"is stored as {renamed} (rename the file to choose its name)"
                )
                article = replace(article, stem=renamed)
            sources.setdefault(article.stem, source)
        kept.append(article)
    return kept


SOURCES_GRAPH = f"{BASE}graph/sources"
SOURCES_DROP = load("kg", "build_sources_drop")


def record_sources(store: GraphStore, articles: list[Article]) -> None:
    """Which file each article was read from, in a graph of the store's own (not the
    article's, whose content must not depend on where its file lies; not exported)."""
    read = [a for a in articles if a.source]
    if not read:
        return
    graph, prop = ox.NamedNode(SOURCES_GRAPH), ox.NamedNode(ONTOLOGY + "sourceFile")
    drop = SOURCES_DROP(article=[article_iri(a.stem) for a in read], sources=SOURCES_GRAPH)
    quads = [
        ox.Quad(ox.NamedNode(article_iri(a.stem)), prop, ox.Literal(a.source or ""), graph)
        for a in read
    ]
    store.update(f"{drop};\n{insert_data(quads)}")


def stored_source(store: GraphStore, stem: str) -> str | None:
    rows = store.select(SOURCE_FILE(), {"article": ox.NamedNode(article_iri(stem))})
    return rows[0]["file"].value if rows else None


@dataclass
class Extracted:
    """One article's graph, ready to write, as N-Quads: bytes cost a worker process next to
    nothing to send back (pickled pyoxigraph terms cost more than writing them), and the
    store parses them in Rust."""

    stem: str
    claims: int
    nquads: bytes = b""  # its graph
    triples: int = 0  # how many quads nquads and shared hold
    shared: bytes = b""  # the entity descriptions it adds to the shared graph (N-Quads)
    # each piece of derived data's share of it, as extraction computed it (`Derived.of_article`)
    derived: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # extraction failed: the article is rejected, the others land


def extract_chunk(articles: list[Article]) -> list[Extracted]:
    """Extract and emit a run of articles (in a worker process, or in this one). If the run
    fails, each article is tried alone, so one bad article cannot take the others down."""
    from kg.extract.run import extract_many  # spaCy: imported only when there is work

    try:
        pairs = zip(articles, extract_many(articles), strict=True)
        return [emitted(a, claims) for a, claims in pairs]
    except Exception as exc:  # noqa: BLE001 - a rule crashed on this text: reject it, go on
        if len(articles) == 1:
            return failed_chunk(articles, exc)
    return [done for article in articles for done in extract_chunk([article])]


def failed_chunk(articles: list[Article], exc: Exception) -> list[Extracted]:
    """Articles whose extraction raised (here, or on a cluster worker that died): rejected."""
    return [Extracted(a.stem, 0, error=f"{type(exc).__name__}: {exc}") for a in articles]


def emitted(article: Article, claims: list) -> Extracted:
    from kg.emit.graph import article_emitter, iri, lit

    emitter = article_emitter(article, claims, default_gazetteer())
    version = iri(ONTOLOGY + "extractorVersion"), lit(extractor_version())
    emitter.add(iri(article_iri(article.stem)), *version)
    own, shared = emitter.lines(), emitter.shared_lines()
    derived = {piece.name: piece.of_article(emitter) for piece in DERIVED}
    return Extracted(
        article.stem,
        len(claims),
        "".join(own).encode(),
        len(own) + len(shared),
        "".join(shared).encode(),
        {name: share for name, share in derived.items() if share is not None},
    )


def warm_worker() -> None:
    """Load the spaCy pipeline and the gazetteer once per worker process."""
    from kg.extract.nlp import pipeline

    pipeline()
    default_gazetteer()


def pipeline_loads() -> list[float]:
    """Import spaCy (a build with nothing to extract never does) and return the seconds of
    each pipeline load in this process so far, a list that grows as extraction loads it."""
    from kg.extract.nlp import LOADS

    return LOADS


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# a worker costs a pipeline load (about 1-2 s): below this many words, one process is faster
PARALLEL_MIN_WORDS = 20_000


def extracts_here(todo: list[Article], workers: int, scheduler: str | None = None) -> bool:
    """Whether ``extracted`` runs spaCy in this process (too little work for more processes)."""
    if scheduler:
        return False
    words = sum(len(a.text.split()) for a in todo)
    return workers <= 1 or len(todo) < 2 or words < PARALLEL_MIN_WORDS


def extracted(
    todo: list[Article], workers: int, scheduler: str | None = None
) -> Iterator[Extracted]:
    """Each article's graph in input order: on the Dask cluster at ``scheduler``, else in
    ``workers`` local processes, else in this one."""
    chunks: Iterator[list[Extracted]]
    if scheduler:
        from kg.cluster import map_on_cluster

        chunks = map_on_cluster(
            scheduler, extract_chunk, todo, same=extractor_version, failed=failed_chunk
        )
    elif extracts_here(todo, workers):
        chunks = (extract_chunk(todo[i : i + 32]) for i in range(0, len(todo), 32))
    else:
        chunks = map_chunks(extract_chunk, todo, workers, initializer=warm_worker)
    for chunk in chunks:
        yield from chunk


# articles per write transaction: one larger write costs the parent less CPU than several small
# ones, and the articles of a batch land together (each still whole)
WRITE_BATCH = 32
# quads per write when every graph of the batch is new to a store that bulk-loads (``bulk_load``):
# each bulk load adds a file per index that RocksDB compacts with the level below, so small
# loads spread over a build cost more than transactions (10k generated articles, 32 a load:
# the parent's CPU 141 -> 256 s); loads of a few hundred thousand quads cost it a third less
# (143 -> 94 s; SCALING.md); 900k quads a load (about 1,800 articles, under the store's
# one-parse limit, BULK_MAX_QUADS) cost 15-20% less CPU than 250k
BULK_QUADS = 900_000


class Writer:
    """Writes extracted articles in input order, each whole or not at all.

    Articles new to a store on disk go to it in bulk loads of up to ``BULK_QUADS`` quads;
    the others, up to ``batch`` articles at a time, in one transaction each
    (``Store.replace_graphs``). If a batch cannot be written, each of its articles is written
    alone, so a bad graph is rejected and the others still land. ``landed`` and ``rejected``
    hear of each article once it is stored (or refused).
    """

    def __init__(
        self,
        store: GraphStore,
        landed: Callable[[Extracted], None],
        rejected: Callable[[Extracted, str], None],
        batch: int | None = None,
    ) -> None:
        self.store, self.landed, self.rejected = store, landed, rejected
        self.batch = batch or WRITE_BATCH
        self.pending: list[Extracted] = []
        self.stems: set[str] = set()  # of pending
        self.quads = 0  # in pending
        self.fresh = True  # every pending graph is new to the store, which bulk-loads them
        self.shared: set[bytes] = set()  # entity descriptions this build has stored

    def add(self, done: Extracted) -> None:
        fresh = self.store.bulk_load and not self.store.has_graph(graph_iri(done.stem))
        if done.stem in self.stems or (self.pending and fresh != self.fresh):
            # the same article twice: the later one replaces the earlier, as alone; or a
            # stored article after new ones: each kind of batch is written its own way
            self.flush()
        self.pending.append(done)
        self.stems.add(done.stem)
        self.quads += done.triples
        self.fresh = fresh
        if self.quads >= BULK_QUADS if fresh else len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        batch, self.pending, self.quads = self.pending, [], 0
        self.stems.clear()
        if not batch:
            return
        try:
            self.write(batch)
        except InputError:  # a malformed graph: find it, write the others
            for done in batch:
                self.write_alone(done)
            return
        for done in batch:
            self.landed(done)

    def write_alone(self, done: Extracted) -> None:
        try:
            self.write([done])
        except InputError as exc:
            self.rejected(done, f"could not be stored ({exc.message})")
            return
        self.landed(done)

    def write(self, batch: list[Extracted]) -> None:
        """One write (a transaction, or a bulk load of new graphs). An entity description this
        build already stored is not written again: every article that names an entity
        describes it (on FA-KES, a quarter of the quads a build emits), and RocksDB's cost is
        per quad written. The articles' own graphs are written as they came, not split into
        lines (5 M lines of a 10k-article build)."""
        graphs = [graph_iri(done.stem) for done in batch]
        kept, described = [done.nquads for done in batch], set()
        for done in batch:
            for line in done.shared.splitlines(keepends=True):
                if line not in self.shared and line not in described:
                    described.add(line)
                    kept.append(line)
        self.store.replace_graphs(graphs, b"".join(kept), minted=True)  # kg.emit.graph's own
        self.shared |= described  # only once they are stored


def compacts(choice: bool | None, before: int, after: int, recomputed: bool = False) -> bool:
    """Whether a build that found the store's files at ``before`` bytes and left them at
    ``after`` compacts them, unless told (``choice``). By default, when it at least doubled
    them: compacting rewrites the whole store, so it is done when the build wrote as much as
    there was, which keeps its cost a fraction of the builds' (a first build compacts, adding
    one article to a big store does not). And when it ``recomputed`` derived data of the whole
    store that was there before (a store built by an older version getting its totals): writes
    spread over every key range, which RocksDB would otherwise merge a little in every later
    build (adding an article to a 100k-article store then took 2.5-3 s instead of 1.9, with
    runs of 10-30 s)."""
    if choice is not None:
        return choice
    return after > 0 and (after >= 2 * before or recomputed)


def build(
    store: Store,
    paths: list[Path],
    progress: Progress | None = None,
    force: bool = False,
    columns: Columns | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    compact: bool | None = None,
) -> BuildReport:
    """Read, extract (on the Dask cluster at ``scheduler``, else in ``workers`` processes;
    default: one per core) and write the articles' graphs in this process, a few articles per
    transaction, each whole or not at all (``Writer``). Then compact the store if ``compact``,
    or by default if the build at least doubled its files (``compacts``)."""
    started = time.perf_counter()
    report = BuildReport()
    clock = Laps(report.timings)
    size = store.disk_bytes()
    stored = has_articles(store)
    articles = keep_apart(read_all(paths, report, columns), store if stored else None, report)
    todo = [a for a in articles if force or not stored or not is_unchanged(store, a)]
    report.undated = sum(a.published is None for a in articles)
    report.notes.extend(undated_note(a) for a in todo if a.published is None)
    report.unchanged = len(articles) - len(todo)
    if store.recovered:
        report.notes.append(
            f"dropped {len(store.recovered)} article graphs that a build cut short had left partly "
            "written; they are extracted again when given"
        )
    # what derives from the articles (their readings, their links) is refreshed for these and
    # for any an earlier build wrote without refreshing
    refresh = sorted({a.stem for a in todo} | set(unrefreshed(store)))
    # what the derived data must know of them before they are replaced
    before = prepare(store, refresh) if stored else {}
    events = occurrences(store, [a.stem for a in todo]) if stored else []
    if todo and (journal := store.journal(UNREFRESHED_FILE)):
        write_durably(journal, "".join(stem + "\n" for stem in refresh))
    clock.lap("read")
    workers = workers or default_workers()
    # spaCy is imported here only if extraction runs here (about a second of the parent's CPU)
    loads = pipeline_loads() if todo and extracts_here(todo, workers, scheduler) else []
    loaded = len(loads)
    clock.lap("import spaCy")
    report.timings["pipeline"] = 0.0  # loaded by the first extraction in this process, if any
    # each piece of derived data's share of each landed article, as extraction computed it
    known: dict[str, dict[str, Any]] = {piece.name: {} for piece in DERIVED}
    landed_stems: set[str] = set()
    unread = len(report.rejected)  # rejected before extraction

    def landed(done: Extracted) -> None:
        report.triples += done.triples
        report.claims += done.claims
        report.articles += 1
        landed_stems.add(done.stem)
        for name, share in done.derived.items():
            known[name][done.stem] = share
        if progress:
            handled = report.articles + len(report.rejected) - unread
            progress(handled, len(todo), done.stem)

    def rejected(done: Extracted, reason: str) -> None:
        report.rejected.append(f"{done.stem}: {reason}")

    writer = Writer(store, landed, rejected)
    for done in extracted(todo, workers, scheduler):
        clock.lap("extract")
        if done.error is not None:
            rejected(
                done,
                f"extraction failed ({done.error}); the article was not stored: "
                "report it with the text, or run with --debug",
            )
            continue
        writer.add(done)
        clock.lap("write")
    writer.flush()
    drop_orphan_events(store, events)  # an event the rebuilt articles no longer report
    record_sources(store, [a for a in todo if a.stem in landed_stems])
    clock.lap("write")
    if loads[loaded:]:  # the pipeline was loaded here, during extraction: its own stage
        report.timings["pipeline"] = sum(loads[loaded:])
        report.timings["extract"] -= report.timings["pipeline"]

    def stage(what: str) -> None:  # a line under the finished progress bar, for long stages
        if progress and refresh:
            progress(len(todo), len(todo), what)

    stage(f"{', '.join(p.name for p in DERIVED)} of {len(refresh)} articles")
    # a first build writes what extraction computed of each article (every article the store
    # holds) instead of reading it back, and bulk-loads what it recomputes if it compacts after
    change = Change(
        refresh,
        before=before,
        known=known,
        complete=not stored,
        bulk=not stored and compact is not False,
    )
    refreshed = refresh_derived(store, change, lap=clock.lap)
    for piece in refreshed:
        if piece.piece.beside:
            report.timings[f"{piece.piece.name} (in parallel)"] = piece.seconds
    clock.lap("waiting for the pieces in parallel")
    report.contradictions = count_contradictions(store)
    recomputed = stored and any(piece.whole for piece in refreshed)
    if journal := store.journal(UNREFRESHED_FILE):
        journal.unlink(missing_ok=True)
    store.flush()
    clock.lap("flush")
    if compacts(compact, size, after := store.disk_bytes(), recomputed):
        stage(f"compacting the store ({after / 1e6:,.0f} MB)")
        store.compact()
        clock.lap("compact")
    report.seconds = time.perf_counter() - started
    return report

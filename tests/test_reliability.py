"""Reliability with real processes: bad inputs, SIGKILL during `kg build`, serving while
building, backup and restore under load, and a short load test.

Every store that is faulted holds the seeds, and after each fault `kg ask who-controlled
Boukamal 2017-11-12` must still answer ISIS with its evidence. Measured figures are printed
(run with -s to see them) and recorded in RELIABILITY.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, SEEDS

from kg.store import Store
from kg.vocab import (
    DERIVED_GRAPH,
    ENTITIES_GRAPH,
    ONTOLOGY,
    PAGES_GRAPH,
    SOURCES_GRAPH,
    TERM_PAGES_GRAPH,
    TOTALS_GRAPH,
    graph_iri,
    slug,
    stem_segment,
)
from server.live import store_signature

ISIS = "Q2429253"
ARTICLES = f"""SELECT ?g ?stem ?version WHERE {{ GRAPH ?g {{
  ?a a <{ONTOLOGY}Article> ; <{ONTOLOGY}stem> ?stem .
  OPTIONAL {{ ?a <{ONTOLOGY}extractorVersion> ?version }} }} }}"""


def _load_bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


load = _load_bench()


# -- helpers ---------------------------------------------------------------------------------


def kg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout)


def kg_start(*args: str, stderr: Path) -> subprocess.Popen:
    """`kg ...` in its own process group, so the test can kill it and any workers it spawned."""
    return subprocess.Popen([sys.executable, "-m", "kg.cli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=stderr.open("w"),
                            start_new_session=True)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the build itself first (the fault under test), then whatever it left behind."""
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def assert_isis(store: Path) -> None:
    out = kg("ask", "who-controlled", "Boukamal", "2017-11-12", "--store", str(store))
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["controller"]["wikidata"] == ISIS, answer["controller"]
    assert answer["evidence"] and all(e["sentence"] for e in answer["evidence"])


def seeded_store(seeds_store: Path, dest: Path) -> Path:
    """A private copy of the session's seeds store (closed, so a file copy is a true copy)."""
    return Path(shutil.copytree(seeds_store, dest))


def copy_seeds(folder: Path, copies: int, prefix: str = "c") -> dict[str, str]:
    """The seeds written ``copies`` times under new names, with their manifest; returns
    {new stem: seed stem}."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    names, out = {}, {}
    for k in range(copies):
        for seed in sorted(SEEDS.glob("*.txt")):
            name = f"{prefix}{k:02d}_{seed.name}"
            shutil.copyfile(seed, folder / name)
            names[name] = manifest.get(seed.name, {})
            out[Path(name).stem] = seed.stem
    (folder / "manifest.json").write_text(json.dumps(names), encoding="utf-8")
    return out


def article_graphs(store_path: Path) -> dict[str, set[str]]:
    """{stem: the article graph's quads as text}; fails on a graph without its version."""
    store = ox.Store.read_only(str(store_path))
    found = {}
    for row in store.query(ARTICLES):
        assert row["version"] is not None, f"incomplete graph {row['g']}"
        quads = store.quads_for_pattern(None, None, None, row["g"])
        found[row["stem"].value] = {str(q) for q in quads}
    named = {g.value for g in store.named_graphs()}
    # besides the article graphs: the shared entity graph, the derived contradictions and
    # readings, the totals of the whole-store aggregates, the pages of the listings and the
    # files the articles were read from
    others = {ENTITIES_GRAPH, DERIVED_GRAPH, TOTALS_GRAPH, PAGES_GRAPH, TERM_PAGES_GRAPH,
              SOURCES_GRAPH}
    assert named - {f"{r}" for r in _graph_names(found)} <= others
    return found


def _graph_names(found: dict[str, set[str]]) -> Iterator[str]:
    return (graph_iri(stem) for stem in found)


def normalized(quads: set[str], stem: str, source: str) -> set[str]:
    # IRIs carry the stem as an IRI segment; anonymous sources' keys carry its slug
    return {q.replace(stem_segment(stem), stem_segment(source)).replace(slug(stem), slug(source))
            .replace(stem, source) for q in quads}


def check_consistent(store_path: Path, copies: dict[str, str]) -> int:
    """Every article graph in the store equals its seed's graph; returns how many copies landed."""
    graphs = article_graphs(store_path)
    for stem, source in copies.items():
        if stem in graphs:
            got, want = normalized(graphs[stem], stem, source), graphs[source]
            assert got == want, (f"{stem}: missing {sorted(want - got)[:3]}, "
                                 f"extra {sorted(got - want)[:3]}")
    return sum(stem in graphs for stem in copies)


# -- 1. bad inputs ---------------------------------------------------------------------------

SEED_TEXT = (SEEDS / "004_624767c5aad575bc.txt").read_text(encoding="utf-8")  # no printed date
CAFE = "\n\nThe caf\u00e9 owner said \u201cthe army left\u201d on Monday.\n"


def write_bad_inputs(root: Path) -> dict[str, tuple[str, ...]]:
    """Bad files next to good ones; returns {file: words its rejection line must hold}."""
    mixed = Path(shutil.copytree(SEEDS, root / "mixed"))
    (mixed / "empty.txt").write_bytes(b" \n\t\n")
    (mixed / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (mixed / "page.txt").write_text("<!DOCTYPE html>\n<html><body><p>Raqqa</p></body></html>")
    (mixed / "big.txt").write_bytes(b"The army advanced. " * 300_000)
    with (mixed / "sparse.txt").open("wb") as f:  # 3 GB of nothing: refused before it is read
        f.truncate(3 << 30)
    (mixed / "latin.txt").write_bytes(b"Ar\xe9a \x81\x8d\x90 text " * 20)
    (mixed / "utf16le.txt").write_bytes((SEED_TEXT + CAFE).encode("utf-16"))
    (mixed / "utf16be.txt").write_bytes(b"\xfe\xff" + (SEED_TEXT + CAFE).encode("utf-16-be"))
    (mixed / "cp1252.txt").write_bytes((SEED_TEXT.replace("\u2019", "'") + CAFE).encode("cp1252"))
    (mixed / "bom8.txt").write_bytes(b"\xef\xbb\xbf" + (SEED_TEXT + CAFE).encode())
    broken = root / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"kept.txt": {"publisher": "AFP",')
    (broken / "kept.txt").write_text(SEED_TEXT)
    dated = root / "dated"
    dated.mkdir()
    (dated / "manifest.json").write_text(json.dumps({
        "nodate.txt": {"published": "next Tuesday"},
        "feb30.txt": {"published": "2017-02-30"},
        "listed.txt": {"publisher": ["AFP", "AP"]},
        "fine.txt": {"published": "2017-11-05", "publisher": "AFP"}}))
    for name in ("nodate.txt", "feb30.txt", "listed.txt", "fine.txt"):
        (dated / name).write_text(SEED_TEXT)
    return {
        "empty.txt": ("empty", "remove it"), "binary.txt": ("binary", "convert"),
        "page.txt": ("HTML", "extract"), "big.txt": ("too large", "split"),
        "sparse.txt": ("3,221,225,472 bytes", "split"),
        "latin.txt": ("not UTF-8 and not Windows-1252", "re-save"),
        "manifest.json": ("not valid JSON", "fix it"),
        "nodate.txt": ("'next Tuesday', not a date", "YYYY-MM-DD"),
        "feb30.txt": ("'2017-02-30', not a date", "YYYY-MM-DD"),
        "listed.txt": ("publisher=['AFP', 'AP'], not text", "string"),
        "missing": ("no such file or folder", "pass"),
    }


def test_bad_inputs_are_named_skipped_and_the_rest_lands(tmp_path: Path) -> None:
    expected = write_bad_inputs(tmp_path)
    store = tmp_path / "store"
    out = kg("build", *(str(tmp_path / d) for d in ("mixed", "broken", "dated", "missing")),
             "--store", str(store))
    assert out.returncode == 1, out.stderr
    lines = [x for x in out.stderr.splitlines() if x.startswith("rejected: ")]
    assert "Traceback" not in out.stderr and len(lines) == len(expected), out.stderr
    # the rest are notes, one for each article that landed without a date
    notes = [x for x in out.stderr.splitlines() if not x.startswith("rejected: ")]
    assert notes and all("no publication date" in x for x in notes), notes
    for name, words in expected.items():
        line = next((x for x in lines if f"/{name}:" in x), None)
        assert line and line.startswith("rejected: "), (name, out.stderr)
        assert all(w in line for w in words), (name, line)
    landed = stems_and_dates(store)
    good = {"utf16le", "utf16be", "cp1252", "bom8", "kept", "fine"}
    good |= {s.stem for s in SEEDS.glob("*.txt")}
    assert set(landed) == good, set(landed) ^ good
    assert landed["004_624767c5aad575bc"] == "2017-11-03"  # not spoilt by a broken manifest
    assert landed["fine"] == "2017-11-05"
    assert_cafe_read(store)
    assert_isis(store)


def stems_and_dates(store_path: Path) -> dict[str, str | None]:
    store = ox.Store.read_only(str(store_path))
    rows = store.query(f"SELECT ?stem ?d WHERE {{ ?a <{ONTOLOGY}stem> ?stem . "
                       f"OPTIONAL {{ ?a <{ONTOLOGY}published> ?d }} }}",
                       use_default_graph_as_union=True)
    return {r["stem"].value: (r["d"].value if r["d"] else None) for r in rows}


def assert_cafe_read(store_path: Path) -> None:
    """Each encoding decoded to the same text: the accented sentence is stored once per file."""
    store = ox.Store.read_only(str(store_path))
    rows = list(store.query(f'SELECT ?s WHERE {{ ?c <{ONTOLOGY}sentenceText> ?s '
                            'FILTER(CONTAINS(?s, "caf\u00e9 owner")) }',
                            use_default_graph_as_union=True))
    assert len(rows) == 4, [r["s"] for r in rows]  # utf16le, utf16be, cp1252, bom8


# -- 2. SIGKILL during a build ---------------------------------------------------------------


def wait_for_write(store: Path, process: subprocess.Popen, limit: float = 120) -> None:
    """Return once the build has changed the store's files (it has opened it: it holds the lock)."""
    before, deadline = store_signature(store), time.monotonic() + limit
    while store_signature(store) == before and process.poll() is None:
        assert time.monotonic() < deadline, "the build did not open the store"
        time.sleep(0.005)


def wait_for_commit(store: Path, process: subprocess.Popen, than: int, limit: float = 120) -> None:
    """Return once a reader sees more than ``than`` articles (the build has committed one)."""
    deadline = time.monotonic() + limit
    while count_articles(store) <= than and process.poll() is None:
        assert time.monotonic() < deadline, "the build committed nothing"
        time.sleep(0.05)


def count_articles(store_path: Path) -> int:
    rows = Store(store_path, read_only=True).select(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ckg:Article }")
    return int(rows[0]["n"].value)


def test_sigkill_at_random_moments_then_resume(seeds_store: Path, tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("KG_FAULT_SEED", "20171112")))
    store = seeded_store(seeds_store, tmp_path / "store")
    copies = copy_seeds(tmp_path / "corpus", 4)
    landed, build = [], ("build", str(tmp_path / "corpus"), "--store", str(store))
    for when in ("anytime", "writing", "writing"):
        process = kg_start(*build, stderr=tmp_path / "err.txt")
        if when == "writing":
            wait_for_commit(store, process, than=5 + (landed[-1] if landed else 0))
        time.sleep(rng.uniform(0.2, 3.0) if when == "anytime" else rng.uniform(0.0, 1.5))
        kill_group(process)
        landed.append(check_consistent(store, copies))
        assert_isis(store)
    copied = kg("backup", str(tmp_path / "copy"), "--store", str(store))  # WAL not flushed
    assert copied.returncode == 0, copied.stderr
    assert check_consistent(tmp_path / "copy", copies) == landed[-1]
    out = kg(*build)
    assert out.returncode == 0, out.stderr
    assert f"{landed[-1]} unchanged" in out.stdout, out.stdout
    assert check_consistent(store, copies) == len(copies)
    print(f"\nSIGKILL: copies landed after each kill {landed} of {len(copies)}; "
          f"resumed: {out.stdout}")
    assert_isis(store)


# -- 3. serving while building, backup and restore under load --------------------------------


class Hammer:
    """Threads querying a server until stopped: errors and the article counts each one saw."""

    COUNT = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ckg:Article }"

    def __init__(self, base: str, threads: int = 4) -> None:
        self.base, self.errors, self.seen = base, [], [[] for _ in range(threads)]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]
        for t in self._threads:
            t.start()

    def count(self) -> int:
        query = urllib.parse.urlencode({"query": self.COUNT})
        request = urllib.request.Request(f"{self.base}/sparql?{query}",
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(json.load(response)["results"]["bindings"][0]["n"]["value"])

    def _run(self, i: int) -> None:
        paths = load.MIX[i::2] or load.MIX
        while not self._stop.is_set():
            for path, headers in paths:
                error = load.fetch(self.base, path, headers)
                if error:
                    self.errors.append(error)
            try:
                self.seen[i].append(self.count())
            except Exception as exc:  # noqa: BLE001 - every failure is a finding
                self.errors.append(f"count: {exc!r}")

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()


def wait_for(check: Callable[[], bool], limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)


@pytest.fixture()
def served(seeds_store: Path, tmp_path: Path) -> Iterator[tuple[Path, Hammer]]:
    store = seeded_store(seeds_store, tmp_path / "store")
    server, base = load.start_server(store, threads=8, log=tmp_path / "serve.log")
    hammer = Hammer(base)
    try:
        yield store, hammer
    finally:
        hammer.stop()
        server.terminate()
        server.wait(10)


def test_serve_while_building_with_backup_and_restore(served: tuple[Path, Hammer],
                                                      tmp_path: Path) -> None:
    store, hammer = served
    copy_seeds(tmp_path / "corpus", 3, prefix="n")
    before = kg("backup", str(tmp_path / "before"), "--store", str(store))
    assert before.returncode == 0, before.stderr
    build = kg_start("build", str(tmp_path / "corpus"), "--store", str(store),
                     stderr=tmp_path / "build.txt")
    wait_for_write(store, build)  # the build has opened the store: it holds the lock now
    during = kg_async("backup", str(tmp_path / "during"), "--store", str(store))
    refused = kg_async("restore", str(tmp_path / "before"), "--store", str(store))
    (during_out, during_err), (_, refused_err) = during.communicate(60), refused.communicate(60)
    overlapped = build.poll() is None
    assert build.wait(300) == 0, (tmp_path / "build.txt").read_text()
    wait_for(lambda: hammer.count() == 20)  # visible without a restart
    growth = [list(s) for s in hammer.seen]
    restored = kg("restore", str(tmp_path / "before"), "--store", str(store))
    wait_for(lambda: hammer.count() == 5)
    hammer.stop()
    assert overlapped, "the build ended before the backup did: make the corpus bigger"
    assert during.returncode == 0 and restored.returncode == 0, (during_err, restored.stderr)
    assert refused.returncode == 1 and "retry when it ends" in refused_err, refused_err
    assert not hammer.errors, hammer.errors[:5]
    assert all(s == sorted(s) for s in growth), growth  # no reader saw an article vanish
    assert 5 <= len(article_graphs(tmp_path / "during")) <= 20
    print(f"\nserve+build: {sum(map(len, hammer.seen))} counts, 0 errors; "
          f"backup during build: {during_out.strip()}")
    for s in (store, tmp_path / "during", tmp_path / "before"):
        assert_isis(s)


def kg_async(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg.cli", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# -- 4. load ---------------------------------------------------------------------------------


def test_load_8_clients_5_seconds_with_a_writer(seeds_store: Path, tmp_path: Path) -> None:
    store = seeded_store(seeds_store, tmp_path / "store")
    server, base = load.start_server(store, threads=8, extra=("--update-token", load.TOKEN))
    try:
        result, writes = load.run_load(base, clients=8, seconds=5, max_requests=20_000,
                                       writers=1)
    finally:
        server.terminate()
        server.wait(10)
    print(f"\nload: {result.summary()}\nwrites: {writes.summary()}")
    assert not result.errors and not writes.errors, (result.errors + writes.errors)[:5]
    assert result.requests >= 40 and result.percentile(99) < 5000
    assert writes.requests >= 5  # writes land while the readers read


def test_idle_keep_alive_connections_do_not_shut_out_new_clients(seeds_store: Path,
                                                                  tmp_path: Path) -> None:
    """Browsers keep idle connections open: more of them than the server's threads must not
    keep a new client waiting (granian counts each open connection against its backpressure)."""
    import http.client

    server, base = load.start_server(seeds_store, threads=2, log=tmp_path / "serve.log")
    port = int(base.rsplit(":", 1)[1])
    idle = []
    try:
        for _ in range(24):  # each asks once, then stays open and idle
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/api/queries")
            assert conn.getresponse().read()
            idle.append(conn)
        started = time.monotonic()
        fresh = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        fresh.request("GET", "/api/queries")
        response = fresh.getresponse()
        assert response.status == 200 and response.read()
        assert time.monotonic() - started < 2.0
    finally:
        for conn in idle:
            conn.close()
        server.terminate()
        server.wait(30)  # what is measured here is the new client's wait, not the shutdown

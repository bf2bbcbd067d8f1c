"""A build compacts the store it at least doubled (a first build, a big batch), not the one it
added an article to, and compacting changes the store's files, never what it holds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SEEDS, generated_texts, write_articles

from kg.build import build, compacts
from kg.cli import main
from kg.store import Store
from server.live import LiveStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def tables(path: Path) -> int:
    return len(list(path.glob("*.sst")))


def count(live: LiveStore) -> int:
    return int(next(iter(live.get().query(COUNT)))["n"].value)


def test_a_first_build_compacts_and_keeps_every_quad(tmp_path: Path) -> None:
    plain, compacted = Store(tmp_path / "plain"), Store(tmp_path / "compacted")
    assert build(plain, [SEEDS], compact=False).ok
    report = build(compacted, [SEEDS])
    assert "compact" in report.timings and "compact" not in build(plain, [SEEDS]).timings
    assert set(compacted.quads()) == set(plain.quads())
    # RocksDB's files merged: one run per index instead of a load's files plus the refresh's
    assert tables(tmp_path / "compacted") < tables(tmp_path / "plain")


def test_adding_an_article_to_a_built_store_does_not_compact_unless_told(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "store")
    assert "compact" in build(store, [SEEDS]).timings
    one = write_articles(tmp_path / "one", {"extra.txt": generated_texts(1, seed=3)[0]})
    report = build(store, [one])
    assert report.articles == 1 and "compact" not in report.timings
    two = write_articles(tmp_path / "two", {"extra2.txt": generated_texts(1, seed=4)[0]})
    assert "compact" in build(store, [two], compact=True).timings


def test_the_rule_compacts_when_the_files_at_least_doubled() -> None:
    assert compacts(None, 0, 4096) and compacts(None, 1000, 2000)
    assert not compacts(None, 1000, 1999) and not compacts(None, 0, 0)
    assert compacts(True, 1000, 1000) and not compacts(False, 0, 4096)
    # derived data of the whole store recomputed (a store from an older version)
    assert compacts(None, 1000, 1100, recomputed=True)
    assert not compacts(False, 1000, 1100, recomputed=True)


def test_kg_build_no_compact_leaves_the_files_and_compact_merges_them(
    tmp_path: Path, capsys
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    loose, tidy = tmp_path / "loose", tmp_path / "tidy"
    assert main(["build", str(seeds), "--store", str(loose), "--no-compact", "--timings"]) == 0
    assert "compact" not in capsys.readouterr().err
    assert main(["build", str(seeds), "--store", str(tidy), "--timings"]) == 0
    assert "compact" in capsys.readouterr().err
    assert tables(tidy) < tables(loose)
    # an unchanged rebuild writes nothing; told to, it compacts what the first left loose
    # (into about as few tables as a compacted build: how few, the store's compaction picks)
    left = tables(loose)
    assert main(["build", str(seeds), "--store", str(loose), "--compact"]) == 0
    assert tables(loose) < left and tables(loose) <= tables(tidy) + 2


def test_a_server_reading_the_store_follows_a_compaction_by_another_process(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store"
    assert build(Store(path), [SEEDS], compact=False).ok
    live = LiveStore(path)
    before = count(live)
    assert before > 4000
    compact = "import sys; from kg.store import Store; Store(sys.argv[1]).compact()"
    subprocess.run([sys.executable, "-c", compact, str(path)], check=True, timeout=120)
    # every file the reader had opened is gone: it answers from the new ones, all quads there
    assert count(live) == before


def test_the_progress_names_the_stages_after_the_last_article(tmp_path: Path) -> None:
    lines: list[tuple[int, int, str]] = []
    build(Store(tmp_path / "store"), [SEEDS], progress=lambda *line: lines.append(line))
    after = [what for done, total, what in lines if what.startswith(("cards", "compacting"))]
    assert after[0] == "cards, control, contradictions, day pages, term pages, totals of 5 articles"
    assert re.fullmatch(r"compacting the store \(\d+ MB\)", after[1]) and len(after) == 2
    assert lines[-3][:2] == lines[-1][:2] == (5, 5)  # under a finished bar

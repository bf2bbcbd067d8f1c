"""Extraction on a Dask cluster: a real LocalCluster builds the same quads as a local build;
an unreachable scheduler, a missing `distributed` and workers without the package are one line."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEEDS

import kg.cluster
from kg.build import extracted
from kg.cli import main
from kg.errors import InputError
from kg.read.articles import Article, Item
from kg.store import Store


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Two worker processes of one thread each, shared by the module (each loads spaCy once)."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def quads(path: Path) -> set[str]:
    return {str(q) for q in Store(path, read_only=True).quads()}


def test_a_cluster_build_stores_the_same_quads_as_a_local_build(
    scheduler: str, seeds_store: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    assert main(["build", str(SEEDS), "--store", str(store), "--scheduler", scheduler]) == 0
    local, cluster = quads(seeds_store), quads(store)
    only_local, only_cluster = sorted(local - cluster)[:5], sorted(cluster - local)[:5]
    assert local == cluster, f"only local: {only_local}\nonly on the cluster: {only_cluster}"
    assert len(cluster) > 1000


def test_an_article_that_fails_on_a_worker_is_rejected_and_the_others_land(
    scheduler: str,
) -> None:
    day = dt.date(2019, 3, 13)
    text = "Rebels captured the town of Kafr Salem on Sunday, AFP said."
    good = Article("good", text, day, items=[Item("A Headline For The Item", [text])])
    broken = Article("broken", "x", day, items=[Item(None, None)])  # no paragraphs: it raises
    done = list(extracted([good, broken, good], workers=1, scheduler=scheduler))
    assert [d.stem for d in done] == ["good", "broken", "good"]
    assert done[0].error is None and done[0].nquads and done[2].nquads == done[0].nquads
    assert done[1].error and done[1].nquads == b""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(kg.cluster, "CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv("KG_SCHEDULER", address)  # the default when no --scheduler is given
    assert main(["build", str(SEEDS), "--store", str(tmp_path / "store")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and address in err and "dask scheduler" in err, err
    assert "Traceback" not in err


def test_without_distributed_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    args = ["build", str(SEEDS), "--store", str(tmp_path / "store"), "--scheduler", "tcp://x:1"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'conflict-kg[dask]'" in err, err


def test_workers_without_the_package_are_told_to_install_it(
    scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a module importable here but not on the workers (they were started before it existed)
    (tmp_path / "only_here.py").write_text("def version():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import only_here  # type: ignore[import-not-found]

    with pytest.raises(InputError, match="only_here.*pip install conflict-kg.*every worker"):
        list(kg.cluster.map_on_cluster(scheduler, len, [1, 2], same=only_here.version))
    monkeypatch.delitem(sys.modules, "only_here")
    # a worker whose answer differs from this process's runs other code (a pid always does)
    with pytest.raises(InputError, match="run other code than this one"):
        list(kg.cluster.map_on_cluster(scheduler, len, [1, 2], same=os.getpid))


def where_it_ran(part: list[int]) -> str:
    from distributed import get_worker

    return get_worker().address


LATE: list = []  # what same_version does where it is not a worker: here, after the check


def same_version() -> str:
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:
        for join in LATE:
            join()
    return "version"


def test_a_worker_that_joins_after_the_check_gets_no_work() -> None:
    """Workers are checked once, before any work: one that joins later (perhaps without the
    package) is given none, never chunks it could not run."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as watcher,
    ):
        first = next(iter(watcher.nthreads()))

        def one_more() -> None:
            cluster.scale(2)
            watcher.wait_for_workers(2, timeout=30)

        LATE.append(one_more)
        try:
            ran = list(
                kg.cluster.map_on_cluster(
                    cluster.scheduler_address, where_it_ran, list(range(40)), same_version
                )
            )
        finally:
            LATE.clear()
        assert len(watcher.nthreads()) == 2
        assert len(ran) > 1 and set(ran) == {first}

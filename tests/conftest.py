"""Shared fixtures: real stores on disk built from real articles, a real server on loopback, and
each store fixture on both backends (`GraphStore`): the embedded store and a real SPARQL server
(`oxigraph serve`) reached as a RemoteStore."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.store import GraphStore, RemoteStore, Store
from server.lifecycle import stop

ROOT = Path(__file__).resolve().parent.parent
# Debian's chromium, started so it makes no request of its own (the network is closed here)
CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SEEDS = ROOT / "seeds"


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def generated_texts(n: int, seed: int) -> list[str]:
    """``n`` wire articles from bench/generate.py, each its title, a paragraph break, its text."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    from generate import articles

    return [f"{a['title']}\n\n{a['text']}" for a in articles(n, seed=seed)]


def build_store(path: Path, sources: list[Path]) -> Path:
    """Build articles into a store at ``path`` and release the write handle."""
    store = Store(path)
    report = build(store, sources)
    assert report.ok, report.rejected
    del store
    return path


def built_store(factory, name: str, articles: dict[str, str], manifest: dict) -> Store:
    """Articles written to a fresh folder and built into a read-only store beside it."""
    folder = write_articles(factory.mktemp(name) / "articles", articles, manifest)
    return Store(build_store(folder.parent / "store", [folder]), read_only=True)


def write_articles(folder: Path, articles: dict[str, str], manifest: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seed articles, built once per test session (read-only for tests)."""
    return build_store(tmp_path_factory.mktemp("seeds") / "store", [SEEDS])


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seeds folder a test may change."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def oxigraph_binary() -> str | None:
    """The `oxigraph` server (PyPI `oxigraph`, the `test` extra), beside this Python or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SparqlServer:
    """`oxigraph serve` on a free loopback port over a folder of its own, its query default graph
    the union of the named graphs (as a RemoteStore needs). Skips the test without the binary."""

    def __init__(self, location: Path) -> None:
        binary = oxigraph_binary()
        if binary is None:
            pytest.skip("no `oxigraph` server binary: pip install oxigraph")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.location = f"sparql+{self.url}"  # what open_store and --store take
        command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        self.process = subprocess.Popen(
            [*command, "--union-default-graph"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_until_up()

    def wait_until_up(self, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.skip(f"oxigraph serve exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url + "/query?query=ASK%7B%7D", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        self.close()
        pytest.skip(f"oxigraph serve did not answer within {seconds:g} s")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


BACKENDS = ["embedded", "remote"]


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A new, empty store on each backend: in a folder, and on a SPARQL server of its own."""
    if request.param == "embedded":
        yield Store(tmp_path / "store")
        return
    server = SparqlServer(tmp_path / "server")
    try:
        yield RemoteStore(server.location)
    finally:
        server.close()


@pytest.fixture(scope="session")
def seeds_sparql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    """A SPARQL server holding the five seed articles, built into it once per test session
    through a RemoteStore (read it only)."""
    server = SparqlServer(tmp_path_factory.mktemp("seeds-server"))
    try:
        report = build(RemoteStore(server.location), [SEEDS], workers=1)
        assert report.ok and report.articles == 5, report.rejected
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module", params=BACKENDS)
def seeds_on(request: pytest.FixtureRequest) -> GraphStore:
    """The seeds built into each backend, read-only: the same tests answer from both."""
    if request.param == "embedded":
        return Store(request.getfixturevalue("seeds_store"), read_only=True)
    return RemoteStore(request.getfixturevalue("seeds_sparql").location, read_only=True)


class LiveServer:
    """kg's Flask app under waitress on a free loopback port."""

    def __init__(self, store: Path, **config) -> None:
        import waitress

        from server import create_app

        app = create_app({"KG_STORE": str(store), **config})
        self._server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        self.port: int = self._server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.sparql = self.url + "/sparql"
        self.store = store
        threading.Thread(target=self._server.run, daemon=True).start()

    def close(self) -> None:
        stop(self._server)


@pytest.fixture(scope="session")
def seeds_server(seeds_store: Path) -> Iterator[LiveServer]:
    server = LiveServer(seeds_store)
    yield server
    server.close()


class KgServe:
    """`kg serve` as users run it (granian, its own server processes) on a free loopback port."""

    def __init__(self, store: Path, *args: str) -> None:
        import socket
        import subprocess
        import time
        import urllib.request

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.sparql = self.url + "/sparql"
        self.store = store
        command = [
            sys.executable,
            "-m",
            "kg.cli",
            "serve",
            "--store",
            str(store),
            "--port",
            str(self.port),
            *args,
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.sparql + "?query=ASK%7B%7D", timeout=5).read()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    pytest.fail(f"kg serve did not answer: {self.process.stderr.read()!r}")
                time.sleep(0.2)

    def close(self) -> None:
        import signal

        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)

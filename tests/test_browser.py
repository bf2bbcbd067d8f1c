"""The SPARQL editor page (`/editor`) in a real headless Chromium (Debian's `chromium`), driven
by Playwright over the DevTools protocol: it loads without console errors, never requests
anything off this machine, and runs queries typed in the editor and stored examples.

Needs `apt-get install -y chromium` (or KG_CHROMIUM=/path/to/chrome) and, for the YASGUI
tests, `npm ci`; the tests skip with the reason when either is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import CHROMIUM, FLAGS
from test_pages import Server, make_store

from kg.assets import yasgui_dir

playwright = pytest.importorskip("playwright.sync_api", reason="pip install '.[test]'")

LOCAL_HOSTS = {"127.0.0.1"}
NEEDS_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
)
NEEDS_YASGUI = pytest.mark.skipif(
    yasgui_dir() is None, reason="YASGUI is not installed: run `npm ci` at the project root"
)
pytestmark = NEEDS_CHROMIUM

STORED = """\
# title: Labels of things
# description: Every labelled resource, for the browser test.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label WHERE { ?thing rdfs:label ?label } ORDER BY ?label
"""
TYPED = "SELECT ?sentence WHERE { ?claim ckg:sentenceText ?sentence }"


class Browser:
    """One Chromium with a fresh profile; records requests, console errors and page errors."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.requests: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._guard)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.errors.append(str(error.error)))

    def _guard(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and not _local(url):
            route.abort()  # recorded above, so the test fails; and it never leaves
        else:
            route.continue_()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} at {message.location}")

    def page(self) -> Any:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        return page

    def off_machine(self) -> list[str]:
        return [url for url in self.requests if not _local(url) and not url.startswith("data:")]


def _local(url: str) -> bool:
    return urlsplit(url).hostname in LOCAL_HOSTS


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("queries")
    (folder / "labels.rq").write_text(STORED, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("browser") / "store")


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[Browser]:
    with playwright.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
        )
        try:
            yield Browser(context)
        finally:
            context.close()


def _run_typed_query(page: Any, editor: str, query: str) -> None:
    page.click(editor)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(query)
    page.keyboard.press("Control+Enter")


@NEEDS_YASGUI
def test_yasgui_page(browser: Browser, store_path: Path, queries_dir: Path) -> None:
    server = Server(store_path, QUERIES_DIR=str(queries_dir))
    try:
        page = browser.page()
        page.goto(server.url + "/editor")
        page.wait_for_selector(".yasqe .CodeMirror")
        assert page.locator(".example h3").all_inner_texts() == ["Labels of things"]

        _run_typed_query(page, ".yasqe .CodeMirror", TYPED)
        rows = page.locator(".yasr table.dataTable tbody tr")
        rows.first.wait_for()
        assert "ISIS recaptured Abu Kamal" in rows.first.inner_text()

        page.click(".run-example[data-name=labels]")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.yasr table.dataTable tbody tr')]"
            ".some(r => r.innerText.includes('Syrian Observatory for Human Rights'))"
        )
        visible = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
        assert visible.count() == 3, visible.all_inner_texts()

        link = page.locator(".tabPanel.active .yasr a[href*='/id/entity/sohr']").first
        with page.expect_popup() as popup:  # our own IRIs open their page on this server
            link.click()
        resource = popup.value
        resource.wait_for_selector("h1")
        assert resource.url == server.url + "/resource/entity/sohr"
        assert resource.inner_text("h1") == "Syrian Observatory for Human Rights"
        assert "ISIS recaptured Abu Kamal" in resource.inner_text("table.claims")
    finally:
        server.close()
    assert browser.errors == []
    assert browser.off_machine() == []
    assert any("/static/vendor/yasgui/yasgui.min.js" in url for url in browser.requests)


def test_plain_editor_without_yasgui(browser: Browser, store_path: Path, tmp_path: Path) -> None:
    server = Server(store_path, KG_ASSETS=str(tmp_path / "no-node-modules"))
    try:
        page = browser.page()
        page.goto(server.url + "/editor")
        assert "npm ci" in page.inner_text("#install-hint")
        _run_typed_query(
            page, "#query", "PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>\n" + TYPED
        )
        page.wait_for_selector("#results table tbody tr")
        assert "ISIS recaptured Abu Kamal" in page.inner_text("#results")
        assert page.inner_text("#status") == "1 row"

        page.click(".run-example >> nth=0")
        page.wait_for_function("() => document.querySelector('#status').textContent !== 'Running…'")
        assert not page.inner_text("#status").startswith("Error"), page.inner_text("#status")
    finally:
        server.close()
    assert browser.errors == []
    assert browser.off_machine() == []

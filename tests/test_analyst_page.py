"""The analyst's web page in a real headless Chromium, on the store of the seed articles: search
a town by a transliteration, read who held it on the timeline and the map, filter the claims
browser and download it, ask a stored question from its form. No request leaves the machine,
no script fails, and no page shows the build's internals (cache predicates, JSON payloads,
article hashes, IRIs of pages).

Screenshots are kept in the test's temporary folder (`pytest --basetemp DIR` keeps them where
one wants), or in `$KG_SCREENSHOTS` when set.
"""

from __future__ import annotations

import csv
import io
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, LiveServer
from test_browser import Browser

from server.assets import map_ready
from server.views import INTERNAL

playwright = pytest.importorskip("playwright.sync_api", reason="pip install '.[test]'")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
)
NEEDS_MAP = pytest.mark.skipif(not map_ready(), reason="run `npm ci`: Leaflet and the map layers")

# what a page must never show: the caches' predicates, article hashes, payloads, page IRIs
INTERNAL_WORDS = sorted({iri.rsplit("#", 1)[-1] for iri in INTERNAL}) + [
    "000_c61af74bb94eb2a7",
    "termpage/",
    "/id/page/",
    '{"',
    "ckg:",
    "https://w3id.org/conflict-kg/",
]


@pytest.fixture(scope="module")
def server(seeds_store: Path) -> Iterator[LiveServer]:
    srv = LiveServer(seeds_store)
    yield srv
    srv.close()


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[Browser]:
    with playwright.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            viewport={"width": 1400, "height": 1000},
            accept_downloads=True,
        )
        try:
            yield Browser(context)
        finally:
            context.close()


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KG_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean(page: Any) -> None:
    """Nothing internal in what the page shows."""
    text = page.inner_text("body")
    for word in INTERNAL_WORDS:
        assert word not in text, f"{word!r} shown on {page.url}"


def check(browser: Browser) -> None:
    assert browser.errors == []
    assert browser.off_machine() == []


@NEEDS_MAP
def test_search_a_town_and_read_who_held_it(
    browser: Browser, server: LiveServer, shots: Path
) -> None:
    page = browser.page()
    page.goto(server.url + "/")
    page.fill("#search-box", "Albu Kamal")
    page.wait_for_selector("#suggestions li")
    assert "Abu Kamal" in page.inner_text("#suggestions")
    page.screenshot(path=str(shots / "search.png"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/resource/entity/abu-kamal")
    assert page.inner_text("h1") == "Abu Kamal"

    lanes = page.locator(".lane-label").all_inner_texts()
    assert "Government of Syria" in lanes
    assert any(lane.startswith("Islamic State") for lane in lanes)
    changes = page.locator(".timeline .change").all_inner_texts()
    for day in ("2017-11-09", "2017-11-11", "2017-11-19"):
        assert day in changes, changes
    page.click(".timeline .change:has-text('2017-11-11')")
    selected = page.locator("ol.changes > li.selected")
    assert selected.count() == 1
    entry = selected.inner_text()
    assert "Islamic State" in entry and "takes it from Government of Syria" in entry
    assert "Syria Deeply" in entry and "Agence France-Presse" in entry
    assert "recaptured" in entry  # the sentence
    title = page.locator(".timeline .change:has-text('2017-11-19')").get_attribute("title")
    assert "Government of Syria" in title and "captured" in title

    page.wait_for_selector("#map[data-drawn=yes]")
    drawn = page.eval_on_selector("#map", "m => ({...m.dataset})")
    assert drawn["layerCountries"] == "drawn" and drawn["layerRivers"] == "drawn"
    assert page.locator("#map path.leaflet-interactive, #map svg path").count() > 10
    page.locator("#map").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "place.png"), full_page=True)

    page.select_option("#place-claims form.filters select[name=type]", "control")
    shown = page.locator("#place-claims-table tbody tr:visible")
    assert shown.count() > 5
    assert set(
        page.locator("#place-claims-table tbody tr:visible td:nth-child(2) a").all_inner_texts()
    ) == {"control"}
    clean(page)
    check(browser)


def test_as_of_shows_what_was_known(browser: Browser, server: LiveServer) -> None:
    page = browser.page()
    page.goto(server.url + "/resource/entity/abu-kamal")
    page.fill("input[name=as_of]", "2017-11-10")
    page.click("form.asof button")
    page.wait_for_url("**as_of=2017-11-10")
    changes = page.locator(".timeline .change").all_inner_texts()
    assert "2017-11-09" in changes and "2017-11-11" not in changes
    clean(page)
    check(browser)


def test_several_matches_are_listed(browser: Browser, server: LiveServer) -> None:
    page = browser.page()
    page.goto(server.url + "/search?q=syria")
    items = page.locator("#search-results li")
    assert items.count() > 2
    text = page.inner_text("#search-results")
    assert "Government of Syria" in text and "actor" in text.lower()
    page.goto(server.url + "/search?q=Q152828")  # a Wikidata id: straight to the town
    assert page.inner_text("h1") == "Abu Kamal"
    clean(page)
    check(browser)


def test_entity_article_and_claim_pages(browser: Browser, server: LiveServer, shots: Path) -> None:
    page = browser.page()
    page.goto(server.url + "/search?q=SOHR")
    assert page.inner_text("h1") == "Syrian Observatory for Human Rights"
    assert "As a source" in page.inner_text("body")
    clean(page)
    page.goto(server.url + "/resource/entity/isis")
    assert "What it did" in page.inner_text("body")
    clean(page)
    page.click("#entity-claims-table tbody tr >> nth=0 >> td:last-child a")
    page.wait_for_selector(".sentence-row mark")
    assert page.locator(".sentence-row").count() > 3
    assert "Executive Summary" in page.inner_text("h1")
    page.screenshot(path=str(shots / "article.png"), full_page=True)
    clean(page)
    page.click(".sentence-row .claim-card a >> nth=0")
    page.wait_for_selector("blockquote.sentence")
    assert "Says who" in page.inner_text("dl.facts")
    clean(page)
    check(browser)


def test_claims_browser_filters_and_downloads(
    browser: Browser, server: LiveServer, tmp_path: Path, shots: Path
) -> None:
    page = browser.page()
    page.goto(server.url + "/claims")
    page.wait_for_selector("#browser-table tbody tr")
    everything = page.inner_text("#status")
    page.select_option("#browser select[name=type]", "casualties")
    page.wait_for_function(
        "before => ![before, 'Reading…'].includes(document.querySelector('#status').textContent)",
        arg=everything,
    )
    types = page.locator("#browser-table tbody tr td:nth-child(2) a").all_inner_texts()
    assert types and set(types) == {"casualties"}
    assert any(t.strip() for t in page.locator("#browser-table td:nth-child(7)").all_inner_texts())
    page.screenshot(path=str(shots / "claims.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#csv")
    saved = tmp_path / "claims.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert len(rows) == len(types)
    assert {r["type"] for r in rows} == {"casualties"}
    assert all(r["article"].startswith("Executive Summary") for r in rows)
    clean(page)
    check(browser)


def test_stored_question_from_its_form(browser: Browser, server: LiveServer, shots: Path) -> None:
    page = browser.page()
    page.goto(server.url + "/queries")
    page.click("text=Who controlled a place on a day")
    page.fill("input[name=place]", "Albu Kamal")
    page.fill("input[name=date]", "2017-11-20")
    page.click("#ask")
    page.wait_for_selector("#query-results tbody tr")
    first = page.locator("#query-results tbody tr").first.inner_text()
    assert "Government of Syria" in first and "Abu Kamal" in first
    assert "^^" not in page.inner_text("#query-results")
    page.screenshot(path=str(shots / "question.png"), full_page=True)
    clean(page)
    assert "/editor?query=who_controlled" in page.get_attribute("#open-editor", "href")
    check(browser)


def test_search_api(server: LiveServer) -> None:
    with urllib.request.urlopen(server.url + "/api/search?q=boukamal") as response:
        found = json.load(response)
    assert found[0]["label"] == "Abu Kamal" and found[0]["kind"] == "place"
    assert found[0]["path"] == "entity/abu-kamal"

"""Who controlled a place on a day: the seeds (on both backends), and articles the tests write
themselves."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import built_store

from kg.ask.who_controlled import format_text, who_controlled
from kg.errors import NotFoundError
from kg.store import GraphStore, Store

ISIS, GOV = "Q2429253", "Q113519305"


@pytest.fixture(scope="module")
def seeds(seeds_on: GraphStore) -> GraphStore:
    """The seeds on each backend (conftest): every question below is asked of both."""
    return seeds_on


def ask(store: GraphStore, place: str, day: str, as_of: str | None = None) -> dict:
    return who_controlled(
        store, place, dt.date.fromisoformat(day), dt.date.fromisoformat(as_of) if as_of else None
    )


@pytest.mark.parametrize(
    ("day", "qid", "since"),
    [
        (
            "2017-11-05",
            ISIS,
            "2017-11-01",
        ),  # "the ISIS-held town", in a report of that day's strikes
        ("2017-11-10", GOV, "2017-11-09"),
        ("2017-11-12", ISIS, "2017-11-11"),
        ("2017-11-15", ISIS, "2017-11-11"),
        ("2017-11-21", GOV, "2017-11-19"),
    ],
)
def test_boukamal_timeline(seeds: GraphStore, day: str, qid: str, since: str) -> None:
    answer = ask(seeds, "Boukamal", day)
    assert answer["controller"]["wikidata"] == qid
    assert answer["since"] == since
    assert answer["status"] == "reported"
    assert answer["place"]["wikidata"] == "Q152828"


@pytest.mark.parametrize("name", ["Albu Kamal", "Abu Kamal", "abu kamal", "Q152828"])
def test_aliases_give_the_same_answer(seeds: GraphStore, name: str) -> None:
    for day in ("2017-11-10", "2017-11-12", "2017-11-21"):
        assert ask(seeds, name, day) == ask(seeds, "Boukamal", day)


def test_evidence_names_article_sentence_claimant_and_chain(seeds: GraphStore) -> None:
    answer = ask(seeds, "Boukamal", "2017-11-12")
    assert {e["article"] for e in answer["evidence"]} == {"001_f70243738f423680"}
    # the lead sentence, and the relative clause "which was recaptured by ISIS ... on Saturday"
    assert len(answer["evidence"]) == 2
    evidence = next(e for e in answer["evidence"] if e["sentence"].startswith("The so-called"))
    assert evidence["published"] == "2017-11-13"
    assert "recaptured" in evidence["sentence"]
    assert evidence["date"]["start"] == "2017-11-11" and evidence["date"]["text"] == "on Saturday"
    assert [e["label"] for e in evidence["reported_by"]] == ["Agence France-Presse"]
    assert evidence["claimant"]["label"] == "Agence France-Presse"
    assert evidence["controller"]["wikidata"] == ISIS


def test_superseded_claims_are_alternatives(seeds: GraphStore) -> None:
    answer = ask(seeds, "Boukamal", "2017-11-12")
    [alt] = [a for a in answer["alternatives"] if a["controller"]["wikidata"] == GOV]
    assert alt["status"] == "superseded" and alt["since"] == "2017-11-09"
    articles = {c["article"] for c in alt["evidence"]}
    # the capture was reported on the 9th and recalled on the 20th
    assert {"002_487d43e7e5401dcc", "000_c61af74bb94eb2a7"} <= articles
    chains = [[e["label"] for e in c["reported_by"]] for c in alt["evidence"]]
    assert ["Associated Press"] in chains


def test_as_of_answers_from_what_was_published_then(seeds: GraphStore) -> None:
    answer = ask(seeds, "Boukamal", "2017-11-12", as_of="2017-11-10")
    assert answer["controller"]["wikidata"] == GOV
    assert answer["as_of"] == "2017-11-10"
    assert all(c["published"] <= "2017-11-10" for c in answer["evidence"])
    assert (
        ask(seeds, "Boukamal", "2017-11-21", as_of="2017-11-13")["controller"]["wikidata"] == ISIS
    )


def test_other_places_the_seeds_state(seeds: GraphStore) -> None:
    deir = ask(seeds, "Deir el-Zour", "2017-11-04")
    assert deir["controller"]["label"] == "Government of Syria" and deir["since"] == "2017-11-03"
    assert ask(seeds, "Deir ez-Zor", "2017-11-02")["controller"] is None
    idlib = ask(seeds, "Idlib province", "2017-11-09")
    held_by = {idlib["controller"]["label"]} | {
        a["controller"]["label"] for a in idlib["alternatives"]
    }
    # the same report says "under full opposition control" and "controlled by HTS"
    assert (
        held_by == {"Hay'at Tahrir al-Sham", "Syrian opposition"} and idlib["status"] == "contested"
    )


def test_unknown_day_and_unknown_place(seeds: GraphStore) -> None:
    before = ask(seeds, "Boukamal", "2017-10-01")
    assert before["controller"] is None and before["status"] == "unknown"
    with pytest.raises(NotFoundError, match="Atlantis"):
        ask(seeds, "Atlantis", "2017-11-12")


def test_text_format_names_verdict_and_sources(seeds: GraphStore) -> None:
    text = format_text(ask(seeds, "Boukamal", "2017-11-12"))
    assert text.splitlines()[0].startswith("Abu Kamal on 2017-11-12: Islamic State")
    assert "superseded: Government of Syria since 2017-11-09" in text


# -- articles written here: a made-up town, made-up agencies, other dates -------------------
MADE_UP = {
    "w1.txt": "Rebels Seize Desert Town\n\n"
    "Rebel fighters captured the town of Qasr al-Fanar on Tuesday after three days of "
    "clashes, Reuters reported, citing the Syrian Observatory for Human Rights.\n\n"
    "The monitoring group said government troops withdrew from the town toward the east.\n",
    "w2.txt": "Army Says It Retook Qasr al-Fanar\n\n"
    "Government forces recaptured the town of Qasr al-Fanar on Saturday, the Dunes "
    "Gazette reported, citing a military source.\n\n"
    "Residents said fighting continued on the outskirts.\n",
    "w3.txt": "Monitor Disputes Army Claim\n\n"
    "Rebel fighters still hold the town of Qasr al-Fanar, AFP said on Saturday, citing "
    "the Syrian Observatory for Human Rights, contradicting a statement by the army.\n\n"
    "The rebel-held town of Qasr al-Fanar was shelled overnight.\n",
}
MANIFEST = {
    "w1.txt": {"published": "2019-03-07", "publisher": "Dunes Gazette"},
    "w2.txt": {"published": "2019-03-11", "publisher": "Dunes Gazette"},
    "w3.txt": {"published": "2019-03-09", "publisher": "Oasis Times"},
}


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return built_store(tmp_path_factory, "made", MADE_UP, MANIFEST)


def test_made_up_town_follows_its_reports(made_up: Store) -> None:
    first = ask(made_up, "Qasr al-Fanar", "2019-03-06")
    assert first["controller"]["label"] == "Syrian opposition"
    assert first["since"] == "2019-03-05"  # Tuesday before a Thursday article
    [evidence] = [e for e in first["evidence"] if e["article"] == "w1"]
    assert [e["label"] for e in evidence["reported_by"]] == [
        "Reuters",
        "Syrian Observatory for Human Rights",
    ]
    later = ask(made_up, "Qasr al-Fanar", "2019-03-12")
    # 'Government forces recaptured': the army, on the government's side
    assert later["controller"]["label"] == "Syrian Arab Army"
    assert later["side"]["label"] == "Government of Syria"
    assert later["since"] == "2019-03-09"  # Saturday before a Monday article
    assert any(a["controller"]["label"] == "Syrian opposition" for a in later["alternatives"])


def test_sources_disagreeing_on_a_day_make_it_contested(made_up: Store) -> None:
    answer = ask(made_up, "qasr al-fanar", "2019-03-10")
    assert answer["status"] == "contested"
    sides = {answer["side"]["label"]} | {
        a["side"]["label"] for a in answer["alternatives"] if a["status"] == "competing"
    }
    assert sides == {"Government of Syria", "Syrian opposition"}


def test_as_of_on_made_up_town(made_up: Store) -> None:
    answer = ask(made_up, "Qasr al-Fanar", "2019-03-12", as_of="2019-03-08")
    assert answer["controller"]["label"] == "Syrian opposition"


# -- a period: its last day is as new as any point report of that day ------------------------
PERIOD = {
    "p1.txt": "Strikes Hit Jihadist Town\n\n"
    "Air strikes hit the ISIS-held town of Kafr Sabil on Monday, a monitor said.\n",
    "p2.txt": "Market Fire In Kafr Sabil\n\n"
    "Fire gutted the market in the town of Kafr Sabil, which fighters of the YPG have held "
    "since May, according to the Syrian Observatory for Human Rights.\n",
}
PERIOD_MANIFEST = {
    "p1.txt": {"published": "2016-06-23", "publisher": "Dunes Gazette"},
    "p2.txt": {"published": "2016-08-11", "publisher": "Oasis Times"},
}


@pytest.fixture(scope="module")
def period(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return built_store(tmp_path_factory, "period", PERIOD, PERIOD_MANIFEST)


def test_a_period_holds_on_its_last_day(period: Store) -> None:
    """'held since May', written in August, outranks an ISIS report of 20 June on the August
    day, though the period began before that report."""
    late = ask(period, "Kafr Sabil", "2016-08-11")
    assert late["controller"]["label"] == "People's Protection Units"  # the force named
    assert late["side"]["label"] == "Kurdish forces"  # and its side
    assert [e["article"] for e in late["evidence"]] == ["p2"]  # one claim, shown once
    # the run of agreeing reports starts on the period's last day (the ISIS report breaks
    # it); the claim itself keeps its whole period
    assert late["since"] == "2016-08-11"
    assert late["evidence"][0]["date"]["start"] == "2016-05-01"
    assert any(a["controller"]["label"] == "Islamic State of Iraq and the Levant"
               for a in late["alternatives"])
    middle = ask(period, "Kafr Sabil", "2016-06-25")  # the newer report of that day is ISIS's
    assert middle["controller"]["label"] == "Islamic State of Iraq and the Levant"


# -- a quarter named like a town elsewhere; a capture told as background -------------------
QUARTERS = {
    "q1.txt": "Rockets Hit West Aleppo\n\n"
    "Rockets killed six people in the government-held west of Aleppo city on Thursday.\n\n"
    "State media said the rockets hit the Shahba and Zaydal neighbourhoods.\n",
    "q2.txt": "Aid Reaches Kafr Sabil\n\n"
    "Aid reached the town on Monday. The brief seizure of Kafr Sabil by the army cut the "
    "road.\n",
}
QUARTERS["q3.txt"] = ("Blast In Suwayda\n\nA car bomb killed two people in the town of Shahba in "
                      "Suwayda province on Friday.\n")
QUARTERS_MANIFEST = {
    "q1.txt": {"published": "2016-10-27", "publisher": "Dunes Gazette"},
    "q3.txt": {"published": "2016-10-29", "publisher": "Oasis Times"},
    "q2.txt": {"published": "2016-11-03", "publisher": "Oasis Times"},
}


@pytest.fixture(scope="module")
def quarters(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return built_store(tmp_path_factory, "quarters", QUARTERS, QUARTERS_MANIFEST)


def test_a_quarter_named_like_a_town_elsewhere_is_the_quarter(quarters: Store) -> None:
    """Shahba is also a town of Suwayda province, which another report names: the
    neighbourhood of the government-held west of Aleppo, which control claims are about, is
    the place the name answers for."""
    answer = ask(quarters, "Shahba", "2016-10-27")
    assert answer["controller"]["label"] == "Government of Syria"
    assert answer["place"]["label"] == "Shahba"
    assert ask(quarters, "Zaydal", "2016-10-27")["controller"]["label"] == "Government of Syria"


def test_a_capture_told_as_background_holds_on_its_report_day(quarters: Store) -> None:
    answer = ask(quarters, "Kafr Sabil", "2016-11-03")
    assert answer["side"]["label"] == "Government of Syria"
    assert answer["evidence"][0]["date"] == {"start": None, "end": "2016-11-03",
                                             "text": "(by publication)"}
    assert ask(quarters, "Kafr Sabil", "2016-11-02")["controller"] is None

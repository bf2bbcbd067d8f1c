"""Extraction rules on sentences written here (never seed sentences)."""

from __future__ import annotations

import datetime as dt

from kg.extract.claims import Claim
from kg.extract.run import extract
from kg.read.articles import Article, Item

WEDNESDAY = dt.date(2019, 3, 13)


def claims_of(
    *paragraphs: str,
    headline: str | None = "A Headline For The Item Here",
    published: dt.date | None = WEDNESDAY,
) -> list[Claim]:
    article = Article(
        stem="t",
        text="\n\n".join(paragraphs),
        published=published,
        publisher="Test Wire",
        items=[Item(headline, list(paragraphs))],
    )
    return extract(article)


def control(claims: list[Claim]) -> list[Claim]:
    return [c for c in claims if c.type == "control"]


def label(entity) -> str | None:
    return entity.label if entity else None


def test_every_sentence_becomes_a_claim() -> None:
    claims = claims_of(
        "Aid workers counted the damage in the capital on Monday. The convoy waited at the gate."
    )
    assert sorted({c.sentence_index for c in claims}) == [0, 1, 2]  # headline + two sentences
    assert {c.type for c in claims} == {"other"}


def test_capture_with_chain_and_weekday() -> None:
    [c] = control(
        claims_of(
            "Rebel fighters seized the village of Kafr Salem on Sunday, AFP said, "
            "citing the Syrian Observatory for Human Rights."
        )
    )
    assert label(c.place) == "Kafr Salem" and c.place.type == "Village"
    assert label(c.controller) == "Syrian opposition"
    assert c.date.start == dt.date(2019, 3, 10) and c.date.text == "on Sunday"
    assert [e.label for e in c.reported_by] == [
        "Agence France-Presse",
        "Syrian Observatory for Human Rights",
    ]
    assert label(c.claimant) == "Syrian Observatory for Human Rights"


def test_passive_relative_clause_with_target() -> None:
    claims = claims_of(
        "Jets struck the outskirts of the town of Beit Nour, which was recaptured by "
        "ISIS from government forces on Monday, Reuters reported."
    )
    [c] = control(claims)
    assert label(c.place) == "Beit Nour"
    assert label(c.agent) == label(c.controller) == "Islamic State of Iraq and the Levant"
    assert label(c.target) == "Syrian Arab Army"
    assert c.date.start == dt.date(2019, 3, 11)


def test_plans_attempts_and_modals_are_not_control() -> None:
    claims = claims_of(
        "Government forces are racing to capture the town of Tal Hamid.",
        "The army will retake the city of Marat soon, a minister said.",
        "Rebels did not capture the village of Ain Dara.",
    )
    assert control(claims) == []


def test_declared_victory_and_pronoun_agent() -> None:
    claims = claims_of(
        "The Syrian army said on Tuesday it had liberated the city of Zahr al-Din.",
        "The government declared victory over ISIS in the town of Qaryat Nur on Monday.",
    )
    first, second = control(claims)
    assert label(first.place) == "Zahr al-Din" and label(first.controller) == "Government of Syria"
    assert first.date.start == dt.date(2019, 3, 12)  # the statement's day bounds the event
    assert (
        label(second.place) == "Qaryat Nur"
        and label(second.target) == "Islamic State of Iraq and the Levant"
    )
    assert second.date.start == dt.date(2019, 3, 11)


def test_held_state_dates_to_publication() -> None:
    [c] = control(claims_of("Warplanes hit depots outside the ISIS-held town of Wadi Zayn."))
    assert c.event == "ControlState" and label(c.place) == "Wadi Zayn"
    assert label(c.controller) == "Islamic State of Iraq and the Levant"
    assert c.date.start == WEDNESDAY


def test_the_town_refers_back_within_the_item() -> None:
    claims = claims_of(
        "Rebels captured the town of Beit Zayda on Monday, the monitor said.",
        "Government forces retook the town on Tuesday after heavy shelling.",
    )
    first, second = control(claims)
    assert label(second.place) == "Beit Zayda" == label(first.place)
    assert label(second.controller) == "Government of Syria"


def test_withdrawal_is_a_loss_without_controller() -> None:
    claims = claims_of("Government troops withdrew from the town of Jisr Ahmar on Friday.")
    [c] = control(claims)
    assert label(c.agent) == "Syrian Arab Army" and c.controller is None
    assert c.date.start == dt.date(2019, 3, 8)


def test_told_and_according_to_and_anonymous_sources() -> None:
    told, according, anon = claims_of(
        "Fighting raged near the dam, a local commander told Reuters.",
        "According to the Associated Press, the convoy turned back.",
        "Citing an unidentified security source, AFP said the road was closed.",
        headline=None,
    )
    assert [e.label for e in told.reported_by][0] == "Reuters"
    assert told.reported_by[1].type == "AnonymousSource"
    assert [e.label for e in according.reported_by] == ["Associated Press"]
    assert [e.type for e in anon.reported_by] == ["NewsAgency", "AnonymousSource"]
    assert anon.claimant.label == "unidentified security source"


def test_hedges() -> None:
    hedged, plain = claims_of(
        "Militants have reportedly left the area.",
        "Militants left the area, the army said.",
        headline=None,
    )
    assert hedged.hedged and not plain.hedged


def test_unattributed_sentence_is_the_publishers_claim() -> None:
    [c] = claims_of("Shelling continued overnight.", headline=None)
    assert label(c.claimant) == "Test Wire" and c.reported_by == []


def test_no_publication_date_leaves_relative_dates_unresolved() -> None:
    [c] = control(claims_of("Rebels captured the village of Kafr Salem on Sunday.", published=None))
    assert c.date.unresolved and c.date.start is None

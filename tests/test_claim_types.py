"""Claims beyond control, on sentences written here: casualties, attacks, diplomacy,
statements, dates relative to other events, and disputes."""

from __future__ import annotations

import datetime as dt

from test_rules import claims_of, label

from kg.extract.gazetteer import default_gazetteer

TUESDAY = dt.date(2019, 3, 12)


def of_type(claims, kind):
    return [c for c in claims if c.type == kind]


def test_casualties_with_words_qualifiers_victims_and_subsets() -> None:
    claims = claims_of(
        "At least 14 civilians, including five women, were killed in government "
        "shelling on the village of Tell Hamra on Monday, AFP said, citing the SOHR.",
        published=TUESDAY,
    )
    main, subset = of_type(claims, "casualties")
    assert (main.count, main.count_qualifier, main.victims) == (14, "at least", "civilians")
    assert (subset.count, subset.victims) == (5, "women")
    assert label(main.agent) == "Government of Syria" and label(main.place) == "Tell Hamra"
    assert main.date.start == dt.date(2019, 3, 11)
    [attack] = of_type(claims, "attack")
    assert label(attack.agent) == "Government of Syria"


def test_casualties_active_voice_and_conjoined_groups() -> None:
    claims = claims_of(
        "A suicide bombing claimed by ISIS killed nearly thirty displaced people near "
        "the town of Ain Issa.",
        "Some 12 rebels and more than 20 soldiers were killed in clashes.",
        published=TUESDAY,
    )
    groups = {
        (c.count, c.count_qualifier, c.victims, label(c.agent))
        for c in of_type(claims, "casualties")
    }
    assert (30, "nearly", "displaced people", "Islamic State of Iraq and the Levant") in groups
    assert (12, "some", "rebels", None) in groups and (20, "more than", "soldiers", None) in groups


def test_uncounted_killings_are_not_casualty_claims() -> None:
    assert of_type(claims_of("Many residents killed in the raid were farmers."), "casualties") == []


def test_attacks_by_verb_and_by_noun() -> None:
    claims = claims_of(
        "Turkish jets struck Kurdish positions near the town of Tal Rifaat on Sunday.",
        "An ISIS ambush on army positions left the road closed.",
        "They are fighting for a better future.",
        published=TUESDAY,
    )
    attacks = of_type(claims, "attack")
    assert len(attacks) == 2
    # a GeoNames place, labelled as GeoNames spells it ("Tall Rifat")
    assert attacks[0].place.key == default_gazetteer().lookup("Tal Rifaat").key
    assert attacks[0].date.start == dt.date(2019, 3, 10)
    assert label(attacks[1].agent) == "Islamic State of Iraq and the Levant"


def test_a_noun_and_its_verb_are_one_attack() -> None:
    claims = claims_of("The shelling hit a market in the town of Maarat Misrin on Friday.")
    assert len(of_type(claims, "attack")) == 1


def test_diplomacy_and_its_agent() -> None:
    claims = claims_of(
        "China vetoed a draft resolution on aid deliveries on Thursday.",
        "Turkey and Iran agreed to hold talks in the city of Tabriz next month.",
        published=TUESDAY,
    )
    veto, agreed = of_type(claims, "diplomacy")
    assert label(veto.agent) == "China" and veto.date.start == dt.date(2019, 3, 7)
    assert label(agreed.agent) == "Turkey"


def test_statements_need_a_stance() -> None:
    claims = claims_of(
        "The governor said the road to the border would reopen soon.",
        "The governor said three trucks crossed the bridge.",
        "The minister accused the rebels of looting the depot.",
        headline=None,
    )
    kinds = [(c.sentence_index, c.type) for c in claims]
    assert (0, "statement") in kinds and (2, "statement") in kinds
    assert (1, "statement") not in kinds  # attribution of an event is not a statement
    accused = [c for c in claims if c.sentence_index == 2][0]
    assert label(accused.target) == "Syrian opposition"


def test_days_after_shift_the_date() -> None:
    claims = claims_of(
        "Rebels recaptured the village of Kafr Ali on Saturday, three days after "
        "the army declared victory over them in the village of Kafr Ali.",
        published=TUESDAY,
    )
    dates = sorted(c.date.start for c in of_type(claims, "control"))
    assert dates == [dt.date(2019, 3, 6), dt.date(2019, 3, 9)]


def test_disputing_sentence_is_contested() -> None:
    [c] = claims_of("The ministry rejected the report as baseless.", headline=None)
    assert c.contested
    [plain] = claims_of("The ministry published the report.", headline=None)
    assert not plain.contested


def test_casualty_states_and_running_tolls() -> None:
    claims = claims_of("Shelling in the town of Marea left 11 people dead on Friday.",
                       "More than 300000 people have been killed since 2011.", published=TUESDAY)
    left, toll = of_type(claims, "casualties")
    assert (left.count, left.victims, left.date.start) == (11, "people", dt.date(2019, 3, 8))
    assert (toll.count, toll.count_qualifier) == (300000, "more than")
    assert (toll.date.start, toll.date.end) == (dt.date(2011, 1, 1), TUESDAY)  # a running toll


def test_days_of_fighting_end_at_the_items_last_date() -> None:
    claims = claims_of("Government forces retook the town of Tal Hamid on Sunday.",
                       "At least 40 fighters were killed in three days of clashes.",
                       published=TUESDAY)
    [toll] = of_type(claims, "casualties")
    assert (toll.date.start, toll.date.end) == (dt.date(2019, 3, 8), dt.date(2019, 3, 10))
    assert toll.date.text == "three days"

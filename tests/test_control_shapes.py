"""Control the way wire reports word it, on sentences written here: nouns, states, lists,
places known only by their cue, and plans that are not control. Village names are invented
(or GeoNames places), never a seed's or a gold article's sentence."""

from __future__ import annotations

import datetime as dt

import pytest
from test_rules import claims_of

from kg.extract.claims import Claim
from kg.read.articles import Article, Item

THURSDAY = dt.date(2019, 3, 14)


def controls(*paragraphs: str, published: dt.date = THURSDAY) -> list[Claim]:
    return [c for c in claims_of(*paragraphs, headline=None, published=published)
            if c.type == "control"]


def held(claims: list[Claim]) -> dict[str, str | None]:
    """place label -> controller label."""
    return {c.place.label: c.controller.label if c.controller else None for c in claims}


def test_a_village_named_by_its_cue_is_the_place_not_the_town_that_locates_it() -> None:
    [c] = controls("Islamic State fighters seized the village of al-Qadimah near Hama.")
    assert c.place.label == "al-Qadimah" and c.place.type == "Village"
    assert c.controller.label == "Islamic State of Iraq and the Levant"


def test_each_member_of_a_list_gets_its_claim() -> None:
    claims = controls(
        "The Syrian army regained the villages of Tell Sabun, Kafr Dibbin and Umm Jalal "
        "on Wednesday."
    )
    assert held(claims) == {
        "Tell Sabun": "Government of Syria",
        "Kafr Dibbin": "Government of Syria",
        "Umm Jalal": "Government of Syria",
    }
    assert {c.date.start for c in claims} == {dt.date(2019, 3, 13)}


def test_a_list_without_commas_is_split_where_place_names_open() -> None:
    claims = controls(
        "The army said six hilltops including Tal Wardi Beit Jaafar and Jabal Zuhur had been "
        "wrested back from the insurgents."
    )
    assert set(held(claims)) == {"Tal Wardi", "Beit Jaafar", "Jabal Zuhur"}


def test_a_counted_list_after_a_dash() -> None:
    claims = controls(
        "Rebels captured three villages north of Hama - Marzuf Sharqiyeh and Tuwaynah - "
        "the monitor said."
    )
    assert held(claims) == dict.fromkeys(["Marzuf", "Sharqiyeh", "Tuwaynah"], "Syrian opposition")


def test_a_counted_list_whose_dash_was_stripped() -> None:
    claims = controls(
        "Rebels captured three villages north of Hama from government control Marzuf "
        "Sharqiyeh and Tuwaynah causing heavy losses, the monitor said."
    )
    assert held(claims) == dict.fromkeys(["Marzuf", "Sharqiyeh", "Tuwaynah"], "Syrian opposition")
    # a run that does not make the count is not the list
    claims = controls("Rebels captured three villages north of Hama from Marzuf Sharqiyeh.")
    assert "Marzuf" not in held(claims)


def test_a_list_without_commas_splits_where_a_name_opening_word_begins_one() -> None:
    claims = controls(
        "Rebels seized the neighbourhoods of Ard Alhamra Seif Addawla and Karm Aljabal."
    )
    assert set(held(claims)) == {"Ard Alhamra", "Seif Addawla", "Karm Aljabal"}


@pytest.mark.parametrize(
    "sentence, place, controller",
    [
        ("The town of Qantara fell to Islamic State militants on Tuesday.", "Qantara",
         "Islamic State of Iraq and the Levant"),
        ("The rebels lost the village of Marj Sultan to government troops.", "Marj Sultan",
         "Government of Syria"),
        ("The fall of the town of Qantara to the rebels shocked Damascus.", "Qantara",
         "Syrian opposition"),
        ("Both sides fought hard. The town of Qantara is under rebel control.", "Qantara",
         "Syrian opposition"),
        ("The village of Marj Sultan remains in regime hands.", "Marj Sultan",
         "Government of Syria"),
        ("The town of Qantara is held by the Nusra Front.", "Qantara", "Al-Nusra Front"),
        ("Kurdish forces established full control of the village of Marj Sultan.",
         "Marj Sultan", "Kurdish forces"),
        ("Jets struck the rebel-held town of Qantara on Tuesday.", "Qantara",
         "Syrian opposition"),
        ("Jets pounded the rebel town of Qantara.", "Qantara", "Syrian opposition"),
        ("Qantara is a stronghold of Islamic State.", "Qantara",
         "Islamic State of Iraq and the Levant"),
    ],
)
def test_control_as_verb_noun_and_state(sentence: str, place: str, controller: str) -> None:
    assert held(controls(sentence)).get(place) == controller


@pytest.mark.parametrize(
    "sentence",
    [
        "Rebels launched an attack to retake the town of Qantara.",
        "If the town of Qantara is captured by the army, the road will open.",
        "The army will recapture the village of Marj Sultan, the minister said.",
        "Jets struck the Kurdish town of Qantara.",
        "The army did not capture the town of Qantara.",
    ],
)
def test_plans_conditions_negations_and_peoples_are_not_control(sentence: str) -> None:
    assert controls(sentence) == []


def test_a_facility_is_keyed_by_its_place_whatever_it_is_called() -> None:
    [a] = controls("Tabqa air base fell to Islamic State militants on Sunday.")
    [b] = controls("Islamic State seized the Tabaqa military airport on Sunday.")
    assert a.place.key == b.place.key
    assert a.place.part_of is not None  # the airport of the GeoNames town


def test_places_match_across_transliterations() -> None:
    [a] = controls("Government forces recaptured Al Qaryatain on Sunday.")
    [b] = controls("Government forces recaptured al-Qaryatayn on Sunday.")
    assert a.place.key == b.place.key
    assert a.place.geonames  # a GeoNames place, linked by its id


def test_generic_government_words_resolve_to_the_side() -> None:
    [c] = controls("Troops seized the village of Marj Sultan on Monday.")
    assert c.controller.label == "Government of Syria"
    [d] = controls("A Kurdish-led force known as the Syrian Democratic Forces took the town of "
                   "Qantara.")
    assert d.controller.label == "Kurdish forces"
    assert d.agent.label == "Syrian Democratic Forces"


def test_a_state_in_a_sentence_about_a_dated_event_holds_that_day() -> None:
    [c] = controls("Air strikes hit the rebel-held town of Qantara on Monday.")
    assert c.event == "ControlState" and c.date.start == dt.date(2019, 3, 11)


def test_a_change_without_a_date_happened_by_publication() -> None:
    [c] = controls("Rebels have taken over the village of Marj Sultan.")
    assert c.date.start == THURSDAY


def test_a_part_of_a_city_is_a_place_of_its_own() -> None:
    claims = controls(
        "Air strikes hit the rebel-held east of Aleppo on Friday.",
        "Rockets struck the government-held west of the city.",
    )
    assert held(claims) == {"eastern Aleppo": "Syrian opposition",
                            "western Aleppo": "Government of Syria"}
    assert controls("Jets struck northern Syria and east of the river.") == []


def test_handing_over_gives_the_place_to_the_receiver() -> None:
    [c] = controls("Rebels handed over the town of Qantara to government forces on Monday.")
    assert c.controller.label == "Government of Syria" and c.target.label == "Syrian opposition"


def test_most_of_a_place_is_not_the_place() -> None:
    assert controls("The Nusra Front controls most of Idlib province.") == []


def test_the_source_named_before_a_subjectless_said_is_the_claimant() -> None:
    [c] = controls(
        "Rebels seized the town of Qantara in northwest Syria's Afrin region from the Kurdish "
        "YPG militia, the Syrian Observatory for Human Rights said."
    )
    assert c.claimant.label == "Syrian Observatory for Human Rights"


def test_weapons_cut_words_and_common_nouns_are_no_entities() -> None:
    from kg.extract.gazetteer import default_gazetteer
    from kg.extract.mentions import build_context
    from kg.extract.nlp import pipeline

    doc = pipeline()(
        "Russia launched three Kalibr missiles and six Tu-22M3 bombers struck Qantara. "
        "Pro- and anti-government crowds gathered before the congress opened. Barrel bombs "
        "hit a camp near Qantara."
    )
    ctx = build_context(doc, default_gazetteer().for_article(), "junk")
    labels = {m.entity.label for m in ctx.mentions}
    assert not labels & {"Kalibr", "Tu-22M3", "Pro-", "congress", "Barrel"}


def test_actors_of_two_sides_joined_by_and_name_neither() -> None:
    from kg.extract.run import extract as run

    article = Article(
        stem="two", text="", published=THURSDAY, publisher="Test Wire",
        items=[Item(None, ["At least 23 civilians were killed in separate attacks by Russian "
                           "jets and government forces on Monday, the Observatory said."])],
    )
    casualties = [c for c in run(article) if c.type == "casualties"]
    assert casualties and all(c.agent is None for c in casualties)


@pytest.mark.parametrize(
    "sentence, holder",
    [
        ("Government forces had now surrounded the village of Marj Sultan.", "Syrian opposition"),
        ("The town of Qantara is under the full siege of the Syrian army.", "Syrian opposition"),
        ("Rebel fighters besieged the village of Marj Sultan on Monday.", "Government of Syria"),
    ],
)
def test_a_siege_leaves_the_place_to_the_besieged(sentence: str, holder: str) -> None:
    [c] = controls(sentence)
    assert c.event == "ControlState" and c.controller.label == holder


def test_a_group_is_named_whole_whatever_place_its_name_holds() -> None:
    [c] = controls("Liwa Thuwar al-Qantara fighters seized the village of Marj Sultan.")
    assert c.agent.label == "Liwa Thuwar al-Qantara" and c.agent.type == "ArmedGroup"


def test_what_is_taken_from_a_force_is_a_place_whatever_ner_guessed() -> None:
    [c] = controls("Rebels took Qantara from government forces on Tuesday.")
    assert c.place.label == "Qantara" and c.controller.label == "Syrian opposition"


def test_a_state_told_with_a_past_period_holds_from_its_start() -> None:
    [c] = controls("A truce in 2014 left the town of Qantara in rebel hands.")
    assert c.controller.label == "Syrian opposition" and c.date.start == dt.date(2014, 1, 1)


# -- a sentence that says what a place is, referring words, parser slips ------------------------
def test_a_name_a_sentence_describes_as_a_stronghold_is_a_place() -> None:
    claims = controls(
        "Fighting went on near the border. Umm Rakhim is a stronghold of the Levant Front, an "
        "alliance of local brigades."
    )
    assert held(claims) == {"Umm Rakhim": "Levant Front"}


def test_one_of_the_bastions_and_the_stronghold_in_a_town() -> None:
    assert held(controls("Umm Rakhim is one of the last rebel bastions in the north.")) == {
        "Umm Rakhim": "Syrian opposition"
    }
    assert held(controls("Jets hit the Islamic State stronghold in Mayadin.")) == {
        "Mayadin": "Islamic State of Iraq and the Levant"
    }
    assert controls("Jets hit the Islamic State stronghold in Deir ez-Zor province.") == []


def test_a_held_plural_stands_for_the_towns_the_next_sentence_names() -> None:
    claims = controls(
        "Air strikes on rebel-held towns in the south killed 30 people on Wednesday. In "
        "Nawa in the province of Daraa, 12 civilians died."
    )
    assert held(claims) == {"Nawa": "Syrian opposition"}
    assert controls("Air strikes on rebel-held towns killed 30 people. Aid arrived later.") == []


def test_a_clause_without_a_subject_borrows_the_one_it_is_joined_to() -> None:
    claims = controls("Jasim was a centre of protests but is now almost entirely in regime hands.")
    assert held(claims) == {"Jasim": "Government of Syria"}


def test_won_back_however_the_parser_reads_back() -> None:
    [c] = controls("The army backed by allied militias also won back the village of Tell Sabun.")
    assert (c.place.label, c.controller.label) == ("Tell Sabun", "Government of Syria")


def test_the_enclave_is_the_place_just_named() -> None:
    claims = controls(
        "Regime forces shelled the Wadi Khalid valley, pounding the rebel-held enclave with "
        "barrel bombs."
    )
    assert held(claims) == {"Wadi Khalid": "Syrian opposition"}


def test_the_loss_of_a_town_to_a_force_whatever_the_to_hangs_on() -> None:
    [c] = controls(
        "The militants are still reeling from last months loss of the town of Suluk to "
        "Kurdish fighters."
    )
    assert c.place.label == "Suluk" and c.controller.label == "Kurdish forces"
    assert (c.date.start, c.date.end) == (dt.date(2019, 2, 1), dt.date(2019, 2, 28))


def test_names_listed_before_areas_and_the_old_city_of_a_town() -> None:
    claims = controls(
        "Army units took control of al-Zuhur and al-Kharab al-Kabir areas on Wednesday."
    )
    assert set(held(claims)) == {"al-Zuhur", "al-Kharab al-Kabir"}
    assert controls("Rebel areas came under fire on Wednesday.") == []
    [c] = controls("The besieged Old City of Homs is under rebel control.")
    assert c.place.label == "Homs Old City" and c.controller.label == "Syrian opposition"


def test_buildings_besiege_nothing_and_a_named_group_beats_an_adjectives_country() -> None:
    assert controls("Shells hit buildings surrounding the Jalaa park in the city of Idlib.") == []
    claims = controls(
        "Rebels attacked Suluk, which is controlled by the Syrian Kurdish YPG militia."
    )
    assert held(claims) == {"Suluk": "Kurdish forces"}


def test_militant_held_is_the_group_just_named_else_the_word_itself() -> None:
    [c] = controls("Jets struck the militant-held town of Tadef on Wednesday.")
    assert c.controller.label == "militants" and not c.controller.known
    claims = controls(
        "Islamic State fighters advanced on Tuesday. Jets struck the militant-held town of "
        "Tadef on Wednesday."
    )
    assert held(claims) == {"Tadif": "Islamic State of Iraq and the Levant"}


def test_its_is_never_a_plural_noun() -> None:
    claims = controls(
        "Islamic State is under pressure. It has been pushed out of Shuhayl and allied forces "
        "have also launched an offensive around Mayadin, the largest town under its control."
    )
    assert held(claims)["Mayadin"] == "Islamic State of Iraq and the Levant"


def test_a_possessive_whose_apostrophe_a_feed_stripped_is_read_as_one() -> None:
    """'the armys full control', 'Syrias north': a plural to the parser unless told."""
    [c] = controls("Officials said Tell Sabun village has now been under the armys full control.")
    assert (c.place.label, c.controller.label) == ("Tell Sabun", "Government of Syria")
    from kg.extract.nlp import pipeline

    doc = pipeline()("the armys control in Syrias north")
    assert [t.text for t in doc] == ["the", "army", "s", "control", "in", "Syria", "s", "north"]
    assert doc.text == "the armys control in Syrias north"  # the text itself is unchanged


def test_its_capital_after_a_province_named_by_its_city() -> None:
    claims = controls(
        "Much of Daraas countryside is out of government control but its capital remains in "
        "regime hands."
    )
    assert held(claims) == {"Daraa": "Government of Syria"}


def test_a_base_under_siege_by_a_force_is_held_by_its_enemy() -> None:
    [c] = controls("Two bombers blew up inside base 93, an army base under siege by rebel forces.")
    assert (c.place.label, c.controller.label) == ("base 93", "Government of Syria")


def test_held_after_a_party_with_its_hyphen_stripped() -> None:
    claims = controls("Jets hit a market in the opposition held Bab al-Nairab district.")
    assert held(claims) == {"Bab al-Nairab": "Syrian opposition"}
    assert held(controls("The rebels held the town of Tadef for two years.")) == {
        "Tadif": "Syrian opposition"
    }


def test_a_promised_place_named_in_the_next_sentence() -> None:
    claims = controls(
        "A car bomb killed 12 people on Wednesday in a government-controlled village in the "
        "province of Hama. More were wounded in the attack in Tell Qarfa, state media said."
    )
    assert held(claims) == {"Tell Qarfa": "Government of Syria"}
    claims = controls(
        "Air raids on a rebel-held area near the capital killed 20 people. The strikes hit "
        "Douma, the monitor said."
    )
    assert held(claims) == {"Douma": "Syrian opposition"}
    claims = controls(
        "Rebels shelled government-held areas on Wednesday. Fighting was heard from the "
        "Turkish border town of Kilis."
    )
    assert held(claims) == {}


def test_a_promised_neighbourhood_named_with_its_kind_sentences_on() -> None:
    claims = controls(
        "A car bomb wounded 30 people in a government-controlled neighbourhood of Homs. Barrel "
        "bombs hit a camp near Kafr Laha. Most of the camp's people come from Hama. Residents "
        "of Wadi Qarfa district said they heard the car bomb."
    )
    assert held(claims) == {"Wadi Qarfa": "Government of Syria"}
    claims = controls(
        "A car bomb wounded 30 people in a government-controlled neighbourhood of Homs. Barrel "
        "bombs hit a camp near Kafr Laha. Most of the camp's people come from Hama. Officials "
        "visited the wounded in Tell Qarfa."
    )
    assert held(claims) == {}  # named, but not as a neighbourhood or district


def test_of_several_subjects_of_a_reporting_verb_the_source_speaks() -> None:
    [c] = controls(
        "The raids came as a car bomb wounded 30 people including children in a "
        "government-controlled neighbourhood in the city of Homs state television reported. "
        "It said the blast hit Wadi Qarfa district."
    )
    assert c.place.label == "Wadi Qarfa"
    assert c.claimant.label == "pro-government media"


def test_restored_security_and_managed_to_are_done_unable_to_is_not() -> None:
    [c] = controls("The army was able to restore security to the village of Tell Qarfa.")
    assert (c.place.label, c.controller.label) == ("Tell Qarfa", "Government of Syria")
    [c] = controls("The army managed to retake the village of Tell Qarfa on Tuesday.")
    assert c.controller.label == "Government of Syria"
    assert controls("The army was not able to retake the village of Tell Qarfa.") == []
    assert controls("They have been unable to recapture the village of Tell Qarfa.") == []


def test_a_plan_to_take_a_place_from_a_party_says_the_party_holds_it() -> None:
    [c] = controls("The army launched an offensive to retake the town of Qantara from IS.")
    assert (c.place.label, c.controller.label, c.event) == (
        "Qantara", "Islamic State of Iraq and the Levant", "ControlState"
    )
    [c] = controls("The SDF set up a council to push IS militants out of Umm Tut on Wednesday.")
    assert (c.place.label, c.controller.label) == (
        "Umm Tut", "Islamic State of Iraq and the Levant"
    )
    assert c.date.start == dt.date(2019, 3, 13)
    # a plan that names no holder is still no control
    assert controls("The army launched an offensive to retake the town of Qantara.") == []


def test_a_group_named_before_a_word_for_a_side_is_that_group() -> None:
    [c] = controls("Troops expelled Nusra terrorists from the village of Tell Qarfa.")
    assert c.target.label == "Al-Nusra Front"


def test_control_glued_to_its_verb_by_the_parse_is_still_taken() -> None:
    claims = controls(
        "The army continued operations to expel IS terrorists from the neighborhoods they "
        "infiltrated in June re-establishing control over Umm Tut and Tal Warid neighborhoods "
        "last week."
    )
    taken = {c.place.label: c.controller.label for c in claims if c.event == "ControlChange"}
    assert taken == dict.fromkeys(["Umm Tut", "Tal Warid"], "Government of Syria")
    assert {c.date.end for c in claims if c.event == "ControlChange"} == {dt.date(2019, 3, 10)}


def test_a_part_named_with_its_kind_in_a_held_place_is_held_too() -> None:
    claims = controls("Barrels were dropped on the Umm Tut neighbourhood in rebel-held Aleppo.")
    assert held(claims) == {"Aleppo": "Syrian opposition", "Umm Tut": "Syrian opposition"}
    claims = controls("Jets hit the town of Umm Tut in the rebel stronghold of Eastern Ghouta.")
    assert held(claims)["Umm Tut"] == "Syrian opposition"
    # named without its kind, a place beside a held one is only near it
    claims = controls("Jets hit Umm Tut in rebel-held Idlib province on Wednesday.")
    assert "Umm Tut" not in held(claims)


def test_a_groups_capital_told_with_of_and_a_stronghold_put_by_its_place() -> None:
    claims = controls("The road links the city to Raqqa the de facto capital of IS in Syria.")
    assert held(claims) == {"Raqqa": "Islamic State of Iraq and the Levant"}
    claims = controls(
        "The province links IS's de facto capital in the Syrian city of Raqqa with Iraq."
    )
    assert held(claims) == {"Raqqa": "Islamic State of Iraq and the Levant"}
    claims = controls(
        "Umm Tut lies north of the town of Manbij a key IS stronghold that was hit on Monday."
    )
    assert held(claims) == {"Manbij": "Islamic State of Iraq and the Levant"}
    assert controls("Jets hit Damascus, the capital of Syria, on Monday.") == []


def test_an_unnamed_stronghold_is_the_town_the_next_sentence_introduces() -> None:
    claims = controls(
        "Jets struck the stronghold of the jihadist group IS on Monday. The town of Umm Tut "
        "was hit hardest, the monitor said."
    )
    assert held(claims) == {"Umm Tut": "Islamic State of Iraq and the Levant"}
    claims = controls(
        "Jets struck IS's de facto capital on Monday. The city of Umm Tut was hit hardest."
    )
    assert held(claims) == {"Umm Tut": "Islamic State of Iraq and the Levant"}
    # a name the next sentence gives without its kind is not introduced as the stronghold
    assert controls("Jets struck the IS stronghold on Monday. Umm Tut was hit hardest.") == []


def test_an_unnamed_held_area_is_the_place_the_next_sentence_introduces() -> None:
    claims = controls(
        "Jets killed 15 people in an opposition-held part of northern Syria on Wednesday. The "
        "raids hit the town of Umm Tut, a rescuer said."
    )
    assert held(claims) == {"Umm Tut": "Syrian opposition"}
    claims = controls(
        "Rebels shelled the government-held area of western Syria on Wednesday. Explosions "
        "were heard from the Turkish border town of Kilis."
    )
    assert held(claims) == {}


def test_a_loss_a_day_before_the_retaking_takes_the_day_before() -> None:
    claims = controls(
        "Rebels seized Umm Tut early on Wednesday a day after it was lost to government forces."
    )
    days = {c.controller.label: c.date.start for c in claims}
    assert days == {"Syrian opposition": dt.date(2019, 3, 13),
                    "Government of Syria": dt.date(2019, 3, 12)}


def test_each_part_of_a_divided_city_is_held_by_the_party_before_its_direction() -> None:
    claims = controls(
        "Aleppo has been divided between a rebel-held east and a regime-controlled west "
        "since mid-2016."
    )
    assert held(claims) == {"eastern Aleppo": "Syrian opposition",
                            "western Aleppo": "Government of Syria"}
    assert {c.date.start for c in claims} == {dt.date(2016, 7, 1)}
    claims = controls(
        "Aleppo, divided between government control in the west and rebel control in the "
        "east, was shelled on Wednesday."
    )
    assert held(claims) == {"western Aleppo": "Government of Syria",
                            "eastern Aleppo": "Syrian opposition"}
    assert controls("Jets struck the east and the west of the country on Wednesday.") == []


def test_an_announced_nominal_capture_is_news_of_the_day() -> None:
    [c] = controls("The capture of Umm Tut was announced by the YPG on Wednesday.")
    assert c.date.start == dt.date(2019, 3, 13) and c.event == "ControlChange"
    [c] = controls("The capture of Umm Tut was announced by the YPG.")
    assert c.date.start == THURSDAY
    # a capture only referred back to keeps no day of its own: it happened by the report
    [c] = controls("The capture of Umm Tut by the YPG cut the road.")
    assert (c.date.start, c.date.end) == (None, THURSDAY)


def test_the_province_whose_capital_was_named_and_nearly_all_of_it() -> None:
    claims = controls(
        "Hasakeh city is the capital of the province of the same name. Nearly all of the "
        "province is controlled by the group's Syrian affiliate, the PYD."
    )
    assert held(claims) == {"Al-Hasakah Governorate": "Kurdish forces"}
    assert claims[0].agent.label == "Democratic Union Party"
    # most of it is not all of it
    assert controls("Hasakeh city is the capital of the province of the same name. Most "
                    "of the province is controlled by the PYD.") == []


def test_held_neighbourhoods_in_a_part_of_a_city_make_that_part_held() -> None:
    claims = controls(
        "Air strikes killed 16 civilians on Wednesday in rebel-held neighbourhoods in the east "
        "of Aleppo city, a monitor said."
    )
    assert held(claims) == {"eastern Aleppo": "Syrian opposition"}
    assert controls("Jets hit rebel-held districts of Aleppo on Wednesday.") == []


def test_a_name_just_before_told_and_it_after_a_body_spoke_are_the_claimant() -> None:
    [c] = controls(
        "A helicopter struck the opposition-held Umm Tut district in Aleppo Omar Hamza told "
        "Anadolu Agency."
    )
    assert c.claimant.label == "Omar Hamza"
    assert [e.label for e in c.reported_by] == ["Anadolu Agency", "Omar Hamza"]
    claims = controls(
        "The Syrian Observatory for Human Rights said 20 people died. Five were killed in a raid "
        "on the rebel-held neighbourhood of Umm Tut it said."
    )
    assert claims[-1].claimant.label == "Syrian Observatory for Human Rights"


def test_who_reports_a_taking_with_no_taker_named() -> None:
    [c] = controls("The Observatory said the village of Umm Tut was taken on Tuesday.")
    assert c.controller is None and c.agent is None  # a monitor took nothing
    [c] = controls("The army said the village of Umm Tut had been wrested back from IS.")
    assert c.controller.label == "Government of Syria"
    [c] = controls("State news agency SANA said the village of Umm Tut was taken.")
    assert (c.controller.label, c.agent) == ("Government of Syria", None)


def test_a_place_the_parse_glued_after_control_and_a_partys_heartland() -> None:
    claims = controls(
        "Although government forces control Hama rebels often fire rockets into the city."
    )
    assert held(claims) == {"Hama": "Government of Syria"}
    assert held(controls("Jets struck the government heartland of Latakia.")) == {
        "Latakia": "Government of Syria"
    }
    assert controls("Jets struck the Alawite heartland of Latakia.") == []


def test_the_eastern_parts_of_a_city_are_that_part_and_parts_of_it_are_no_place() -> None:
    [c] = controls("Rebels stormed eastern parts of Aleppo in the summer of 2016.")
    assert (c.place.label, c.controller.label) == ("eastern Aleppo", "Syrian opposition")
    assert (c.date.start, c.date.end) == (dt.date(2016, 6, 1), dt.date(2016, 8, 31))
    assert held(controls("Rebels hold the eastern parts of Aleppo.")) == {
        "eastern Aleppo": "Syrian opposition"
    }
    # a relative clause after 'parts of X' tells of the parts, not of X
    assert controls("Rebels shelled parts of Hama which the army stormed in 2016.") == []


def test_a_militia_named_by_a_countrys_adjective_is_not_that_state() -> None:
    # (a backer makes a force of its own: "US-backed Syrian militias" are the US-backed forces)
    [c] = controls("US-backed Syrian militias said they had taken full control of Umm Tut.")
    assert c.agent.label == "Syrian Democratic Forces"
    assert held(controls("Syrian rebels seized the town of Umm Tut.")) == {
        "Umm Tut": "Syrian opposition"
    }
    assert held(controls("Syrian troops seized the town of Umm Tut.")) == {
        "Umm Tut": "Government of Syria"
    }


def test_a_stronghold_an_as_phrase_describes_and_no_town_that_only_locates() -> None:
    claims = controls(
        "The defeat leaves Umm Tut as the last significant stronghold of IS in Syria. "
        "Kurdish-led fighters besieged the last IS pocket north of the city of Hama."
    )
    assert held(claims) == {"Umm Tut": "Islamic State of Iraq and the Levant"}


def test_the_city_is_the_settlement_just_named_and_a_quarter_lies_in_its_city() -> None:
    claims = controls(
        "Jets struck the Old City of Hama on Monday. Iraqi forces declared Umm Tut "
        "liberated on Thursday, weeks after launching an offensive to drive IS out of the city."
    )
    assert {c.place.label for c in claims} == {"Umm Tut"}
    claims = controls(
        "Troops captured the last rebel-held neighbourhood in the city of Homs on Thursday. "
        "Iraqi police entered the Old City of Mosul."
    )
    assert held(claims) == {}


def test_earlier_opening_a_sentence_is_the_days_news_not_backstory() -> None:
    [c] = controls("Earlier, the army seized the town of Umm Tut after rebels surrendered.")
    assert c.date.start == THURSDAY
    [c] = controls("The army had earlier seized the town of Umm Tut.")
    assert (c.date.start, c.date.end) == (None, THURSDAY)


def test_a_capture_announced_as_backstory_keeps_no_day_of_its_own() -> None:
    [c] = controls("IS attacked the troops that had earlier announced the capture of Umm Tut.")
    assert c.date.start is None and c.date.end == THURSDAY


def test_a_besieged_place_is_held_by_whom_the_item_said_held_it() -> None:
    claims = controls(
        "Islamic State still holds the town of Umm Tut. Pro-government forces have surrounded "
        "Umm Tut from three sides."
    )
    assert {c.controller.label for c in claims} == {"Islamic State of Iraq and the Levant"}
    # told nothing else, a government siege is of the opposition
    [c] = controls("Pro-government forces have surrounded the town of Umm Tut.")
    assert c.controller.label == "Syrian opposition"


def test_fighters_from_a_group_and_a_city_before_its_suburb() -> None:
    claims = controls(
        "IS attacked Hama. Fighters from the Nusra Front overran the village of Umm Tut."
    )
    assert held(claims) == {"Umm Tut": "Al-Nusra Front"}
    assert held(controls("Troops regained full control of the Damascus suburb of Douma.")) == {
        "Douma": "Government of Syria"
    }


def test_a_state_in_the_past_perfect_held_on_no_day_of_the_news() -> None:
    claims = controls(
        "Nusra fighters overran the village of Umm Tut on Tuesday. The village had been under "
        "government control."
    )
    days = {c.controller.label: c.date for c in claims}
    assert days["Government of Syria"] is None
    assert days["Al-Nusra Front"].start == dt.date(2019, 3, 12)


def test_a_leader_announcing_a_liberation_names_his_side() -> None:
    [c] = controls("Prime Minister Haider al-Abadi announced the liberation of Mosul in July.")
    assert (c.controller.label, c.agent) == ("Iraq", None)


def test_the_name_before_a_district_of_a_city_and_take_place_is_no_capture() -> None:
    claims = controls("Air strikes hit the opposition-held al-Fidaa neighbourhood of Aleppo.")
    assert held(claims) == {"al-Fidaa": "Syrian opposition"}
    claims = controls("Air raids have taken place in the rebel-held district of al-Fidaa.")
    assert held(claims) == {"al-Fidaa": "Syrian opposition"}
    claims = controls("Shells hit al-Fidaa, another opposition-held district of Aleppo.")
    assert held(claims) == {"al-Fidaa": "Syrian opposition"}


def test_the_stronghold_a_group_is_based_in_is_theirs() -> None:
    claims = controls("HTS militants, who are based in the nearby stronghold of Saraqib, attacked.")
    assert held(claims) == {"Saraqib": "Hay'at Tahrir al-Sham"}


def test_unknown_names_listed_with_a_place_are_places() -> None:
    claims = controls("The army regained Khirbet Dalla, Zor Maqsud and Kherbat Nafi on Wednesday.")
    assert held(claims) == dict.fromkeys(
        ["Khirbet Dalla", "Zor Maqsud", "Kherbat Nafi"], "Government of Syria"
    )


def test_a_name_the_parser_hung_on_a_direction_is_the_place() -> None:
    [c] = controls("Rebels captured the village of Tal Warid west of Damascus on Wednesday.")
    assert c.place.label == "Tal Warid"


def test_a_party_counted_among_others_is_of_their_kind() -> None:
    [c] = [c for c in controls(
        "Warplanes struck the village of Kafr Hamdan held by Islamist fighters and other rebels."
    )]
    assert c.controller.label == "Syrian opposition"


def test_an_ally_named_beside_the_leading_party_does_not_cancel_it() -> None:
    [c] = controls(
        "Turkish troops and their Syrian rebel allies took control of Afrin on Wednesday."
    )
    assert c.controller.label == "Turkey"


def test_parties_of_two_sides_name_no_captor() -> None:
    [c] = controls("Russian jets and rebels took control of Afrin on Wednesday.")
    assert c.controller is None


def test_a_place_declared_liberated_is_the_declarers_sides() -> None:
    [c] = controls("Iraqi Prime Minister Haider al-Abadi declared Tal Afar liberated on Wednesday.")
    assert (c.place.label, c.controller.label) == ("Tall Afar", "Iraq")


def test_an_announced_capture_is_the_announcing_forces() -> None:
    [c] = controls("The army announced the liberation of Mayadin from Islamic State.")
    assert c.controller.label == "Government of Syria"
    [c] = controls("The capture of Tal Hamis was announced by the Kurdish YPG militia.")
    assert c.controller.label == "Kurdish forces"
    [c] = controls("The monitor announced the capture of Tal Hamis.")
    assert c.controller is None


def test_a_share_of_a_place_is_not_the_place() -> None:
    assert controls("Government forces were in control of 90 percent of Eastern Ghouta.") == []
    assert controls("Deir al-Zor city was partly held by Islamic State.") == []


def test_held_until_a_date_held_up_to_the_day_before() -> None:
    [c] = controls("Raqqa was held by Islamic State until October 2017.")
    assert (c.date.start, c.date.end) == (dt.date(2017, 9, 30), dt.date(2017, 9, 30))


def test_a_state_the_same_sentence_ends_holds_until_the_change() -> None:
    claims = controls(
        "Islamic State fighters on Wednesday recaptured the desert town of al-Qaryatain, which "
        "had been held by government forces since April 2018."
    )
    state = next(c for c in claims if c.event == "ControlState")
    change = next(c for c in claims if c.event == "ControlChange")
    assert change.date.start == dt.date(2019, 3, 13)
    assert state.controller.label == "Government of Syria"
    assert (state.date.start, state.date.end) == (dt.date(2018, 4, 1), dt.date(2019, 3, 12))


def test_a_speaker_after_its_verb_is_the_claimant() -> None:
    [c] = controls("The army took the villages of Kafr Dalla and Umm Tut said the Observatory.")[:1]
    assert c.claimant.label == "Syrian Observatory for Human Rights"


def test_a_reporting_participle_speaks_for_its_clauses_subject() -> None:
    claims = controls(
        "The Observatory confirmed the toll, adding that the village of Kafr Dalla is held by "
        "the Nusra Front."
    )
    assert [c.claimant.label for c in claims] == ["Syrian Observatory for Human Rights"]


def test_a_capture_in_a_dated_fights_relative_clause_is_that_days() -> None:
    [c] = controls(
        "Five fighters were killed in Tuesdays fighting which resulted in the Nusra Front taking "
        "control of the village of Kafr Dalla, the monitor said."
    )
    assert c.date.start == dt.date(2019, 3, 12)


def test_a_verb_with_re_and_a_hyphen_is_read_as_its_verb() -> None:
    [c] = controls("Government forces re-established control over Kafr Dalla on Wednesday.")
    assert (c.place.label, c.controller.label) == ("Kafr Dalla", "Government of Syria")


def test_a_held_neighbourhood_of_a_city_is_not_the_city() -> None:
    claims = controls(
        "Ten people were killed in rebel shelling of a regime-held neighbourhood of Aleppo on "
        "Wednesday. Another 40 were injured in the attack on Qasr Dalla according to the monitor."
    )
    assert held(claims) == {"Qasr Dalla": "Government of Syria"}


def test_a_stronghold_an_attack_hit_is_named_by_the_attack_told_again() -> None:
    claims = controls(
        "The toll from a government raid on an Islamic State stronghold in eastern Syria has "
        "risen to 18, a monitor said. The raid on the village of Kafr Dalla destroyed a prison."
    )
    assert held(claims) == {"Kafr Dalla": "Islamic State of Iraq and the Levant"}


def test_a_past_verb_tagged_as_a_noun_is_read_as_the_verb_the_parse_makes_it() -> None:
    claims = controls("The Iraqi army retook Rawa the last town under the control of Islamic "
                      "State on Wednesday the military said.")
    change = next(c for c in claims if c.event == "ControlChange")
    assert (change.place.label, change.controller.label) == ("Rawah", "Iraq")


def test_an_enclave_in_a_village_is_the_village() -> None:
    claims = controls(
        "Rebels shelled the town of Douma on Tuesday. Kurdish-led fighters said on Wednesday they "
        "had seized the last Islamic State enclave in the village of Kafr Dalla."
    )
    assert held(claims) == {"Kafr Dalla": "Kurdish forces"}


def test_the_party_inside_a_besieged_town_holds_it() -> None:
    assert held(controls("Rebels in the besieged town of Douma agreed to leave on Wednesday.")) == {
        "Douma": "Syrian opposition"
    }
    assert controls("Civilians in the besieged town of Douma are starving.") == []


def test_a_lower_case_word_tagged_as_a_name_is_a_noun() -> None:
    claims = controls(
        "Air strikes hit the town of Kafr Dalla and the village of Umm Tut on Wednesday. Both "
        "towns are under jihadist control though all the casualties there were civilians."
    )
    assert set(held(claims)) == {"Kafr Dalla", "Umm Tut"}


def test_a_reporting_verb_closing_the_sentence_reports_it() -> None:
    [c] = controls(
        "Government forces retook the town of Kafr Dalla after the militants were driven out "
        "a source on the ground announced on Wednesday."
    )
    assert c.claimant.label == "source on the ground"


def test_a_participle_after_a_capture_is_not_the_captors_word() -> None:
    [c] = controls(
        "Sources told the agency that the YPG seized control of Kafr Dalla adding that they "
        "were heading south."
    )
    assert "People's Protection Units" not in [s.label for s in c.reported_by]


@pytest.mark.parametrize(
    ("sentence", "place", "holder"),
    [
        ("Rebels beat back an army assault on the town of Kafr Dalla on Wednesday.",
         "Kafr Dalla", "Syrian opposition"),
        ("Shells hit the district of Umm Tut, where rebel fighters have repelled attempts by "
         "loyalist forces to overrun the area.", "Umm Tut", "Syrian opposition"),
        ("The Islamic State offensive to break through the army positions in the Sinaa "
         "district of Deir Ezzor was repelled by the strong defense of the Syrian soldiers.",
         "Sinaa", "Government of Syria"),
    ],
)
def test_who_repelled_an_attack_on_a_place_holds_it(sentence: str, place: str, holder: str) -> None:
    assert held(controls(sentence)) == {place: holder}


def test_a_small_place_abroad_of_a_name_the_item_uses_is_not_that_place() -> None:
    [c] = controls(
        "Clashes centre on villages near the city of Deir al-Zor. On Wednesday the Nusra Front "
        "took control of the village of al-Sabha."
    )
    assert c.place.label == "al-Sabha" and not c.place.known


def test_a_stronghold_of_a_name_no_gazetteer_knows() -> None:
    assert held(controls(
        "Rebels have been pushing towards the IS group stronghold of Kafr Dalla, a village."
    )) == {"Kafr Dalla": "Islamic State of Iraq and the Levant"}


def test_each_place_of_a_nominal_capture() -> None:
    claims = controls("The capture of Umm Tut and Tal Warid by the army on Wednesday cut the road.")
    assert held(claims) == dict.fromkeys(["Umm Tut", "Tal Warid"], "Government of Syria")


def test_a_capture_that_was_part_of_an_offensive_is_the_offensives_party() -> None:
    claims = controls("The brief seizure of Umm Tut on Tuesday was part of an army offensive.")
    assert held(claims) == {"Umm Tut": "Government of Syria"}
    claims = controls("The seizure of Umm Tut on Tuesday came during a rebel assault.")
    assert held(claims) == {"Umm Tut": "Syrian opposition"}


def test_a_part_of_a_city_named_by_its_direction_and_a_plural() -> None:
    assert held(controls("Jets struck the rebel-held eastern suburbs of Aleppo on Wednesday.")) == {
        "eastern Aleppo": "Syrian opposition"
    }


def test_a_name_the_item_made_a_place_is_one_where_ner_saw_a_person() -> None:
    claims = controls(
        "Rebels attacked the Umm Tut district on Tuesday. After a siege opposition forces took "
        "Umm Tut on Wednesday."
    )
    assert held(claims) == {"Umm Tut": "Syrian opposition"}


def test_a_district_named_like_a_town_abroad_is_the_citys_district() -> None:
    [c] = controls(
        "Rebel fire on the regime-controlled district of Hamdaniyeh in Aleppo on Wednesday "
        "killed 13 people."
    )
    assert c.place.label == "Hamdaniyeh" and not c.place.known


def test_a_name_ner_took_for_a_people_is_a_place_before_its_kind_noun() -> None:
    claims = controls(
        "Strikes caused huge damage to one rebel-held district on Wednesday. A barrel bomb hit "
        "the Qaterji neighbourhood. Two others were killed in the Mayssar neighbourhood."
    )
    assert held(claims) == {"Qaterji": "Syrian opposition"}
    assert controls("Russian jets struck a Kurdish village near Afrin.") == []


def test_a_city_divided_between_holders_and_its_districts_are_no_forward_reference() -> None:
    assert controls(
        "The city has been divided since July 2012 into rebel-held and regime-held areas. "
        "Jets struck Eastern Ghouta on Wednesday."
    ) == []
    assert controls(
        "Troops tried to cut supply lines to rebel-held districts of the city. For a week they "
        "have battled for control of Umm Tut."
    ) == []


def test_a_force_known_by_a_misspelt_name_is_not_the_country_in_it() -> None:
    [c] = controls(
        "A Kurdish-led force known as the Syria Democratic Forces drove the Islamic State group "
        "out of the town of Manbij on Wednesday."
    )
    assert c.controller.label == "Kurdish forces"


def test_a_spokesman_speaks_for_his_body_and_an_apposed_name_is_the_speaker() -> None:
    [c] = controls("A spokesman for the Syria Civil Defense said the gas hit rebel-held Saraqeb.")
    assert c.claimant.label == "Syria Civil Defense"
    [c] = controls("The UN children's agency (UNICEF) said a school in rebel-held Saraqeb was hit.")
    assert c.claimant.label == "UNICEF"


def test_is_the_group_is_not_the_verb() -> None:
    assert held(controls(
        "Jets struck near the Kweyris military airport which IS has besieged for a year."
    )) == {"Kweyris military airport": "Government of Syria"}


def test_a_siege_told_without_its_besieger_is_the_clauses_force() -> None:
    assert held(controls(
        "Regime forces have waged an offensive in Douma, which has been under siege since 2013."
    )) == {"Douma": "Syrian opposition"}
    assert controls("The town has been under siege since 2013.") == []


def test_a_capture_state_television_reported_on_a_day_is_that_days() -> None:
    [c] = controls(
        "Government forces have captured the town of al-Mayadin from Islamic State militants "
        "state television reported on Tuesday."
    )
    assert c.claimant.label == "pro-government media"
    assert c.date.start == dt.date(2019, 3, 12)


def test_the_capital_of_a_province_is_its_city() -> None:
    assert held(controls("Rebels captured the provincial capital of Idlib province in March.")) == {
        "Idlib": "Syrian opposition"
    }


def test_who_has_held_a_place_since_a_capture_made_the_capture() -> None:
    assert held(controls(
        "The Nusra Front has controlled most of Idlib province since the capture of the "
        "provincial capital in March."
    )) == {"Idlib": "Al-Nusra Front"}


def test_held_by_after_a_part_of_a_city_is_not_the_citys() -> None:
    assert "Aleppo" not in held(controls(
        "Seven people died in shelling of a neighbourhood of the Syrian city of Aleppo held by "
        "the Kurdish YPG militia on Wednesday."
    ))


def test_the_monitoring_group_is_the_monitor_not_the_country_it_is_based_in() -> None:
    [c] = controls(
        "Two died in the rebel-controlled town of Namar the Britain-based monitoring group said."
    )
    assert c.claimant.label == "Syrian Observatory for Human Rights"
    claims = controls(
        "The Syrian Observatory for Human Rights said ISIL attacked Markada. The group said "
        "ISIL took total control of Markada on Wednesday."
    )
    assert [c.claimant.label for c in claims] == ["Syrian Observatory for Human Rights"]


def test_a_name_glued_to_its_kind_noun_and_a_city_part_as_container() -> None:
    assert held(controls(
        "Air raids have taken place in al-Inzarat - a rebel-held neighbourhood of East Aleppo - "
        "and numerous towns on Wednesday."
    )) == {"al-Inzarat": "Syrian opposition"}
    assert held(controls(
        "On Wednesday ISIL seized control of the areas of Kafr Dalla and Umm Tut in Deir Ezzor."
    )) == dict.fromkeys(["Kafr Dalla", "Umm Tut"], "Islamic State of Iraq and the Levant")


def test_western_districts_of_the_city_are_its_west() -> None:
    assert held(controls(
        "Rebels fired mortar bombs on Aleppo on Wednesday. They hit western districts of the "
        "city that are held by the Syrian government."
    )) == {"western Aleppo": "Government of Syria"}


def test_each_claim_is_its_own_speakers_in_a_sentence_of_two() -> None:
    claims = controls(
        "Islamic State militants recaptured Mayadin on Wednesday, the Syrian Observatory for "
        "Human Rights said, but state media denied the town had been lost and said the army "
        "remained in full control of Mayadin."
    )
    said = {c.controller.label: (c.claimant.label, [s.label for s in c.reported_by])
            for c in claims}
    assert said["Islamic State of Iraq and the Levant"] == (
        "Syrian Observatory for Human Rights", ["Syrian Observatory for Human Rights"])
    assert said["Government of Syria"] == ("pro-government media", ["pro-government media"])


def test_the_town_is_the_one_called_a_town() -> None:
    [c] = controls(
        "Men were executed in the town of Kafr Dalla one of the main towns of the Umm Tut "
        "tribal heartland when ISIL stormed the town on Wednesday."
    )
    assert c.place.label == "Kafr Dalla"


def test_places_an_including_phrase_names_are_held_like_the_areas() -> None:
    assert held(controls(
        "Warplanes kept up raids on IS-held areas of Homs province on Wednesday including the "
        "villages of Kafr Dalla and Umm Tut."
    )) == dict.fromkeys(["Kafr Dalla", "Umm Tut"], "Islamic State of Iraq and the Levant")


def test_a_lone_name_an_armed_party_takes_is_a_place() -> None:
    """NER calls an unknown one-word name a person; what forces take is a place."""
    [c] = controls("After a long siege the rebels finally took Hardana on Tuesday.")
    assert (c.place.label, c.controller.label) == ("Hardana", "Syrian opposition")
    assert c.place.type in ("Place", "Town", "Village")


def test_held_neighbourhoods_are_not_an_air_base_named_next() -> None:
    claims = controls(
        "Rebels pushed forward on Tuesday to join up with rebel-held neighbourhoods. "
        "An air base at Khirbat Nasr on the coast was shelled."
    )
    assert not [c for c in claims if "air base" in c.place.label]


def test_a_year_before_the_subject_is_not_the_place_taken() -> None:
    [c] = controls("In 2015 the IS group took control of Kafr Dalla.")
    assert (c.place.label, c.controller.label) == (
        "Kafr Dalla", "Islamic State of Iraq and the Levant")
    assert (c.date.start, c.date.end) == (dt.date(2015, 1, 1), dt.date(2015, 12, 31))


def test_a_road_is_a_place_its_name_gives() -> None:
    [c] = controls("Government troops recaptured the Qarnabit road on Wednesday.")
    assert (c.place.label, c.controller.label) == ("Qarnabit road", "Government of Syria")


def test_a_road_near_a_place_is_no_place_of_its_own() -> None:
    assert controls("Government forces seized a road near Kafr Dalla on Wednesday.") == []


def test_the_held_northern_districts_are_the_north_of_the_city_named_just_before() -> None:
    claims = controls(
        "Mortars hit Homs on Wednesday. Shells also fell on the regime-held northern "
        "districts."
    )
    assert held(claims) == {"northern Homs": "Government of Syria"}


def test_districts_with_no_city_near_name_no_city() -> None:
    claims = controls(
        "Talks on Homs opened in Geneva on Monday. Meanwhile in Raqqa province ISIS fighters "
        "attacked the government-held eastern districts."
    )
    assert held(claims) == {}


def test_a_side_of_the_divided_city_is_its_part() -> None:
    claims = controls(
        "Mortars hit Homs on Wednesday. Rebels fired rockets at the regime-held northern "
        "side of the divided city."
    )
    assert held(claims) == {"northern Homs": "Government of Syria"}


def test_districts_dominated_by_a_party_are_held_by_it() -> None:
    claims = controls(
        "Mortars hit Homs. Rockets struck the northern districts dominated by government forces "
        "on Wednesday."
    )
    assert held(claims) == {"northern Homs": "Government of Syria"}


def test_a_district_is_never_the_half_of_a_city_named_next() -> None:
    claims = controls(
        "Mortars hit Homs on Wednesday. Rebels broke into a key regime-held district. "
        "Blasts were heard even in the northern districts."
    )
    assert [c for c in claims if c.controller.label == "Government of Syria"
            and c.place.label == "northern Homs"] == []


def test_a_commaless_list_splits_after_each_name_the_article_closes() -> None:
    claims = controls(
        "Jets struck the districts of Bustan al-Zahr Tall al-Kurum Salqin and al-Wardi all of "
        "which were under siege by the Assad regime on Wednesday."
    )
    assert held(claims) == dict.fromkeys(
        ["Bustan al-Zahr", "Tall al-Kurum", "Salqin", "al-Wardi"], "Syrian opposition")


def test_a_taking_told_again_without_its_taker_is_the_first_takers() -> None:
    claims = controls(
        "Army units ousted the Nusra Front from the village of Kafr Dalla. A military source "
        "said Kafr Dalla was seized on Tuesday."
    )
    assert {(c.date.start, c.controller.label) for c in claims} == {
        (THURSDAY, "Government of Syria"), (dt.date(2019, 3, 12), "Government of Syria")}


@pytest.mark.parametrize("verb", ["recaptured", "liberated"])
def test_a_retaking_without_its_taker_is_not_the_first_takers(verb: str) -> None:
    claims = controls(
        f"ISIS seized the town of Kafr Dalla in 2016. Kafr Dalla was {verb} on Tuesday."
    )
    assert [c.controller for c in claims if c.date.start == dt.date(2019, 3, 12)] == [None]


def test_a_place_freed_from_a_party_is_the_taker_the_sentence_before_names() -> None:
    claims = controls(
        "The Syrian army shelled the hills for a week. The villages of Kafr Dalla and Umm Tut "
        "were freed from the grip of the Nusra Front on Monday."
    )
    assert held(claims) == dict.fromkeys(["Kafr Dalla", "Umm Tut"], "Government of Syria")


def test_a_purpose_told_with_a_noun_is_no_capture() -> None:
    """'with the aim of recapturing X' is a plan: the group's capital stays the group's."""
    [c] = controls(
        "The army opened an offensive on Monday with the aim of recapturing the IS capital "
        "Raqqa."
    )
    assert (c.event, c.controller.label) == (
        "ControlState", "Islamic State of Iraq and the Levant")


def test_drive_out_with_its_particle_takes_the_place_from() -> None:
    [c] = controls("The Nusra Front managed to drive out army units from Idlib province.")
    assert (c.place.label, c.controller.label, c.target.label) == (
        "Idlib Governorate", "Al-Nusra Front", "Syrian Arab Army")


def test_posts_in_a_citys_countryside_are_not_the_city() -> None:
    claims = controls("Soldiers beat back an IS assault on army posts in Hama northern "
                      "countryside on Wednesday.")
    assert "Hama" not in held(claims)


def test_places_that_lie_in_an_area_a_party_took_were_taken_with_it() -> None:
    claims = controls(
        "Rebels overran three hamlets west of Hama on Wednesday - Tell Sabun Kafr Dibbin and "
        "Umm Jalal. They sit in an area seized by the army in May 2018."
    )
    taken_before = {c.place.label: c.controller.label for c in claims
                    if c.date.start == dt.date(2018, 5, 1)}
    assert taken_before == dict.fromkeys(["Tell Sabun", "Kafr Dibbin", "Umm Jalal"],
                                         "Government of Syria")


def test_a_stronghold_put_after_its_place_when_the_subject_is_no_place() -> None:
    [c] = controls("The shelling was a reprisal for raids in Kafr Dalla a rebel stronghold "
                   "near Hama on Wednesday.")
    assert (c.place.label, c.controller.label) == ("Kafr Dalla", "Syrian opposition")


def test_mostly_controlled_is_a_divided_place() -> None:
    assert controls("Manbij is mostly controlled by the SDF.") == []


def test_the_citys_facility_is_the_facility_of_the_city_named() -> None:
    claims = controls("Qamishli is a city near the Turkish border. Syrian regime forces are "
                      "present and control the citys airport.")
    assert held(claims) == {"Qamishli airport": "Government of Syria"}


def test_a_list_member_whose_own_clause_tells_another_holder_is_left_out() -> None:
    claims = controls("Car bombs hit regime-held Latakia and Homs as well as Qamishli which is "
                      "largely controlled by the YPG.")
    assert held(claims) == {"Latakia": "Government of Syria", "Homs": "Government of Syria"}


def test_a_province_name_called_a_city_is_its_capital() -> None:
    [c] = controls("Idleb city is almost completely held by the Army of Conquest.")
    assert (c.place.label, c.place.type) == ("Idlib", "City")


def test_held_suburbs_of_a_city_are_the_suburbs_named_later_not_the_city() -> None:
    claims = controls(
        "Shells rained on rebel-held Homs suburbs on Wednesday. Diplomats met in Geneva on "
        "Wednesday. Medics said the shells hit the Homs suburbs of Kafr Dalla and Umm Tut."
    )
    held_places = held(claims)
    assert "Homs" not in held_places and "Geneva" not in held_places
    assert held_places.get("Kafr Dalla") == "Syrian opposition"


def test_a_town_besieged_by_the_party_its_hyphen_names_is_held_by_the_other_side() -> None:
    [c] = controls("Mortar shells fell on the terrorist-besieged town of Kafr Dalla on Wednesday.")
    assert (c.place.label, c.controller.label) == ("Kafr Dalla", "Government of Syria")


def test_a_besieger_named_by_its_hyphen_is_not_the_holder_too() -> None:
    claims = controls("Aid reached the ISIS-besieged city of Deir ez-Zor on Wednesday.")
    assert {c.controller.label for c in claims} == {"Government of Syria"}


def test_the_party_that_strikes_a_besieged_town_besieges_it() -> None:
    assert held(controls("Rebels fired shells on the besieged town of Kafr Dalla on Wednesday.")
                ) == {"Kafr Dalla": "Government of Syria"}
    assert held(controls("Regime airstrikes on Saturday on the besieged city of Kafr Dalla "
                         "killed four children.")) == {"Kafr Dalla": "Syrian opposition"}
    assert held(controls("Raids by regime helicopters on the besieged town of Kafr Dalla "
                         "killed five.")) == {"Kafr Dalla": "Syrian opposition"}


def test_a_besieged_town_no_one_strikes_names_no_holder() -> None:
    assert controls("Aid reached the besieged town of Kafr Dalla on Wednesday.") == []


def test_a_held_suffix_after_its_party_is_no_verb_of_the_clause_before() -> None:
    claims = controls("Three people were killed and 40 injured following a shelling attack by "
                      "terrorist groups on the government held western Aleppo.")
    assert held(claims) == {"western Aleppo": "Government of Syria"}


def test_a_number_and_its_unit_after_a_name_are_not_the_name() -> None:
    claims = controls("Shelling hit a rebel-held town on Monday.",
                      "The shells struck the town of Kafr Dalla 60 kilometres north of Hama.")
    assert held(claims) == {"Kafr Dalla": "Syrian opposition"}


def test_a_list_ner_ran_together_is_split_where_place_names_open() -> None:
    claims = controls("Jets pounded ISILs strongholds in Tabaret al-Zuhur Abu Jarad Abu Tina and "
                      "al-Kabireh east of Hama.")
    assert held(claims) == dict.fromkeys(
        ["Tabaret al-Zuhur", "Abu Jarad", "Abu Tina", "al-Kabireh"],
        "Islamic State of Iraq and the Levant")


def test_a_partys_air_base_at_a_place_is_held_by_the_party() -> None:
    claims = controls("A helicopter came down between Aleppo and Russias main air base at "
                      "Qarnabit on Wednesday.")
    assert {(c.place.label, c.controller.label) for c in claims} == {
        ("Qarnabit main air base", "Russia")}


@pytest.mark.parametrize("sentence", [
    "Syria's main airport in Damascus was closed on Wednesday.",
    "Turkey's border crossing at Bab al-Hawa reopened on Wednesday.",
])
def test_a_countrys_own_facility_or_crossing_names_no_holder(sentence: str) -> None:
    assert controls(sentence) == []


def test_held_districts_of_a_named_city_are_the_quarters_named_next() -> None:
    claims = controls(
        "Air raids on rebel-held districts of the second city of Aleppo killed 18 civilians "
        "on Wednesday. Eleven people died in Kafr Dalla neighbourhood and seven in Umm Tut "
        "neighbourhood."
    )
    assert held(claims) == dict.fromkeys(["Kafr Dalla", "Umm Tut"], "Syrian opposition")


def test_a_citys_held_district_is_the_district_not_the_city() -> None:
    claims = controls("Jets bombed Homs's rebel-held Waer district a rescue worker told Reuters "
                      "on Wednesday.")
    assert "Homs" not in held(claims)


def test_one_anonymous_source_is_labelled_without_its_count() -> None:
    claims = controls("Jets bombed the rebel-held town of Kafr Dalla one medical source told "
                      "Reuters on Wednesday.")
    assert {c.claimant.label for c in claims} == {"medical source"}


def test_the_area_may_be_the_half_of_a_city_named_before() -> None:
    claims = controls(
        "HTS militants have regularly attacked government forces in northern Hama. HTS was "
        "driven from the area by government forces on Wednesday."
    )
    assert held(claims) == {"northern Hama": "Government of Syria"}


def test_a_bracketed_name_before_its_verb_is_the_subject() -> None:
    """The parser hangs 'the Syrian Democratic Force [SDF]' on the verb as an adverbial."""
    [c] = controls("The exodus increased after the Syrian Democratic Force [SDF] besieged Tabqa "
                   "on June 10.")
    assert (c.place.label, c.controller.label) == (
        "Al-Tabqa", "Islamic State of Iraq and the Levant")


def test_held_parts_of_a_city_are_the_parts_the_item_lists_anywhere() -> None:
    claims = controls(
        "Shells fell overnight on rebel-held Homs suburbs, killing nine people.",
        "The United Nations envoy called for a ceasefire and for aid convoys.",
        "The governor said the talks had stalled.",
        "Residents said the shells hit the Homs suburbs of Kafr Mirza, Zaydal and Deir Baalba.",
    )
    assert held(claims) == dict.fromkeys(["Kafr Mirza", "Zaydal", "Deir Baalba"],
                                         "Syrian opposition")


def test_held_parts_of_a_city_are_not_the_parts_of_another_city() -> None:
    claims = controls(
        "Shells fell overnight on rebel-held Homs suburbs, killing nine people.",
        "The United Nations envoy called for a ceasefire and for aid convoys.",
        "Residents said shells also hit the Hama suburbs of Kafr Mirza and Zaydal.",
    )
    assert held(claims) == {}


def test_the_capitals_listed_suburbs_are_the_held_suburbs_of_the_capital() -> None:
    claims = controls(
        "The monitor said the shelling hit the capital's southern suburbs of Kafr Mirza, "
        "Zaydal and Ain Qabra.",
        "It added that the army pressed an offensive in Syria on the rebel-held suburbs of "
        "Damascus.",
    )
    assert held(claims) == dict.fromkeys(["Kafr Mirza", "Zaydal", "Ain Qabra"],
                                         "Syrian opposition")


def test_a_place_name_opening_word_takes_one_word_in_a_list_without_commas() -> None:
    claims = controls(
        "Government forces seized the villages of Ain Qabra Zaydal and Kafr Mirza on Monday."
    )
    assert set(held(claims)) == {"Ain Qabra", "Zaydal", "Kafr Mirza"}


def test_the_named_area_of_a_city_is_the_area_not_the_city() -> None:
    claims = controls(
        "Air raids on rebel-held districts of Aleppo killed 12 people on Wednesday.",
        "Seven died in the Bab al-Farah area of Old Aleppo, the monitor said.",
    )
    assert held(claims) == {"Bab al-Farah": "Syrian opposition"}


def test_the_party_that_beats_back_a_siege_holds_the_place() -> None:
    claims = controls("An offensive in May saw IS encircle Kafr Dalla but rebels pushed back the "
                      "assault the following month.")
    assert {c.controller.label for c in claims} == {"Syrian opposition"}
    assert {c.place.label for c in claims} == {"Kafr Dalla"}


def test_storming_a_partys_strongholds_is_an_assault_not_a_capture() -> None:
    claims = controls("Syrian soldiers stormed Nusra Front's strongholds in Kafr Dalla, killing "
                      "eight militants.")
    assert [(c.place.label, c.controller.label, c.event) for c in claims] == [
        ("Kafr Dalla", "Al-Nusra Front", "ControlState")]
    [c] = controls("ISIL stormed the town of Kafr Dalla on Wednesday.")
    assert c.event == "ControlChange"


def test_a_force_named_in_capitals_is_that_force_not_the_generic_word_inside_it() -> None:
    [c] = controls("The so-called Northern Sun Troops managed on Wednesday to control Kafr Dalla "
                   "town after clashes with ISIL.")
    assert c.controller.label == "Northern Sun Troops"


def test_a_stronghold_of_the_fighters_is_the_group_the_sentence_named() -> None:
    [c] = controls("Twelve Islamic State militants were killed in raids on Wednesday in the "
                   "eastern province of Hasakah a stronghold of the jihadist fighters.")
    assert c.place.type == "Province"
    assert c.controller.label == "Islamic State of Iraq and the Levant"


def test_a_groups_capital_with_its_apostrophe_stripped() -> None:
    [c] = controls("Kurdish fighters cut the road heading to ISs de facto capital of Raqqa.")
    assert (c.place.label, c.controller.label) == ("Raqqa", "Islamic State of Iraq and the Levant")


def test_a_held_district_named_next_is_the_one_called_a_district_of_its_kind() -> None:
    [c] = controls("A car bomb hit a government-held district of Homs on Wednesday.",
                   "The bomb went off in the Qasr area of the Wadi Zeitun neighbourhood.")
    assert (c.place.label, c.controller.label) == ("Wadi Zeitun", "Government of Syria")


def test_a_possessive_a_feed_glued_on_is_not_part_of_a_sources_label() -> None:
    [c] = controls("The Hezbollahs commander said rebels took the village of Kafr Dalla.")
    assert c.claimant.label == "Hezbollah commander"


def test_a_list_of_places_in_a_held_part_is_held_with_it() -> None:
    claims = controls("Airstrikes hit the neighbourhoods of Kafr Dalla, Zaydal and Ain Qabra in "
                      "rebel-held eastern Aleppo on Sunday.")
    assert {"Kafr Dalla", "Zaydal", "Ain Qabra"} <= set(held(claims))
    assert set(held(claims).values()) == {"Syrian opposition"}


def test_villages_taken_unnamed_are_the_ones_the_next_sentence_lists() -> None:
    claims = controls("The rebels have seized control of 14 villages in four days.",
                      "The gains lie north of Hama including the towns of Kafr Dalla and Zaydal.")
    assert held(claims) == dict.fromkeys(["Kafr Dalla", "Zaydal"], "Syrian opposition")
    claims = controls("The army managed to control a number of villages east of Hama.",
                      "Among the villages which cover 130 square kilometres are Zaydal and "
                      "Kafr Dalla.")
    assert held(claims) == dict.fromkeys(["Zaydal", "Kafr Dalla"], "Government of Syria")


def test_villages_taken_unnamed_are_not_the_places_a_later_sentence_only_mentions() -> None:
    claims = controls("The rebels have seized control of 14 villages in four days.",
                      "Meanwhile aid reached Kafr Dalla and Zaydal.")
    assert held(claims) == {}


def test_a_capture_told_as_background_holds_by_the_report() -> None:
    [c] = controls("The brief seizure of Kafr Dalla by the army was part of an abortive offensive.")
    assert (c.date.start, c.date.end) == (None, THURSDAY)
    dated = controls("The army seized Kafr Dalla on Monday.",
                     "The earlier capture of Kafr Dalla by rebels was brief.")
    assert [(c.controller.label, c.date and c.date.start) for c in dated] == [
        ("Government of Syria", dt.date(2019, 3, 11)), ("Syrian opposition", None)]


def test_they_is_not_the_party_its_own_sentence_drives_out() -> None:
    claims = controls("Hezbollah fighters and the army pressed on against the rebels in Zabadani.",
                      "They seized the Kafr Dalla district, driving out the rebels.")
    assert {c.controller.label for c in claims if c.place.label == "Kafr Dalla"} == {
        "Government of Syria"}


def test_a_stronghold_a_lead_leaves_unnamed_is_the_city_named_next() -> None:
    claims = controls("Air strikes killed 21 civilians in and around a stronghold of the Islamic "
                      "State group in northern Syria on Monday.",
                      "Fifteen died in a northern district of Manbij.")
    assert held(claims) == {"Manbij": "Islamic State of Iraq and the Levant"}
    claims = controls("Kurdish fighters encircled a stronghold of IS militants in Manbij.",
                      "Aid reached Homs on Monday.")
    assert held(claims) == {"Manbij": "Islamic State of Iraq and the Levant"}


def test_an_anonymous_source_is_also_known_by_its_head_and_the_words_before_it() -> None:
    [c] = [c for c in controls("Jets struck the opposition-held district of Kafr Dalla, "
                                "according to a pro-opposition civil defense source on the "
                                "ground.") if c.type == "control"]
    assert c.claimant.label == "pro-opposition civil defense source on the ground"
    assert c.claimant.aliases == ["civil defense source", "defense source", "source"]


def test_the_source_is_the_anonymous_source_the_item_introduced() -> None:
    claims = [c for c in controls(
        "Jets hit the town of Zaydal, a civil defense source said. The jets also hit the "
        "opposition-held district of Kafr Dalla the source told Anadolu Agency.")
        if c.type == "control"]
    assert [c.claimant.label for c in claims] == ["civil defense source"]


def test_who_accuses_a_party_of_an_act_is_the_claimant_of_what_the_charge_tells() -> None:
    [c] = [c for c in controls("The opposition accused government forces of gassing people "
                                "on Wednesday over the rebel-held town of Kafr Dalla.")
           if c.type == "control"]
    assert c.claimant.label == "Syrian opposition"


def test_an_ngo_said_is_the_rights_monitor_the_item_names_and_no_one_else() -> None:
    [c] = [c for c in controls("Barrel bombs hit the rebel-held town of Kafr Dalla, an NGO "
                                "said. The Syrian Observatory for Human Rights said 20 died.")
           if c.type == "control"]
    assert c.claimant.label == "Syrian Observatory for Human Rights"
    [c] = [c for c in controls("Barrel bombs hit the rebel-held town of Kafr Dalla, an NGO "
                                "said.") if c.type == "control"]
    assert c.claimant is None or c.claimant.type != "Monitor"


def test_quarters_named_after_a_held_half_lie_in_it() -> None:
    claims = controls("Airstrikes hit the rebel-held east of Aleppo city on Friday.",
                      "The raids on Aleppo's Zaydal district killed a family.",
                      "Rebels shelled the government-held Kafr Dalla neighbourhood.")
    assert held(claims) == {"eastern Aleppo": "Syrian opposition",
                            "Zaydal": "Syrian opposition",
                            "Kafr Dalla": "Government of Syria"}


def test_who_raises_its_flag_over_a_place_has_taken_it() -> None:
    [c] = controls("Government forces raised the national flag over Kafr Dalla on Wednesday.")
    assert (c.place.label, c.controller.label, c.event) == (
        "Kafr Dalla", "Government of Syria", "ControlChange")
    assert controls("Protesters raised the flag of the revolution in Kafr Dalla.") == []
    [c] = controls("Army units entered Kafr Batna and raised the national flag over its public "
                   "buildings.")
    assert (c.place.label, c.controller.label) == ("Kafr Batna", "Government of Syria")


def test_a_state_told_in_the_past_perfect_since_a_month_held_from_that_month() -> None:
    [c] = controls("Kafr Dalla had been in jihadist hands since June 2014.",
                   published=dt.date(2017, 8, 31))
    assert (c.date.start, c.date.end) == (dt.date(2014, 6, 1), dt.date(2014, 6, 1))
    [c] = controls("Rebels have controlled Kafr Dalla since June 2014.",
                   published=dt.date(2017, 8, 31))
    assert (c.date.start, c.date.end) == (dt.date(2014, 6, 1), dt.date(2017, 8, 31))


def test_a_string_of_towns_taken_is_the_towns_its_including_names() -> None:
    claims = controls("Government forces seized a string of towns on Friday, including Kafr "
                      "Dalla, Zaydal and Ain Qabra.")
    assert held(claims) == dict.fromkeys(["Kafr Dalla", "Zaydal", "Ain Qabra"],
                                         "Government of Syria")


def test_a_party_said_to_be_besieged_holds_what_its_besiegers_surround() -> None:
    [c] = controls("In Kafr Dalla, SDF fighters remained besieged on Tuesday, with "
                   "Turkish-backed factions surrounding the town on three sides.")
    assert (c.place.label, c.agent.label) == ("Kafr Dalla", "Syrian Democratic Forces")


def test_a_backer_makes_a_force_of_its_own() -> None:
    [c] = controls("U.S.-backed Syrian forces captured Kafr Dalla on Tuesday.")
    assert c.agent.label == "Syrian Democratic Forces"
    [c] = controls("Turkish-backed fighters seized the village of Kafr Dalla.")
    assert c.agent.label == "Turkish-backed rebels"


def test_a_stronghold_driven_out_of_is_the_town_the_sentence_took_and_they_are_the_driven() -> None:
    claims = controls("Kurdish fighters captured the town of Kafr Dalla on Wednesday, driving "
                      "Islamic State militants out of a stronghold they had held since early "
                      "2013, a monitor said.",
                      "The fighters also took several villages, including Zaydal and Ain Qabra.")
    state = next(c for c in claims if c.event == "ControlState")
    assert (state.place.label, state.controller.label) == (
        "Kafr Dalla", "Islamic State of Iraq and the Levant")
    assert state.date.start == dt.date(2013, 1, 1)
    assert {c.place.label for c in claims if c.sentence_index == 0} == {"Kafr Dalla"}

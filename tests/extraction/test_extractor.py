"""The extractor (extraction/extractor.py) on texts written for the tests, one rule each, with
a directory of known speakers built by hand (no database)."""

import datetime

import pytest

from extraction.extractor import Extractor, Named
from extraction.speakers import Directory, KnownSpeaker

STOLTENBERG = KnownSpeaker(
    1,
    "jens-stoltenberg",
    "Jens Stoltenberg",
    "person",
    "NATO Secretary General",
    (),
    "North Atlantic Treaty Organization|NATO|the Alliance",
)
PESKOV = KnownSpeaker(
    2, "dmitry-peskov", "Dmitry Peskov", "person", "Kremlin spokesman", (), "Kremlin"
)
MINISTRY = KnownSpeaker(
    3,
    "russian-foreign-ministry",
    "Russian Foreign Ministry",
    "institution",
    "",
    ("the Foreign Ministry",),
    "Russian Foreign Ministry",
    "RU",
)
MACRON = KnownSpeaker(
    4, "emmanuel-macron", "Emmanuel Macron", "person", "President of France", ("macron",)
)
NATO = KnownSpeaker(
    5,
    "nato",
    "NATO",
    "institution",
    "",
    ("North Atlantic Treaty Organization",),
    "North Atlantic Treaty Organization|NATO",
)

EXTRACTOR = Extractor(
    Directory([STOLTENBERG, PESKOV, MINISTRY, MACRON, NATO]),
    treaties=[Named("inf-treaty", ("Intermediate-Range Nuclear Forces Treaty", "INF Treaty"))],
)


def extract(text, **kwargs):
    return EXTRACTOR.extract(text, **kwargs).quotes


def only(text, **kwargs):
    [candidate] = extract(text, **kwargs)
    return candidate


PADDING = " It was a long day of talks in the city, and the talks went on into the evening."


@pytest.mark.parametrize(
    ("sentence", "quote", "speaker"),
    [
        ("“We are ready,” said Peskov.", "We are ready,", "dmitry-peskov"),
        ("Peskov said that “we are ready to talk”.", "we are ready to talk", "dmitry-peskov"),
        ("“We are ready”, — said the Secretary General.", "We are ready", "jens-stoltenberg"),
        ("“We are ready,” the NATO chief told reporters.", "We are ready,", "jens-stoltenberg"),
        ("“We are ready,” the French leader added.", "We are ready,", "emmanuel-macron"),
        ("“We are ready,” the Foreign Ministry said.", "We are ready,", "russian-foreign-ministry"),
        ("“Europeans must decide,” said macron.", "Europeans must decide,", "emmanuel-macron"),
        (
            "Kremlin spokesman Dmitry Peskov quipped: “We are ready.”",
            "We are ready.",
            "dmitry-peskov",
        ),
        ("According to Peskov, the talks were “not serious”.", "not serious", "dmitry-peskov"),
    ],
)
def test_reporting_verbs_in_every_position(sentence, quote, speaker):
    candidate = only("Talks in Moscow" + "\n\n" + sentence + PADDING)
    assert candidate.text == quote
    assert candidate.speaker.slug == speaker
    assert candidate.cue


def test_a_pronoun_is_the_last_person_named():
    text = (
        "Jens Stoltenberg spoke in Brussels on Monday about the alliance and its plans.\n\n"
        "“We will defend every ally,” he concluded." + PADDING
    )
    candidate = only(text)
    assert candidate.speaker.slug == "jens-stoltenberg"
    assert candidate.speaker.how == "pronoun"


def test_a_metonym_is_the_institution_of_that_country_the_text_names():
    text = (
        "Moscow condemned the “reckless” plans of the alliance on Friday."
        " The Russian Foreign Ministry issued a statement about the plans and the talks." + PADDING
    )
    candidate = only(text)
    assert candidate.speaker.slug == "russian-foreign-ministry"
    assert candidate.kind == "fragment"
    assert candidate.attribution_inferred  # "Moscow" does not name the ministry
    assert "a place stands for who speaks for it" in candidate.note


@pytest.mark.parametrize(
    ("text", "inferred"),
    [
        # A body's sentence, no reporting verb, and its head spoke just before: inferred.
        (
            "“We will defend every ally,” NATO Secretary General Jens Stoltenberg said on Monday."
            " NATO is expected to agree upon a mission, to help “make the region safer”.",
            True,
        ),
        # The body named is the speaker itself: read, not inferred.
        ("NATO, meanwhile, has refused to drop its longstanding ‘open-door policy’.", False),
        ("“We are ready,” said Peskov.", False),
        # A pronoun stands for the person named before: read, not inferred.
        ("Dmitry Peskov spoke on Monday. “We are ready,” he concluded.", False),
    ],
)
def test_an_attribution_is_inferred_only_when_its_words_do_not_name_the_speaker(text, inferred):
    last = extract("Talks in Moscow\n\n" + text + PADDING)[-1]
    assert last.attribution_inferred is inferred, last.note
    if inferred:
        assert "does not name the speaker" in last.note


def test_a_new_speaker_is_proposed_with_the_name_and_role_the_text_gives():
    text = (
        "Turkish President Recep Tayyip Erdogan said that the deal was “a historic step”."
        + PADDING
        + "\n\n“We have waited for years,” Erdogan added."
    )
    first, second = extract(text)
    assert (first.speaker.slug, first.speaker.name) == (None, "Recep Tayyip Erdogan")
    assert first.speaker.role == "Turkish President"
    assert second.speaker.name == "Recep Tayyip Erdogan"  # the same new speaker, by surname


def test_a_surname_alone_is_the_person_the_text_named_in_full_before():
    text = (
        "Talks\n\nSpeaking to reporters, U.S. Defense Secretary James Mattis was more "
        "cautious. “We are looking at it,” Mattis said." + PADDING
    )
    speaker = only(text).speaker
    assert (speaker.name, speaker.role, speaker.slug) == (
        "James Mattis",
        "U.S. Defense Secretary",
        None,
    )


def test_a_surname_never_named_in_full_is_still_a_new_speaker():
    assert only("Talks\n\n“We are looking at it,” Mattis said." + PADDING).speaker.name == (
        "Mattis"
    )


def test_a_person_in_a_title_is_the_speaker_not_the_body_of_the_title():
    text = "Talks\n\nFinnish Foreign Ministry spokeswoman Anna Virtanen said it was “a mistake”."
    speaker = only(text + PADDING).speaker
    assert (speaker.name, speaker.role) == ("Anna Virtanen", "Finnish Foreign Ministry spokeswoman")


def test_a_transcript_line_is_a_statement_of_its_speaker():
    text = (
        "Briefing in Moscow, March 2023, on the talks and the state of the negotiations.\n\n"
        "Dmitry Peskov: We are not going to comment on these reports until the talks end.\n"
    )
    candidate = only(text)
    assert candidate.speaker.slug == "dmitry-peskov"
    assert candidate.kind == "statement"
    assert candidate.text == "We are not going to comment on these reports until the talks end."


def test_scare_quotes_names_and_terms_are_not_candidates():
    text = (
        "The so-called “peace plan” was discussed in the city."
        " The meeting “Normandy Format” will be held next week."
        " The “Russian threat”, despite everything, remains the engine of the policy." + PADDING
    )
    assert extract(text) == []


def test_statements_stand_alone_and_fragments_are_built_into_the_sentence():
    text = (
        "“The bloc is involved in the conflict,” Peskov said at a press briefing.\n\n"
        "Peskov described relations as a “direct confrontation” with the alliance." + PADDING
    )
    statement, fragment = extract(text)
    assert (statement.kind, fragment.kind) == ("statement", "fragment")


def test_a_quotation_with_no_cue_continues_the_one_before():
    text = (
        "“We are ready to talk,” Peskov said on Monday.\n\n"
        "“And we will not wait for ever.”\n\nThe talks went on." + PADDING
    )
    first, second = extract(text)
    assert second.speaker.slug == "dmitry-peskov"
    assert second.attribution_inferred
    assert second.confidence < first.confidence


def test_no_continuation_across_a_quotation_whose_speaker_was_not_found():
    # The middle quotation's speaker is named in words the reading does not take for anyone:
    # the last one must not be given to Peskov, who spoke two quotations before.
    text = (
        "“We are ready to talk,” Peskov said on Monday.\n\n"
        "“It is late,” the other side said.\n\n"
        "“And we will not wait for ever.”\n\nThe talks went on." + PADDING
    )
    assert [c.text for c in extract(text)] == ["We are ready to talk,"]


def test_a_headline_quote_goes_to_whom_the_body_quotes_with_the_same_words():
    text = (
        "Russia and NATO in ‘direct confrontation’ – Kremlin\n\n"
        "Relations are a “direct confrontation,” Kremlin spokesman Dmitry Peskov has said."
        + PADDING
    )
    headline, body = extract(text)
    assert headline.from_headline
    assert headline.speaker.slug == "dmitry-peskov"
    assert headline.attribution_inferred  # "– Kremlin" names the body, not its spokesman
    assert not body.from_headline


def test_a_headline_that_names_the_speaker_is_not_an_inferred_attribution():
    text = (
        "We ‘will defend every ally’ — Stoltenberg\n\n"
        "“We will defend every ally,” NATO Secretary General Jens Stoltenberg said." + PADDING
    )
    headline, _ = extract(text)
    assert headline.from_headline
    assert not headline.attribution_inferred


def test_a_headline_quote_the_body_does_not_quote_is_not_proposed():
    text = (
        "“Moscow challenge”: what NATO says\n\nNATO sees a “strategic challenge,” said Stoltenberg."
        + PADDING
    )
    [candidate] = extract(text)
    assert candidate.text == "strategic challenge,"


@pytest.mark.parametrize(
    ("cue", "published", "precision", "expected"),
    [
        ("on Wednesday", datetime.date(2017, 5, 26), "day", (datetime.date(2017, 5, 24), "day")),
        (
            "in a statement Friday",
            datetime.date(2017, 5, 26),
            "day",
            (datetime.date(2017, 5, 26), "day"),
        ),
        ("on Saturday", datetime.date(2022, 1, 1), "year", (datetime.date(2022, 1, 1), "year")),
        ("last month", datetime.date(2024, 3, 15), "day", (datetime.date(2024, 2, 1), "month")),
        ("last month", datetime.date(2024, 1, 1), "year", None),
        ("on 2 February", datetime.date(2019, 1, 1), "year", (datetime.date(2019, 2, 2), "day")),
        ("", datetime.date(2019, 1, 1), "day", None),
        ("on Wednesday", None, None, None),
    ],
)
def test_dates_are_read_from_the_cue_and_never_invented(cue, published, precision, expected):
    text = f"Talks\n\nPeskov said {cue} that the talks were “not serious”." + PADDING
    candidate = only(text, published_on=published, precision=precision)
    said = candidate.said_on
    assert ((said.value, said.precision) if said else None) == expected
    if said is not None:
        assert said.note


def test_treaties_it_names_are_proposed():
    text = "Talks\n\nPeskov said the INF Treaty was “dead and buried”." + PADDING
    assert only(text).treaties == ["inf-treaty"]


def test_a_text_in_another_language_gets_no_candidates_and_a_reason():
    result = EXTRACTOR.extract("«Мы готовы», — сказал Песков журналистам в Москве. " * 5)
    assert result.quotes == []
    assert "English only" in result.message
    assert not result.supported


def test_a_text_with_no_quotes_or_unbalanced_marks_gets_none():
    assert extract("Nothing was said today." + PADDING * 3) == []
    assert extract("He said “we are ready and then left." + PADDING * 3) == []


@pytest.mark.parametrize(
    ("sentence", "count", "country", "location"),
    [
        (
            "Around 4,500 US troops are deployed in Poland on a rotational basis.",
            4500,
            "US",
            "Poland",
        ),
        ("Berlin sent 1,000 additional German soldiers to Lithuania.", 1000, "DE", ""),
        ("About 300 Marines are stationed in Norway, the ministry said.", 300, "", "Norway"),
    ],
)
def test_a_troop_count_may_be_qualified(sentence, count, country, location):
    [figure] = EXTRACTOR.extract("Troops\n\n" + sentence + PADDING).troop_figures
    assert (figure.count, figure.contributing_country, figure.location) == (
        count,
        country,
        location,
    )


def test_a_count_including_another_has_it_as_a_part_and_both_cite_their_sentence():
    sentence = (
        "The exercises involve some 7,000 troops from 14 countries, including 1,500 German "
        "soldiers, according to the alliance."
    )
    text = "Troops\n\nIt began on Monday. " + sentence + " It ends in May." + PADDING
    whole, part = EXTRACTOR.extract(text).troop_figures
    assert (whole.count, part.count, part.part_of, part.contributing_country) == (
        7000,
        1500,
        0,
        "DE",
    )
    assert whole.text == part.text == sentence


def test_counts_of_other_things_are_not_troops():
    text = "Troops\n\n500 people and troops from the base protested; 20 Russian tanks moved."
    assert EXTRACTOR.extract(text + PADDING).troop_figures == []


def test_troop_counts_are_proposed_with_their_parts():
    text = (
        "Troops\n\nLast year NATO stationed 1,100 soldiers in the Baltic region close to the "
        "border, 900 of which were U.S. troops." + PADDING
    )
    result = EXTRACTOR.extract(text, published_on=datetime.date(2017, 5, 26), precision="day")
    whole, part = result.troop_figures
    assert (whole.count, part.count) == (1100, 900)
    assert part.part_of == 0
    assert whole.location.startswith("Baltic region")
    assert (whole.as_of.value, whole.as_of.precision) == (datetime.date(2016, 1, 1), "year")

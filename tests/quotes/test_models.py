"""Quotes, speakers and facts: the rules a researcher cannot break, model by model.

Each model's database constraints are tried with a write that skips validation (the database
must refuse it), and each rule of `clean()` and of the field validators with `full_clean()`
(the message must name the field a person has to fix).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quotes.models import (
    Event,
    Organization,
    Quote,
    Speaker,
    Treaty,
    TreatyParty,
    TreatyProvision,
    TreatySignatory,
    TreatyStatusEvent,
    TroopFigure,
)
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TreatyFactory,
    TroopFigureFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 8, 2)


def a_quote(**fields):
    """An unsaved quote of the sample text's first statement, with `fields` changed."""
    quote = QuoteFactory.build(source=SourceFactory(), speaker=SpeakerFactory())
    for name, value in fields.items():
        setattr(quote, name, value)
    return quote


def a_speaker(**fields):
    """An unsaved speaker with `fields`."""
    return SpeakerFactory.build(organization=None, **fields)


def save(instance):
    instance.save()


# -- database constraints: refused even when validation is skipped --------------------------

DATABASE_RULES = {
    "organization-name-unique": lambda: [
        OrganizationFactory(name="NATO"),
        OrganizationFactory(name="NATO"),
    ],
    "speaker-slug-unique": lambda: [SpeakerFactory(slug="s"), SpeakerFactory(slug="s")],
    "speaker-wikidata-id-unique": lambda: [
        SpeakerFactory(wikidata_id="Q1"),
        SpeakerFactory(wikidata_id="Q1"),
    ],
    "event-date-without-precision": lambda: EventFactory(starts_on=DAY, starts_on_precision=""),
    "event-precision-without-date": lambda: EventFactory(starts_on_precision="day"),
    "event-unknown-date-inferred": lambda: EventFactory(starts_on_inferred=True),
    "event-ends-before-it-starts": lambda: EventFactory(
        starts_on=DAY,
        starts_on_precision="day",
        ends_on=DAY - datetime.timedelta(days=1),
        ends_on_precision="day",
    ),
    "treaty-name-unique": lambda: [TreatyFactory(name="INF"), TreatyFactory(name="INF")],
    "treaty-signed-on-precision": lambda: TreatyFactory(signed_on=DAY, signed_on_precision=""),
    "treaty-fact-slug-unique-per-treaty": lambda: [
        TreatyParty.objects.create(treaty=treaty, slug="party", country=country, name=country)
        for treaty, country in zip([TreatyFactory()] * 2, ["US", "RU"], strict=True)
    ],
    "treaty-party-country-unique-per-treaty": lambda: [
        TreatyParty.objects.create(treaty=treaty, slug=slug, country="US", name="US")
        for treaty, slug in zip([TreatyFactory()] * 2, ["a", "b"], strict=True)
    ],
    "treaty-signatory-unique-per-treaty": lambda: [
        TreatySignatory.objects.create(treaty=treaty, speaker=speaker, slug=slug)
        for treaty, speaker, slug in zip(
            [TreatyFactory()] * 2, [SpeakerFactory()] * 2, ["a", "b"], strict=True
        )
    ],
    "treaty-status-event-date-precision": lambda: TreatyStatusEvent.objects.create(
        treaty=TreatyFactory(), slug="x", kind="signed", occurred_on=DAY, description="x"
    ),
    "treaty-provision-range-ordered": lambda: TreatyProvision.objects.create(
        treaty=TreatyFactory(), slug="band", summary="x", min_range_km=1000, max_range_km=500
    ),
    "quote-span-unique": lambda: [QuoteFactory(source=source) for source in [SourceFactory()] * 2],
    "quote-span-not-empty": lambda: save(a_quote(end=a_quote().start)),
    "quote-span-within-its-source": lambda: save(a_quote(end=10_000)),
    "quote-text-not-empty": lambda: save(a_quote(text="")),
    "quote-said-on-precision": lambda: save(a_quote(said_on=DAY, said_on_precision="")),
    "quote-translation-names-its-language": lambda: save(a_quote(is_translation=True)),
    "quote-original-language-only-if-translated": lambda: save(a_quote(original_language="ru")),
    "quote-other-speaker-language-is-translation": lambda: save(a_quote(speaker_language="ru")),
    "quote-inferred-attribution-has-note": lambda: save(a_quote(attribution_inferred=True)),
    "troop-figure-count-positive": lambda: TroopFigureFactory(count=0),
    "troop-figure-not-its-own-part": lambda: TroopFigure.objects.filter(
        pk=(figure := TroopFigureFactory()).pk
    ).update(parent=figure),
    "troop-figure-as-of-precision": lambda: TroopFigureFactory(as_of=DAY, as_of_precision=""),
}


@pytest.mark.parametrize("write", DATABASE_RULES.values(), ids=DATABASE_RULES.keys())
def test_the_database_refuses_what_validation_would(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


# -- clean() and validators: refused with a message naming the field -----------------------

VALIDATION_RULES = {
    "organization-country-lower-case": (
        lambda: OrganizationFactory.build(country="ru"),
        "country",
    ),
    "organization-aliases-not-distinct": (
        lambda: OrganizationFactory.build(aliases=["NATO", "NATO"]),
        "aliases",
    ),
    "speaker-aliases-blank": (lambda: a_speaker(aliases=["Makron", ""]), "aliases"),
    "speaker-aliases-not-strings": (lambda: a_speaker(aliases=[1]), "aliases"),
    # (PostgreSQL cannot even store it: validation must refuse it first.)
    "speaker-aliases-nul": (lambda: a_speaker(aliases=["a\x00b"]), "aliases"),
    "speaker-wikidata-id-without-q": (lambda: a_speaker(wikidata_id="7747"), "wikidata_id"),
    "event-end-without-start": (
        lambda: EventFactory.build(kind="summit", ends_on=DAY, ends_on_precision="day"),
        "starts_on",
    ),
    "event-month-precision-not-the-1st": (
        lambda: EventFactory.build(kind="summit", starts_on=DAY, starts_on_precision="month"),
        "starts_on",
    ),
    "treaty-year-precision-not-1-january": (
        lambda: TreatyFactory.build(signed_on=DAY, signed_on_precision="year"),
        "signed_on",
    ),
    "treaty-status-event-precision-without-date": (
        lambda: TreatyStatusEvent(
            treaty=TreatyFactory(), slug="x", kind="signed", occurred_on_precision="day"
        ),
        "occurred_on_precision",
    ),
    "treaty-provision-range-beyond-the-earth": (
        lambda: TreatyProvision(treaty=TreatyFactory(), slug="x", summary="x", max_range_km=60_000),
        "max_range_km",
    ),
    "quote-paraphrased": (lambda: a_quote(text="We will defend every inch of ours,"), "text"),
    "quote-span-beyond-its-source": (lambda: a_quote(end=10_000), "end"),
    "quote-unknown-date-inferred": (
        lambda: a_quote(said_on=None, said_on_precision="", said_on_inferred=True),
        "said_on_inferred",
    ),
    "quote-translation-without-language": (
        lambda: a_quote(is_translation=True),
        "original_language",
    ),
    "quote-language-without-translation": (
        lambda: a_quote(original_language="ru"),
        "is_translation",
    ),
    "quote-language-a-name": (lambda: a_quote(language="English"), "language"),
    "quote-speakers-other-language-not-translated": (
        lambda: a_quote(speaker_language="ru"),
        "is_translation",
    ),
    "quote-speaker-language-a-name": (
        lambda: a_quote(speaker_language="Russian"),
        "speaker_language",
    ),
    "quote-inferred-attribution-without-note": (
        lambda: a_quote(attribution_inferred=True, attribution_note=" "),
        "attribution_note",
    ),
    "troop-figure-count-above-the-bound": (
        lambda: TroopFigureFactory.build(count=10**8, deploying_organization=None),
        "count",
    ),
    "troop-figure-country-lower-case": (
        lambda: TroopFigureFactory.build(contributing_country="us", deploying_organization=None),
        "contributing_country",
    ),
}


@pytest.mark.parametrize(("build", "field"), VALIDATION_RULES.values(), ids=VALIDATION_RULES.keys())
def test_validation_names_the_field_to_fix(build, field):
    instance = build()
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean(exclude=[f.name for f in instance._meta.many_to_many])
    assert field in excinfo.value.message_dict, excinfo.value.message_dict


# -- quotes ---------------------------------------------------------------------------------


def test_a_quote_matching_its_span_is_valid():
    quote = QuoteFactory()
    quote.full_clean()
    assert str(quote).startswith(f"{quote.speaker}: “We will defend")


def test_a_paraphrased_quote_cannot_be_saved_and_the_message_says_what_differs():
    quote = QuoteFactory()
    quote.text = "We will defend every inch of our territory,"
    with pytest.raises(ValidationError) as excinfo:
        quote.full_clean()
    message = excinfo.value.message_dict["text"][0]
    assert "given “…" in message
    assert "our territory" in message
    assert "source has “…" in message
    assert "allied territory" in message


def test_a_quote_may_be_typed_with_other_whitespace_and_quote_marks():
    quote = QuoteFactory(passage="“reckless” and “dangerous”")
    quote.text = '"reckless"   and\n"dangerous"'
    quote.full_clean()


def test_year_precision_said_on_must_not_carry_a_day():
    quote = QuoteFactory(said_on=datetime.date(2016, 1, 1), said_on_precision="year")
    quote.full_clean()
    quote.said_on = datetime.date(2016, 7, 14)
    with pytest.raises(ValidationError) as excinfo:
        quote.full_clean()
    assert "1 January" in excinfo.value.message_dict["said_on"][0]


def test_a_long_quote_is_named_by_its_first_words():
    quote = QuoteFactory(passage="We will defend every inch of allied territory,")
    assert str(quote) == f"{quote.speaker}: “We will defend every inch of allied territory,”"
    quote.text = "word " * 30
    assert str(quote).endswith("…”")
    assert len(quote.text_preview) == 80


# -- troop figures --------------------------------------------------------------------------


def test_a_part_cannot_exceed_its_whole_nor_can_the_parts_together():
    whole = TroopFigureFactory(count=1100)
    organization = whole.deploying_organization
    TroopFigureFactory.build(count=900, parent=whole, deploying_organization=organization).save()
    too_big = TroopFigureFactory.build(
        count=1200, parent=whole, deploying_organization=organization
    )
    with pytest.raises(ValidationError) as excinfo:
        too_big.full_clean()
    assert "cannot exceed its whole (1,100)" in excinfo.value.message_dict["count"][0]
    sibling = TroopFigureFactory.build(count=300, parent=whole, deploying_organization=organization)
    with pytest.raises(ValidationError) as excinfo:
        sibling.full_clean()
    assert "together (1,200) exceed" in excinfo.value.message_dict["count"][0]


def test_a_whole_cannot_shrink_below_its_parts():
    whole = TroopFigureFactory(count=1100)
    TroopFigureFactory(count=900, parent=whole)
    whole.count = 800
    with pytest.raises(ValidationError) as excinfo:
        whole.full_clean()
    assert (
        "Its parts together (900) exceed this figure (800)"
        in excinfo.value.message_dict["count"][0]
    )


def test_a_figure_cannot_be_part_of_its_own_part():
    whole = TroopFigureFactory(count=1100)
    part = TroopFigureFactory(count=900, parent=whole)
    whole.parent = part
    with pytest.raises(ValidationError) as excinfo:
        whole.full_clean()
    assert excinfo.value.message_dict["parent"] == ["A figure cannot be part of itself."]


def test_a_troop_figure_reads_as_its_count_and_place():
    assert str(TroopFigureFactory(count=4000, location="Lithuania")) == (
        "4,000 soldiers in Lithuania"
    )


# -- treaties -------------------------------------------------------------------------------


def test_a_treaty_is_named_by_its_short_name_and_its_facts_by_the_treaty():
    treaty = TreatyFactory(name="Intermediate-Range Nuclear Forces Treaty", short_name="INF")
    assert str(treaty) == "INF"
    event = TreatyStatusEvent.objects.create(
        treaty=treaty,
        slug="signed",
        kind="signed",
        occurred_on=datetime.date(1987, 12, 1),
        occurred_on_precision="month",
        description="Signed in Washington.",
    )
    assert str(event) == "INF: Signed (1987-12)"
    undated = TreatyStatusEvent(treaty=treaty, slug="x", kind="terminated", description="x")
    assert str(undated) == "INF: Terminated (undated)"


def test_treaty_facts_are_found_by_their_natural_key():
    treaty = TreatyFactory()
    party = TreatyParty.objects.create(treaty=treaty, slug="us", country="US", name="US")
    assert party.natural_key() == (treaty.slug, "us")
    assert TreatyParty.objects.get_by_natural_key(treaty.slug, "us") == party


@pytest.mark.parametrize(
    "model", [Organization, Speaker, Event, Treaty, TroopFigure], ids=lambda m: m.__name__
)
def test_records_with_a_slug_are_found_by_it(model):
    factory = {
        Organization: OrganizationFactory,
        Speaker: SpeakerFactory,
        Event: EventFactory,
        Treaty: TreatyFactory,
        TroopFigure: TroopFigureFactory,
    }[model]
    record = factory()
    assert model.objects.get_by_natural_key(record.slug) == record


def test_a_quote_is_found_by_its_span():
    quote = QuoteFactory()
    key = quote.natural_key()
    assert key == (quote.source.slug, quote.start, quote.end)
    assert Quote.objects.get_by_natural_key(*key) == quote

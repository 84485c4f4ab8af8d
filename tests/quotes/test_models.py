"""Quotes, speakers and facts: the rules a researcher cannot break."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quotes.models import Quote, TreatyProvision
from tests.factories import (
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TreatyFactory,
    TroopFigureFactory,
)

pytestmark = pytest.mark.django_db


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


def test_the_same_span_cannot_be_quoted_twice():
    quote = QuoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.create(
            source=quote.source,
            start=quote.start,
            end=quote.end,
            text=quote.text,
            speaker=SpeakerFactory(),
            kind="statement",
        )


def test_a_translated_quote_names_its_original_language():
    quote = QuoteFactory.build(
        source=SourceFactory(), speaker=SpeakerFactory(), is_translation=True, original_language=""
    )
    with pytest.raises(ValidationError) as excinfo:
        quote.full_clean()
    assert "original_language" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        quote.save()


def test_year_precision_said_on_must_not_carry_a_day():
    quote = QuoteFactory(said_on=datetime.date(2016, 1, 1), said_on_precision="year")
    quote.full_clean()
    quote.said_on = datetime.date(2016, 7, 14)
    with pytest.raises(ValidationError) as excinfo:
        quote.full_clean()
    assert "1 January" in excinfo.value.message_dict["said_on"][0]
    assert quote.said_on_display == "2016"


def test_speaker_aliases_must_be_distinct_strings():
    speaker = SpeakerFactory(aliases=["Makron", "Makron"])
    with pytest.raises(ValidationError) as excinfo:
        speaker.full_clean()
    assert "distinct" in excinfo.value.message_dict["aliases"][0]
    speaker.aliases = ["Makron", ""]
    with pytest.raises(ValidationError):
        speaker.full_clean()


def test_wikidata_id_format():
    speaker = SpeakerFactory(wikidata_id="7747")
    with pytest.raises(ValidationError) as excinfo:
        speaker.full_clean()
    assert "wikidata_id" in excinfo.value.message_dict


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


def test_troop_counts_are_positive_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        TroopFigureFactory(count=0)


def test_range_band_upper_bound_exceeds_lower_in_the_database():
    treaty = TreatyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatyProvision.objects.create(
            treaty=treaty, slug="band", summary="x", min_range_km=1000, max_range_km=500
        )


def test_the_researchers_group_may_view_add_and_change_every_content_model_but_not_delete():
    from django.apps import apps
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="researchers")
    granted = set(group.permissions.values_list("content_type__model", "codename"))
    for app in ("sources", "quotes"):
        for model in apps.get_app_config(app).get_models():
            name = model._meta.model_name
            if name.startswith("historical"):
                continue
            for action in ("view", "add", "change"):
                assert (name, f"{action}_{name}") in granted
            assert (name, f"delete_{name}") not in granted

"""Sources and citations: fingerprints, immutability of cited text, span guards in the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sources.models import Citation, Source
from tests.factories import CitationFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_sha256_is_computed_from_the_utf8_text_on_save():
    source = SourceFactory(text="Ещё “quoted”.")
    assert source.sha256 == Source.digest("Ещё “quoted”.")
    assert len(source.sha256) == 64


def test_sha256_follows_the_text_whatever_was_set():
    source = SourceFactory(sha256="0" * 64)
    assert source.sha256 == Source.digest(source.text)


def test_the_same_text_cannot_be_two_sources():
    source = SourceFactory()
    duplicate = SourceFactory.build(text=source.text, outlet=source.outlet)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "sha256" in excinfo.value.message_dict


def test_text_of_a_cited_source_cannot_change():
    citation = CitationFactory()
    source = citation.source
    source.text = source.text.replace("Officials", "Sources")
    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()
    assert "cannot change" in excinfo.value.message_dict["text"][0]


def test_text_of_an_uncited_source_may_be_corrected():
    source = SourceFactory()
    source.text = "A corrected transcription."
    source.full_clean()


def test_partial_publication_date_is_checked_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(published_on=None, published_on_precision="day")


def test_citation_text_must_match_its_span():
    citation = CitationFactory.build(
        source=SourceFactory(), text="Officials said 5,000 troops were deployed in the region"
    )
    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()
    assert "does not match the source" in excinfo.value.message_dict["text"][0]


def test_citation_context_surrounds_its_span():
    citation = CitationFactory()
    before, after = citation.context
    assert before.endswith("“dangerous”. ")
    assert after.startswith(", 1,000 of which")
    assert citation.text_at_span == citation.text


def test_database_rejects_a_span_that_ends_beyond_its_source_text():
    source = SourceFactory(text="Short text.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, start=6, end=40, text="text.")


def test_database_rejects_an_update_moving_a_span_beyond_its_source_text():
    citation = CitationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.filter(pk=citation.pk).update(end=len(citation.source.text) + 1)


def test_database_rejects_an_empty_or_reversed_span():
    source = SourceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, start=5, end=5, text="x")


def test_citation_natural_key_round_trips():
    citation = CitationFactory()
    key = citation.natural_key()
    assert key == (citation.source.slug, citation.start, citation.end)
    assert Citation.objects.get_by_natural_key(*key) == citation

"""generate_corpus: deterministic synthetic data of realistic shape, and never over curated data."""

import json

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bench.management.commands.generate_corpus import MODELS, PREFIX, Command, table_columns
from quotes.models import Event, Quote, Speaker, Treaty, TroopFigure
from sources.models import Citation, Source

QUOTES = 500


def generate(*args, **options):
    call_command(Command(), f"--quotes={QUOTES}", "--seed=7", *args, verbosity=0, **options)


def snapshot() -> dict:
    """Every row the generator writes, column by column (the derived search vector aside)."""
    return {
        model._meta.db_table: list(
            model._base_manager.order_by("pk").values_list(
                *[
                    f.attname
                    for f in model._meta.concrete_fields
                    if f.column in table_columns(model)
                ]
            )
        )
        for model in MODELS
    }


@pytest.fixture
def corpus(db, tmp_path):
    """A generated corpus, and the manifest the command wrote about it."""
    manifest = tmp_path / "manifest.json"
    generate(manifest=manifest)
    return json.loads(manifest.read_text())


def test_the_same_seed_gives_the_same_rows(corpus):
    first = snapshot()
    generate("--replace")
    assert snapshot() == first
    assert len(first["quotes_quote"]) == QUOTES


def test_another_seed_gives_other_rows(corpus):
    first = snapshot()
    call_command(Command(), f"--quotes={QUOTES}", "--seed=8", "--replace", verbosity=0)
    assert snapshot()["quotes_quote"] != first["quotes_quote"]


def test_every_quote_and_citation_is_the_text_of_its_source_at_its_span(corpus):
    spans = [*Quote.objects.select_related("source"), *Citation.objects.select_related("source")]
    assert len(spans) > QUOTES
    for span in spans:
        assert span.source.text[span.start : span.end] == span.text
        assert span.span_errors() == {}


def test_the_shape_of_the_corpus(corpus):
    assert Speaker.objects.count() == QUOTES // 50
    assert 5 <= Source.objects.count() <= QUOTES // 5
    assert Event.objects.exists()
    assert TroopFigure.objects.filter(citations__isnull=False).exists()
    assert Treaty.objects.filter(quotes__isnull=False).exists()
    assert all(s.slug.startswith(PREFIX) for s in Source.objects.all())
    published = Quote.objects.filter(status="published").count()
    assert 0.85 * QUOTES < published < QUOTES
    assert Quote.objects.filter(status="draft").exists()
    assert {"fragment", "statement"} == set(Quote.objects.values_list("kind", flat=True))
    assert corpus["published_quotes"] == published
    assert Quote.objects.filter(speaker__slug=corpus["busiest_speaker"]["slug"]).exists()


def test_a_curated_database_is_refused(seeded):
    quotes = Quote.objects.count()
    with pytest.raises(CommandError, match="--force"):
        generate()
    assert Quote.objects.count() == quotes
    assert not Source.objects.filter(slug__startswith=PREFIX).exists()


def test_with_force_the_synthetic_data_goes_next_to_the_curated(seeded):
    curated = set(Quote.objects.values_list("pk", "text"))
    generate("--force")
    assert Quote.objects.count() == len(curated) + QUOTES
    generate("--force", "--replace")
    assert Quote.objects.count() == len(curated) + QUOTES
    assert curated <= set(Quote.objects.values_list("pk", "text"))


def test_synthetic_data_is_replaced_only_when_asked(corpus):
    with pytest.raises(CommandError, match="--replace"):
        generate()
    assert Quote.objects.count() == QUOTES


@pytest.mark.postgres
def test_postgres_fills_the_search_vectors_and_records_search_terms(corpus):
    assert not Quote.objects.filter(search_vector__isnull=True).exists()
    assert not Source.objects.filter(search_vector__isnull=True).exists()
    published = Quote.objects.filter(status="published")
    counts = []
    for kind in ("rare", "medium", "common"):
        term = corpus["search_terms"][kind]
        query = SearchQuery(term["term"], config="english", search_type="websearch")
        assert published.filter(search_vector=query).count() == term["quotes"] > 0
        counts.append(term["quotes"])
    assert counts == sorted(counts)


@pytest.mark.postgres
def test_postgres_span_triggers_are_on_again_after_the_load(corpus):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE %s",
            ["%span_within_source"],
        )
        triggers = dict(cursor.fetchall())
    assert triggers == {
        "quotes_quote_span_within_source": "O",
        "sources_citation_span_within_source": "O",
    }

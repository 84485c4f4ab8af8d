"""The curated data, proven against seeds/: every span, every citation, nothing missed.

The file-level tests read fixtures/ and seeds/ directly, independently of the models, so that a
bug in the span code cannot hide a bad fixture. The database tests then load the fixtures the
way `make run` does and validate every record with the models' own rules.
"""

import hashlib
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from core.registry import content_models
from sources import spans

BASE_DIR = Path(settings.BASE_DIR)
SEEDS_DIR = BASE_DIR / "seeds"
FIXTURE_FILES = sorted((BASE_DIR / "fixtures").glob("*.json"))
OPENING_TO_CLOSING = {"“": "”", "«": "»", '"': '"', "‘": "’", "'": "'"}
CITING_MODELS = [
    "quotes.event",
    "quotes.treaty",
    "quotes.treatyparty",
    "quotes.treatysignatory",
    "quotes.treatystatusevent",
    "quotes.treatyprovision",
    "quotes.troopfigure",
]

# Passages between quotation marks that are deliberately not recorded as quotes, and why.
# The completeness test fails if a passage is neither recorded nor listed here, or if an entry
# here no longer matches a passage (so the list cannot go stale).
NOT_ATTRIBUTED = {
    ("moscow-challenge-nato-russian-threat", 1, "Moscow challenge"): (
        "The headline's wording, not the speaker's: the body quotes only “strategic challenge”. "
        "A headline's quote is recorded only where the body gives the same words to a speaker."
    ),
    ("moscow-challenge-nato-russian-threat", 52, "Russian threat"): (
        "Headline scare quotes around the article's topic: the text gives them to no one."
    ),
    ("moscow-challenge-nato-russian-threat", 70, "Москва бросает вызов"): (
        "The Russian original of the headline; recorded through its English rendering "
        "“Moscow challenge”. The text does not say what language the words were first said in."
    ),
    ("moscow-challenge-nato-russian-threat", 115, "российской угрозе"): (
        "The Russian original of the headline's unattributed “Russian threat”."
    ),
    ("moscow-challenge-nato-russian-threat", 1944, "Norman Quartet"): (
        "The name of a meeting format, not anyone's words."
    ),
    ("moscow-challenge-nato-russian-threat", 4607, "revisionist powers"): (
        "A term of a U.S. defence doctrine; the text names no one who said it."
    ),
    ("moscow-challenge-nato-russian-threat", 4651, "Russian threat"): (
        "The author's own scare quotes."
    ),
}

# Attributions that need reading beyond the nearest name; each one is a known trap.
ATTRIBUTIONS = [
    # "Moscow ... they see them as": the Foreign Ministry statement, not a generic "Moscow".
    ("russia-to-nato-stop-dominating-world", "the alliance's desire", "russian-foreign-ministry"),
    # "Moscow does not view NATO actions as 'defensive', as Stoltenberg insisted": his word.
    ("russia-to-nato-stop-dominating-world", "defensive,", "jens-stoltenberg"),
    ("russia-to-nato-stop-dominating-world", "The growing negative", "russian-foreign-ministry"),
    ("russia-to-nato-stop-dominating-world", "This is a direct result", "russian-foreign-ministry"),
    ("russia-to-nato-stop-dominating-world", "NATO is a defensive", "jens-stoltenberg"),
    ("russia-to-nato-stop-dominating-world", "obsolete", "donald-trump"),
    ("nato-reveals-what-russia-will-get", "less", "jens-stoltenberg"),
    ("nato-reveals-what-russia-will-get", "the tactic of escalation", "maria-zakharova"),
    ("stoltenberg-strive-for-better-relationship", "make Iraq safer", "jens-stoltenberg"),
    ("moscow-challenge-nato-russian-threat", "Europeans should", "emmanuel-macron"),
    ("moscow-challenge-nato-russian-threat", "I hope we will", "donald-trump"),
    ("moscow-challenge-nato-russian-threat", "the response must be", "jens-stoltenberg"),
    ("russia-nato-direct-confrontation-kremlin", "direct confrontation", "dmitry-peskov"),
    ("russia-nato-direct-confrontation-kremlin", "beat the money", "vladimir-putin"),
    ("russia-nato-direct-confrontation-kremlin", "one step shy", "vladimir-putin"),
]


def load_fixture_objects():
    objects = []
    for path in FIXTURE_FILES:
        objects.extend(json.loads(path.read_text(encoding="utf-8")))
    return objects


OBJECTS = load_fixture_objects()
SOURCES = {o["fields"]["slug"]: o["fields"] for o in OBJECTS if o["model"] == "sources.source"}


def of_model(label):
    return [o["fields"] for o in OBJECTS if o["model"] == label]


def seed_text(source_slug):
    """The seed file's text, read from seeds/ (not from the fixture)."""
    return (SEEDS_DIR / SOURCES[source_slug]["seed_file"]).read_bytes().decode("utf-8")


# ------------------------------------------------------------------ files, no database


def test_there_are_fixtures():
    assert [p.name for p in FIXTURE_FILES] == ["01_sources.json", "02_quotes.json"]
    assert len(SOURCES) == 5


def test_seeds_are_byte_identical_to_the_originals_recorded_in_the_fixtures():
    on_disk = sorted(p.name for p in SEEDS_DIR.iterdir())
    assert on_disk == sorted(s["seed_file"] for s in SOURCES.values())
    for source in SOURCES.values():
        raw = (SEEDS_DIR / source["seed_file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == source["sha256"], source["seed_file"]
        assert raw.decode("utf-8") == source["text"], source["seed_file"]


def test_fixtures_refer_by_natural_keys_only():
    for obj in OBJECTS:
        assert "pk" not in obj, obj["model"]
        model = apps.get_model(obj["model"])
        for name, value in obj["fields"].items():
            field = model._meta.get_field(name)
            if not field.is_relation or value is None:
                continue
            keys = value if field.many_to_many else [value]
            for key in keys:
                assert isinstance(key, list), (obj["model"], name, value)
                assert key, (obj["model"], name)
                assert all(
                    isinstance(part, str | int) and not isinstance(part, bool) for part in key
                )
                assert isinstance(key[0], str), "a natural key starts with a slug, never an id"


@pytest.mark.parametrize("label", ["quotes.quote", "sources.citation"])
def test_every_span_is_the_seed_text_at_its_offsets(label):
    records = of_model(label)
    assert records
    for record in records:
        text = seed_text(record["source"][0])
        assert 0 <= record["start"] < record["end"] <= len(text)
        # Recorded exactly as it stands, not merely equal after normalisation.
        assert text[record["start"] : record["end"]] == record["text"], record


def enclosing_quote(quote):
    """The recorded quote of the same speaker whose span holds `quote`'s, if any."""
    return next(
        (
            other
            for other in of_model("quotes.quote")
            if other is not quote
            and (other["source"], other["speaker"]) == (quote["source"], quote["speaker"])
            and other["start"] <= quote["start"]
            and quote["end"] <= other["end"]
        ),
        None,
    )


def test_every_quote_is_exactly_the_passage_between_quotation_marks():
    for quote in of_model("quotes.quote"):
        outer = enclosing_quote(quote)
        if outer is not None:
            # A sentence of a longer quotation, recorded as the appearance of a statement
            # (docs/statements.md): the quotation it stands in is between marks.
            assert quote["statement"], quote["text"]
            quote = outer
        text = seed_text(quote["source"][0])
        opening, closing = text[quote["start"] - 1], text[quote["end"]]
        assert OPENING_TO_CLOSING.get(opening) == closing, (opening, closing, quote["text"])


def test_every_quoted_passage_is_recorded_or_deliberately_left_out():
    recorded = {(q["source"][0], q["start"]) for q in of_model("quotes.quote")}
    left_out = set()
    for slug in SOURCES:
        for passage in spans.quoted_passages(seed_text(slug)):
            if (slug, passage.start) not in recorded:
                left_out.add((slug, passage.start, passage.text))
    assert left_out == set(NOT_ATTRIBUTED)


def test_every_fact_cites_at_least_one_source_span():
    for label in CITING_MODELS:
        records = of_model(label)
        assert records, label
        for record in records:
            assert record["citations"], (label, record.get("slug"))


@pytest.mark.parametrize(("source", "text_start", "speaker"), ATTRIBUTIONS)
def test_attribution_traps_resolve_to_the_right_speaker(source, text_start, speaker):
    [quote] = [
        q
        for q in of_model("quotes.quote")
        if q["source"][0] == source and q["text"].startswith(text_start)
    ][:1]
    assert quote["speaker"] == [speaker]
    assert quote["attribution_note"], "a trap's attribution is explained"


def test_every_inferred_date_says_how_it_was_inferred():
    for obj in OBJECTS:
        for name, value in obj["fields"].items():
            if name.endswith("_inferred") and value:
                field = name.removesuffix("_inferred")
                assert obj["fields"][f"{field}_note"].strip(), (obj["model"], field)


def test_no_day_is_invented_for_relative_dates():
    # "last year" in the 2017 article is 2016 with year precision, inferred.
    [baltic] = [f for f in of_model("quotes.troopfigure") if f["slug"] == "nato-baltic-2016"]
    assert (baltic["as_of"], baltic["as_of_precision"], baltic["as_of_inferred"]) == (
        "2016-01-01",
        "year",
        True,
    )
    # "on Wednesday" in an undated article stays unknown.
    for quote in of_model("quotes.quote"):
        if quote["source"] == ["stoltenberg-strive-for-better-relationship"]:
            assert quote["said_on"] is None


def test_seed_003_is_recorded_as_a_translation_from_russian():
    source = SOURCES["moscow-challenge-nato-russian-threat"]
    assert source["original_language"] == "ru"
    assert source["original_title"].startswith("«Москва бросает вызов»")
    spoken = {
        q["speaker"][0]: q["speaker_language"]
        for q in of_model("quotes.quote")
        if q["source"] == ["moscow-challenge-nato-russian-threat"]
    }
    # The article was translated from Russian; the speakers did not all speak it.
    assert spoken == {"jens-stoltenberg": "en", "donald-trump": "en", "emmanuel-macron": ""}


def test_every_quote_of_a_translated_source_is_a_translation_from_its_language():
    for quote in of_model("quotes.quote"):
        translated_from = SOURCES[quote["source"][0]]["original_language"]
        if translated_from:
            assert (quote["is_translation"], quote["original_language"]) == (True, translated_from)


def test_words_in_another_language_than_the_speakers_are_a_translation_from_it():
    for quote in of_model("quotes.quote"):
        spoken, recorded = quote["speaker_language"], quote["language"]
        if SOURCES[quote["source"][0]]["original_language"]:
            continue  # translated from the source's language (the test above)
        if spoken and spoken != recorded:
            assert (quote["is_translation"], quote["original_language"]) == (True, spoken)
        else:
            assert (quote["is_translation"], quote["original_language"]) == (False, ""), quote


def test_russian_speakers_quoted_in_english_are_translations():
    russian = {"dmitry-peskov", "vladimir-putin", "maria-zakharova", "russian-foreign-ministry"}
    quotes = [q for q in of_model("quotes.quote") if q["speaker"][0] in russian]
    assert len(quotes) == 16
    for quote in quotes:
        assert (quote["speaker_language"], quote["is_translation"]) == ("ru", True), quote


def headline_span(source_slug: str) -> tuple[int, int]:
    """Where the source's headline stands in its text: the line that is its title (seed 001
    opens with page furniture, a temperature and a date, before it)."""
    text, title = seed_text(source_slug), SOURCES[source_slug]["title"]
    start = text.find(f"{title}\n")
    assert start != -1, source_slug
    assert start == 0 or text[start - 1] == "\n", source_slug
    return start, start + len(title)


def test_a_quote_is_marked_from_the_headline_exactly_when_it_is_in_it():
    marked = set()
    for quote in of_model("quotes.quote"):
        source = quote["source"][0]
        start, end = headline_span(source)
        in_headline = start <= quote["start"] and quote["end"] <= end
        assert quote["from_headline"] == in_headline, quote["text"]
        if in_headline:
            marked.add((source, quote["text"]))
            # Recorded only where the body gives the same words to the same speaker.
            said = spans.normalize(quote["text"]).strip(" ,.").lower()
            assert any(
                said in spans.normalize(other["text"]).lower()
                for other in of_model("quotes.quote")
                if other["source"] == quote["source"]
                and other["speaker"] == quote["speaker"]
                and not other["from_headline"]
            ), quote["text"]
    assert marked == {
        ("nato-reveals-what-russia-will-get", "less"),
        (
            "stoltenberg-strive-for-better-relationship",
            "strive for a better relationship with Russia",
        ),
        ("russia-nato-direct-confrontation-kremlin", "direct confrontation"),
    }


def test_every_inferred_attribution_says_how():
    inferred = {
        (q["source"][0], q["text"]) for q in of_model("quotes.quote") if q["attribution_inferred"]
    }
    # Seed 002: "to help «make Iraq safer» and «us more secure»" names no speaker.
    assert ("stoltenberg-strive-for-better-relationship", "make Iraq safer") in inferred
    assert ("stoltenberg-strive-for-better-relationship", "us more secure") in inferred
    for quote in of_model("quotes.quote"):
        if quote["attribution_inferred"]:
            assert quote["attribution_note"].strip(), quote["text"]


SENTENCE_BREAK = (".", "!", "?", ":", "—", "–", "”", '"')


def test_a_statement_is_never_built_into_the_authors_sentence():
    """A quote that completes the author's sentence ("said that “…”", "see them as “…”") is a
    fragment, however long; a statement stands as a sentence of its own."""
    for quote in of_model("quotes.quote"):
        if quote["kind"] != "statement":
            continue
        text = seed_text(quote["source"][0])
        before = text[: quote["start"] - 1]
        line = before.rsplit("\n", 1)[-1].rstrip()
        assert not line or line.endswith(SENTENCE_BREAK), (quote["text"][:40], line[-30:])
    fragments = {q["text"][:20] for q in of_model("quotes.quote") if q["kind"] == "fragment"}
    assert {"the alliance's desir", "in response to Russi", "the response must be"} <= fragments


def test_no_outlet_is_guessed():
    with_outlet = {slug for slug, s in SOURCES.items() if s["outlet"]}
    assert with_outlet == {"nato-reveals-what-russia-will-get"}  # "from RT – Daily news"
    for source in SOURCES.values():
        assert source["outlet_note"].strip()


# ------------------------------------------------------------------ loaded into the database


def curated_models():
    """The content models (not their history tables)."""
    return [model._meta.label_lower for model in content_models()]


def dump_curated():
    out = io.StringIO()
    call_command(
        "dumpdata",
        *curated_models(),
        natural_foreign=True,
        natural_primary=True,
        indent=None,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_seed_loads_every_record(seeded):
    expected = Counter(o["model"] for o in OBJECTS)
    for label, count in expected.items():
        assert apps.get_model(label).objects.count() == count, label


def test_every_loaded_record_passes_model_validation(seeded):
    checked = 0
    for label in {o["model"] for o in OBJECTS}:
        for instance in apps.get_model(label).objects.all():
            instance.full_clean()
            checked += 1
    assert checked == len(OBJECTS)


def test_seeding_twice_changes_nothing(seeded):
    before = dump_curated()
    call_command("seed", verbosity=0)
    assert dump_curated() == before


def test_dumpdata_flush_loaddata_round_trip_is_identical(seeded, tmp_path):
    before = dump_curated()
    dump_file = tmp_path / "dump.json"
    dump_file.write_text(json.dumps(before), encoding="utf-8")
    # The test runs in a transaction: fire the deferred foreign-key checks before TRUNCATE
    # (PostgreSQL refuses to truncate tables with pending trigger events).
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)
    assert apps.get_model("quotes.quote").objects.count() == 0
    call_command("loaddata", str(dump_file), verbosity=0)
    assert dump_curated() == before


def test_seed_data_is_published():
    for label in ["quotes.quote", "quotes.troopfigure"]:
        assert {record["status"] for record in of_model(label)} == {"published"}, label


def test_seeding_records_one_first_version_per_record_once(seeded):
    quote_model = apps.get_model("quotes.quote")
    assert quote_model.history.count() == quote_model.objects.count()
    version = quote_model.history.filter(text="obsolete").get()
    assert version.history_change_reason == "Curated seed data (fixtures/)"
    assert version.history_user is None
    inf = quote_model.history.filter(text="suspend").get()
    assert [link.treaty.slug for link in inf.treaties.all()] == ["inf-treaty"]
    call_command("seed", verbosity=0)
    assert quote_model.history.count() == quote_model.objects.count()

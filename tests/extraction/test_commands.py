"""The commands: import_source, import_sources, extract_quotes (the JSON-lines contract) and
eval_extraction."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from extraction.models import QuoteCandidate
from sources.models import Source
from tests.extraction.test_services import ARTICLE


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def article_file(tmp_path):
    path = tmp_path / "baltic.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_import_source_keeps_the_file_byte_for_byte_and_extracts(seeded, article_file):
    out, _ = run("import_source", str(article_file), "--extract", "--url", "https://e.org/a")
    source = Source.objects.get(title="NATO and Russia trade warnings over the Baltic")
    assert source.text.encode() == article_file.read_bytes()
    assert "published: 2024-03-14" in out
    assert "candidates: 3 quotes, 2 troop figures" in out
    assert QuoteCandidate.objects.filter(source=source).count() == 3
    with pytest.raises(CommandError, match=f"already source {source.pk}"):
        run("import_source", str(article_file))


def test_import_source_takes_what_is_given(db, article_file):
    run("import_source", str(article_file), "--title", "Given", "--published-on", "2024-03")
    source = Source.objects.get(title="Given")
    assert (source.published_on.isoformat(), source.published_on_precision) == (
        "2024-03-01",
        "month",
    )
    with pytest.raises(CommandError, match="not a date"):
        run("import_source", str(article_file), "--published-on", "14/03/2024")


def test_import_sources_imports_each_file_on_its_own_and_says_why_not(seeded, tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")  # the same text again
    (tmp_path / "c.txt").write_bytes(b"")
    (tmp_path / "d.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "e.txt").write_bytes("Caf\u00e9 society, a long title\n\nBody.".encode("latin-1"))
    before = Source.objects.count()
    out, _ = run("import_sources", str(tmp_path), "--extract", "--verbosity", "0")
    assert "Imported 1 of 5 files" in out
    assert "with 3 candidate quotes and 2 candidate troop figures" in out
    assert "Refused 4:" in out
    assert "b.txt: This text is already source" in out
    assert "c.txt: The file is empty" in out
    assert "d.txt: The file is binary" in out
    assert "e.txt: The file is not valid UTF-8" in out
    assert Source.objects.count() == before + 1
    out, _ = run("import_sources", str(tmp_path), "--encoding", "latin-1", "--verbosity", "0")
    assert Source.objects.filter(title="Café society, a long title").exists()


def test_extract_quotes_prints_the_contract_and_writes_nothing(seeded, article_file):
    before = QuoteCandidate.objects.count(), Source.objects.count()
    out, _ = run("extract_quotes", str(article_file), "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    for line in lines:
        assert {
            "start",
            "end",
            "text",
            "kind",
            "speaker",
            "said_on",
            "said_on_precision",
            "confidence",
        } <= set(line)
        assert set(line["speaker"]) >= {"name", "slug"}
        assert ARTICLE[line["start"] : line["end"]] == line["text"]
    assert lines[0]["speaker"]["slug"] == "jens-stoltenberg"
    assert (lines[0]["said_on"], lines[0]["said_on_precision"]) == ("2024-03-13", "day")
    assert (QuoteCandidate.objects.count(), Source.objects.count()) == before


def test_extract_quotes_reads_a_source_by_slug(seeded):
    out, _ = run("extract_quotes", "russia-nato-direct-confrontation-kremlin")
    slugs = {json.loads(line)["speaker"]["slug"] for line in out.splitlines()}
    assert slugs == {"dmitry-peskov", "vladimir-putin"}
    with pytest.raises(CommandError, match="no source with that slug"):
        run("extract_quotes", "no-such-thing")


def test_the_evaluation_meets_its_targets_on_the_curated_sources(seeded):
    out, _ = run("eval_extraction", "--check")
    assert "all met" in out
    assert "quote recall (overlap)" in out


def test_the_review_flow_from_the_command_line(seeded, article_file):
    from django.contrib.auth.models import User

    from quotes.models import Quote

    User.objects.create_user("ada")
    run("import_source", str(article_file), "--extract")
    source = Source.objects.get(title="NATO and Russia trade warnings over the Baltic")
    listing, _ = run("review_candidates", source.slug)
    defend = QuoteCandidate.objects.get(source=source, text__startswith="We will defend")
    stubb = QuoteCandidate.objects.get(source=source, text="not be intimidated")
    assert (
        f"quote-{defend.pk}  [{defend.start}:{defend.end}] statement, Jens Stoltenberg" in listing
    )
    assert "5 candidates" in listing

    out, _ = run(
        "review_candidates", source.slug, "--accept", f"quote-{defend.pk}", "--user", "ada"
    )
    quote = Quote.objects.get(source=source, start=defend.start)
    assert f"accepted as draft quote {quote.pk}" in out
    assert quote.status == "draft"
    run(
        "review_candidates",
        str(source.pk),
        "--reject",
        f"quote-{stubb.pk}",
        "--reason",
        "A paraphrase.",
        "--user",
        "ada",
    )
    stubb.refresh_from_db()
    assert (stubb.status, stubb.rejection_reason, stubb.reviewed_by.username) == (
        "rejected",
        "A paraphrase.",
        "ada",
    )
    # A second decision on it is refused, says why, and the command fails.
    with pytest.raises(CommandError, match="1 decision"):
        run("review_candidates", source.slug, "--accept", f"quote-{stubb.pk}", "--user", "ada")
    assert QuoteCandidate.objects.get(pk=stubb.pk).status == "rejected"


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["--reject", "quote-1"], "--reason"),
        (["--accept", "quote-1"], "--user"),
        (["--accept", "quote-x", "--user", "ada"], "is not a candidate id"),
        (["--accept", "figure-999999", "--user", "ada"], "No candidate figure-999999"),
        (["--accept-above", "1.5", "--user", "ada"], "between 0 and 1"),
        (["--extract", "--accept", "quote-1", "--user", "ada"], "extract first"),
    ],
)
def test_review_candidates_refuses_what_it_cannot_do_and_decides_nothing(
    seeded, article_file, arguments, error
):
    from django.contrib.auth.models import User

    User.objects.create_user("ada")
    run("import_source", str(article_file), "--extract")
    source = Source.objects.get(title="NATO and Russia trade warnings over the Baltic")
    with pytest.raises(CommandError, match=error):
        run("review_candidates", source.slug, *arguments)
    assert not QuoteCandidate.objects.filter(source=source).exclude(status="pending").exists()

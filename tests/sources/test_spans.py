"""The span rules: normalisation, validation, location and proposals."""

import pytest

from sources import spans

TEXT = (
    "He said: “We strive for a\n\n\nbetter relationship.” Later: «Never», and ‘less’ of Russia’s."
)


def test_normalize_folds_whitespace_runs_and_typographic_quote_marks():
    assert spans.normalize("  a\n\n b\u00a0c “d” ‘e’ «f» ") == 'a b c "d" \'e\' "f"'


def test_normalize_keeps_everything_else():
    assert spans.normalize("Ещё — 9М729 […]") == "Ещё — 9М729 […]"


def test_span_matching_its_text_has_no_errors():
    start = TEXT.index("We strive")
    end = TEXT.index("relationship.") + len("relationship.")
    assert spans.span_errors(TEXT, start, end, TEXT[start:end]) == {}
    # The same words with ordinary spacing still match: line breaks are not evidence.
    assert spans.span_errors(TEXT, start, end, "We strive for a better relationship.") == {}


def test_span_whose_text_differs_says_where():
    start = TEXT.index("We strive")
    end = start + len("We strive for a\n\n\nbetter")
    errors = spans.span_errors(TEXT, start, end, "We strive for a best")
    assert set(errors) == {"text"}
    assert f"characters {start}-{end}" in errors["text"]
    assert "given “…We strive for a best…”" in errors["text"]
    assert "source has “…We strive for a better…”" in errors["text"]


def test_paraphrase_is_not_a_match():
    start = TEXT.index("We strive")
    end = TEXT.index("relationship.") + len("relationship.")
    errors = spans.span_errors(TEXT, start, end, "We seek a better relationship.")
    assert "text" in errors


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-1, 3, "start"), (5, len(TEXT) + 1, "end"), (10, 10, "end"), (10, 4, "end")],
)
def test_span_outside_the_text_or_empty_is_rejected(start, end, field):
    assert field in spans.span_errors(TEXT, start, end, "x")


def test_empty_text_is_rejected():
    assert spans.span_errors(TEXT, 0, 2, "   ") == {"text": "The text is empty."}


def test_locate_finds_a_passage_across_line_breaks_and_returns_source_offsets():
    [found] = spans.locate(TEXT, "for a better relationship")
    assert TEXT[found.start : found.end] == "for a\n\n\nbetter relationship"
    assert found.text == "for a\n\n\nbetter relationship"


def test_locate_ignores_quote_mark_style():
    [found] = spans.locate(TEXT, "'less' of Russia's")
    assert found.text == "‘less’ of Russia’s"


def test_locate_reports_every_occurrence_and_none():
    assert [s.start for s in spans.locate("a b a b a", "a b")] == [0, 4]
    assert spans.locate(TEXT, "not in the text") == []
    assert spans.locate(TEXT, "  ") == []


def test_quoted_passages_proposes_each_quotation_once_and_skips_apostrophes():
    proposals = [p.text for p in spans.quoted_passages(TEXT)]
    assert proposals == ["We strive for a\n\n\nbetter relationship.", "Never", "less"]


def test_quoted_passages_keeps_nested_quotes_inside_the_outer_one():
    text = "They condemned \"whipping up a myth on 'a threat from the East'.\" Then."
    assert [p.text for p in spans.quoted_passages(text)] == [
        "whipping up a myth on 'a threat from the East'."
    ]


def test_unclosed_quotation_mark_proposes_nothing():
    assert spans.quoted_passages("He said “never and left.") == []


def test_context_is_bounded_by_the_text():
    before, after = spans.context("0123456789", 3, 5, chars=2)
    assert (before, after) == ("12", "56")
    assert spans.context("0123456789", 0, 10, chars=50) == ("", "")

"""Quotes through the API on the curated corpus: filters, search, random, provenance."""

import pytest

from quotes.models import Quote
from sources import spans
from tests.api.mixins import detail_url, list_url

QUOTES = list_url("quote")


def all_results(client, url, **params):
    """Follow `next` links to the end; return every row."""
    rows, response = [], client.get(url, {"page_size": 100, **params})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])


def speakers_of(rows):
    return {row["speaker"]["slug"] for row in rows}


@pytest.mark.parametrize(
    ("params", "expected_count"),
    [
        ({"speaker": "dmitry-peskov"}, 5),
        ({"speaker": ["dmitry-peskov", "vladimir-putin"]}, 7),
        ({"organization": "russian-foreign-ministry"}, 9),  # the ministry and its spokeswoman
        ({"source": "moscow-challenge-nato-russian-threat"}, 14),
        ({"outlet": "rt"}, 6),
        ({"event": "stoltenberg-doorstep-defence-ministers"}, 7),
        ({"kind": "statement"}, 14),
        ({"treaty": "inf-treaty"}, 6),
        ({"is_translation": "true"}, 14),
        ({"language": "en"}, 47),
        ({"said_on_after": "2019-01-01", "said_on_before": "2019-12-31"}, 14),
        ({"said_on_before": "2017-05-24"}, 2),
    ],
)
def test_filters(anonymous, seeded, params, expected_count):
    rows = all_results(anonymous, QUOTES, **params)
    assert len(rows) == expected_count


def test_filter_by_id_matches_filter_by_slug(anonymous, seeded):
    speaker_id = anonymous.get(list_url("speaker"), {"q": "Peskov"}).json()["results"][0]["id"]
    by_id = all_results(anonymous, QUOTES, speaker_id=speaker_id)
    by_slug = all_results(anonymous, QUOTES, speaker="dmitry-peskov")
    assert [r["id"] for r in by_id] == [r["id"] for r in by_slug]
    assert speakers_of(by_id) == {"dmitry-peskov"}


@pytest.mark.parametrize(
    ("param", "value"),
    [("speaker", "nobody"), ("speaker_id", "999999"), ("treaty", "no-such-treaty")],
)
def test_an_unknown_reference_matches_nothing(anonymous, seeded, param, value):
    """A filter asks "quotes by this speaker": none, if there is no such speaker."""
    response = anonymous.get(QUOTES, {param: value})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("speaker", "not a slug"),
        ("speaker", ""),
        ("speaker_id", "abc"),
        ("speaker_id", "0"),
        ("speaker_id", str(2**63)),
        ("kind", "rumour"),
        ("said_on_after", "2019-02-30"),
        ("said_on_before", "yesterday"),
        ("is_translation", "perhaps"),
        ("treaty", "'; DROP TABLE quotes_quote; --"),
        ("ordering", "password"),
        ("page_size", "-5"),
        ("cursor", "bm90IGEgY3Vyc29y"),
    ],
)
def test_invalid_parameters_are_a_400_naming_the_parameter(anonymous, seeded, param, value):
    response = anonymous.get(QUOTES, {param: value})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [error["attr"] for error in body["errors"]] == [param]
    assert Quote.objects.count() == 47


def test_what_a_speaker_said_over_time(anonymous, seeded):
    rows = all_results(anonymous, QUOTES, speaker="donald-trump", ordering="said_on")
    dates = [row["said_on"] for row in rows]
    known = [d for d in dates if d]
    assert known == sorted(known)
    assert dates[len(known) :] == [None] * (len(dates) - len(known)), "undated quotes last"


def test_every_quote_carries_its_provenance(anonymous, seeded):
    for row in all_results(anonymous, QUOTES):
        quote = Quote.objects.select_related("source").get(pk=row["id"])
        text = quote.source.text
        assert row["source"]["id"] == quote.source_id
        assert spans.normalize(text[row["start"] : row["end"]]) == spans.normalize(row["text"])
        assert text[: row["start"]].endswith(row["context_before"])
        assert text[row["end"] :].startswith(row["context_after"])
        assert row["context_before"] or row["start"] == 0


def test_search_finds_words_of_the_quote(anonymous, seeded):
    rows = all_results(anonymous, QUOTES, q="arms race")
    assert rows
    for row in rows:
        text = spans.normalize(row["text"]).lower()
        assert "arms" in text
        assert "race" in text


def test_search_combines_with_filters(anonymous, seeded):
    rows = all_results(anonymous, QUOTES, q="relationship", speaker="jens-stoltenberg")
    assert rows
    assert speakers_of(rows) == {"jens-stoltenberg"}


@pytest.mark.postgres
def test_search_is_ranked_and_stemmed_on_postgresql(anonymous, seeded):
    # Stemming: "confronting" finds "confrontation"; ranking by density puts the short
    # fragments, where the word weighs most, before the long statements that mention it once.
    rows = all_results(anonymous, QUOTES, q="confronting")
    assert len(rows) == 5
    lengths = [len(row["text"]) for row in rows]
    assert lengths == sorted(lengths)
    rows = all_results(anonymous, QUOTES, q='"direct confrontation" -bloc')
    assert {spans.normalize(r["text"]) for r in rows} == {
        "direct confrontation",
        "direct confrontation,",
    }


def test_speakers_are_found_by_alias(anonymous, seeded):
    for alias, slug in [("Makron", "emmanuel-macron"), ("trump", "donald-trump")]:
        results = anonymous.get(list_url("speaker"), {"q": alias}).json()["results"]
        assert [s["slug"] for s in results] == [slug]


def test_random_quote_honours_the_filters(anonymous, seeded):
    seen = set()
    for _ in range(20):
        response = anonymous.get(list_url("quote") + "random/", {"speaker": "vladimir-putin"})
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"]
        assert response.json()["speaker"]["slug"] == "vladimir-putin"
        seen.add(response.json()["id"])
    assert len(seen) == 2, "both of Putin's quotes come up in 20 draws"


def test_random_quote_with_no_match_is_a_404(anonymous, seeded):
    response = anonymous.get(list_url("quote") + "random/", {"speaker": "ronald-reagan"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == "No quote matches the filters."


def test_random_quote_rejects_bad_filters(anonymous, seeded):
    response = anonymous.get(list_url("quote") + "random/", {"speaker": "not a slug"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "speaker"


def test_a_write_with_a_span_that_does_not_match_is_refused_and_says_why(researcher, seeded):
    quote = Quote.objects.get(text="obsolete")
    response = researcher.patch(detail_url("quote", quote.pk), {"text": "outdated"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "text"
    assert "given “…outdated…”, source has “…obsolete…”" in error["detail"]
    quote.refresh_from_db()
    assert quote.text == "obsolete"


def test_a_duplicate_span_is_refused(researcher, seeded):
    quote = Quote.objects.get(text="obsolete")
    payload = {
        "text": "obsolete",
        "kind": "fragment",
        "speaker": quote.speaker_id,
        "source": quote.source_id,
        "start": quote.start,
        "end": quote.end,
    }
    response = researcher.post(QUOTES, payload)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "non_field_errors"
    assert Quote.objects.count() == 47


def test_a_protected_delete_is_a_409(staff, seeded):
    speaker_id = Quote.objects.get(text="obsolete").speaker_id
    response = staff.delete(detail_url("speaker", speaker_id))
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"

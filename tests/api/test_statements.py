"""Statements through the API: /api/v1/statements/, the quotes' link to their statement and the
list without repeats, the speakers' count of statements, and the researchers' decisions
(/api/v1/statement-suggestions/: confirm, dismiss; a statement's detach), each kept in the
histories with who and why."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.api.pagination import MAX_PAGE_SIZE
from quotes.models import Quote, Statement, StatementSuggestion
from tests.api.mixins import ReadTests, count_queries, detail_url, list_url, row_counts
from tests.api.specs import SPECS, SuggestionFactory
from tests.factories import QuoteFactory, SourceFactory, SpeakerFactory, StatementFactory

STATEMENTS = list_url("statement")
SUGGESTIONS = list_url("statementsuggestion")


class TestStatements(ReadTests):
    spec = SPECS["statements"]


class TestStatementSuggestions(ReadTests):
    spec = SPECS["statement-suggestions"]


def dated(value, precision="day"):
    """A source published on `value` ("2017", "2017-05" or "2017-05-26") with its precision."""
    parts = [int(part) for part in value.split("-")] + [1, 1]
    return SourceFactory(published_on=datetime.date(*parts[:3]), published_on_precision=precision)


def statement_with(*sources, speaker=None, status="published", **kwargs):
    """A statement with one appearance in each of `sources`."""
    speaker = speaker or SpeakerFactory()
    statement = StatementFactory(speaker=speaker, **kwargs)
    for source in sources:
        QuoteFactory(speaker=speaker, statement=statement, source=source, status=status)
    return statement


def slugs(response):
    assert response.status_code == 200, response.content[:500]
    return [row["slug"] for row in response.json()["results"]]


# -- the seeds ------------------------------------------------------------------------------


def test_the_seeds_statements_are_served_with_their_appearances(anonymous, seeded):
    body = anonymous.get(STATEMENTS, {"page_size": 100}).json()
    assert body["count"] == 8
    by_slug = {row["slug"]: row for row in body["results"]}
    nato = by_slug["nato-is-a-defensive-alliance"]
    assert nato["speaker"]["slug"] == "jens-stoltenberg"
    assert nato["appearance_count"] == len(nato["appearances"]) == 4
    # The 2017 press conference first; seed 001 ("2022", year precision) after it.
    assert (nato["first_appeared_on"], nato["first_appeared_on_precision"]) == (
        "2017-05-26",
        "day",
    )
    assert nato["first_appearance"] == nato["appearances"][0]
    assert [a["published_on_display"] for a in nato["appearances"]][:3] == [
        "2017-05-26",
        "2017-05-26",
        "2022",
    ]
    assert "NATO is a defensive alliance." in nato["variants"]
    for appearance in nato["appearances"]:
        quote = Quote.objects.select_related("source").get(pk=appearance["id"])
        # Each a verified span: the source's own characters between start and end.
        assert quote.source.text[appearance["start"] : appearance["end"]] == appearance["text"]
        assert appearance["source"]["id"] == quote.source_id
    assert sum(row["appearance_count"] for row in body["results"]) == 22


def test_a_quote_links_to_its_statement_in_list_and_detail(anonymous, seeded):
    statement = Statement.objects.get(slug="russia-nato-direct-confrontation")
    quote = statement.appearances.first()
    listed = anonymous.get(list_url("quote"), {"speaker": "dmitry-peskov"}).json()["results"]
    linked = {row["id"]: row["statement"] for row in listed}
    assert linked[quote.pk] == {
        "id": statement.pk,
        "url": f"http://testserver{detail_url('statement', statement.pk)}",
        "display": str(statement),
        "slug": statement.slug,
    }
    assert sum(1 for value in linked.values() if value is None) == 2  # two in no statement
    assert anonymous.get(detail_url("quote", quote.pk)).json()["statement"]["id"] == statement.pk


# -- who sees what --------------------------------------------------------------------------


@pytest.fixture
def drafts(db):
    """A statement with a published and a draft appearance, and one whose only appearance is
    a draft."""
    speaker = SpeakerFactory(slug="drafting")
    mixed = statement_with(dated("2019-03-01"), speaker=speaker, slug="mixed")
    hidden_source = dated("2010-01-01")
    draft = QuoteFactory(
        speaker=speaker,
        statement=mixed,
        source=hidden_source,
        status="draft",
        passage="“reckless”",
    )
    only_drafts = statement_with(dated("2012-01-01"), speaker=speaker, slug="only-drafts")
    only_drafts.appearances.update(status="draft")
    return mixed, draft, only_drafts, hidden_source


def test_the_public_sees_only_published_appearances(anonymous, researcher, drafts):
    mixed, draft, _, _ = drafts
    public = anonymous.get(detail_url("statement", mixed.pk)).json()
    assert [a["id"] for a in public["appearances"]] == [public["first_appearance"]["id"]]
    assert draft.pk not in {a["id"] for a in public["appearances"]}
    assert (public["appearance_count"], public["first_appeared_on"]) == (1, "2019-03-01")
    assert public["variants"] == ["We will defend every inch of allied territory,"]
    # A researcher sees the draft, and it is the first appearance (2010).
    full = researcher.get(detail_url("statement", mixed.pk)).json()
    assert full["appearance_count"] == 2
    assert full["first_appearance"]["id"] == draft.pk
    assert full["first_appearance"]["status"] == "draft"


def test_a_statement_whose_appearances_are_all_drafts_is_a_404_for_the_public(
    anonymous, reader, researcher, drafts
):
    _, _, only_drafts, _ = drafts
    url = detail_url("statement", only_drafts.pk)
    for client in (anonymous, reader):
        for response in (client.get(url), client.get(url + "history/")):
            assert response.status_code == 404
            assert response.json()["errors"][0]["code"] == "not_found"
        assert "only-drafts" not in slugs(client.get(STATEMENTS))
        assert client.get(STATEMENTS).json()["count"] == 1
    assert researcher.get(url).status_code == 200
    assert "only-drafts" in slugs(researcher.get(STATEMENTS))


def test_no_filter_reaches_a_statement_through_a_draft(anonymous, researcher, drafts):
    hidden_source = drafts[3]
    for params in (
        {"source": hidden_source.slug},
        {"source_id": hidden_source.pk},
        {"q": "reckless"},
        {"first_appeared_before": "2011-01-01"},
    ):
        assert slugs(anonymous.get(STATEMENTS, params)) == [], params
        assert slugs(researcher.get(STATEMENTS, params)) == ["mixed"], params


def test_a_speaker_counts_its_distinct_statements_the_public_its_visible_ones(
    anonymous, researcher, drafts
):
    speaker = drafts[0].speaker
    QuoteFactory(speaker=speaker)  # in no statement: not counted
    url = detail_url("speaker", speaker.pk)
    # mixed (3 quotes would still be one) for the public; only-drafts too for researchers.
    assert anonymous.get(url).json()["statement_count"] == 1
    assert researcher.get(url).json()["statement_count"] == 2
    listed = anonymous.get(list_url("speaker"), {"slug": "drafting"}).json()["results"]
    assert listed[0]["statement_count"] == 1


def test_the_speakers_statement_count_costs_no_query_per_row(anonymous, db):
    for _ in range(3):
        statement_with(SourceFactory(), SourceFactory())
    few, _ = count_queries(anonymous, list_url("speaker"), page_size=2)
    for _ in range(MAX_PAGE_SIZE + 2):
        statement_with(SourceFactory(), SourceFactory())
    many, body = count_queries(anonymous, list_url("speaker"), page_size=MAX_PAGE_SIZE)
    assert many == few
    assert {row["statement_count"] for row in body["results"]} == {1}


# -- the list: filters, ordering, pages -----------------------------------------------------


TIMELINE = ("day", "year", "month", "next-year", "earlier-year", "undated")


@pytest.fixture
def timeline(db):
    """Statements first appearing on 26 May 2017, in "2017" (year precision), in May 2017
    (month precision), on 5 January 2018, in "2016", and on no known date."""
    speaker = SpeakerFactory(slug="timeline")
    return {
        "day": statement_with(dated("2017-05-26"), dated("2020-01-01"), slug="day"),
        "year": statement_with(dated("2017", "year"), slug="year", speaker=speaker),
        "month": statement_with(dated("2017-05", "month"), slug="month"),
        "next-year": statement_with(dated("2018-01-05"), slug="next-year"),
        "earlier-year": statement_with(dated("2016", "year"), slug="earlier-year"),
        "undated": statement_with(
            SourceFactory(published_on=None, published_on_precision=""), slug="undated"
        ),
    }


def test_first_appearance_order_counts_a_partial_date_as_its_last_day(anonymous, timeline):
    """docs/statements.md: "2017" may be 31 December 2017, so it comes after 26 May 2017 and
    May 2017; "2016" comes before all of them; an unknown date last (first going down)."""
    order = ["earlier-year", "day", "month", "year", "next-year", "undated"]
    assert slugs(anonymous.get(STATEMENTS, {"ordering": "first_appeared"})) == order
    assert slugs(anonymous.get(STATEMENTS, {"ordering": "-first_appeared"})) == order[::-1]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Before: known to have first appeared on or before the day.
        ({"first_appeared_before": "2017-05-26"}, {"earlier-year", "day"}),
        ({"first_appeared_before": "2017-05-31"}, {"earlier-year", "day", "month"}),
        ({"first_appeared_before": "2017-12-30"}, {"earlier-year", "day", "month"}),
        ({"first_appeared_before": "2017-12-31"}, {"earlier-year", "day", "month", "year"}),
        # After: its last possible day on or after the day; with before, a partition.
        ({"first_appeared_after": "2017-12-31"}, {"year", "next-year"}),
        ({"first_appeared_after": "2017-06-01"}, {"year", "next-year"}),
        ({"first_appeared_after": "2017-05-27"}, {"month", "year", "next-year"}),
        (
            {"first_appeared_after": "2017-01-01", "first_appeared_before": "2017-12-31"},
            {"day", "month", "year"},
        ),
        ({"first_appeared_after": "2030-01-01"}, set()),
        # The first days of the calendar (found by Schemathesis: a 500 computing the month
        # before January of year 1).
        ({"first_appeared_before": "0001-01-07"}, set()),
        ({"first_appeared_before": "0001-12-31"}, set()),
        ({"first_appeared_after": "0001-01-01"}, set(TIMELINE) - {"undated"}),
        ({"first_appeared_before": "9999-12-31"}, set(TIMELINE) - {"undated"}),
    ],
)
def test_first_appeared_filters(anonymous, timeline, params, expected):
    assert set(slugs(anonymous.get(STATEMENTS, {**params, "page_size": 100}))) == expected


def test_the_date_filters_split_the_dated_statements_without_overlap(anonymous, timeline):
    for day in ("2016-12-31", "2017-05-26", "2017-05-31", "2017-12-31", "2018-01-05"):
        following = (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()
        before = set(slugs(anonymous.get(STATEMENTS, {"first_appeared_before": day})))
        after = set(slugs(anonymous.get(STATEMENTS, {"first_appeared_after": following})))
        assert not before & after, day
        assert before | after == set(timeline) - {"undated"}, day


def test_filters_by_speaker_source_and_words(anonymous, timeline):
    speaker = timeline["year"].speaker
    assert slugs(anonymous.get(STATEMENTS, {"speaker": "timeline"})) == ["year"]
    assert slugs(anonymous.get(STATEMENTS, {"speaker_id": speaker.pk})) == ["year"]
    assert slugs(anonymous.get(STATEMENTS, {"speaker": "nobody"})) == []
    second_source = timeline["day"].appearances.order_by("pk").last().source
    assert slugs(anonymous.get(STATEMENTS, {"source": second_source.slug})) == ["day"]
    assert slugs(anonymous.get(STATEMENTS, {"source_id": second_source.pk})) == ["day"]
    assert slugs(anonymous.get(STATEMENTS, {"source_id": 999_999})) == []
    Statement.objects.filter(slug="month").update(text="Russia is a strategic challenge.")
    assert slugs(anonymous.get(STATEMENTS, {"q": "strategic CHALLENGE"})) == ["month"]
    # The words of an appearance are searched too (every fixture quote says "allied").
    assert len(slugs(anonymous.get(STATEMENTS, {"q": "allied territory"}))) == 6


@pytest.mark.parametrize(
    "params",
    [
        {"speaker": ""},
        {"source_id": ""},
        {"first_appeared_before": ""},
        {"first_appeared_after": "2019-02-30"},
        {"first_appeared_after": "26/05/2017"},
        {"source_id": "abc"},
        {"q": " "},
        {"ordering": "text"},
        {"speakr": "x"},
    ],
)
def test_bad_statement_filters_are_a_400_naming_the_parameter(anonymous, db, params):
    response = anonymous.get(STATEMENTS, params)
    assert response.status_code == 400, response.content
    assert {error["attr"] for error in response.json()["errors"]} == set(params)


def test_pages_follow_the_first_appearance_order_without_repeats(anonymous, timeline):
    seen, url, params = [], STATEMENTS, {"ordering": "-first_appeared,slug", "page_size": 1}
    while url:
        body = anonymous.get(url, params).json()
        seen += [row["slug"] for row in body["results"]]
        assert body["count"] == len(timeline)
        url, params = body["next"], {}
    assert seen == slugs(anonymous.get(STATEMENTS, {"ordering": "-first_appeared,slug"}))
    assert len(seen) == len(set(seen)) == len(timeline)


def test_the_list_costs_no_query_per_statement_or_appearance(anonymous, db):
    for _ in range(2):
        statement_with(SourceFactory(), SourceFactory(), SourceFactory())
    few, _ = count_queries(anonymous, STATEMENTS, page_size=2)
    for _ in range(MAX_PAGE_SIZE + 2):
        statement_with(SourceFactory(), SourceFactory(), SourceFactory())
    many, body = count_queries(anonymous, STATEMENTS, page_size=MAX_PAGE_SIZE)
    assert len(body["results"]) == MAX_PAGE_SIZE
    assert {len(row["appearances"]) for row in body["results"]} == {3}
    assert many == few <= 4


def test_a_statements_etag_follows_its_appearances(anonymous, researcher, drafts):
    """The detail's ETag is a digest of what it shows: publishing a draft appearance changes
    the answer, though not the statement's own row, and so its ETag."""
    mixed, draft, _, _ = drafts
    url = detail_url("statement", mixed.pk)
    etag = anonymous.get(url)["ETag"]
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Quote.objects.filter(pk=draft.pk).update(status="published")
    again = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag
    assert again.json()["appearance_count"] == 2


# -- the quote list without repeats ---------------------------------------------------------


def test_one_per_statement_keeps_each_statements_first_appearance(anonymous, seeded):
    every = anonymous.get(list_url("quote"), {"page_size": 100}).json()["results"]
    once = anonymous.get(list_url("quote"), {"one_per_statement": "true", "page_size": 100}).json()[
        "results"
    ]
    assert len(every) == 50
    firsts = {s.first_appearance.pk for s in Statement.objects.with_appearances()}
    alone = {row["id"] for row in every if row["statement"] is None}
    assert {row["id"] for row in once} == firsts | alone
    assert len(once) == 50 - 22 + 8
    false = anonymous.get(list_url("quote"), {"one_per_statement": "false", "page_size": 100})
    assert len(false.json()["results"]) == 50


def test_one_per_statement_takes_the_first_of_the_matching_appearances(anonymous, seeded):
    """With other filters, each statement is represented by the first of its appearances
    that they match: seed 002's headline, not seed 000's press conference."""
    source = "stoltenberg-strive-for-better-relationship"
    rows = anonymous.get(
        list_url("quote"), {"source": source, "one_per_statement": "true", "page_size": 100}
    ).json()["results"]
    statements = [row["statement"]["slug"] for row in rows if row["statement"]]
    assert len(statements) == len(set(statements)) == 4
    nato = next(row for row in rows if row["statement"] and "defensive" in row["statement"]["slug"])
    assert nato["text"] == "NATO is a defensive alliance."


def test_one_per_statement_pages_neither_repeat_nor_skip(anonymous, seeded):
    expected = [
        row["id"]
        for row in anonymous.get(
            list_url("quote"),
            {"one_per_statement": "true", "page_size": 100, "ordering": "said_on"},
        ).json()["results"]
    ]
    seen, url = [], list_url("quote")
    params = {"one_per_statement": "true", "page_size": 7, "ordering": "said_on"}
    while url:
        body = anonymous.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], {}
    assert seen == expected
    # Back from the last page: the previous links give the same rows.
    assert len(seen) == 36


def test_one_per_statement_hides_no_public_quote_behind_a_draft(anonymous, researcher, drafts):
    """The first appearance is the first the reader may see: the public's list keeps the
    published appearance of `mixed` though a draft appeared earlier."""
    mixed, draft, _, _ = drafts
    params = {"speaker": "drafting", "one_per_statement": "true"}
    public = {row["id"] for row in anonymous.get(list_url("quote"), params).json()["results"]}
    published = mixed.appearances.get(status="published")
    assert public == {published.pk}
    everything = {row["id"] for row in researcher.get(list_url("quote"), params).json()["results"]}
    assert draft.pk in everything
    assert published.pk not in everything


def test_one_per_statement_in_the_csv_export(anonymous, seeded):
    response = anonymous.get(list_url("quote"), {"format": "csv", "one_per_statement": "true"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    listed = anonymous.get(list_url("quote"), {"one_per_statement": "true", "page_size": 100})
    assert [int(row["id"]) for row in rows] == [row["id"] for row in listed.json()["results"]]
    assert len(rows) == 36


def test_a_quote_list_with_statements_costs_no_query_per_row(anonymous, db):
    for _ in range(2):
        statement_with(SourceFactory(), SourceFactory())
    few, _ = count_queries(anonymous, list_url("quote"), page_size=2, one_per_statement="true")
    for _ in range(MAX_PAGE_SIZE + 2):
        statement_with(SourceFactory(), SourceFactory())
    many, body = count_queries(
        anonymous, list_url("quote"), page_size=MAX_PAGE_SIZE, one_per_statement="true"
    )
    assert len(body["results"]) == MAX_PAGE_SIZE
    assert all(row["statement"] for row in body["results"])
    assert many == few
    plain, _ = count_queries(anonymous, list_url("quote"), page_size=MAX_PAGE_SIZE)
    assert plain == many


@pytest.mark.parametrize("value", ["", "yes", "1", "True"])
def test_one_per_statement_is_true_or_false(anonymous, db, value):
    response = anonymous.get(list_url("quote"), {"one_per_statement": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "one_per_statement"


# -- deciding: confirm, dismiss, detach -----------------------------------------------------


def history_of(client, basename, pk):
    response = client.get(detail_url(basename, pk) + "history/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_confirming_makes_the_statement_with_the_reason_in_every_history(researcher, world):
    suggestion = world.suggestion
    url = detail_url("statementsuggestion", suggestion.pk) + "confirm/"
    response = researcher.post(url, {"reason": "The same words in two reports."})
    assert response.status_code == 200, response.content
    body = response.json()
    statement = Statement.objects.get(pk=body["id"])
    assert {a["id"] for a in body["appearances"]} == {
        suggestion.quote_id,
        suggestion.other_quote_id,
    }
    assert body["url"].endswith(detail_url("statement", statement.pk))
    decided = researcher.get(detail_url("statementsuggestion", suggestion.pk)).json()
    assert (decided["status"], decided["decided_by"], decided["reason"]) == (
        "confirmed",
        "researcher",
        "The same words in two reports.",
    )
    for quote_id in (suggestion.quote_id, suggestion.other_quote_id):
        [latest, *_] = history_of(researcher, "quote", quote_id)
        assert latest["history_user"] == "researcher"
        assert latest["history_change_reason"] == "The same words in two reports."
        assert {"field": "statement", "old": None, "new": statement.pk} in latest["changes"]
    [made] = history_of(researcher, "statement", statement.pk)
    assert (made["history_type"], made["history_user"]) == ("created", "researcher")
    [changed, _created] = history_of(researcher, "statementsuggestion", suggestion.pk)
    assert changed["history_change_reason"] == "The same words in two reports."
    # Decided once: again is a 409 in the error format, and writes nothing.
    counts = row_counts()
    again = researcher.post(url, {})
    assert again.status_code == 409
    assert again.json()["errors"][0]["detail"] == "This suggestion was already confirmed."
    assert row_counts() == counts


def test_confirming_without_a_reason(researcher, world):
    url = detail_url("statementsuggestion", world.suggestion.pk) + "confirm/"
    response = researcher.post(url)
    assert response.status_code == 200, response.content
    quote = Quote.objects.get(pk=world.suggestion.quote_id)
    assert quote.statement_id == response.json()["id"]
    [latest, *_] = history_of(researcher, "quote", quote.pk)
    assert (
        latest["history_change_reason"] == f"Confirmed statement suggestion {world.suggestion.pk}."
    )


def test_confirming_a_quote_already_in_another_statement_is_a_409(researcher, world):
    """A quote is in one statement at most: the data changed since the suggestion."""
    suggestion = world.suggestion
    Quote.objects.filter(pk=suggestion.quote_id).update(statement=world.statement)
    other = StatementFactory(speaker=world.speaker)
    Quote.objects.filter(pk=suggestion.other_quote_id).update(statement=other)
    counts = row_counts()
    response = researcher.post(detail_url("statementsuggestion", suggestion.pk) + "confirm/")
    assert response.status_code == 409, response.content
    [error] = response.json()["errors"]
    assert error["code"] == "conflict"
    assert "one statement at most" in error["detail"]
    assert row_counts() == counts
    assert StatementSuggestion.objects.get(pk=suggestion.pk).status == "pending"


def test_dismissing_keeps_the_reason_and_is_not_proposed_again(researcher, world):
    from quotes.statements import suggest_statements

    suggestion = world.suggestion
    url = detail_url("statementsuggestion", suggestion.pk) + "dismiss/"
    before = row_counts()
    missing = researcher.post(url, {})
    assert missing.status_code == 400
    assert [e["attr"] for e in missing.json()["errors"]] == ["reason"]
    assert row_counts() == before
    response = researcher.post(url, {"reason": "Two different speeches."})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["reason"]) == (
        "dismissed",
        "Two different speeches.",
    )
    # Proposed again (the world's other quotes say the same words), but never this pair.
    made = suggest_statements(Quote.objects.get(pk=suggestion.quote_id))
    assert made, "the control: suggesting again proposes the other pairs"
    pair = {suggestion.quote_id, suggestion.other_quote_id}
    assert all({s.quote_id, s.other_quote_id} != pair for s in made)
    assert StatementSuggestion.objects.get(pk=suggestion.pk).status == "dismissed"
    assert researcher.post(url, {"reason": "Again."}).status_code == 409
    listed = researcher.get(SUGGESTIONS, {"status": "dismissed"}).json()["results"]
    assert [row["id"] for row in listed] == [suggestion.pk]
    pending = researcher.get(SUGGESTIONS, {"status": "pending"}).json()["results"]
    assert {row["id"] for row in pending} == {s.pk for s in made}


def test_detaching_undoes_with_the_reason_in_the_quotes_history(researcher, anonymous, world):
    statement, quote = world.statement, world.appearance
    url = detail_url("statement", statement.pk) + "detach/"
    response = researcher.post(url, {"quote": quote.pk, "reason": "Another speech."})
    assert response.status_code == 200, response.content
    assert quote.pk not in {a["id"] for a in response.json()["appearances"]}
    assert response.json()["appearance_count"] == 1
    [latest, *_] = history_of(researcher, "quote", quote.pk)
    assert latest["history_user"] == "researcher"
    assert latest["history_change_reason"] == "Another speech."
    assert {"field": "statement", "old": statement.pk, "new": None} in latest["changes"]
    # The public sees it too: the quote's history is published.
    assert history_of(anonymous, "quote", quote.pk)[0]["history_change_reason"] == (
        "Another speech."
    )
    record = StatementSuggestion.objects.get(quote=quote, statement=statement)
    assert (record.status, record.reason) == ("dismissed", "Detached: Another speech.")
    # Not an appearance any more: detaching it again is a 400 naming the quote.
    again = researcher.post(url, {"quote": quote.pk, "reason": "Again."})
    assert again.status_code == 400
    assert [e["attr"] for e in again.json()["errors"]] == ["quote"]


def test_detaching_the_last_appearance_keeps_the_statement_for_researchers(
    researcher, anonymous, world
):
    statement = world.statement
    for quote in statement.appearances.order_by("pk"):
        url = detail_url("statement", statement.pk) + "detach/"
        assert researcher.post(url, {"quote": quote.pk, "reason": "No."}).status_code == 200
    assert Statement.objects.filter(pk=statement.pk).exists()
    detail = researcher.get(detail_url("statement", statement.pk)).json()
    assert (detail["appearances"], detail["first_appearance"], detail["appearance_count"]) == (
        [],
        None,
        0,
    )
    assert (detail["first_appeared_on"], detail["first_appeared_on_precision"]) == (None, "")
    assert anonymous.get(detail_url("statement", statement.pk)).status_code == 404


def test_the_suggestions_list_filters_and_costs_no_query_per_row(researcher, db):
    for _ in range(2):
        SuggestionFactory()
    few, _ = count_queries(researcher, SUGGESTIONS, page_size=2)
    made = [SuggestionFactory() for _ in range(MAX_PAGE_SIZE + 2)]
    many, _ = count_queries(researcher, SUGGESTIONS, page_size=MAX_PAGE_SIZE)
    assert many == few
    speaker = made[0].quote.speaker
    by_speaker = researcher.get(SUGGESTIONS, {"speaker": speaker.slug}).json()["results"]
    assert [row["id"] for row in by_speaker] == [made[0].pk]
    assert by_speaker[0]["quote"]["source"]["id"] == made[0].quote.source_id
    assert researcher.get(SUGGESTIONS, {"speaker_id": speaker.pk}).json()["results"] == by_speaker
    assert researcher.get(SUGGESTIONS, {"method": "similarity"}).json()["results"] == []
    for params in ({"status": "maybe"}, {"speaker": ""}, {"method": ""}):
        response = researcher.get(SUGGESTIONS, params)
        assert response.status_code == 400
        assert {e["attr"] for e in response.json()["errors"]} == set(params)


# -- suggestions made where quotes are made -------------------------------------------------


@pytest.fixture
def suggested(monkeypatch):
    """The quotes suggest_statements() was called for, through the API's quote writes."""
    from quotes import statements

    calls = []
    original = statements.suggest_statements

    def recording(quote):
        calls.append(quote.pk)
        return original(quote)

    monkeypatch.setattr(statements, "suggest_statements", recording)
    return calls


def test_creating_a_quote_through_the_api_suggests_its_statements(researcher, world, suggested):
    # The world's quote says "We will defend every inch of allied territory,": the same words
    # of the same speaker in another source are another appearance of it.
    source = SourceFactory()
    start = source.text.index(world.quote.text)
    body = {
        "text": world.quote.text,
        "kind": "statement",
        "speaker": world.speaker.pk,
        "source": source.pk,
        "start": start,
        "end": start + len(world.quote.text),
    }
    response = researcher.post(list_url("quote"), body)
    assert response.status_code == 201, response.content
    new = response.json()["id"]
    assert suggested == [new]
    made = StatementSuggestion.objects.filter(
        quote_id__in=[new, world.quote.pk], other_quote_id__in=[new, world.quote.pk]
    )
    assert made.get().method == "exact"


def test_changing_a_quotes_words_speaker_or_source_suggests_again(researcher, world, suggested):
    quote = QuoteFactory(speaker=world.speaker, passage="reckless")
    url = detail_url("quote", quote.pk)
    assert researcher.patch(url, {"note": "Checked."}).status_code == 200
    assert suggested == []  # nothing that matching reads changed
    quote.refresh_from_db()
    Quote.objects.filter(pk=quote.pk).update(status="draft")
    assert researcher.patch(url, {"speaker": SpeakerFactory().pk}).status_code == 200
    assert suggested == [quote.pk]
    start = quote.source.text.index("dangerous")
    moved = {"text": "dangerous", "start": start, "end": start + len("dangerous")}
    assert researcher.patch(url, moved).status_code == 200
    assert suggested == [quote.pk, quote.pk]


def test_a_suggestion_that_fails_undoes_the_quotes_write(researcher, world, monkeypatch):
    """suggest_statements() runs inside the write's transaction: its failure writes nothing."""
    from quotes import statements

    def broken(quote):
        raise RuntimeError("the matching failed")

    monkeypatch.setattr(statements, "suggest_statements", broken)
    researcher.raise_request_exception = False
    source = SourceFactory()
    counts = row_counts()
    start, text = source.text.index("reckless"), "reckless"
    body = {
        "text": text,
        "kind": "fragment",
        "speaker": world.speaker.pk,
        "source": source.pk,
        "start": start,
        "end": start + len(text),
    }
    assert researcher.post(list_url("quote"), body).status_code == 500
    assert row_counts() == counts


def test_the_queries_of_a_detail_stay_few(anonymous, seeded):
    statement = Statement.objects.get(slug="nato-is-a-defensive-alliance")
    with CaptureQueriesContext(connection) as captured:
        response = anonymous.get(detail_url("statement", statement.pk))
    assert response.status_code == 200
    assert len(captured.captured_queries) <= 3


def test_another_speaker_for_an_appearance_is_a_409_saying_to_detach_first(researcher, world):
    """Every appearance of a statement is its speaker's: changing an appearance's speaker is
    refused until it leaves the statement (found by Schemathesis as a 400 naming the
    read-only `statement`)."""
    quote = world.appearance
    Quote.objects.filter(pk=quote.pk).update(status="draft")
    url = detail_url("quote", quote.pk)
    counts = row_counts()
    response = researcher.patch(url, {"speaker": world.other_speaker.pk})
    assert response.status_code == 409, response.content
    [error] = response.json()["errors"]
    assert error["code"] == "conflict"
    assert f"/api/v1/statements/{world.statement.pk}/detach/" in error["detail"]
    assert row_counts() == counts
    assert researcher.patch(url, {"speaker": world.speaker.pk}).status_code == 200  # the same
    detach = detail_url("statement", world.statement.pk) + "detach/"
    detached = researcher.post(detach, {"quote": quote.pk, "reason": "Misattributed."})
    assert detached.status_code == 200
    assert researcher.patch(url, {"speaker": world.other_speaker.pk}).status_code == 200


def test_a_random_quote_without_repeats_is_never_a_repeat(anonymous, seeded):
    allowed = {
        row["id"]
        for row in anonymous.get(
            list_url("quote"), {"speaker": "dmitry-peskov", "one_per_statement": "true"}
        ).json()["results"]
    }
    assert len(allowed) == 3
    params = {"speaker": "dmitry-peskov", "one_per_statement": "true"}
    drawn = {anonymous.get(list_url("quote") + "random/", params).json()["id"] for _ in range(30)}
    assert drawn <= allowed

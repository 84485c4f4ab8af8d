"""The review workflow through the API (core/api/review.py, core/review.py): who may move a
record between draft, reviewed and published, the reason publishing needs and the history
that keeps it, and a published quote that is never rewritten in place.

The transitions as a table, for every reviewed resource (a PATCH of `status`):

- draft ↔ reviewed: researchers, editors and staff;
- into or out of published: editors and staff, with a `change_reason` (a 400 without);
- a researcher's publish or unpublish: 403 `permission_denied`, and nothing written.
"""

import pytest

from core.registry import reviewed_models
from quotes.models import Quote
from tests.api.mixins import detail_url, list_url, row_counts, state_of
from tests.api.specs import quote_body, spec_for
from tests.factories import QuoteFactory, span_of

DRAFT, REVIEWED, PUBLISHED = "draft", "reviewed", "published"
REASON = "Checked against the video of the press conference."

#   from        to          researcher  editor  staff
MOVES = [
    (DRAFT,     REVIEWED,   200,        200,    200),
    (REVIEWED,  DRAFT,      200,        200,    200),
    (DRAFT,     PUBLISHED,  403,        200,    200),
    (REVIEWED,  PUBLISHED,  403,        200,    200),
    (PUBLISHED, REVIEWED,   403,        200,    200),
    (PUBLISHED, DRAFT,      403,        200,    200),
]  # fmt: skip
USERS = ("researcher", "editor", "staff")


def move_cases():
    for model in reviewed_models():
        for old, new, *statuses in MOVES:
            for user, expected in zip(USERS, statuses, strict=True):
                yield pytest.param(
                    model,
                    old,
                    new,
                    user,
                    expected,
                    id=f"{model._meta.model_name}-{old}-{new}-{user}",
                )


def assert_error(response, status, code, attr=None):
    assert response.status_code == status, response.content
    [error] = response.json()["errors"]
    assert (error["code"], error["attr"]) == (code, attr)
    assert error["detail"]
    return error["detail"]


@pytest.mark.parametrize(("model", "old", "new", "user", "expected"), list(move_cases()))
def test_each_move_through_the_api(request, db, model, old, new, user, expected):
    client = request.getfixturevalue(user)
    record = spec_for(model).make(status=old)
    url = detail_url(model._meta.model_name, record.pk)
    counts, before = row_counts(), state_of(record)

    response = client.patch(url, {"status": new, "change_reason": REASON})

    if expected == 403:
        detail = assert_error(response, 403, "permission_denied")
        assert f"publish_{model._meta.model_name}" in detail
        assert row_counts() == counts, "a refused move wrote something"
        assert state_of(record) == before
        return
    assert response.status_code == 200, response.content
    assert response.json()["status"] == new
    assert "change_reason" not in response.json(), "the reason is written, never read back"
    record.refresh_from_db()
    assert record.status == new
    latest = record.history.first()
    assert latest.status == new
    assert latest.history_user == client.user
    assert latest.history_change_reason == REASON


@pytest.mark.parametrize("model", reviewed_models(), ids=lambda m: m._meta.label)
@pytest.mark.parametrize(("old", "new"), [(REVIEWED, PUBLISHED), (PUBLISHED, DRAFT)])
@pytest.mark.parametrize("reason", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_publishing_and_unpublishing_without_a_reason_is_a_400(editor, db, model, old, new, reason):
    record = spec_for(model).make(status=old)
    body = {"status": new} if reason is None else {"status": new, "change_reason": reason}
    counts = row_counts()
    response = editor.patch(detail_url(model._meta.model_name, record.pk), body)
    assert_error(response, 400, "required", "change_reason")
    assert row_counts() == counts
    record.refresh_from_db()
    assert record.status == old


def test_a_reason_longer_than_the_history_keeps_is_a_400(editor, db):
    quote = QuoteFactory(status=REVIEWED)
    body = {"status": PUBLISHED, "change_reason": "x" * 101}
    response = editor.patch(detail_url("quote", quote.pk), body)
    assert_error(response, 400, "max_length", "change_reason")


def test_who_published_and_why_is_in_the_history(anonymous, researcher, editor, db):
    quote = QuoteFactory(status=REVIEWED)
    url = detail_url("quote", quote.pk)
    assert editor.patch(url, {"status": PUBLISHED, "change_reason": REASON}).status_code == 200
    published, _created = researcher.get(url + "history/").json()["results"]
    assert published["history_user"] == "edith"
    assert published["history_change_reason"] == REASON
    assert published["changes"] == [{"field": "status", "old": REVIEWED, "new": PUBLISHED}]
    # The public sees the published version alone (core.review), with who published it and why.
    [public] = anonymous.get(url + "history/").json()["results"]
    assert (public["history_user"], public["history_change_reason"]) == ("edith", REASON)


def test_a_reason_is_kept_for_any_change(researcher, db):
    quote = QuoteFactory(status=DRAFT)
    url = detail_url("quote", quote.pk)
    response = researcher.patch(url, {"note": "Dated.", "change_reason": "The date was known."})
    assert response.status_code == 200
    assert quote.history.first().history_change_reason == "The date was known."
    assert researcher.patch(url, {"note": "Dated again."}).status_code == 200
    assert quote.history.first().history_change_reason is None


# -- creation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status", "expected"),
    [
        ("researcher", None, 201),
        ("researcher", DRAFT, 201),
        ("researcher", REVIEWED, 201),
        ("researcher", PUBLISHED, 403),
        ("editor", PUBLISHED, 201),
        ("staff", PUBLISHED, 201),
    ],
)
def test_a_new_quote_is_a_draft_unless_its_author_may_publish(
    request, world, user, status, expected
):
    client = request.getfixturevalue(user)
    body = quote_body(world)
    if status is not None:
        body.update(status=status, change_reason=REASON)
    counts = row_counts()
    response = client.post(list_url("quote"), body)
    if expected == 403:
        assert_error(response, 403, "permission_denied")
        assert row_counts() == counts
        return
    assert response.status_code == 201, response.content
    created = Quote.objects.get(pk=response.json()["id"])
    assert created.status == (status or DRAFT)
    if status is not None:
        # Every version the creation made (the quote, then its treaties) says why.
        reasons = set(created.history.values_list("history_change_reason", flat=True))
        assert reasons == {REASON}


def test_creating_a_published_quote_needs_a_reason(editor, world):
    counts = row_counts()
    response = editor.post(list_url("quote"), {**quote_body(world), "status": PUBLISHED})
    assert_error(response, 400, "required", "change_reason")
    assert row_counts() == counts


# -- a published quote is never rewritten in place --------------------------------------------


def other_span(quote):
    start, end = span_of(quote.source.text, "reckless")
    return {"start": start, "end": end, "text": "reckless"}


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(
    "change",
    [
        other_span,
        # The same words, spaced otherwise: valid (whitespace aside), and still a rewrite.
        lambda quote: {"text": quote.text.replace(" ", "  ", 1)},
        lambda quote: {"end": quote.end - 1, "text": quote.text[:-1]},
    ],
    ids=["span", "text", "end"],
)
def test_a_published_quotes_words_and_span_cannot_change_while_it_stays_published(
    request, db, user, change
):
    client = request.getfixturevalue(user)
    quote = QuoteFactory(status=PUBLISHED)
    url = detail_url("quote", quote.pk)
    counts, before = row_counts(), state_of(quote)
    for status in ({}, {"status": PUBLISHED}):
        response = client.patch(url, {**change(quote), **status, "change_reason": REASON})
        detail = assert_error(response, 409, "locked_while_published")
        assert "return it to review first" in detail
    assert row_counts() == counts, "a refused change wrote something"
    assert state_of(quote) == before


def test_a_published_quote_may_be_sent_back_its_own_words(researcher, db):
    """A client that writes back what it read (an SDK's read-modify-write) changes nothing."""
    quote = QuoteFactory(status=PUBLISHED)
    url = detail_url("quote", quote.pk)
    read = researcher.get(url).json()
    body = {
        "text": read["text"],
        "start": read["start"],
        "end": read["end"],
        "source": read["source"]["id"],
        "note": "Checked.",
    }
    response = researcher.patch(url, body)
    assert response.status_code == 200, response.content
    quote.refresh_from_db()
    assert (quote.note, quote.status) == ("Checked.", PUBLISHED)


@pytest.mark.parametrize("status", [DRAFT, REVIEWED])
def test_an_editor_corrects_a_published_quote_by_returning_it_to_review(
    anonymous, editor, db, status
):
    quote = QuoteFactory(status=PUBLISHED)
    url = detail_url("quote", quote.pk)
    correction = {**other_span(quote), "status": status, "change_reason": "Wrong span."}
    response = editor.patch(url, correction)
    assert response.status_code == 200, response.content
    assert anonymous.get(url).status_code == 404, "no longer public"
    quote.refresh_from_db()
    assert (quote.text, quote.status) == ("reckless", status)
    latest = quote.history.first()
    assert (latest.history_change_reason, latest.history_user.username) == ("Wrong span.", "edith")
    # Published again, corrected: the public history shows both published versions, and why.
    again = {"status": PUBLISHED, "change_reason": "Span checked."}
    assert editor.patch(url, again).status_code == 200
    public = anonymous.get(url + "history/").json()["results"]
    assert [v["history_change_reason"] for v in public] == ["Span checked.", None]
    assert {
        "field": "text",
        "old": "We will defend every inch of allied territory,",
        "new": "reckless",
    } in public[0]["changes"]


def test_a_researcher_may_not_correct_a_published_quote_by_unpublishing_it(researcher, db):
    quote = QuoteFactory(status=PUBLISHED)
    counts = row_counts()
    correction = {**other_span(quote), "status": DRAFT, "change_reason": "Wrong span."}
    response = researcher.patch(detail_url("quote", quote.pk), correction)
    assert_error(response, 403, "permission_denied")
    assert row_counts() == counts


@pytest.mark.parametrize("status", [DRAFT, REVIEWED])
def test_a_quote_in_review_changes_its_words_freely(researcher, db, status):
    quote = QuoteFactory(status=status)
    response = researcher.patch(detail_url("quote", quote.pk), other_span(quote))
    assert response.status_code == 200, response.content
    quote.refresh_from_db()
    assert quote.text == "reckless"


def test_invalid_data_is_told_before_the_workflow(researcher, db):
    """A published quote's mismatching text is a 400 on the text, as any quote's is."""
    quote = QuoteFactory(status=PUBLISHED)
    response = researcher.patch(detail_url("quote", quote.pk), {"text": "We will attack"})
    assert_error(response, 400, "invalid", "text")

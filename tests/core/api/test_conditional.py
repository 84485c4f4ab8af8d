"""Optimistic concurrency: ETags, 304 on conditional GET, 412 on stale If-Match."""

import threading
import time

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from quotes.api.serializers import QuoteSerializer
from quotes.models import Quote
from tests.api.mixins import detail_url


@pytest.fixture
def quote_url(seeded):
    return detail_url("quote", Quote.objects.get(text="obsolete").pk)


def test_detail_has_an_etag_and_conditional_get_answers_304(anonymous, quote_url):
    first = anonymous.get(quote_url)
    etag = first["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    again = anonymous.get(quote_url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert anonymous.get(quote_url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_write_with_the_current_etag_succeeds_and_returns_the_new_one(researcher, quote_url):
    etag = researcher.get(quote_url)["ETag"]
    response = researcher.patch(quote_url, {"note": "Checked."}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert researcher.get(quote_url)["ETag"] == response["ETag"]
    # A conditional GET with the old ETag now gets the new version.
    assert researcher.get(quote_url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_stale_etag_is_refused_with_412_and_the_current_etag(researcher, quote_url):
    stale = researcher.get(quote_url)["ETag"]
    current = researcher.patch(quote_url, {"note": "First."}, HTTP_IF_MATCH=stale)["ETag"]
    response = researcher.patch(quote_url, {"note": "Second."}, HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response["ETag"] == current
    assert response.json()["errors"][0]["code"] == "precondition_failed"
    assert Quote.objects.get(text="obsolete").note == "First."


def test_if_match_star_and_no_if_match_write_unconditionally(researcher, quote_url):
    assert researcher.patch(quote_url, {"note": "a"}, HTTP_IF_MATCH="*").status_code == 200
    assert researcher.patch(quote_url, {"note": "b"}).status_code == 200


def test_a_stale_delete_is_refused(staff, seeded):
    quote = Quote.objects.get(text="obsolete")
    url = detail_url("quote", quote.pk)
    stale = staff.get(url)["ETag"]
    staff.patch(url, {"note": "changed meanwhile"})
    assert staff.delete(url, HTTP_IF_MATCH=stale).status_code == 412
    assert Quote.objects.filter(pk=quote.pk).exists()
    assert staff.delete(url, HTTP_IF_MATCH=staff.get(url)["ETag"]).status_code == 204


def test_the_response_context_follows_a_moved_span(researcher, seeded):
    quote = Quote.objects.get(text="obsolete")
    # In review: a published quote's span cannot move (core.review).
    Quote.objects.filter(pk=quote.pk).update(status="reviewed")
    text = quote.source.text
    passage = "dominate global affairs"
    start = text.index(passage)
    response = researcher.patch(
        detail_url("quote", quote.pk),
        {"text": passage, "start": start, "end": start + len(passage)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["context_before"].endswith("an attempt to <u>")
    assert response.json()["context_after"].startswith("</u>. The ministry warned")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_researchers_writing_the_same_version_cannot_both_win(monkeypatch):
    """The If-Match check happens after the row is locked: the second writer waits for the
    first to commit, then sees the new version and gets 412. Without the lock both would read
    the old version, both pass the check, and the second would silently overwrite the first."""
    from django.core.management import call_command

    call_command("seed", verbosity=0)
    user = User.objects.create_user("racer")
    user.groups.add(Group.objects.get(name="researchers"))
    token = Token.objects.create(user=user).key
    url = detail_url("quote", Quote.objects.get(text="obsolete").pk)
    # Read as a researcher: the record's ETag, the If-Match token (an anonymous read's ETag is
    # a digest of its body, core.cache).
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    etag = reader.get(url)["ETag"]

    first_is_writing = threading.Event()
    original_update = QuoteSerializer.update

    def slow_first_update(self, instance, validated_data):
        if not first_is_writing.is_set():
            first_is_writing.set()
            time.sleep(1.0)  # hold the row lock while the second writer arrives
        return original_update(self, instance, validated_data)

    monkeypatch.setattr(QuoteSerializer, "update", slow_first_update)
    statuses = {}

    def write(name):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            statuses[name] = client.patch(url, {"note": name}, HTTP_IF_MATCH=etag).status_code
        finally:
            connection.close()

    first = threading.Thread(target=write, args=("first",))
    first.start()
    assert first_is_writing.wait(10)
    second = threading.Thread(target=write, args=("second",))
    second.start()
    first.join(20)
    second.join(20)
    assert statuses == {"first": 200, "second": 412}
    assert Quote.objects.get(text="obsolete").note == "first"

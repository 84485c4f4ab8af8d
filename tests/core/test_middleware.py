"""The request middleware: request ids and JSON access logs, chunked bodies (411) and the
request-size limit (413)."""

import http.client
import io
import json
import logging
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter
from rest_framework.test import APIClient

from core.middleware import RequestIdLogFilter
from quotes.models import Quote
from tests.factories import QuoteFactory

QUOTES = "/api/v1/quotes/"


def test_every_response_carries_a_generated_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/api/v1/")["X-Request-ID"]
    assert len(first) == len(second) == 32
    assert first != second


def test_a_client_request_id_is_echoed_and_a_bad_one_replaced(client, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="trace-42.a")["X-Request-ID"] == "trace-42.a"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\r\nSet-Cookie: x")
    assert replaced["X-Request-ID"] != "bad id\r\nSet-Cookie: x"
    assert len(replaced["X-Request-ID"]) == 32


def test_logs_are_json_lines_with_the_request_id(client, db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger("quotedb.requests")
    logger.addHandler(handler)
    try:
        client.get("/api/v1/quotes/?page_size=1", HTTP_X_REQUEST_ID="log-test-1")
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["request_id"] == "log-test-1"
    assert record["method"] == "GET"
    assert record["path"] == "/api/v1/quotes/"
    assert record["status"] == 200
    assert record["duration_ms"] >= 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body_is_a_413_and_writes_nothing(db):
    client = APIClient()
    response = client.post(QUOTES, {"text": "x" * 5000}, format="json")
    assert response.status_code == 413
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "request_too_large"
    assert Quote.objects.count() == 0


# -- chunked bodies: refused with a 411, as Django would read them as empty ------------------


def chunked(client, method, path, content=b'{"note": "Changed."}'):
    """A request whose body comes chunked: Transfer-Encoding and no Content-Length."""
    return client.generic(
        method,
        path,
        content,
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )


# (The methods whose body the API reads; the schema documents the 411 there, as the 413.)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_chunked_body_is_a_411_in_the_error_format(researcher, method):
    quote = QuoteFactory(note="Before.")
    response = chunked(researcher, method, f"{QUOTES}{quote.pk}/")
    assert response.status_code == 411
    [error] = response.json()["errors"]
    assert response.json()["type"] == "client_error"
    assert (error["code"], error["attr"]) == ("length_required", None)
    assert "Content-Length" in error["detail"]
    assert Quote.objects.get(pk=quote.pk).note == "Before."


def test_a_large_chunked_body_is_a_411_not_a_200(researcher, db):
    """Over the size limit, and no Content-Length for the 413 to see: refused all the same."""
    body = b'{"text": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    assert chunked(researcher, "POST", QUOTES, body).status_code == 411
    assert Quote.objects.count() == 0


def test_a_body_with_its_length_is_read_as_before(researcher, db):
    quote = QuoteFactory(note="Before.")
    response = researcher.patch(f"{QUOTES}{quote.pk}/", {"note": "After."}, format="json")
    assert response.status_code == 200, response.content
    assert Quote.objects.get(pk=quote.pk).note == "After."


def test_a_chunked_request_outside_the_api_is_left_to_django(client, db):
    response = chunked(client, "POST", "/admin/login/", b"username=x&password=y")
    assert response.status_code != 411


# A live server is a WSGI server (runserver's), as gunicorn is: what it does with a body that
# really arrives chunked is what a deployment does, which the test client cannot show.
live = pytest.mark.django_db(transaction=True)


def connect(live_server):
    address = urlsplit(live_server.url)
    return http.client.HTTPConnection(address.hostname, address.port, timeout=10)


def token_of(client):
    return client._credentials["HTTP_AUTHORIZATION"]


@live
def test_a_chunked_patch_to_a_live_server_is_a_411_and_changes_nothing(live_server, researcher):
    quote = QuoteFactory(note="Before.")
    connection = connect(live_server)
    headers = {"Authorization": token_of(researcher), "Content-Type": "application/json"}
    connection.putrequest("PATCH", f"{QUOTES}{quote.pk}/")
    for name, value in {**headers, "Transfer-Encoding": "chunked"}.items():
        connection.putheader(name, value)
    # Two chunks and the last, sent with the headers in one write: the server may answer
    # and close as soon as it has read the headers, which a later write would find closed.
    chunks = [b'{"note": ', b'"Changed."}']
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    connection.endheaders(message_body=body)
    response = connection.getresponse()

    assert response.status == 411
    body = json.loads(response.read())
    assert body["errors"][0]["code"] == "length_required"
    assert Quote.objects.get(pk=quote.pk).note == "Before."
    # The control: the same PATCH with its length is applied.
    connection = connect(live_server)
    connection.request(
        "PATCH", f"{QUOTES}{quote.pk}/", body=b'{"note": "Changed."}', headers=headers
    )
    assert connection.getresponse().status == 200
    assert Quote.objects.get(pk=quote.pk).note == "Changed."


@live
def test_a_large_chunked_body_to_a_live_server_is_refused_before_it_is_read(
    live_server, researcher
):
    """A large body sent chunked: the 411 comes after its first chunk, before the server reads
    the body (the rest is never sent)."""
    connection = connect(live_server)
    connection.putrequest("POST", QUOTES)
    connection.putheader("Authorization", token_of(researcher))
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Transfer-Encoding", "chunked")
    first = b'{"text": "' + b"x" * 16_000
    connection.endheaders(message_body=b"%x\r\n%s\r\n" % (len(first), first))  # one write

    response = connection.getresponse()

    assert response.status == 411
    assert json.loads(response.read())["errors"][0]["code"] == "length_required"
    assert Quote.objects.count() == 0


def test_a_host_the_server_does_not_serve_is_a_400_in_the_error_format(anonymous, db):
    response = anonymous.get(QUOTES, HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "bad_request"

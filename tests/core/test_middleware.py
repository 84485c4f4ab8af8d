"""The request middleware: request ids and JSON access logs, and the request-size limit."""

import io
import json
import logging

from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter
from rest_framework.test import APIClient

from core.middleware import RequestIdLogFilter
from quotes.models import Quote

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

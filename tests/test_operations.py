"""Operational guarantees: request ids and JSON logs, limits, throttling, deploy checks."""

import io
import json
import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from config.middleware import RequestIdLogFilter
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


@pytest.fixture
def tight_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"}
    )


def test_anonymous_clients_are_throttled_with_retry_after(tight_rates, db):
    client = APIClient()
    assert [client.get("/api/v1/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["code"] == "throttled"


def test_by_default_x_forwarded_for_is_not_trusted(tight_rates, db):
    # Without a trusted proxy, a client cannot dodge the limit by inventing addresses.
    client = APIClient()
    codes = [
        client.get("/api/v1/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_clients_are_told_apart_by_x_forwarded_for(tight_rates, db):
    rest = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    with override_settings(REST_FRAMEWORK=rest):
        client = APIClient()
        codes = [
            client.get("/api/v1/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
            for i in range(5)
        ]
    assert codes == [200] * 5


def test_production_settings_pass_the_deploy_checks():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "quotes.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr

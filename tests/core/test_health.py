"""The health probe and the API root."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    # The test settings' cache is the embedded default's: per process, nothing to reach.
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "per-process"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable():
    # A real PostgreSQL URL on a port where nothing listens: the connection is refused.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
    }
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert '"database": "unreachable"' in body


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_api_root_answers_200(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_unknown_api_version_is_404(client):
    assert client.get("/api/v2/").status_code == 404


def test_admin_static_assets_are_served(client):
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert b"body" in b"".join(response.streaming_content)

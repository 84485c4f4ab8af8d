"""The settings module: environment-driven, safe defaults, refuses to run insecurely; the
throttling and proxy trust it configures; production settings pass the deploy checks."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

BASE_DIR = Path(settings.BASE_DIR)


def run_settings(env_overrides, code="from django.conf import settings; settings.DEBUG"):
    """Import the settings in a fresh interpreter with a controlled environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(env_overrides)
    script = f"import django; django.setup(); {code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_required_when_debug_is_off():
    result = run_settings({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_settings_start_with_a_secret_key():
    result = run_settings(
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "a.example"},
        code="from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['a.example']"


def test_defaults_are_debug_on_and_sqlite_inside_the_project():
    result = run_settings(
        {},
        code=(
            "from django.conf import settings; db = settings.DATABASES['default'];"
            "print(settings.DEBUG, db['ENGINE'], db['NAME'])"
        ),
    )
    assert result.returncode == 0, result.stderr
    debug, engine, name = result.stdout.split()
    assert debug == "True"
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == BASE_DIR / "db.sqlite3"


def test_database_url_selects_postgresql():
    result = run_settings(
        {"DATABASE_URL": "postgres://someone@db.example:6543/quotes"},
        code=(
            "from django.conf import settings; db = settings.DATABASES['default'];"
            "print(db['ENGINE'], db['HOST'], db['PORT'], db['NAME'], db['USER'])"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.example",
        "6543",
        "quotes",
        "someone",
    ]


def test_sqlite_database_file_is_git_ignored():
    # With its WAL side files (the embedded default runs in WAL mode).
    names = ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"]
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *names],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == names, result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (BASE_DIR / "config" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    assert {"DATABASE_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"} <= read
    example = (BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"


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

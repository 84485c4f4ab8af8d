"""docker-compose.yml cannot run here (no Docker engine), so its wiring is checked by reading it."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())


def test_database_is_postgres_16_with_a_named_volume_and_a_healthcheck(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:16")
    volume_name, mount = db["volumes"][0].split(":", 1)
    assert mount == "/var/lib/postgresql/data"
    assert volume_name in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_app_waits_for_a_healthy_database(compose):
    app = compose["services"]["app"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"


def test_app_environment_points_at_the_compose_database(compose):
    db_env = compose["services"]["db"]["environment"]
    app_env = compose["services"]["app"]["environment"]
    expected_url = (
        f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}"
        f"@db:5432/{db_env['POSTGRES_DB']}"
    )
    assert app_env["DATABASE_URL"] == expected_url
    assert app_env["DJANGO_DEBUG"] == "0"
    # The secret key is required from the user, never baked into the file.
    assert app_env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert "DJANGO_ALLOWED_HOSTS" in app_env


def test_app_migrates_seeds_and_serves_with_gunicorn_in_that_order(compose):
    command = compose["services"]["app"]["command"]
    migrate = command.index("manage.py migrate")
    seed = command.index("manage.py seed")
    gunicorn = command.index("gunicorn config.wsgi")
    assert migrate < seed < gunicorn


def test_app_image_installs_the_locked_requirements(compose):
    dockerfile = compose["services"]["app"]["build"]["dockerfile_inline"]
    assert "FROM python:3.11" in dockerfile
    assert "--require-hashes -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile


def test_app_shares_the_compose_redis(compose):
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:")
    assert "redis-cli" in redis["healthcheck"]["test"]
    app = compose["services"]["app"]
    assert app["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_replica_streams_from_the_database_on_request(compose):
    replica = compose["services"]["db-replica"]
    assert replica["profiles"] == ["replica"]  # not started unless asked for
    assert replica["image"] == compose["services"]["db"]["image"]
    script = " ".join(replica["entrypoint"])
    assert "pg_basebackup -h db" in script
    assert " -R " in script
    assert "hot_standby=on" in script
    # The primary lets it stream: a replication line in pg_hba.conf, written at its first start.
    target = compose["services"]["db"]["configs"][0]
    assert target["target"].startswith("/docker-entrypoint-initdb.d/")
    assert "host replication" in compose["configs"][target["source"]]["content"]
    assert compose["services"]["app"]["environment"]["DATABASE_REPLICA_URLS"].startswith("${")

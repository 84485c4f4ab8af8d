"""Suite-wide fixtures and the PostgreSQL marker."""

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `postgres` unless the suite runs on PostgreSQL."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason=f"needs PostgreSQL (running on {connection.vendor}); "
        "run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttling counts requests in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def seeded(db):
    """The curated seed data, loaded as `make run` loads it."""
    from django.core.management import call_command

    call_command("seed", verbosity=0)

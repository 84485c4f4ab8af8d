"""Suite-wide fixtures (the seed data, API clients of each kind of user, admin sessions) and
the PostgreSQL marker."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.registry import content_apps

pytest_plugins = ["tests.error_contract"]


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


@pytest.fixture
def superuser_client(client, db):
    """An admin session of a superuser."""
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    return client


@pytest.fixture
def researcher_client(client, db):
    """An admin session of a researcher (staff, in the researchers group)."""
    user = User.objects.create_user("ada", is_staff=True)
    user.groups.add(Group.objects.get(name="researchers"))
    client.force_login(user)
    return client


@pytest.fixture
def anonymous():
    return APIClient()


def client_for(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    return client


@pytest.fixture
def researcher(db):
    """A member of the `researchers` group (made by a data migration): adds and changes."""
    user = User.objects.create_user("researcher")
    user.groups.add(Group.objects.get(name="researchers"))
    return client_for(user)


@pytest.fixture
def reader(db):
    """Authenticated, but without any permission."""
    return client_for(User.objects.create_user("reader"))


@pytest.fixture
def staff(db):
    """Staff with every permission on the content: the one who may delete."""
    user = User.objects.create_user("editor", is_staff=True)
    labels = [config.label for config in content_apps()]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=labels))
    return client_for(user)


@pytest.fixture
def editor(db):
    """A member of the `researchers` and `editors` groups: also publishes and unpublishes."""
    user = User.objects.create_user("edith")
    user.groups.add(*Group.objects.filter(name__in=["researchers", "editors"]))
    return client_for(user)


@pytest.fixture
def editor_client(client, db):
    """An admin session of an editor (staff, in the researchers and editors groups)."""
    user = User.objects.create_user("edna", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=["researchers", "editors"]))
    client.force_login(user)
    return client

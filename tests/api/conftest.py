"""Clients for each kind of API user."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

CONTENT_APPS = ["sources", "quotes"]


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
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=CONTENT_APPS))
    return client_for(user)

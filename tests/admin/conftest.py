import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture
def superuser_client(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    return client


@pytest.fixture
def researcher_client(client, db):
    user = User.objects.create_user("ada", is_staff=True)
    user.groups.add(Group.objects.get(name="researchers"))
    client.force_login(user)
    return client

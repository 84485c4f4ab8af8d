"""Guessing credentials is limited: failed API token authentications are throttled per client
address (core.api.authentication), and admin logins are locked out by django-axes, with the
unlock paths staff have (docs/security.md)."""

import io

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.api.authentication import AuthFailureThrottle

ROOT = "/api/v1/"
WRONG = "Token 0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def clock(monkeypatch):
    """The failure throttle's clock, moved by hand."""
    now = [1_000_000.0]
    monkeypatch.setattr(AuthFailureThrottle, "timer", lambda self: now[0])
    return now


@pytest.fixture
def valid_token(db):
    return Token.objects.create(user=User.objects.create_user("holder")).key


def get(token, address="192.0.2.1", **extra):
    client = APIClient(REMOTE_ADDR=address)
    return client.get(ROOT, HTTP_AUTHORIZATION=token, **extra)


def test_the_default_rate_is_30_failures_a_minute():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_failure"] == "30/minute"
    assert AuthFailureThrottle().num_requests == 30


def test_wrong_tokens_are_401_then_429_with_retry_after(db, clock):
    codes = [get(WRONG).status_code for _ in range(30)]
    assert codes == [401] * 30
    response = get(WRONG)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["type"] == "client_error"
    assert [error["code"] for error in body["errors"]] == ["throttled"]
    # The counts are in the cache, per address: the shared one when REDIS_URL is set.
    assert len(cache.get("throttle_auth_failure_192.0.2.1")) == 30


def test_a_locked_out_address_is_refused_even_with_a_valid_token(valid_token, clock):
    assert get(f"Token {valid_token}").status_code == 200
    for _ in range(30):
        get(WRONG)
    assert get(f"Token {valid_token}").status_code == 429, "a right guess would be told"
    # Another address is not locked out.
    assert get(f"Token {valid_token}", address="192.0.2.2").status_code == 200
    assert get(WRONG, address="192.0.2.2").status_code == 401
    # When the window has passed, the address may try again.
    clock[0] += 61
    assert get(f"Token {valid_token}").status_code == 200
    assert get(WRONG).status_code == 401


def test_a_success_does_not_reset_the_count(valid_token, clock):
    for _ in range(29):
        get(WRONG)
    assert get(f"Token {valid_token}").status_code == 200
    assert get(WRONG).status_code == 401
    assert get(WRONG).status_code == 429


def test_malformed_token_headers_count_as_failures(db, clock):
    codes = [get("Token").status_code for _ in range(30)] + [get("Token a b").status_code]
    assert codes == [401] * 30 + [429]


def test_requests_without_a_token_are_not_counted(db, clock):
    for _ in range(40):
        assert get("").status_code == 200
    assert get("Basic dXNlcjpwYXNz").status_code in {200, 401}
    assert cache.get("throttle_auth_failure_192.0.2.1") is None


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(db, clock):
    rest = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    with override_settings(REST_FRAMEWORK=rest):
        for _ in range(30):
            get(WRONG, HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert get(WRONG, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
        # The proxy's own address is shared by every client: one is not locked out by another.
        assert get(WRONG, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 401


def test_without_a_trusted_proxy_x_forwarded_for_does_not_dodge_the_limit(db, clock):
    codes = [get(WRONG, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(31)]
    assert codes == [401] * 30 + [429]


# -- the admin login (django-axes) --------------------------------------------------------

LOGIN = "/admin/login/"
PASSPHRASE = "a long staff passphrase"


@pytest.fixture
def staff_user(db):
    return User.objects.create_user("staffer", password=PASSPHRASE, is_staff=True)


def log_in(client, password, username="staffer"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, follow=False
    )


def lock_out(client):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        response = log_in(client, "wrong")
        assert response.status_code == 200, attempt  # the form again, with its error
    assert log_in(client, "wrong").status_code == 429  # the limit-th failure locks


def test_the_login_limit_is_5_failures(staff_user):
    assert settings.AXES_FAILURE_LIMIT == 5


def test_a_locked_out_user_is_refused_even_with_the_right_password(client, staff_user):
    assert log_in(client, PASSPHRASE).status_code == 302, "logs in before any failure"
    client.logout()
    lock_out(client)
    response = log_in(client, PASSPHRASE)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "30 minutes" in page
    assert "Content-Security-Policy" in response.headers
    assert "_auth_user_id" not in client.session
    # The same username from another address is not locked out (username and address).
    other = type(client)(REMOTE_ADDR="198.51.100.9")
    assert log_in(other, PASSPHRASE).status_code == 302


def test_a_successful_login_resets_the_failures(client, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, PASSPHRASE).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200


def test_a_superuser_unlocks_by_deleting_the_access_attempt(client, staff_user):
    lock_out(client)
    attempt = AccessAttempt.objects.get(username="staffer")
    admin = Client()  # another browser: the superuser's own session
    admin.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    changelist = admin.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200
    assert "staffer" in changelist.content.decode()
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="staffer").exists()
    assert log_in(client, PASSPHRASE).status_code == 302


def test_staff_unlock_with_axes_reset_username(client, staff_user):
    lock_out(client)
    out = io.StringIO()
    call_command("axes_reset_username", "staffer", stdout=out)
    assert "1 attempts removed" in out.getvalue()
    assert log_in(client, PASSPHRASE).status_code == 302


def test_behind_a_trusted_proxy_the_lockout_is_of_the_client_not_of_the_proxy(staff_user):
    """Behind DJANGO_NUM_PROXIES proxies every login comes from the proxy's address: the lockout
    counts the client's (from X-Forwarded-For, as the throttles do), so one client's failures
    do not lock the username for everyone."""
    rest = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    with override_settings(REST_FRAMEWORK=rest):
        guesser = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
        lock_out(guesser)
        colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
        assert log_in(colleague, PASSPHRASE).status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_without_a_trusted_proxy_x_forwarded_for_does_not_dodge_the_lockout(staff_user):
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"10.1.1.{number}"), "x")
    assert log_in(Client(REMOTE_ADDR="192.0.2.50"), PASSPHRASE).status_code == 429

"""The response cache (core.cache) on a real Redis: anonymous reads are served from it, and no
read is stale once a write has committed, whichever way the write came (the API, the admin, a
bulk status action, loaddata, raw SQL).

Transactional tests: the content version changes when a transaction commits, and a test
wrapped in one transaction would never commit. Run on both databases.
"""

import json
import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

from core.cache import VERSION_KEY, content_version
from quotes.models import Quote, Speaker
from tests.admin_pages import admin_url

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6380/0")


def redis_answers(url) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_cache():
    """The default cache on a real Redis, with the response cache on; emptied first."""
    if not redis_answers(REDIS_URL):
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL} (TEST_REDIS_URL)")
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{os.getpid()}",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    with override_settings(CACHES=caches, RESPONSE_CACHE=True):
        cache.clear()
        content_version.unconfirmed_change = False
        yield cache
        cache.clear()


pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_cache")]


@pytest.fixture
def quote(seeded):
    return Quote.objects.filter(status="published").order_by("pk").first()


def get(client, path, **headers):
    return client.get(
        path, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    )


def texts(response) -> list[str]:
    return [item["text"] for item in json.loads(response.content)["results"]]


def test_an_anonymous_read_is_stored_then_served_from_the_cache(anonymous, quote):
    path = f"/api/v1/quotes/{quote.pk}/"
    first = get(anonymous, path)
    second = get(anonymous, path)
    assert (first.status_code, first["X-Cache"]) == (200, "MISS")
    assert (second.status_code, second["X-Cache"]) == (200, "HIT")
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]
    assert "X-Request-ID" in second  # the hit is still this request's, not the stored one's
    assert second["X-Request-ID"] != first["X-Request-ID"]


def test_a_hit_costs_no_query(anonymous, quote, django_assert_num_queries):
    path = "/api/v1/quotes/?page_size=5"
    get(anonymous, path)
    with django_assert_num_queries(0):
        assert get(anonymous, path)["X-Cache"] == "HIT"


def test_the_key_holds_query_string_accept_and_host(anonymous, quote):
    get(anonymous, "/api/v1/quotes/?page_size=2")
    assert get(anonymous, "/api/v1/quotes/?page_size=3")["X-Cache"] == "MISS"
    assert len(texts(get(anonymous, "/api/v1/quotes/?page_size=3"))) == 3
    other_host = anonymous.get("/api/v1/quotes/?page_size=2", HTTP_HOST="127.0.0.1")
    assert other_host["X-Cache"] == "MISS"
    assert b"http://127.0.0.1/" in other_host.content  # its links name its own host


def test_http_caches_revalidate_with_the_etag(anonymous, quote):
    path = "/api/v1/quotes/?page_size=5"
    first = get(anonymous, path)
    assert first["Cache-Control"] == "public, no-cache"
    assert {"Accept", "Authorization", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}
    again = get(anonymous, path, if_none_match=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again.content == b""
    # A list's ETag changes with its content.
    Speaker.objects.filter(pk=quote.speaker_id).update(name="Someone Else")
    changed = get(anonymous, path, if_none_match=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_researchers_answer_is_neither_stored_nor_served_to_another(
    anonymous, researcher, seeded
):
    draft = Quote.objects.filter(status="draft").first() or Quote.objects.first()
    Quote.objects.filter(pk=draft.pk).update(status="draft")
    path = f"/api/v1/quotes/{draft.pk}/"
    mine = researcher.get(path)
    assert mine.status_code == 200
    assert "X-Cache" not in mine
    assert mine["Cache-Control"] == "private, no-cache"
    assert anonymous.get(path).status_code == 404
    # The other way round: an anonymous answer stored is not what a researcher gets.
    listing = "/api/v1/quotes/?status=draft"
    assert get(anonymous, listing).json()["results"] == []
    assert get(anonymous, listing)["X-Cache"] == "HIT"
    assert researcher.get(listing).json()["results"] != []


def test_a_session_is_not_served_from_the_cache(client, editor_client, quote):
    path = f"/api/v1/quotes/{quote.pk}/"
    get(client, path)
    assert "X-Cache" not in editor_client.get(path)


def test_a_write_through_the_api_invalidates(anonymous, editor, quote):
    path = f"/api/v1/speakers/{quote.speaker_id}/"
    get(anonymous, path)
    assert get(anonymous, path)["X-Cache"] == "HIT"
    etag = editor.get(path)["ETag"]
    response = editor.patch(path, {"name": "Renamed Speaker"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    after = get(anonymous, path)
    assert after["X-Cache"] == "MISS"
    assert after.json()["name"] == "Renamed Speaker"


def test_a_write_to_a_related_record_invalidates_the_lists_that_show_it(anonymous, quote):
    path = f"/api/v1/quotes/?speaker={quote.speaker.slug}&page_size=1"
    before = get(anonymous, path).json()["results"][0]["speaker"]["display"]
    # Any content write: the quote list shows its speaker's name.
    Speaker.objects.filter(pk=quote.speaker_id).update(name=before + " (renamed)")
    assert get(anonymous, path).json()["results"][0]["speaker"]["display"] == before + " (renamed)"


def test_the_admin_and_its_bulk_status_actions_invalidate(anonymous, superuser_client, quote):
    path = f"/api/v1/quotes/{quote.pk}/"
    get(anonymous, path)
    assert get(anonymous, path)["X-Cache"] == "HIT"
    response = superuser_client.post(
        admin_url(Quote),
        {
            "action": "return_to_draft",
            "_selected_action": [quote.pk],
            "apply": "1",
            "change_reason": "checked against the recording",
        },
    )
    assert response.status_code in {200, 302}
    assert Quote.objects.get(pk=quote.pk).status == "draft"
    assert get(anonymous, path).status_code == 404
    # The admin's change form, then: a speaker renamed.
    speaker = quote.speaker
    form = superuser_client.get(admin_url(Speaker, "change", speaker.pk)).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["name"] = "Named In The Admin"
    response = superuser_client.post(admin_url(Speaker, "change", speaker.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    api = f"/api/v1/speakers/{speaker.pk}/"
    assert get(anonymous, api).json()["name"] == "Named In The Admin"


def test_loaddata_and_seed_invalidate(anonymous, quote, tmp_path):
    path = "/api/v1/quotes/?page_size=100"
    count = len(texts(get(anonymous, path)))
    Quote.objects.filter(pk=quote.pk).update(status="draft")  # one fewer
    assert len(texts(get(anonymous, path))) == count - 1
    call_command("seed", verbosity=0)  # puts it back as the fixtures have it
    assert len(texts(get(anonymous, path))) == count
    dump = tmp_path / "speaker.json"
    call_command("dumpdata", "quotes.speaker", f"--pks={quote.speaker_id}", output=str(dump))
    Speaker.objects.filter(pk=quote.speaker_id).update(name="Before Loaddata")
    assert get(anonymous, f"/api/v1/speakers/{quote.speaker_id}/").json()["name"] == (
        "Before Loaddata"
    )
    call_command("loaddata", str(dump), verbosity=0)
    assert get(anonymous, f"/api/v1/speakers/{quote.speaker_id}/").json()["name"] == (
        quote.speaker.name
    )


def test_raw_sql_invalidates_and_a_rollback_does_not(anonymous, quote):
    path = f"/api/v1/quotes/{quote.pk}/"
    get(anonymous, path)
    version = cache.get(VERSION_KEY)

    def unpublish_then_fail():
        with transaction.atomic():
            Quote.objects.filter(pk=quote.pk).update(status="draft")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        unpublish_then_fail()
    assert cache.get(VERSION_KEY) == version
    assert get(anonymous, path)["X-Cache"] == "HIT"
    table = Quote._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = 'draft' WHERE id = %s", [quote.pk])
    assert cache.get(VERSION_KEY) != version
    assert get(anonymous, path).status_code == 404


def test_a_write_to_a_table_that_no_read_shows_keeps_the_cache(anonymous, quote):
    path = f"/api/v1/quotes/{quote.pk}/"
    get(anonymous, path)
    from django.contrib.auth.models import User

    User.objects.create_user("someone")
    assert get(anonymous, path)["X-Cache"] == "HIT"


def test_the_random_quote_and_errors_are_never_stored(anonymous, quote):
    for _ in range(2):
        assert "X-Cache" not in get(anonymous, "/api/v1/quotes/random/")
        assert "X-Cache" not in get(anonymous, "/api/v1/quotes/999999/")
        assert "X-Cache" not in get(anonymous, "/api/v1/quotes/?speakr=x")


def test_a_hit_is_throttled_like_any_request(anonymous, quote, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "100/minute"}
    )
    path = f"/api/v1/quotes/{quote.pk}/"
    answers = [get(anonymous, path) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.get("X-Cache") for a in answers[:3]] == ["MISS", "HIT", "HIT"]
    assert answers[3].json()["errors"][0]["code"] == "throttled"
    assert "Retry-After" in answers[3]


def test_after_an_unconfirmed_version_change_the_next_read_changes_it_first(anonymous, quote):
    """A process that could not change the version (or read it: Redis was away) does not trust
    what the cache holds: its next request changes the version before reading."""
    path = f"/api/v1/quotes/{quote.pk}/"
    get(anonymous, path)
    version = cache.get(VERSION_KEY)
    content_version.unconfirmed_change = True
    response = get(anonymous, path)
    assert response.status_code == 200
    assert response["X-Cache"] == "MISS"
    assert cache.get(VERSION_KEY) != version
    assert content_version.unconfirmed_change is False
    assert get(anonymous, path)["X-Cache"] == "HIT"


def test_a_hit_reads_the_throttles_histories_with_the_answer_and_decides_as_drf(monkeypatch, rf):
    """A hit's throttles read their histories from the one read that found the answer, and write
    them back at once (core.cache.Throttles); their decisions and the histories they leave are
    those of DRF's throttles reading and writing the cache themselves, step by step."""
    from rest_framework.exceptions import Throttled
    from rest_framework.views import APIView

    from core.cache import Throttles

    # Different rates and durations: the first throttle refuses before the second, which is
    # still asked (and counts the request, as DRF's check_throttles does); histories expire;
    # two timeouts to write.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/hour"}
    )
    clock = [1_000_000.0]
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: clock[0])
    request = rf.get("/api/v1/quotes/", REMOTE_ADDR="10.9.8.7")
    keys = Throttles(request).keys
    assert len(keys) == 2
    seconds = [0, 1, 2, 3, 30, 59, 60.5, 61, 62, 63, 64, 125, 126, 3599, 3601, 3602, 3603]

    def run(decide):
        cache.delete_many(keys)
        steps = []
        for second in seconds:
            clock[0] = 1_000_000.0 + second
            allowed = decide(second)
            stored = cache.get_many(keys)
            histories = [None if key not in stored else list(stored[key]) for key in keys]
            ttls = [cache.ttl(key) for key in keys]
            steps.append((second, allowed, histories, ttls))
        return steps

    def prefetched(second):
        throttles = Throttles(request)
        return throttles.allow(cache.get_many(throttles.keys))

    def drfs_own(second):  # what a view does: APIView.check_throttles
        try:
            APIView().check_throttles(Throttles(request).client)
        except Throttled:
            return False
        return True

    def both(second):  # hits and misses of one client in turn: each reads what the other wrote
        return (prefetched if int(second) % 2 else drfs_own)(second)

    drf = run(drfs_own)
    for ours in (run(prefetched), run(both)):
        for mine, theirs in zip(ours, drf, strict=True):
            assert mine[:3] == theirs[:3]
            ttls = zip(mine[3], theirs[3], strict=True)
            assert all(abs(a - b) <= 1 for a, b in ttls), (mine, theirs)
    decisions = [allowed for _, allowed, _, _ in drf]
    assert True in decisions
    assert False in decisions
    # The user throttle refused some too (5 an hour): its history is shorter than the run.
    assert len(drf[-1][2][1]) < len(seconds)


def test_a_hit_is_one_round_trip_to_redis_and_one_pipeline(anonymous, quote, monkeypatch):
    from redis.connection import AbstractConnection

    path = f"/api/v1/quotes/{quote.pk}/"
    get(anonymous, path)
    sent = []
    original = AbstractConnection.send_packed_command

    def counted(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    assert get(anonymous, path)["X-Cache"] == "HIT"
    # The version, the answer and both throttles' histories in one MGET; both histories
    # written in one pipeline (DRF's throttles alone would make four round trips).
    assert len(sent) == 2


def test_a_hit_refused_by_one_throttle_is_counted_once_by_the_others(anonymous, quote, monkeypatch):
    """DRF asks every throttle; a refusal on the hit path is answered there, not by DRF again
    (which would count the request a second time in the throttles that allowed it)."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100/minute", "user": "2/minute"}
    )
    path = f"/api/v1/quotes/{quote.pk}/"
    answers = [get(anonymous, path) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"]
    assert answers[2].json()["errors"][0]["code"] == "throttled"
    anon_key = next(key for key in cache.keys("throttle_anon_*"))
    assert len(cache.get(anon_key)) == 3  # each request once


def test_a_detail_etag_changes_with_what_it_shows_of_related_records(anonymous, quote):
    """The record's own version (its If-Match token) does not move when its speaker is renamed;
    the anonymous answer's ETag, a digest of the body, does: a CDN is never told 304 for a
    body that has changed."""
    path = f"/api/v1/quotes/{quote.pk}/"
    first = get(anonymous, path)
    Speaker.objects.filter(pk=quote.speaker_id).update(name="Renamed For The ETag")
    again = get(anonymous, path, if_none_match=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again.json()["speaker"]["display"].startswith("Renamed For The ETag")

"""Several app servers on one Redis, as a deployment runs them: the throttle's rates hold across
them, and the API survives Redis going away and coming back.

Real processes: gunicorn servers on loopback, each with its own Redis of the test's own
(tests/live.py), on a seeded SQLite file (what is tested here is the cache, on both runs).
"""

import shutil
import time

import pytest

from core.cache import RETRY_SECONDS
from tests.live import LiveServer, RedisServer, copy_sqlite, researcher_token, seeded_sqlite

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")

RATE = 20  # per minute, anonymous and per account


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory):
    return seeded_sqlite(tmp_path_factory.mktemp("seeded"))


@pytest.fixture
def database(seeded_database, tmp_path):
    return copy_sqlite(seeded_database, tmp_path)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def servers(tmp_path):
    started = []

    def start(**environ):
        server = LiveServer(tmp_path, **environ)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def answered_before_throttled(servers_, path, headers=None, limit=200) -> int:
    """Requests answered 200, round robin across `servers_`, until the first 429."""
    for count in range(limit):
        answer = servers_[count % len(servers_)].get(path, **(headers or {}))
        if answer.status == 429:
            return count
        assert answer.status == 200, answer.body
    raise AssertionError(f"no 429 in {limit} requests")


def test_two_app_servers_on_one_redis_hold_the_rate_between_them(database, redis_server, servers):
    token = researcher_token(database)
    environ = {
        "DATABASE_URL": database,
        "REDIS_URL": redis_server.url,
        "DJANGO_THROTTLE_ANON": f"{RATE}/minute",
        "DJANGO_THROTTLE_USER": f"{RATE}/minute",
    }
    pair = [servers(**environ), servers(**environ)]
    # Anonymous: the same page again and again, so that most answers come from the cache.
    anonymous = answered_before_throttled(pair, "/api/v1/quotes/?page_size=1")
    assert abs(anonymous - RATE) <= 1, anonymous
    # Per account, a token from the same address: counted apart from the anonymous ones.
    authenticated = answered_before_throttled(
        pair, "/api/v1/speakers/?page_size=1", {"Authorization": f"Token {token}"}
    )
    assert abs(authenticated - RATE) <= 1, authenticated
    # Both servers refuse now.
    assert {server.get("/api/v1/quotes/?page_size=1").status for server in pair} == {429}


def test_per_process_counters_let_each_server_allow_the_rate(database, servers):
    """What the shared cache fixes, shown by the same measure: on the embedded default's
    per-process cache, two servers let twice the rate through."""
    environ = {"DATABASE_URL": database, "DJANGO_THROTTLE_ANON": f"{RATE}/minute"}
    pair = [servers(**environ), servers(**environ)]
    assert answered_before_throttled(pair, "/api/v1/quotes/?page_size=1") >= 2 * RATE - 1


def test_redis_going_away_and_coming_back(database, redis_server, servers):
    token = researcher_token(database)
    environ = {
        "DATABASE_URL": database,
        "REDIS_URL": redis_server.url,
        "DJANGO_THROTTLE_ANON": "6/minute",
        "DJANGO_THROTTLE_USER": "1000/minute",
        # A paused Redis answers nothing: give up on it quickly.
        "REDIS_TIMEOUT": "0.1",
        "REDIS_CONNECT_TIMEOUT": "0.1",
    }
    writer, reader = servers(**environ), servers(**environ)
    speaker = reader.get("/api/v1/speakers/?page_size=1").json()["results"][0]
    path = f"/api/v1/speakers/{speaker['id']}/"
    assert reader.get(path).headers["X-Cache"] == "MISS"
    hit = reader.get(path)
    assert hit.headers["X-Cache"] == "HIT"
    assert reader.get("/healthz").json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
    }
    # 3 of the 6 anonymous requests a minute used.

    # Redis stops answering (paused: its connections hang, its data is kept).
    redis_server.pause()
    during = [reader.get(path) for _ in range(5)]
    assert [answer.status for answer in during] == [200] * 5  # throttling fails open
    assert all("X-Cache" not in answer.headers for answer in during)  # served uncached
    health = reader.get("/healthz")
    assert health.status == 200
    assert health.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "unreachable"},
    }
    # A write meanwhile, on the other server: the content version cannot change.
    auth = {"Authorization": f"Token {token}"}
    etag = writer.request("GET", path, headers=auth).headers["ETag"]
    renamed = writer.request(
        "PATCH", path, {"name": "Renamed While Redis Slept"}, {**auth, "If-Match": etag}
    )
    assert renamed.status == 200, renamed.body

    # Redis answers again, with what it held before: the stale copy of the speaker among it.
    redis_server.resume()
    time.sleep(2 * RETRY_SECONDS)
    after = reader.get(path)
    assert after.status == 200
    assert after.json()["name"] == "Renamed While Redis Slept"
    assert after.headers.get("X-Cache") == "MISS"
    assert reader.get(path).headers["X-Cache"] == "HIT"
    assert reader.get("/healthz").json()["status"] == "ok"
    # The throttle counts again, from what Redis held: 3 + 3 = 6, then 429.
    statuses = [reader.get(path).status for _ in range(3)]
    assert statuses[-1] == 429, statuses

    # Redis restarts empty (killed, started again on its port): no restart of the app needed.
    redis_server.kill()
    assert writer.get(path).status in {200, 429}
    redis_server.start()
    assert writer.get("/healthz").json()["checks"]["cache"] == "ok"
    assert writer.get(path).headers.get("X-Cache") == "MISS"
    assert writer.get(path).headers.get("X-Cache") == "HIT"

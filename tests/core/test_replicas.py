"""Read replicas (core.replicas) against a real hot standby: reads are served by it when it has
every committed write, a write is seen at once by everyone although the standby lags, a replica
that is down is skipped, and /healthz and replica_status() say which is which.

The standby is the one `.ci/standby` makes (127.0.0.1:TEST_STANDBY_PORT, streaming from the
primary with `pg_basebackup -R`, applying each commit 2 s late: a lag the tests can see). The app
runs under gunicorn (2 sync workers) on a database of its own, with two replicas: first a port
where nothing listens, then the standby; and a Redis of its own, as the shared cache. Both are
tests/live.py's (LiveServer, RedisServer), so every error answer of /api/ here is checked
against the schema too (tests/error_contract.py).

Where a read was served is read from the databases themselves: the app's connections carry an
application_name (quotedb-primary, quotedb-replica), and pg_stat_activity shows the last query of
each; a search for a made-up word puts that word in the SQL, and nowhere else.
"""

import json
import os
import shutil
import time
import uuid

import pytest

from tests.live import (
    LiveServer,
    RedisServer,
    free_port,
    migrate_and_seed,
    researcher_token,
    run_django,
    wait_until,
)

pytestmark = pytest.mark.postgres

PRIMARY_PORT = 5432
STANDBY_PORT = int(os.environ.get("TEST_STANDBY_PORT", "5433"))
DATABASE = "quotedb_replica_test"
ORGANIZATIONS = "/api/v1/organizations/"


def pg(port, dbname="postgres"):
    import psycopg

    return psycopg.connect(
        f"postgresql://postgres@127.0.0.1:{port}/{dbname}", autocommit=True, connect_timeout=5
    )


def one(port, sql, params=(), dbname="postgres"):
    with pg(port, dbname) as connection:
        return connection.execute(sql, params).fetchone()[0]


# --- What the databases saw -------------------------------------------------------------------


def ran(port, application, word) -> int:
    """How many of the app's connections to this server (by application_name) last ran a
    query containing `word`."""
    return one(
        port,
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = %s AND datname = %s AND query LIKE %s",
        (application, DATABASE, f"%{word}%"),
    )


def standby_ran(word):
    return ran(STANDBY_PORT, "quotedb-replica", word)


def primary_ran(word):
    return ran(PRIMARY_PORT, "quotedb-primary", word)


def standby_has_organization(slug) -> bool:
    return bool(
        one(
            STANDBY_PORT,
            "SELECT count(*) FROM quotes_organization WHERE slug = %s",
            (slug,),
            dbname=DATABASE,
        )
    )


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def apply_delay():
    """The standby's apply delay, in seconds; skips (or, with REQUIRE_STANDBY=1, fails) when no
    standby answers."""
    import psycopg

    try:
        in_recovery = one(STANDBY_PORT, "SELECT pg_is_in_recovery()")
        delay_ms = one(
            STANDBY_PORT,
            "SELECT setting::int FROM pg_settings WHERE name = 'recovery_min_apply_delay'",
        )
    except psycopg.OperationalError as exc:
        reason = f"no hot standby on 127.0.0.1:{STANDBY_PORT} (`bash .ci/standby` makes one): {exc}"
        if os.environ.get("REQUIRE_STANDBY"):
            pytest.fail(reason)
        pytest.skip(reason)
    assert in_recovery, f"the server on {STANDBY_PORT} is not a standby"
    assert delay_ms >= 1000, (
        "the standby must apply commits late (recovery_min_apply_delay >= 1s, as .ci/standby "
        "sets it), or no test can tell its reads from the primary's"
    )
    return delay_ms / 1000


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis of the tests' own (no other test empties it meanwhile)."""
    if shutil.which("redis-server") is None:
        if os.environ.get("REQUIRE_STANDBY"):
            pytest.fail("the replica tests need redis-server (.ci/run installs it)")
        pytest.skip("no redis-server")
    redis_server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        yield redis_server.url
    finally:
        redis_server.stop()


@pytest.fixture(scope="module")
def database(apply_delay):
    """A database on the primary, migrated and seeded, that the standby has too; yields a
    researcher's API token."""
    with pg(PRIMARY_PORT) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    try:
        url = migrate_and_seed(f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DATABASE}")
        token = researcher_token(url, "replica-tester", editor=False)

        def standby_has_token():
            try:
                return one(
                    STANDBY_PORT,
                    "SELECT count(*) FROM authtoken_token WHERE key = %s",
                    (token,),
                    dbname=DATABASE,
                )
            except Exception:  # the database is not on the standby yet
                return False

        wait_until(standby_has_token, 30, "the standby to replay the new database")
        yield token
    finally:
        with pg(PRIMARY_PORT) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


class Server(LiveServer):
    """The live app, with the researcher's API token (`token`) and the standby's apply delay
    (`apply_delay`, seconds)."""

    token: str
    apply_delay: float

    def replicas(self):
        return self.get("/healthz").json()["checks"]["replicas"]

    def wait_until_caught_up(self):
        """Until the standby has every write the app made (as /healthz tells)."""
        wait_until(
            lambda: self.replicas()["replica2"] == "ok",
            self.apply_delay + 10,
            "the standby to catch up",
        )


@pytest.fixture(scope="module")
def server(database, redis_url, apply_delay, tmp_path_factory):
    nowhere = free_port()  # nothing listens on it
    live = Server(
        tmp_path_factory.mktemp("gunicorn"),
        workers=2,
        threads=1,
        worker_class="sync",
        request_timeout=10,
        DATABASE_URL=(
            f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DATABASE}"
            "?application_name=quotedb-primary"
        ),
        DATABASE_REPLICA_URLS=(
            f"postgres://postgres@127.0.0.1:{nowhere}/{DATABASE}?connect_timeout=2,"
            f"postgres://postgres@127.0.0.1:{STANDBY_PORT}/{DATABASE}"
            "?application_name=quotedb-replica"
        ),
        REDIS_URL=redis_url,
    )
    live.token, live.apply_delay = database, apply_delay
    try:
        wait_until(lambda: live.get("/healthz").status == 200, 30, "gunicorn")
        yield live
    finally:
        live.stop()


def marker() -> str:
    """A made-up word: a search for it puts it in the SQL of exactly one query."""
    return "zq" + uuid.uuid4().hex[:12]


# --- The tests ----------------------------------------------------------------------------------


def test_reads_are_served_by_the_standby_once_it_has_every_write(server):
    server.wait_until_caught_up()
    for _ in range(6):  # both workers, each also trying the replica that is down
        word = marker()
        response = server.get(f"{ORGANIZATIONS}?q={word}")
        assert response.status == 200
        assert response.json()["results"] == []
        assert (standby_ran(word), primary_ran(word)) == (1, 0)
    # The answers themselves come from it: a change made behind Django's back, on the primary
    # (so no committed write is published), is not in a read until the standby replays it.
    slug = server.get(f"{ORGANIZATIONS}?page_size=1").json()["results"][0]["slug"]
    with pg(PRIMARY_PORT, DATABASE) as connection:
        connection.execute(
            "UPDATE quotes_organization SET note = 'On the primary only.' WHERE slug = %s", (slug,)
        )
    assert server.get(f"{ORGANIZATIONS}?slug={slug}").json()["results"][0]["note"] != (
        "On the primary only."
    )


def test_a_write_is_seen_at_once_by_its_writer_and_by_everyone_while_the_standby_lags(server):
    server.wait_until_caught_up()
    word = marker()
    slug = f"replica-{word}"
    started = time.monotonic()
    created = server.request(
        "POST",
        ORGANIZATIONS,
        {"name": f"Replica {word}", "slug": slug, "kind": "other"},
        token=server.token,
    )
    assert created.status == 201, created.data
    detail = f"{ORGANIZATIONS}{created.json()['id']}/"

    as_writer = server.request("GET", detail, token=server.token)
    as_anyone = server.get(detail)
    listed = server.get(f"{ORGANIZATIONS}?q={word}")
    where_listed = (standby_ran(word), primary_ran(word))
    standby_had_it = standby_has_organization(slug)
    replicas = server.replicas()
    elapsed = time.monotonic() - started

    assert elapsed < server.apply_delay, "too slow to show anything about a lagging standby"
    assert not standby_had_it, "the standby had the write already: it does not lag"
    assert as_writer.status == 200
    assert as_writer.json()["slug"] == slug
    assert as_anyone.status == 200
    assert as_anyone.json()["slug"] == slug
    assert [item["slug"] for item in listed.json()["results"]] == [slug]
    assert where_listed == (0, 1)
    assert replicas == {"replica1": "unreachable", "replica2": "behind"}

    # Once the standby has replayed it (the apply delay later), reads go back to it.
    wait_until(lambda: standby_has_organization(slug), server.apply_delay + 10, "the replay")
    lag = time.monotonic() - started
    assert lag >= server.apply_delay * 0.9
    server.wait_until_caught_up()
    word = marker()
    assert server.get(f"{ORGANIZATIONS}?q={word}").status == 200
    assert (standby_ran(word), primary_ran(word)) == (1, 0)


def test_a_write_request_reads_from_the_primary_throughout(server):
    """Its authentication and its If-Match check see the primary, while a read at the same
    moment still sees the standby's copy: changes made behind Django's back (psql on the
    primary: a new researcher's token, a record touched) are not published, so nothing else
    keeps the reads from the standby."""
    server.wait_until_caught_up()
    first = server.get(f"{ORGANIZATIONS}?page_size=1&ordering=-name").json()["results"][0]
    detail = f"{ORGANIZATIONS}{first['id']}/"
    etag = server.request("GET", detail, token=server.token).headers["ETag"]
    token = uuid.uuid4().hex[:40]
    with pg(PRIMARY_PORT, DATABASE) as connection, connection.transaction():
        connection.execute(
            "UPDATE quotes_organization SET updated_at = now() WHERE id = %s", (first["id"],)
        )
        connection.execute(
            """
            WITH account AS (
                INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                                       email, is_staff, is_active, date_joined)
                VALUES ('!', false, %(name)s, '', '', '', false, true, now()) RETURNING id
            ), membership AS (
                INSERT INTO auth_user_groups (user_id, group_id)
                SELECT account.id, auth_group.id FROM account, auth_group
                WHERE auth_group.name = 'researchers'
            )
            INSERT INTO authtoken_token (key, user_id, created)
            SELECT %(token)s, account.id, now() FROM account
            """,
            {"name": f"backdoor-{token[:8]}", "token": token},
        )
    started = time.monotonic()
    # A read: the standby's copy, which has neither change yet.
    assert server.request("GET", detail, token=server.token).headers["ETag"] == etag
    assert server.request("GET", detail, token=token).status == 401
    # A write: authenticated with the new token and refused for the old ETag, as the primary says.
    response = server.request(
        "PATCH", detail, {"note": "Lost update?"}, {"If-Match": etag}, token=token
    )
    assert time.monotonic() - started < server.apply_delay
    assert response.status == 412, response.data
    assert response.json()["errors"][0]["code"] == "precondition_failed"


def test_healthz_and_replica_status_tell_ok_unreachable_and_behind(server):
    server.wait_until_caught_up()
    script = """
        import json, time
        from core.replicas import replica_status
        from quotes.models import Organization

        steps = {"caught_up": replica_status()}
        Organization.objects.create(name="Status check", slug="status-check", kind="other")
        steps["after_a_write"] = replica_status()
        deadline = time.monotonic() + 15
        while replica_status()["replica2"]["status"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.1)
        steps["later"] = replica_status()
        print(json.dumps(steps))
        """
    output = run_django(script, env=server.env, timeout=60)
    steps = json.loads(output.strip().splitlines()[-1])
    unreachable = {"status": "unreachable", "lag_bytes": None}
    assert steps["caught_up"]["replica1"] == unreachable
    assert steps["caught_up"]["replica2"]["status"] == "ok"
    assert steps["after_a_write"]["replica1"] == unreachable
    assert steps["after_a_write"]["replica2"]["status"] == "behind"
    assert steps["after_a_write"]["replica2"]["lag_bytes"] > 0
    assert steps["later"]["replica2"]["status"] == "ok"
    # The app's workers see the write too (published in the shared cache).
    assert server.replicas()["replica1"] == "unreachable"


def test_the_published_lsn_only_grows(redis_url):
    import redis

    from core.replicas import RAISE_TO, encode_lsn

    client = redis.Redis.from_url(redis_url)
    key = f"test-lsn-{uuid.uuid4().hex}"
    for lsn, expected in [
        (0x16B3D28, 0x16B3D28),
        (0x16B3D20, 0x16B3D28),  # lower: kept
        (0xF_0000_0000, 0xF_0000_0000),  # more digits: still compared as a number
        (0x20_0000_0000_0001, 0x20_0000_0000_0001),  # past 2**53
        (0x20_0000_0000_0000, 0x20_0000_0000_0001),
    ]:
        client.eval(RAISE_TO, 1, key, encode_lsn(lsn))
        assert int(client.get(key), 16) == expected
    client.delete(key)

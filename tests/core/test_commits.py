"""core.commits: which statements write to which tables, what a committed transaction reports,
and that every process that writes reports it (not only the app's)."""

import json

import pytest
from django.db import transaction

from core.commits import EVERY_TABLE, writes_committed, written_tables
from tests.live import RedisServer, clean_environment, manage, run_django, seeded_sqlite

EVERY = frozenset({EVERY_TABLE})


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT "quotes_quote"."id" FROM "quotes_quote"', None),
        ("(SELECT 1) UNION (SELECT 2)", None),
        ('SAVEPOINT "s1_x1"', None),
        ('RELEASE SAVEPOINT "s1_x1"', None),
        ("PRAGMA foreign_keys = ON", None),
        ('INSERT INTO "quotes_quote" ("text") VALUES (%s) RETURNING "id"', {"quotes_quote"}),
        ('INSERT OR IGNORE INTO "quotes_quote_treaties" VALUES (1, 2)', {"quotes_quote_treaties"}),
        ('UPDATE "quotes_speaker" SET "name" = %s', {"quotes_speaker"}),
        ("update quotes_speaker set name = 'x'", {"quotes_speaker"}),
        ('UPDATE ONLY "public"."quotes_speaker" SET "name" = %s', {"quotes_speaker"}),
        ('DELETE FROM "sources_source" WHERE "id" IN (%s)', {"sources_source"}),
        ("DELETE FROM ONLY public.sources_source", {"sources_source"}),
        # Django's flush on PostgreSQL: one statement for every table.
        (
            'TRUNCATE "auth_group", "quotes_quote", "sources_source" RESTART IDENTITY CASCADE;',
            {"auth_group", "quotes_quote", "sources_source"},
        ),
        ("TRUNCATE TABLE quotes_quote", {"quotes_quote"}),
        # Writes whose tables the watcher does not name for sure: every table.
        ('WITH moved AS (SELECT 1) UPDATE "quotes_quote" SET "status" = %s', EVERY),
        ('/* bulk */ UPDATE "quotes_quote" SET "status" = %s', EVERY),
        ("COPY quotes_quote (text) FROM STDIN", EVERY),
        ('CREATE INDEX "x" ON "quotes_quote" ("text")', EVERY),
        ('UPDATE "a" SET "b" = 1; UPDATE "c" SET "d" = 2', EVERY),
    ],
)
def test_the_tables_a_statement_writes_to(sql, tables):
    assert written_tables(sql) == (None if tables is None else frozenset(tables))


@pytest.fixture
def reports():
    seen = []

    def record(sender, using, tables, **kwargs):
        seen.append(tables)

    writes_committed.connect(record)
    yield seen
    writes_committed.disconnect(record)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_reports_its_tables_once_when_it_commits_and_not_if_it_rolls_back(reports):
    from quotes.models import Organization

    with transaction.atomic():
        Organization.objects.create(name="Alliance", slug="alliance", kind="alliance")
        assert reports == []  # not before the commit
        Organization.objects.filter(slug="alliance").update(name="The Alliance")
    assert reports == [frozenset({"quotes_organization", "quotes_historicalorganization"})]

    def create_then_fail():
        with transaction.atomic():
            Organization.objects.create(name="Pact", slug="pact", kind="alliance")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert len(reports) == 1
    # A savepoint rolled back inside a transaction that commits: the transaction still reports.
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            raise RuntimeError
        Organization.objects.filter(slug="alliance").delete()
    assert len(reports) == 2
    assert "quotes_organization" in reports[1]


def test_every_process_reports_its_writes_to_the_replicas_then_to_the_cache():
    """The receivers are connected when Django starts (core.apps), whatever runs: a command, a
    shell, a worker script, not only the app. The replicas' first: see core.apps."""
    script = (
        "import json; from core.commits import writes_committed;"
        "print(json.dumps([r[1]().__module__ for r in writes_committed.receivers]))"
    )
    output = run_django(script, env=clean_environment(), timeout=60)
    assert json.loads(output.strip().splitlines()[-1]) == ["core.replicas", "core.cache"]


def test_a_write_from_a_shell_changes_the_content_version(tmp_path):
    """`manage.py shell -c` runs no system check and loads no URL: its write still invalidates
    the cached answers of every app server."""
    database = seeded_sqlite(tmp_path)
    redis = RedisServer(tmp_path)
    try:
        env = clean_environment(DATABASE_URL=database, REDIS_URL=redis.url)
        read = "from django.core.cache import cache; print(cache.get('content-version'))"
        manage("shell", "-c", read, env=env)  # (no version yet: none is made by reading it)
        manage("shell", "-c", "from core.cache import content_version as v; v.change()", env=env)
        before = manage("shell", "-c", read, env=env).split()[-1]
        write = "from quotes.models import Speaker; Speaker.objects.update(note='checked')"
        manage("shell", "-c", write, env=env)
        after = manage("shell", "-c", read, env=env).split()[-1]
        assert before != "None"
        assert after != before
    finally:
        redis.stop()


def test_connections_to_no_database_are_not_watched():
    """Django opens them to create and drop databases (the test databases among them): they
    are no alias of DATABASES, and a CREATE DATABASE is no content write to report."""
    from types import SimpleNamespace

    from django.db.backends.base.base import NO_DB_ALIAS

    from core.commits import WriteWatcher, watch_writes

    nodb = SimpleNamespace(alias=NO_DB_ALIAS, execute_wrappers=[])
    default = SimpleNamespace(alias="default", execute_wrappers=[])
    for connection in (nodb, default, default):  # (and once only, however often it connects)
        watch_writes(sender=None, connection=connection)
    assert nodb.execute_wrappers == []
    assert [type(w) for w in default.execute_wrappers] == [WriteWatcher]

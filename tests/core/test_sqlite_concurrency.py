"""The embedded default (`make run`: an SQLite file) under concurrent writes, as users run it.

Real processes against a live server (tests/live.py): a fresh SQLite file is migrated and seeded
by `manage.py` in subprocesses, then served by gunicorn (2 workers of 4 threads, as
docker-compose runs it) and by runserver (one thread per request); clients in threads, released
together by a barrier, write at the same moment. With WAL, a busy timeout and IMMEDIATE
transactions (config/settings.py) every write succeeds, none is a 503 "database is locked",
and the loser of an If-Match race gets its 412, as on PostgreSQL.

pytest's own test database is in memory and shared by nothing, so it cannot show this: this
module uses a file of its own, on any run (on a PostgreSQL run too: it tests the default).
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live import LiveServer, researcher_token, seeded_sqlite, simultaneously, sqlite_path

REQUEST_TIMEOUT = 60  # seconds; well above the busy timeout (20 s) a writer may wait
ROUNDS = 8  # of simultaneous writes to different records
WRITERS = 4  # per round: two PATCHes of quotes and two POSTs of organizations
RACES = 8  # If-Match races
SERVERS = {
    "gunicorn": {"workers": 2, "threads": 4},  # as docker-compose runs it
    "runserver": {},  # `make run`: a thread per request
}


@dataclass
class Database:
    url: str
    path: Path
    tokens: dict  # username -> API token of a researcher


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = seeded_sqlite(tmp_path_factory.mktemp("sqlite-concurrency"))
    tokens = {name: researcher_token(url, name, editor=False) for name in ("ada", "bo")}
    return Database(url, sqlite_path(url), tokens)


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request, database, tmp_path_factory):
    name = request.param
    live = LiveServer(
        tmp_path_factory.mktemp(f"{name}-log"),
        server=name,
        request_timeout=REQUEST_TIMEOUT,
        DATABASE_URL=database.url,
        **SERVERS[name],
    )
    yield live
    live.stop()


def quote_ids(server, count):
    answer = server.request("GET", f"/api/v1/quotes/?page_size={count}")
    assert answer.status == 200, answer.data
    ids = [quote["id"] for quote in answer.data["results"]]
    assert len(ids) == count
    return ids


def test_simultaneous_writes_to_different_records_all_succeed(server, database):
    ada, bo = database.tokens["ada"], database.tokens["bo"]
    quotes = quote_ids(server, 2)
    outcomes, concurrent = [], 0
    for r in range(ROUNDS):
        calls = [
            *(
                {
                    "method": "PATCH",
                    "path": f"/api/v1/quotes/{pk}/",
                    "token": token,
                    "body": {"note": f"{server.name} round {r} by writer {i}"},
                }
                for i, (pk, token) in enumerate(zip(quotes, (ada, bo), strict=True))
            ),
            *(
                {
                    "method": "POST",
                    "path": "/api/v1/organizations/",
                    "token": token,
                    "body": {
                        "name": f"Concurrent {server.name} {r}.{i}",
                        "slug": f"concurrent-{server.name}-{r}-{i}",
                        "kind": "alliance",
                    },
                }
                for i, token in enumerate((ada, bo))
            ),
        ]
        assert len(calls) == WRITERS
        answers, overlapped = simultaneously(server, calls)
        concurrent += overlapped
        outcomes += [
            (r, call["method"], call["path"], answer)
            for call, answer in zip(calls, answers, strict=True)
        ]

    statuses = [answer.status for *_, answer in outcomes]
    failed = [outcome for outcome in outcomes if outcome[3].status not in (200, 201)]
    summary = (
        f"{len(statuses)} writes: {sum(1 for s in statuses if s in (200, 201))} 2xx, "
        f"{statuses.count(503)} 503; failures: {failed}\n{server.log_tail()}"
    )
    assert len(outcomes) == ROUNDS * WRITERS
    assert not failed, summary
    # Not a vacuous pass: the server did handle writes at the same time (in practice in
    # nearly every round; a quarter leaves room for a slow machine's thread start-up).
    assert concurrent >= ROUNDS // 4, f"only {concurrent} of {ROUNDS} rounds were concurrent"

    # Every write committed: the last round's notes are there, every organization exists.
    for i, pk in enumerate(quotes):
        answer = server.request("GET", f"/api/v1/quotes/{pk}/")
        assert answer.status == 200
        assert answer.data["note"] == f"{server.name} round {ROUNDS - 1} by writer {i}"
    for _, method, _, created in outcomes:
        if method == "POST":
            answer = server.request("GET", f"/api/v1/organizations/{created.data['id']}/")
            assert answer.status == 200
            assert answer.data["slug"] == created.data["slug"]


def test_the_loser_of_an_if_match_race_gets_412_not_503(server, database):
    tokens = {"ada": database.tokens["ada"], "bo": database.tokens["bo"]}
    pk = quote_ids(server, 3)[2]  # not one the other test writes to
    path = f"/api/v1/quotes/{pk}/"
    results, failures, concurrent = [], [], 0
    for r in range(RACES):
        # Both researchers read the same version of the record...
        etags = {}
        for who, token in tokens.items():
            answer = server.request("GET", path, token=token)
            assert answer.status == 200
            etags[who] = answer.headers["ETag"]
        assert etags["ada"] == etags["bo"]
        # ...and write over it at the same moment.
        calls = [
            {
                "method": "PATCH",
                "path": path,
                "token": token,
                "headers": {"If-Match": etags[who]},
                "body": {"note": f"{server.name} race {r} won by {who}"},
            }
            for who, token in tokens.items()
        ]
        answers, overlapped = simultaneously(server, calls)
        concurrent += overlapped
        outcome = dict(zip(tokens, answers, strict=True))
        results.append({who: answer.status for who, answer in outcome.items()})
        if sorted(answer.status or 0 for answer in outcome.values()) != [200, 412]:
            failures.append((r, outcome))
            continue
        winner = next(who for who, answer in outcome.items() if answer.status == 200)
        loser = next(who for who in tokens if who != winner)
        won, lost = outcome[winner], outcome[loser]
        # The 412 is in the error format and carries the winner's version, the current one.
        assert lost.data["type"] == "client_error"
        assert [e["code"] for e in lost.data["errors"]] == ["precondition_failed"]
        assert lost.headers["ETag"] == won.headers["ETag"] != etags[loser]
        # What is stored is the winner's write, nothing of the loser's (read as a researcher:
        # the record's ETag, the one a write answers with; an anonymous read's is its body's).
        stored = server.request("GET", path, token=database.tokens["ada"])
        assert stored.status == 200
        assert stored.headers["ETag"] == won.headers["ETag"]
        assert stored.data["note"] == f"{server.name} race {r} won by {winner}"

    statuses = [status for round_ in results for status in round_.values()]
    assert not failures, (
        f"{len(failures)} of {RACES} races not one 200 and one 412 "
        f"({statuses.count(200)} 200, {statuses.count(412)} 412, {statuses.count(503)} 503): "
        f"{results}\nfirst failure: {failures[0]}\n{server.log_tail()}"
    )
    assert concurrent >= RACES // 4, f"only {concurrent} of {RACES} races were concurrent"


def test_the_database_file_is_in_wal_mode(server, database):
    # Read from outside the app, as any other process sees the file the server writes to: the
    # journal mode is stored in the file itself.
    connection = sqlite3.connect(database.path)
    try:
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    finally:
        connection.close()
    assert mode == "wal"

"""The embedded default (`make run`: an SQLite file) under concurrent writes, as users run it.

Real processes against a live server: a fresh SQLite file is migrated and seeded by
`manage.py` in subprocesses, then served by gunicorn (2 workers of 4 threads, as
docker-compose runs it) and by runserver (one thread per request); clients in threads, released
together by a barrier, write at the same moment. With WAL, a busy timeout and IMMEDIATE
transactions (config/settings.py) every write succeeds, none is a 503 "database is locked",
and the loser of an If-Match race gets its 412, as on PostgreSQL.

pytest's own test database is in memory and shared by nothing, so it cannot show this: this
module uses a file of its own, on any run (on a PostgreSQL run too: it tests the default).
"""

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests import error_contract

REQUEST_TIMEOUT = 60  # seconds; well above the busy timeout (20 s) a writer may wait
STARTUP_TIMEOUT = 60
ROUNDS = 8  # of simultaneous writes to different records
WRITERS = 4  # per round: two PATCHes of quotes and two POSTs of organizations
RACES = 8  # If-Match races


def server_env(database_url: str) -> dict:
    """The environment of `make run`: none of the deployment's variables, our own database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_")
        and k not in {"DATABASE_URL", "DATABASE_REPLICA_URLS", "REDIS_URL"}
    }
    env["DATABASE_URL"] = database_url
    env["DJANGO_DEBUG"] = "1"  # the default, said outright in case a local .env says otherwise
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


@dataclass
class Database:
    path: Path
    env: dict
    tokens: dict  # username -> API token of a researcher


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite-concurrency") / "db.sqlite3"
    env = server_env(f"sqlite:///{path}")  # an absolute path: sqlite:////tmp/...
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "seed", "--verbosity", "0")
    tokens = {name: manage(env, "create_researcher", name).strip() for name in ("ada", "bo")}
    return Database(path, env, tokens)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


COMMANDS = {
    "gunicorn": lambda port: [
        *(sys.executable, "-m", "gunicorn", "config.wsgi"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"),
        *("--graceful-timeout", "5"),
    ],
    "runserver": lambda port: [
        *(sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"),
    ],
}


@dataclass
class Server:
    name: str
    port: int
    log: Path
    tokens: dict

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"--- {self.name} log (last {lines} lines) ---\n" + "\n".join(
            line[:500] for line in text
        )

    def overlapped(self, request_ids) -> bool:
        """Whether the server was handling two of these requests at the same time, by its
        access log (each line: the end, to the millisecond, and the duration)."""
        spans = []
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if (
                isinstance(entry, dict)
                and entry.get("request_id") in request_ids
                and "duration_ms" in entry  # the access log's line
            ):
                end = datetime.strptime(entry["time"], "%Y-%m-%d %H:%M:%S,%f").timestamp()
                spans.append((end - entry["duration_ms"] / 1000, end))
        spans.sort()
        margin = 0.002  # the log's times are to the millisecond
        return any(b[0] < a[1] - margin for i, a in enumerate(spans) for b in spans[i + 1 :])

    def request(self, method, path, *, token=None, body=None, headers=None, connection=None):
        """One request on its own connection: (status, headers, parsed body or text)."""
        conn = connection or http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT
        )
        all_headers = {"Connection": "close", "Accept": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Token {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            raw = response.read().decode(errors="replace")
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw
            if response.status >= 400 and path.startswith("/api/"):
                # The live server's errors too must be the schema's (tests/error_contract.py).
                errors = parsed.get("errors") if isinstance(parsed, dict) else None
                codes = [e["code"] for e in errors] if errors else []
                answer = (method, urlsplit(path).path, response.status)
                for code in codes or [error_contract.NOT_THE_ERROR_FORMAT]:
                    error_contract.observed.add((*answer, code))
            return response.status, dict(response.getheaders()), parsed
        finally:
            conn.close()


@pytest.fixture(scope="module", params=sorted(COMMANDS))
def server(request, database, tmp_path_factory):
    name = request.param
    port = free_port()
    log = tmp_path_factory.mktemp(f"{name}-log") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            COMMANDS[name](port),
            cwd=settings.BASE_DIR,
            env=database.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers go with it
        )
    live = Server(name, port, log, database.tokens)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert process.poll() is None, f"{name} exited ({process.returncode})\n" + (
                live.log_tail()
            )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            assert time.monotonic() < deadline, f"{name} not ready\n" + live.log_tail()
            time.sleep(0.1)  # polling for readiness only
        yield live
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


def simultaneously(server, calls):
    """Run each call (kwargs of Server.request) in its own thread, its connection opened
    beforehand and its request sent as a barrier releases them all at once. Returns the
    outcomes in order, (status, headers, body) or (None, {}, the exception), and whether the
    server was handling two of them at the same time."""
    barrier = threading.Barrier(len(calls), timeout=30)
    request_ids = [uuid.uuid4().hex for _ in calls]

    def run(call, request_id):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT)
        headers = {**call.get("headers", {}), "X-Request-ID": request_id}
        try:
            conn.connect()
            barrier.wait()
            return server.request(**{**call, "headers": headers}, connection=conn)
        except Exception as exc:  # reported by the assertions, with the server's log
            conn.close()
            return None, {}, exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        outcomes = list(pool.map(run, calls, request_ids))
    return outcomes, server.overlapped(set(request_ids))


def quote_ids(server, count):
    status, _, body = server.request("GET", f"/api/v1/quotes/?page_size={count}")
    assert status == 200, body
    ids = [quote["id"] for quote in body["results"]]
    assert len(ids) == count
    return ids


def test_simultaneous_writes_to_different_records_all_succeed(server):
    ada, bo = server.tokens["ada"], server.tokens["bo"]
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
            (r, call["method"], call["path"], *answer)
            for call, answer in zip(calls, answers, strict=True)
        ]

    statuses = [o[3] for o in outcomes]
    failed = [(r, m, p, s, b) for r, m, p, s, _, b in outcomes if s not in (200, 201)]
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
        status, _, body = server.request("GET", f"/api/v1/quotes/{pk}/")
        assert status == 200
        assert body["note"] == f"{server.name} round {ROUNDS - 1} by writer {i}"
    for _, method, _, _, _, body in outcomes:
        if method == "POST":
            status, _, org = server.request("GET", f"/api/v1/organizations/{body['id']}/")
            assert status == 200
            assert org["slug"] == body["slug"]


def test_the_loser_of_an_if_match_race_gets_412_not_503(server):
    tokens = {"ada": server.tokens["ada"], "bo": server.tokens["bo"]}
    pk = quote_ids(server, 3)[2]  # not one the other test writes to
    path = f"/api/v1/quotes/{pk}/"
    results, failures, concurrent = [], [], 0
    for r in range(RACES):
        # Both researchers read the same version of the record...
        etags = {}
        for who, token in tokens.items():
            status, headers, _ = server.request("GET", path, token=token)
            assert status == 200
            etags[who] = headers["ETag"]
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
        results.append({who: status for who, (status, _, _) in outcome.items()})
        if sorted(status or 0 for status, _, _ in outcome.values()) != [200, 412]:
            failures.append((r, outcome))
            continue
        winner = next(who for who, (status, _, _) in outcome.items() if status == 200)
        loser = next(who for who in tokens if who != winner)
        _, won_headers, _ = outcome[winner]
        _, lost_headers, lost_body = outcome[loser]
        # The 412 is in the error format and carries the winner's version, the current one.
        assert lost_body["type"] == "client_error"
        assert [e["code"] for e in lost_body["errors"]] == ["precondition_failed"]
        assert lost_headers["ETag"] == won_headers["ETag"] != etags[loser]
        # What is stored is the winner's write, nothing of the loser's.
        status, headers, body = server.request("GET", path)
        assert status == 200
        assert headers["ETag"] == won_headers["ETag"]
        assert body["note"] == f"{server.name} race {r} won by {winner}"

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

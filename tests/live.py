"""Live servers for the tests that need real processes: the app under gunicorn (or runserver) on
a loopback port, a seeded database of its own, and a Redis server of its own.

Each server is started as a user would run it, with the environment a deployment sets (no
DJANGO_ variable of the developer's leaks in), and stopped in the fixture's teardown. Every
error answer a live server sends under /api/ is fed to tests/error_contract.py, as the
in-process tests' are: the schema must document it too.
"""

import contextlib
import functools
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests import error_contract

BIN = Path(sys.executable).parent
SERVERS = ("gunicorn", "runserver")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout, what):
    """Polls `condition` (every 50 ms) until it returns something true, which it returns; fails
    the test, naming `what`, if it has not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def clean_environment(**extra) -> dict:
    """The process environment without the developer's settings, with `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    # The default, said outright: a local .env (which config/settings.py reads, without
    # overriding the environment) may say otherwise.
    env["DJANGO_DEBUG"] = "1"
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(*args, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


def run_django(script: str, *, env: dict, timeout=120) -> str:
    """Runs `script` (Python source, dedented) in a process of its own, with Django set up
    (config.settings) in the environment `env`; returns its output (it must succeed)."""
    code = "import django\ndjango.setup()\n" + textwrap.dedent(script)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def migrate_and_seed(database_url: str) -> str:
    """Migrates and seeds the (existing, empty) database at `database_url`; returns the URL."""
    env = clean_environment(DATABASE_URL=database_url)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed", "-v0", env=env)
    return database_url


def sqlite_path(url: str) -> Path:
    """The file of a sqlite:///<absolute path> DATABASE_URL."""
    return Path(url.removeprefix("sqlite:///"))


def seeded_sqlite(directory: Path) -> str:
    """A migrated and seeded SQLite file in `directory`; returns its DATABASE_URL."""
    # An absolute path: sqlite:////tmp/...
    return migrate_and_seed(f"sqlite:///{directory / 'db.sqlite3'}")


def copy_sqlite(url: str, directory: Path) -> str:
    target = directory / "db.sqlite3"
    shutil.copy(sqlite_path(url), target)
    return f"sqlite:///{target}"


def researcher_token(database_url: str, username="ada", *, editor=True) -> str:
    args = ["create_researcher", username, *(["--editor"] if editor else [])]
    out = manage(*args, env=clean_environment(DATABASE_URL=database_url))
    return out.strip().split()[-1]


class Answer:
    """A live server's answer: its status, headers and body (bytes). For a request that got no
    answer (a timeout, a connection reset), `status` is None and `error` the exception."""

    def __init__(self, status, headers, body, error=None):
        self.status, self.headers, self.body, self.error = status, headers, body, error

    @classmethod
    def failed(cls, error: Exception) -> "Answer":
        return cls(None, {}, b"", error)

    def json(self):
        return json.loads(self.body)

    @functools.cached_property
    def data(self):
        """The body parsed as JSON, or its text if it is not JSON, or None if it is empty."""
        text = self.body.decode(errors="replace")
        try:
            return json.loads(text) if text else None
        except ValueError:
            return text

    def __repr__(self):
        if self.error is not None:
            return f"<no answer: {self.error!r}>"
        return f"<{self.status} {str(self.data)[:500]}>"


def record_error_answer(method: str, path: str, answer: Answer):
    """Feeds an error answer of /api/ to tests/error_contract.py (each of its codes, or that it
    is not in the error format at all)."""
    path = urlsplit(path).path
    if answer.status is None or answer.status < 400 or not path.startswith("/api/"):
        return
    data = answer.data
    errors = data.get("errors") if isinstance(data, dict) else None
    codes = [error["code"] for error in errors] if errors else []
    for code in codes or [error_contract.NOT_THE_ERROR_FORMAT]:
        error_contract.observed.add((method, path, answer.status, code))


class LiveServer:
    """The app on a loopback port: gunicorn (`workers` processes of `threads` threads each, or,
    with worker_class="sync", of one request at a time) or runserver (a thread per request, or
    one request at a time with `nothreading`). `environ`: its environment's settings, over
    clean_environment(); the whole environment is kept as `env` (for a process of the test's
    that must see what the server sees, say run_django)."""

    def __init__(
        self,
        log_dir: Path,
        *,
        server="gunicorn",
        workers=1,
        threads=2,
        worker_class="gthread",
        nothreading=False,
        request_timeout=30,
        **environ,
    ):
        if server not in SERVERS:
            raise ValueError(f"server: one of {SERVERS}, not {server!r}")
        if worker_class == "sync" and threads != 1:
            # gunicorn would run gthread instead, silently
            raise ValueError("worker_class='sync' takes threads=1")
        self.name = server
        self.port = free_port()
        self.request_timeout = request_timeout
        self.log_path = log_dir / f"{server}-{self.port}.log"
        if server == "gunicorn":
            command = [
                str(BIN / "gunicorn"),
                "config.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                f"--threads={threads}",
                f"--worker-class={worker_class}",
                "--timeout=60",
                "--graceful-timeout=5",
            ]
        else:
            command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}"]
            command.append("--noreload")
            if nothreading:
                command.append("--nothreading")
        self.env = clean_environment(**environ)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers go with it
        )
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if self.request("GET", "/healthz", timeout=5).status in {200, 503}:
                    return
            time.sleep(0.1)  # polling for readiness only
        raise AssertionError(f"the server did not start:\n{self.log_tail()}")

    def connect(self, timeout=None) -> http.client.HTTPConnection:
        """A connection to the server, opened: a request on it (`request(connection=...)`) is
        sent at once."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout or self.request_timeout
        )
        try:
            connection.connect()
        except BaseException:
            connection.close()
            raise
        return connection

    def request(
        self,
        method,
        path,
        body=None,
        headers=None,
        *,
        token=None,
        request_id=None,
        timeout=None,
        connection=None,
    ) -> Answer:
        """One request on a connection of its own (`connection`, or a new one), closed after it.
        `token`: a researcher's API token; `request_id`: the X-Request-ID to send, by which the
        access log tells this request's line."""
        connection = connection or http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout or self.request_timeout
        )
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {
                "Host": "localhost",
                "Accept": "application/json",
                "Connection": "close",
                **(headers or {}),
            }
            if token:
                headers["Authorization"] = f"Token {token}"
            if request_id:
                headers["X-Request-ID"] = request_id
            if payload is not None:
                headers.setdefault("Content-Type", "application/json")
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()
        record_error_answer(method, path, answer)
        return answer

    def get(self, path, **headers) -> Answer:
        return self.request("GET", path, headers=headers)

    def access_log(self, request_ids=None) -> list[dict]:
        """The access log's lines (core.middleware: one JSON object per request handled, with its
        request_id, the time it ended, to the millisecond, and its duration_ms), of the requests
        `request_ids` if given."""
        entries = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict) or "duration_ms" not in entry:
                continue  # not the access log's line
            if request_ids is None or entry.get("request_id") in request_ids:
                entries.append(entry)
        return entries

    def requests_overlapped(self, request_ids) -> bool:
        """Whether the server was handling two of these requests at the same time, by its access
        log."""
        spans = []
        for entry in self.access_log(request_ids):
            end = datetime.strptime(entry["time"], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            spans.append((end - entry["duration_ms"] / 1000, end))
        spans.sort()
        margin = 0.002  # the log's times are to the millisecond
        return any(b[0] < a[1] - margin for i, a in enumerate(spans) for b in spans[i + 1 :])

    def log_tail(self, lines=60) -> str:
        self.log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return f"--- {self.name} on port {self.port}: its log, last {lines} lines ---\n" + (
            "\n".join(line[:500] for line in text)
        )

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def simultaneously(server: LiveServer, calls: list[dict]) -> tuple[list[Answer], bool]:
    """Run each call (keyword arguments of LiveServer.request) in its own thread, its connection
    opened beforehand and its request sent as a barrier releases them all at once, each with an
    X-Request-ID of its own. Returns the answers in order (Answer.failed for a request that got
    none) and whether the server was handling two of them at the same time."""
    barrier = threading.Barrier(len(calls), timeout=30)
    request_ids = [uuid.uuid4().hex for _ in calls]

    def run(call, request_id):
        try:
            connection = server.connect(call.get("timeout"))
        except Exception as exc:  # reported by the caller's assertions, with the server's log
            barrier.abort()
            return Answer.failed(exc)
        try:
            barrier.wait()
            return server.request(**call, request_id=request_id, connection=connection)
        except Exception as exc:
            connection.close()
            return Answer.failed(exc)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        answers = list(pool.map(run, calls, request_ids))
    return answers, server.requests_overlapped(set(request_ids))


class RedisServer:
    """A Redis of the test's own (Debian's redis-server), that keeps nothing on disk: it can be
    paused (SIGSTOP: connections hang, as behind a broken network), resumed, killed and
    started again on the same port."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.log_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def kill(self):
        self.process.kill()
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.resume()
            self.kill()

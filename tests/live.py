"""Live servers for the tests that need real processes: the app under gunicorn (or runserver) on
a loopback port, a seeded database of its own, and a Redis server of its own.

Each server is started as a user would run it, with the environment a deployment sets (no
DJANGO_ variable of the developer's leaks in), and stopped in the fixture's teardown.
"""

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(**extra) -> dict:
    """The process environment without the developer's settings, with `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
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
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def seeded_sqlite(directory: Path) -> str:
    """A migrated and seeded SQLite file in `directory`; returns its DATABASE_URL."""
    url = f"sqlite:///{directory / 'db.sqlite3'}"
    env = clean_environment(DATABASE_URL=url)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed", "-v0", env=env)
    return url


def copy_sqlite(url: str, directory: Path) -> str:
    source = Path(url.removeprefix("sqlite:///"))
    target = directory / "db.sqlite3"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


def researcher_token(database_url: str, username="ada", *, editor=True) -> str:
    args = ["create_researcher", username, *(["--editor"] if editor else [])]
    out = manage(*args, env=clean_environment(DATABASE_URL=database_url))
    return out.strip().split()[-1]


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class LiveServer:
    """The app on a loopback port: gunicorn (workers, threads) or runserver."""

    def __init__(self, log_dir: Path, *, server="gunicorn", workers=1, threads=2, **environ):
        self.port = free_port()
        self.log_path = log_dir / f"server-{self.port}.log"
        if server == "gunicorn":
            command = [
                str(BIN / "gunicorn"),
                "config.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--worker-class=gthread",
                "--timeout=60",
            ]
        else:
            command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}"]
            command.append("--noreload")
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=clean_environment(**environ),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_ready()

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if self.request("GET", "/healthz").status in {200, 503}:
                    return
            time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.log_tail()}")

    def request(self, method, path, body=None, headers=None, timeout=30) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {"Host": "localhost", **(headers or {})}
            if payload is not None:
                headers.setdefault("Content-Type", "application/json")
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def get(self, path, **headers) -> Answer:
        return self.request("GET", path, headers=headers)

    def log_tail(self, lines=60) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text().splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


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

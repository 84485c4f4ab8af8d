"""The database goes away and comes back, under a running app: 503s in the error format while it
is gone, /healthz says so, and service resumes by itself (no restart).

The app runs in a subprocess whose DATABASE_URL points at a TCP proxy in front of the real
PostgreSQL; cutting the proxy is a real network failure, not a mock.
"""

import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

SCRIPT = textwrap.dedent(
    """
    import json, os, socket, threading

    class Proxy:
        '''A TCP relay to PostgreSQL that can be cut: open connections are dropped and new
        ones are closed as soon as they arrive, until it is restored.'''

        def __init__(self, target):
            self.target, self.conns, self.enabled = target, [], True
            self.server = socket.socket()
            self.server.bind(("127.0.0.1", 0))
            self.server.listen()
            self.port = self.server.getsockname()[1]
            threading.Thread(target=self.accept, daemon=True).start()

        def accept(self):
            while True:
                client, _ = self.server.accept()
                if not self.enabled:
                    client.close()
                    continue
                upstream = socket.create_connection(self.target)
                self.conns += [client, upstream]
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

        @staticmethod
        def pump(a, b):
            try:
                while data := a.recv(65536):
                    b.sendall(data)
            except OSError:
                pass
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def cut(self):
            self.enabled = False
            for conn in self.conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                    conn.close()
                except OSError:
                    pass
            self.conns = []

        def restore(self):
            self.enabled = True

    proxy = Proxy(("127.0.0.1", 5432))
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{proxy.port}/{os.environ['OUTAGE_DB']}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from wsgiref.util import setup_testing_defaults

    call_command("migrate", verbosity=0)
    # The WSGI application itself, as gunicorn calls it: unlike Django's test client, it runs
    # the request signals that drop a broken connection and open a new one.
    application = get_wsgi_application()

    def call(path):
        environ = {"PATH_INFO": path, "HTTP_HOST": "localhost"}
        setup_testing_defaults(environ)
        answer = {}

        def start_response(status, headers):
            answer["status"] = int(status.split()[0])
            answer["retry_after"] = dict(headers).get("Retry-After")

        body = b"".join(application(environ, start_response))
        answer["body"] = json.loads(body)
        return answer

    steps = {"up": call("/api/v1/quotes/"), "health_up": call("/healthz")}
    proxy.cut()
    steps["down"] = call("/api/v1/quotes/")
    steps["health_down"] = call("/healthz")
    proxy.restore()
    steps["back"] = call("/api/v1/quotes/")
    steps["health_back"] = call("/healthz")
    print(json.dumps(steps))
    """
)


@pytest.fixture
def outage_database():
    import psycopg

    name = "quotedb_outage_test"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")
        c.execute(f"CREATE DATABASE {name}")
    yield name
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres
def test_api_answers_503_while_the_database_is_gone_and_recovers_by_itself(outage_database):
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["OUTAGE_DB"] = outage_database
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    steps = json.loads(result.stdout.strip().splitlines()[-1])
    assert steps["up"]["status"] == 200
    assert steps["health_up"]["status"] == 200
    down = steps["down"]
    assert down["status"] == 503
    assert down["body"]["type"] == "server_error"
    assert down["body"]["errors"][0]["code"] == "service_unavailable"
    assert down["retry_after"] == "5"
    assert steps["health_down"] == {
        "status": 503,
        "body": {"status": "unavailable", "checks": {"database": "unreachable"}},
        "retry_after": None,
    }
    assert steps["back"]["status"] == 200
    assert steps["health_back"]["status"] == 200

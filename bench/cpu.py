"""make bench-cpu: what a change of the read path buys, in CPU per request, in one process.

Each variant swaps one of the API's fast paths for the generic code it replaces (DRF's or
Django's) and back, between batches of requests served through `config.wsgi`'s application
as gunicorn would call it, in one process: the fast path and the generic code are measured
alternately, minutes apart at most, so that the drift of a shared machine's speed falls on
both. Prints the median CPU per request of each, and their ratio.

    .venv/bin/python -m bench.cpu [variant ...] [--endpoints detail,list_20] [--rounds 14]

Variants: all, fields, compiled, permissions, gc. It reads the bench's 20k corpus
(quotedb_bench_20k, made by `make bench`; BENCH_CPU_DATABASE to choose another).
"""

import argparse
import gc
import io
import json
import os
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_CPU_DATABASE", "quotedb_bench_20k")
SERVER = (os.environ.get("BENCH_PG") or "postgresql://postgres@127.0.0.1:5432").rstrip("/")


def configure():
    """B's settings in the bench (bench/run.py contender_env), the access log quiet."""
    sys.path.insert(0, str(ROOT))
    from bench.run import Config, contender_env

    corpus = types.SimpleNamespace(url=f"{SERVER}/{DATABASE}")
    os.environ.update(contender_env("B", corpus, Config()), DJANGO_LOG_LEVEL="WARNING")


def endpoints() -> dict[str, list[str]]:
    import psycopg

    manifest = json.loads((ROOT / "bench" / ".state" / f"{DATABASE}.json").read_text())
    with psycopg.connect(f"{SERVER}/{DATABASE}") as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM quotes_quote WHERE status = 'published' ORDER BY id LIMIT 2000"
            )
        ]
    return {
        "detail": [f"/api/v1/quotes/{pk}/" for pk in ids[::10]],
        "list_20": ["/api/v1/quotes/?page_size=20"],
        "list_100": ["/api/v1/quotes/?page_size=100"],
        "speaker": [f"/api/v1/quotes/?speaker={manifest['busiest_speaker']['slug']}"],
        "search_rare": [f"/api/v1/quotes/?q={manifest['search_terms']['rare']['term']}"],
    }


def caller(application):
    def call(path: str) -> bytes:
        path_info, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8765",
            "HTTP_HOST": "127.0.0.1:8765",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        body = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"{path}: {status[0]} {body[:300]!r}")
        return body

    return call


class Swap:
    """Attributes set to the generic code while `generic()` is on, restored by `ours()`."""

    def __init__(self, label, *replacements):
        self.label = label
        self.replacements = replacements  # (owner, name, generic value)
        self.saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in replacements]

    def generic(self):
        for owner, name, value in self.replacements:
            setattr(owner, name, value)

    def ours(self):
        for owner, name, value in self.saved:
            setattr(owner, name, value)


class Thresholds:
    label = "Python's gc thresholds (700, 10, 10)"

    def generic(self):
        gc.set_threshold(700, 10, 10)

    def ours(self):
        gc.set_threshold(50_000, 20, 100)  # the tuning config/wsgi.py had


def variants() -> dict:
    from rest_framework import generics, permissions, serializers

    from core.api import permissions as core_permissions
    from core.api.serializers import StrictModelSerializer
    from core.api.views import ContentBehaviour

    fields = (StrictModelSerializer, "get_fields", serializers.ModelSerializer.get_fields)
    compiled = (ContentBehaviour, "get_object", generics.GenericAPIView.get_object)
    model = (
        core_permissions.ModelOfTheView,
        "_queryset",
        permissions.DjangoModelPermissions._queryset,
    )
    return {
        "all": lambda: Swap("DRF's code in all three places", fields, compiled, model),
        "fields": lambda: Swap("ModelSerializer.get_fields", fields),
        "compiled": lambda: Swap("DRF's get_object (compiled each time)", compiled),
        "permissions": lambda: Swap("DjangoModelPermissions._queryset", model),
        "gc": Thresholds,
    }


def measure(call, paths, swap, rounds, batch):
    cpu = {"ours": [], "generic": []}
    for index in range(rounds):
        order = ("generic", "ours") if index % 2 else ("ours", "generic")
        for which in order:
            getattr(swap, which)()
            for warm in range(3):
                call(paths[warm % len(paths)])
            started = time.process_time()
            for i in range(batch):
                call(paths[(index * batch + i) % len(paths)])
            cpu[which].append((time.process_time() - started) / batch * 1000)
    swap.ours()
    return {which: statistics.median(values) for which, values in cpu.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="*", default=["all"])
    parser.add_argument("--endpoints", default="detail,list_20")
    parser.add_argument("--rounds", type=int, default=14)
    parser.add_argument("--batch", type=int, default=30)
    args = parser.parse_args()
    configure()
    from config.wsgi import application

    call, paths, known = caller(application), endpoints(), variants()
    unknown = set(args.variants) - set(known)
    if unknown:
        sys.exit(f"unknown variants: {', '.join(sorted(unknown))}; choose from {', '.join(known)}")
    for name in args.variants:
        swap = known[name]()
        for endpoint in args.endpoints.split(","):
            result = measure(call, paths[endpoint], swap, args.rounds, args.batch)
            print(
                f"{name:12s} {endpoint:12s} ours {result['ours']:7.3f} ms   "
                f"{swap.label}: {result['generic']:7.3f} ms   "
                f"ratio {result['ours'] / result['generic']:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()

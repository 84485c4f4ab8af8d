"""make bench: the API (B) against its limit (A, bench/raw_app.py) and a naive DRF (C), and the
API again with its response cache warm (Bc, core.cache), at two corpus sizes.

Sets up what it needs: wrk (Debian's package), one PostgreSQL database per corpus size, filled
by the bench app's `generate_corpus` (skipped when already filled with the same size and seed),
for Bc a Redis of its own (Debian's redis-server on loopback, nothing kept on disk, started for
the big corpus's run and stopped after it), then serves each contender in turn with the same
gunicorn setup on loopback, warms each endpoint up, loads it with wrk and prints requests/s and
p50/p99 latency, the ratios B/A, B/C and Bc/A, queries per request, worker memory, and which
targets are met. A, B and C are measured on both corpora (the small one first), Bc on the big
one only: one table per size, then the targets at both sizes. The results go to
bench/results/<big size>.md and .json.

B runs with the response cache off (DJANGO_RESPONSE_CACHE=0, no REDIS_URL): it is what the API
costs when it computes every answer. Bc is the same app with REDIS_URL set and the cache on;
before each of its endpoints is measured, every path of the endpoint is requested once, then
again, and the second answer must say `X-Cache: HIT` (after the load too): the run stops if a
cacheable endpoint does not hit. The random quote is never cached: Bc computes it as B does.

Settings, from the environment (`make bench BENCH_QUOTES=20000 BENCH_DURATION=2` is a smoke run):

    BENCH_QUOTES        quotes in the big corpus                   1000000
    BENCH_SMALL_QUOTES  quotes in the small corpus                 20000 (BENCH_QUOTES / 10,
                                                                   at least 1, if BENCH_QUOTES
                                                                   is 20000 or fewer)
    BENCH_SEED          seed of generate_corpus                    1
    BENCH_DURATION      seconds of load per endpoint               10
    BENCH_WARMUP        seconds of warm-up load per endpoint       2
    BENCH_WORKERS       gunicorn workers                           2
    BENCH_THREADS       threads per worker (gthread)               4
    BENCH_CONNECTIONS   wrk connections                            workers x threads
    BENCH_CONTENDERS    which to run                               A,B,Bc,C
    BENCH_PG            PostgreSQL server                          postgresql://postgres@127.0.0.1:5432
    BENCH_PORT          loopback ports of the contenders from      8765
    BENCH_REDIS_PORT    loopback port of Bc's Redis                6381
    BENCH_QUIET_CORES   CPU other processes may take meanwhile     0.25
    BENCH_QUIET_BUDGET  seconds to wait, in all, for a quiet machine  900
"""

import base64
import contextlib
import datetime
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
STATE = BENCH / ".state"  # markers and logs, git-ignored
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

ENDPOINTS = {
    "detail": "quote detail",
    "list_20": "list, first page, 20",
    "list_100": "list, first page, 100",
    "deep": "list, deep page (90%)",
    "speaker": "list by speaker",
    "search_rare": "search, rare term",
    "search_medium": "search, medium term",
    "search_common": "search, common term",
    "random": "random quote",
}
LIST_ENDPOINTS = ["list_20", "list_100", "deep", "speaker"]
UNCACHED_ENDPOINTS = {"random"}  # never stored by core.cache: Bc computes them as B does
SEARCH_ENDPOINTS = ["search_rare", "search_medium", "search_common"]
DETAIL_IDS = 200  # the detail endpoint cycles through this many quotes
SMALL_QUOTES = 20_000  # the small corpus, unless the big one is no bigger
SIZES = ("small", "big")

CONTENDERS = {
    "A": "raw WSGI + psycopg pool + orjson",
    "B": "our API",
    "Bc": "our API, response cache warm (Redis)",
    "C": "naive DRF",
}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


class Config:
    def __init__(self):
        self.quotes = env_int("BENCH_QUOTES", 1_000_000)
        small_default = SMALL_QUOTES if self.quotes > SMALL_QUOTES else max(1, self.quotes // 10)
        self.small_quotes = env_int("BENCH_SMALL_QUOTES", small_default)
        self.seed = env_int("BENCH_SEED", 1)
        self.duration = env_int("BENCH_DURATION", 10)
        self.warmup = env_int("BENCH_WARMUP", 2)
        self.workers = env_int("BENCH_WORKERS", 2)
        self.threads = env_int("BENCH_THREADS", 4)
        self.connections = env_int("BENCH_CONNECTIONS", self.workers * self.threads)
        self.contenders = (os.environ.get("BENCH_CONTENDERS") or "A,B,Bc,C").split(",")
        self.server = (os.environ.get("BENCH_PG") or "postgresql://postgres@127.0.0.1:5432").rstrip(
            "/"
        )
        self.port = env_int("BENCH_PORT", 8765)
        self.redis_port = env_int("BENCH_REDIS_PORT", 6381)
        # Other processes may use this much CPU (in cores) during a measurement; a run that
        # saw more is repeated, after waiting for the machine to calm down (see QuietWaiter).
        self.quiet_cores = float(os.environ.get("BENCH_QUIET_CORES") or 0.25)
        self.quiet_budget = env_int("BENCH_QUIET_BUDGET", 900)

    def as_dict(self):
        return {k: v for k, v in vars(self).items() if k != "server"}


def log(message: str):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def label(quotes: int) -> str:
    """1000000 -> 1m, 100000 -> 100k: the corpus's name in database and file names."""
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if quotes % size == 0:
            return f"{quotes // size}{suffix}"
    return str(quotes)


# ---------------------------------------------------------------------------- set-up


def ensure_debian_package(command: str, package: str | None = None):
    """`command` on the PATH, from Debian's package of that name if it is missing."""
    if shutil.which(command):
        return
    package = package or command
    log(f"{command} is missing: installing Debian's package (apt-get install -y {package})")
    install = ["apt-get", "install", "-y", "-qq", package]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    if not shutil.which(command):
        sys.exit(f"{command} could not be installed: install it (apt-get install {package}).")


class Redis:
    """Bc's shared cache: a redis-server of the bench's own on loopback, that keeps nothing on
    disk. Started by the bench, a child of it (so its CPU counts as the bench's, not as other
    processes'), and stopped at the end."""

    def __init__(self, config: Config):
        self.port = config.redis_port
        self.url = f"redis://127.0.0.1:{self.port}/0"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            sys.exit(
                f"something already listens on 127.0.0.1:{self.port}: set BENCH_REDIS_PORT to a "
                "free port (the bench's Redis is its own, and emptied)"
            )
        (STATE / "logs").mkdir(parents=True, exist_ok=True)
        self.log_path = STATE / "logs" / f"redis-{self.port}.log"
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
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
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.log_path}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                log(f"Redis for Bc on 127.0.0.1:{self.port}")
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer in 10 s; see {self.log_path}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def ensure_postgres(config: Config):
    try:
        psycopg.connect(f"{config.server}/postgres", connect_timeout=5).close()
        return
    except psycopg.OperationalError as exc:
        reason = exc
    clusters = Path("/etc/postgresql")
    if "127.0.0.1" in config.server and clusters.is_dir() and shutil.which("pg_ctlcluster"):
        version = sorted(p.name for p in clusters.iterdir())[-1]
        log(f"PostgreSQL is down ({reason}); starting cluster {version}/main")
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
        for _ in range(30):
            with contextlib.suppress(psycopg.OperationalError):
                psycopg.connect(f"{config.server}/postgres", connect_timeout=2).close()
                return
            time.sleep(1)
    sys.exit(f"PostgreSQL at {config.server} does not answer: {reason}")


def generator_version() -> int:
    source = (BENCH / "management/commands/generate_corpus.py").read_text(encoding="utf-8")
    return int(re.search(r"^GENERATOR_VERSION = (\d+)", source, re.MULTILINE).group(1))


class Corpus:
    """One database of synthetic quotes: created, migrated and generated when needed."""

    def __init__(self, config: Config, quotes: int):
        self.quotes = quotes
        self.seed = config.seed
        self.label = label(quotes)
        self.database = f"quotedb_bench_{self.label}"
        self.url = f"{config.server}/{self.database}"
        self.marker = STATE / f"{self.database}.json"
        self.manifest: dict = {}
        self.generated_now = False

    def django_env(self) -> dict:
        return {**os.environ, "DATABASE_URL": self.url, "DJANGO_LOG_LEVEL": "WARNING"}

    def prepare(self, server: str):
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.database]
            ).fetchone()
            if not exists:
                log(f"creating database {self.database}")
                connection.execute(f'CREATE DATABASE "{self.database}"')
        manage = [str(BIN / "python"), "manage.py"]
        subprocess.run(
            [*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=self.django_env(), check=True
        )
        if self.up_to_date():
            self.manifest = json.loads(self.marker.read_text(encoding="utf-8"))
            log(f"{self.database}: {self.quotes:,} quotes already generated (seed {self.seed})")
            return
        log(f"{self.database}: generating {self.quotes:,} quotes (seed {self.seed})")
        STATE.mkdir(exist_ok=True)
        self.marker.unlink(missing_ok=True)
        started = time.perf_counter()
        subprocess.run(
            [
                *manage,
                "generate_corpus",
                "--settings=bench.settings",
                f"--quotes={self.quotes}",
                f"--seed={self.seed}",
                "--replace",
                f"--manifest={self.marker}",
                "-v1",
            ],
            cwd=ROOT,
            env=self.django_env(),
            stdout=subprocess.DEVNULL,  # the manifest has it all
            check=True,
        )
        self.generated_now = True
        self.manifest = json.loads(self.marker.read_text(encoding="utf-8"))
        self.manifest["command_seconds"] = round(time.perf_counter() - started, 1)
        self.marker.write_text(json.dumps(self.manifest, indent=2) + "\n", encoding="utf-8")

    def up_to_date(self) -> bool:
        """The marker says this size and seed were generated, and the database agrees."""
        if not self.marker.is_file():
            return False
        manifest = json.loads(self.marker.read_text(encoding="utf-8"))
        expected = (self.quotes, self.seed, generator_version())
        if (manifest.get("quotes"), manifest.get("seed"), manifest.get("generator_version")) != (
            expected
        ):
            return False
        with psycopg.connect(self.url) as connection:
            (count,) = connection.execute("SELECT count(*) FROM quotes_quote").fetchone()
        return count == self.quotes

    def warm_cache(self):
        """Read the tables once, so that the first contender does not pay for a cold cache."""
        with psycopg.connect(self.url) as connection:
            connection.execute("SELECT sum(length(text)) FROM sources_source")
            connection.execute("SELECT count(*), sum(length(text)) FROM quotes_quote")
            connection.execute(
                "SELECT count(*) FROM quotes_quote "
                "WHERE search_vector @@ to_tsquery('english', %s)",
                [self.manifest["search_terms"]["common"]["lexeme"]],
            )

    def endpoints(self) -> dict[str, dict[str, list[str]]]:
        """The request paths of each endpoint, per contender (C pages by number)."""
        with psycopg.connect(self.url) as connection:
            ids = [
                row[0]
                for row in connection.execute(
                    "SELECT id FROM quotes_quote WHERE status = 'published' ORDER BY id"
                )
            ]
        step = max(1, len(ids) // DETAIL_IDS)
        detail = [f"/api/v1/quotes/{quote_id}/" for quote_id in ids[::step][:DETAIL_IDS]]
        terms = self.manifest["search_terms"]
        deep_after = self.manifest["deep_page_after_id"]
        cursor = base64.urlsafe_b64encode(
            json.dumps({"v": [deep_after], "r": False, "k": ["pk"]}, separators=(",", ":")).encode()
        ).decode()
        deep_page = (ids.index(deep_after) + 1) // 20 + 1  # the page-numbered equivalent
        common = {
            "detail": detail,
            "list_20": ["/api/v1/quotes/?page_size=20"],
            "list_100": ["/api/v1/quotes/?page_size=100"],
            "speaker": [f"/api/v1/quotes/?speaker={self.manifest['busiest_speaker']['slug']}"],
            **{
                f"search_{kind}": [f"/api/v1/quotes/?q={terms[kind]['term']}"]
                for kind in ("rare", "medium", "common")
            },
            "random": ["/api/v1/quotes/random/"],
        }
        keyset = {**common, "deep": [f"/api/v1/quotes/?cursor={cursor}"]}
        numbered = {**common, "deep": [f"/api/v1/quotes/?page={deep_page}"]}
        ordered = list(ENDPOINTS)
        return {
            contender: {name: paths[name] for name in ordered}
            for contender, paths in (("A", keyset), ("B", keyset), ("Bc", keyset), ("C", numbered))
        }


# ---------------------------------------------------------------------------- servers


def contender_env(contender: str, corpus: Corpus, config: Config, redis_url: str = "") -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "REDIS_", "BENCH_DSN"))
    }
    if contender == "A":
        return {**env, "BENCH_DSN": corpus.url, "BENCH_POOL_SIZE": str(config.threads)}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.naive.settings" if contender == "C" else "config.settings",
        DATABASE_URL=corpus.url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to HTTPS.
        DJANGO_SECURE_SSL_REDIRECT="0",
        # Every request comes from 127.0.0.1: raise the limits out of the way (the throttle
        # still runs, as in production). Per second, so that its history stays short.
        DJANGO_THROTTLE_ANON="100000000/second",
        DJANGO_THROTTLE_USER="100000000/second",
        DJANGO_LOG_LEVEL="INFO",  # the access log, as in production
        # Pinned, so that a developer's .env cannot change them: the defaults.
        DJANGO_CONN_MAX_AGE="60",
        CACHE_URL="locmemcache://",
        # B and C compute every answer; Bc serves anonymous reads from its Redis (core.cache).
        DJANGO_RESPONSE_CACHE="0",
    )
    if contender == "Bc":
        if not redis_url:
            raise RuntimeError("Bc needs the bench's Redis")
        env.update(REDIS_URL=redis_url, DJANGO_RESPONSE_CACHE="1")
    return env


class Server:
    """One contender under gunicorn, with the same settings for every contender."""

    APPS = {"A": "bench.raw_app:application", "B": "config.wsgi:application"}

    def __init__(
        self, contender: str, corpus: Corpus, config: Config, port: int, redis_url: str = ""
    ):
        self.contender = contender
        self.config = config
        self.base = f"http://127.0.0.1:{port}"
        # Another server on the port would answer in place of this one: refuse to measure it.
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            raise RuntimeError(f"something already listens on 127.0.0.1:{port}: set BENCH_PORT")
        (STATE / "logs").mkdir(parents=True, exist_ok=True)
        self.log_path = STATE / "logs" / f"{contender}-{corpus.label}.log"
        command = [
            str(BIN / "gunicorn"),
            self.APPS.get(contender, "config.wsgi:application"),
            f"--bind=127.0.0.1:{port}",
            f"--workers={config.workers}",
            "--worker-class=gthread",
            f"--threads={config.threads}",
            "--timeout=120",
            "--graceful-timeout=10",
            "--log-level=warning",
        ]
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=contender_env(contender, corpus, config, redis_url),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.contender} exited; see {self.log_path}")
            probe = f"{self.base}/api/v1/quotes/?page_size=1"
            with contextlib.suppress(OSError), urllib.request.urlopen(probe, timeout=5):
                return
            time.sleep(0.3)
        raise RuntimeError(f"{self.contender} did not answer in {timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return [pid for pid, parent in processes() if parent == self.process.pid]

    def pids(self) -> set[int]:
        return {self.process.pid, *self.worker_pids()}

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return sorted(sizes)

    def get(self, path: str) -> tuple[int, bytes]:
        status, body, _ = self.get_with_headers(path)
        return status, body

    def get_with_headers(self, path: str) -> tuple[int, bytes, dict]:
        # No Accept header, as wrk sends none: the same cache key as wrk's requests.
        try:
            with urllib.request.urlopen(f"{self.base}{path}", timeout=120) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def check_cached(self, name: str, paths: list[str], prime: bool):
        """Bc: every path of the endpoint in the cache (`prime`: requested once first), each
        answered `X-Cache: HIT`; the run stops if one is not. An endpoint that is never cached
        must never say HIT or MISS."""
        for path in dict.fromkeys(paths):
            if prime:
                self.get_with_headers(path)
            status, _, headers = self.get_with_headers(path)
            state = headers.get("X-Cache")
            if name in UNCACHED_ENDPOINTS:
                if state is not None:
                    raise RuntimeError(f"Bc {path}: X-Cache {state} on an uncached endpoint")
            elif (status, state) != (200, "HIT"):
                raise RuntimeError(
                    f"Bc {path} ({name}) is not served from the cache: answered {status}, "
                    f"X-Cache {state!r}; see {self.log_path}"
                )

    def stop(self):
        """SIGTERM to the gunicorn master we started (it stops its workers), then wait."""
        if self.process.poll() is None:
            workers = self.worker_pids()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for pid in [self.process.pid, *workers]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def processes():
    """(pid, parent pid) of every process."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                yield int(entry.name), int(stat.rsplit(")", 1)[1].split()[1])


def cpu_ticks(pid: int) -> int:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    return 0


def all_cpu_ticks() -> dict[int, int]:
    return {pid: cpu_ticks(pid) for pid, _ in processes()}


def ours(database: str) -> set[int]:
    """This driver's processes (servers, their workers) and the PostgreSQL backends serving
    `database`, with their parallel workers (whose title names the leader, not the database)."""
    children: dict[int, list[int]] = {}
    titles = {}
    for pid, parent in processes():
        children.setdefault(parent, []).append(pid)
        with contextlib.suppress(OSError):
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if title.startswith("postgres:"):
                titles[pid] = title
    found, stack = set(), [os.getpid()]
    while stack:
        pid = stack.pop()
        found.add(pid)
        stack += children.get(pid, [])
    backends = {pid for pid, title in titles.items() if f" {database} " in title}
    leaders = {str(pid) for pid in backends}
    workers = {
        pid
        for pid, title in titles.items()
        if "parallel worker for PID" in title and title.split()[-1] in leaders
    }
    return found | backends | workers


def others_cores(before: dict[int, int], after: dict[int, int], mine: set[int], seconds):
    """CPU (in cores) that other processes, alive throughout, took between two snapshots."""
    ticks = sum(after[pid] - before[pid] for pid in before.keys() & after.keys() - mine)
    return max(0, ticks) / CLOCK_TICKS / seconds


# ---------------------------------------------------------------------------- load


def run_wrk(server: Server, paths: list[str], seconds: int, corpus: Corpus) -> dict:
    """Load the server with wrk; also measure the CPU that other processes took meanwhile."""
    config = server.config
    with tempfile.TemporaryDirectory() as directory:
        paths_file, report = Path(directory) / "paths", Path(directory) / "report.json"
        paths_file.write_text("\n".join(paths) + "\n")
        before, children_before = all_cpu_ticks(), resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(
            [
                "wrk",
                f"--threads={min(2, config.connections)}",
                f"--connections={config.connections}",
                f"--duration={seconds}s",
                "--timeout=60s",
                "--script",
                str(BENCH / "wrk_report.lua"),
                server.base,
            ],
            env={**os.environ, "WRK_PATHS": str(paths_file), "WRK_REPORT": str(report)},
            stdout=subprocess.DEVNULL,
            check=True,
        )
        elapsed = time.monotonic() - started
        mine, after = ours(corpus.database), all_cpu_ticks()
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_seconds = (children_after.ru_utime - children_before.ru_utime) + (
            children_after.ru_stime - children_before.ru_stime
        )
        result = json.loads(report.read_text())
    result["other_cpu_cores"] = round(others_cores(before, after, mine, elapsed), 2)
    result["wrk_cpu_cores"] = round(wrk_seconds / elapsed, 2)
    return result


class QuietWaiter:
    """On a shared machine, other processes' load skews the figures. Before each measurement,
    wait until the machine is idle (at most BENCH_QUIET_BUDGET seconds over the whole run)."""

    def __init__(self, config: Config):
        self.threshold = config.quiet_cores
        self.budget = config.quiet_budget

    def wait(self, server: "Server", corpus: Corpus):
        waited = 0.0
        while self.budget > 0:
            before = all_cpu_ticks()
            time.sleep(1)
            cores = others_cores(before, all_cpu_ticks(), ours(corpus.database), 1)
            if cores <= self.threshold:
                break
            self.budget -= 1
            waited += 1
            if waited % 30 == 1:
                log(f"  waiting for a quiet machine (others use {cores:.2f} cores)")


MIN_REQUESTS = 20  # fewer, and p50/p99 say little: the run is made longer, 6 times, at most
LONG_RUN_SECONDS = 60  # this long


def wait_idle(corpus: Corpus, timeout: float = 600):
    """Wait until the requests of an earlier run are done: wrk stops, but the servers and the
    database finish what they were given, and that work would weigh on the next run (another
    contender's, maybe). Done when the database has no active query and our servers no CPU."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(corpus.url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            (active,) = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND state <> 'idle' "
                "AND pid <> pg_backend_pid()"
            ).fetchone()
            if not active:
                break
            time.sleep(0.2)
    while time.monotonic() < deadline:
        mine = ours(corpus.database) - {os.getpid()}
        before = {pid: cpu_ticks(pid) for pid in mine}
        time.sleep(0.3)
        busy = sum(cpu_ticks(pid) - ticks for pid, ticks in before.items()) / CLOCK_TICKS
        if busy / 0.3 < 0.05:
            break


def measure_endpoint(server: Server, name: str, paths: list[str], corpus: Corpus) -> dict:
    """Warm up, then load. A run that other processes disturbed is measured again (up to 3
    times; the least disturbed is kept); one that finished too few requests, for longer."""
    config = server.config
    results = []
    duration = config.duration
    cached = server.contender == "Bc"
    while len(results) < 3:
        server.quiet.wait(server, corpus)
        if cached:  # every path in the cache before the load (warm-up or not)
            server.check_cached(name, paths, prime=True)
        if config.warmup:
            wait_idle(corpus)
            run_wrk(server, paths, config.warmup, corpus)
        wait_idle(corpus)
        result = run_wrk(server, paths, duration, corpus)
        if cached:  # and still there after it: the whole load was served from the cache
            server.check_cached(name, paths, prime=False)
        result["duration"] = duration
        longer = min(LONG_RUN_SECONDS, 6 * config.duration)
        if result["requests"] < MIN_REQUESTS and duration < longer:
            duration = longer
            continue
        results.append(result)
        if result["other_cpu_cores"] <= config.quiet_cores or server.quiet.budget <= 0:
            break
    best = min(results, key=lambda r: r["other_cpu_cores"])
    best["attempts"] = len(results)
    return best


def measure(
    contenders: list[str], corpus: Corpus, config: Config, paths: dict, quiet, redis_url=""
) -> dict:
    """Serve the contenders side by side (one port each, the same gunicorn settings) and load
    each endpoint on each contender in turn: A, B and C of an endpoint are measured minutes
    apart at most, under the same conditions, however the machine's load drifts."""
    servers = {}
    try:
        for index, contender in enumerate(contenders):
            log(f"{contender} ({CONTENDERS[contender]}) on {corpus.label}: starting gunicorn")
            servers[contender] = Server(contender, corpus, config, config.port + index, redis_url)
            servers[contender].quiet = quiet
        measured = {}
        for contender, server in servers.items():
            server.wait_ready()
            measured[contender] = {"endpoints": {}, "bodies": {}}
            for name, endpoint_paths in paths[contender].items():
                status, body = server.get(endpoint_paths[0])
                if status != 200:
                    raise RuntimeError(
                        f"{contender} {endpoint_paths[0]} answered {status}: {body[:300]}"
                    )
                # Each contender has its own port: links are compared without it.
                body = body.decode().replace(server.base, "http://127.0.0.1")
                measured[contender]["bodies"][name] = body
            measured[contender]["rss_mb_before"] = server.worker_rss_mb()
        for name in ENDPOINTS:
            for contender, server in servers.items():
                result = measure_endpoint(server, name, paths[contender][name], corpus)
                wait_idle(corpus)
                measured[contender]["endpoints"][name] = result
                log_result(contender, name, result, config.duration)
        for contender, server in servers.items():
            measured[contender]["rss_mb_after"] = server.worker_rss_mb()
        return measured
    finally:
        for server in servers.values():
            server.stop()


def log_result(contender: str, name: str, result: dict, usual_duration: int):
    bad, latency = result["errors"], result["latency_ms"]
    line = (
        f"  {contender} {name:<14} {result['requests_per_second']:>9.1f} req/s  "
        f"p50 {latency['p50']:>8.2f} ms  p99 {latency['p99']:>8.2f} ms"
    )
    if result["other_cpu_cores"] > 0.1:
        line += f"  others' CPU {result['other_cpu_cores']:.2f} cores"
    if result["attempts"] > 1:
        line += f"  ({result['attempts']} attempts)"
    if result["duration"] != usual_duration:
        line += f"  ({result['duration']} s: too few requests in {usual_duration} s)"
    if any(bad.values()):
        line += f"  ERRORS {bad}"
    log(line)


def count_queries(corpus: Corpus, paths: dict, contender: str) -> dict:
    """Statements per request of B (compared with A's) or C, in-process."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(paths, file)
    env = contender_env("C" if contender == "C" else "B", corpus, Config())
    env["DJANGO_LOG_LEVEL"] = "WARNING"
    command = [str(BIN / "python"), "-m", "bench.queries", file.name]
    if contender == "B":
        command.append("--raw-app")
        env.update(BENCH_DSN=corpus.url, BENCH_POOL_SIZE="1")
    try:
        output = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"counting queries failed:\n{error.stderr}") from error
    finally:
        os.unlink(file.name)
    return json.loads(output)


# ---------------------------------------------------------------------------- report


def same_json(a_body: str, b_body: str) -> str:
    if a_body == b_body:
        return "identical"
    a, b = json.loads(a_body), json.loads(b_body)
    if a == b:
        return "equal (key order or spacing differs)"
    return "different"


def shape(value: dict) -> list:
    """The keys of a quote and of its brief speaker and source, in order (for the random quote,
    whose values vary from request to request)."""
    return [list(value), list(value["speaker"]), list(value["source"])]


def ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def machine() -> dict:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    release = Path("/etc/os-release").read_text() if Path("/etc/os-release").exists() else ""
    os_name = re.search(r'PRETTY_NAME="(.*)"', release)
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    packages = ["Django", "djangorestframework", "gunicorn", "psycopg", "psycopg-pool", "orjson"]
    return {
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory.group(1)) / 1024**2, 1) if memory else None,
        "os": os_name.group(1) if os_name else platform.platform(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: importlib.metadata.version(name) for name in packages},
        "wrk": (wrk.stdout + wrk.stderr).split("\n", 1)[0].split(" [")[0],
    }


def postgres_settings(corpus: Corpus) -> dict:
    names = [
        "server_version",
        "shared_buffers",
        "work_mem",
        "effective_cache_size",
        "max_parallel_workers_per_gather",
        "jit",
    ]
    with psycopg.connect(corpus.url) as connection:
        return {name: connection.execute(f"SHOW {name}").fetchone()[0] for name in names}


def ratio(numerator, denominator):
    return round(numerator / denominator, 2) if numerator and denominator else None


def size_rows(config, key: str, runs: dict, queries: dict) -> list[dict]:
    """The table of one corpus size (`key`, "small" or "big"): a row per endpoint."""
    rows = []
    for name, title in ENDPOINTS.items():
        row = {"endpoint": name, "title": title}
        for contender in config.contenders:
            result = runs.get((contender, key), {}).get("endpoints", {}).get(name)
            if result:
                row[contender] = {
                    "rps": round(result["requests_per_second"], 1),
                    "p50_ms": result["latency_ms"]["p50"],
                    "p99_ms": result["latency_ms"]["p99"],
                    "errors": sum(result["errors"].values()),
                    "other_cpu_cores": result["other_cpu_cores"],
                    "requests": result["requests"],
                    "seconds": result["duration"],
                }
        b = row.get("B", {}).get("rps")
        row["B/A"] = ratio(b, row.get("A", {}).get("rps"))
        row["B/C"] = ratio(b, row.get("C", {}).get("rps"))
        row["Bc/A"] = ratio(row.get("Bc", {}).get("rps"), row.get("A", {}).get("rps"))
        row["cached"] = name not in UNCACHED_ENDPOINTS
        for corpus_key in SIZES:
            count = queries.get(("B", corpus_key), {}).get(name, {})
            row[f"B_queries_{corpus_key}"] = count.get("queries")
        row["B_queries"] = queries.get(("B", key), {}).get(name, {}).get("queries")
        row["C_queries"] = queries.get(("C", key), {}).get(name, {}).get("queries")
        row["A_same_sql"] = queries.get(("B", key), {}).get(name, {}).get("same_sql")
        rows.append(row)
    return rows


def same_bodies(runs: dict, key: str, first: str, second: str) -> dict:
    """`first`'s answers compared with `second`'s at one corpus size; for the random quote (its
    values vary from request to request), their keys only."""
    if (first, key) not in runs or (second, key) not in runs:
        return {}
    compared = {}
    for name in ENDPOINTS:
        a_body, b_body = runs[(first, key)]["bodies"][name], runs[(second, key)]["bodies"][name]
        if name in UNCACHED_ENDPOINTS:
            a_keys, b_keys = shape(json.loads(a_body)), shape(json.loads(b_body))
            compared[name] = "same keys" if a_keys == b_keys else "different keys"
        else:
            compared[name] = same_json(a_body, b_body)
    return compared


def build_targets(corpora, rows: dict[str, list[dict]], runs, queries) -> list[dict]:
    """Issue #16's targets at each size measured, the older ones at the big size only. Each
    target says its endpoint and its corpus ("20k", or "20k vs 1m" for a comparison)."""
    small, big = corpora["small"], corpora["big"]
    by_size = {key: {row["endpoint"]: row for row in rows[key]} for key in rows}
    targets = []

    def target(what, endpoint, corpus, value, met, shown, size=None):
        targets.append(
            {
                "target": what,
                "endpoint": endpoint,
                "size": size,
                "corpus": corpus,
                "value": value,
                "met": met,
                "shown": shown,
            }
        )

    def each(names, sizes=SIZES):
        """(endpoint, size, its row) for each endpoint at each size measured, sizes adjacent."""
        for name in names:
            for key in sizes:
                if key in by_size:
                    yield name, key, by_size[key][name]

    def at_each(what, names, column, threshold, sizes=SIZES):
        for name, key, row in each(names, sizes):
            value = row[column]
            if value is not None:
                corpus = corpora[key].label
                target(what, name, corpus, value, value >= threshold, f"{value:.2f}", key)

    at_each("B/A ≥ 0.5", ["detail", *LIST_ENDPOINTS], "B/A", 0.5)
    at_each("B/A ≥ 0.6", SEARCH_ENDPOINTS, "B/A", 0.6)
    at_each("B ≥ C", ENDPOINTS, "B/C", 1.0)
    for name, key, row in each(SEARCH_ENDPOINTS):
        b, a = row.get("B", {}), row.get("A", {})
        if b.get("rps") and a.get("rps") and a["p99_ms"]:
            value = round(b["p99_ms"] / a["p99_ms"], 2)
            target(
                "search p99 ≤ 2 × A's p99",
                name,
                corpora[key].label,
                value,
                value <= 2,
                f"B {ms(b['p99_ms'])} ms, A {ms(a['p99_ms'])} ms ({value:.2f} ×)",
                key,
            )
    at_each("cached B ≥ 2 × A", ["detail", *LIST_ENDPOINTS, *SEARCH_ENDPOINTS], "Bc/A", 2, ["big"])
    at_each("B ≥ 3 × C", ["list_20", "list_100"], "B/C", 3, ["big"])
    for name, key, row in each(["search_rare", "search_medium"], ["big"]):
        p99 = row.get("B", {}).get("p99_ms")
        if p99 and row["B"]["rps"]:
            target("B p99 ≤ 50 ms", name, big.label, p99, p99 <= 50, f"{ms(p99)} ms", key)
    if "big" in by_size:
        first, deep = by_size["big"]["list_20"].get("B", {}), by_size["big"]["deep"].get("B", {})
        if first.get("rps") and deep:
            value = round(deep["rps"] / first["rps"], 2)
            met = 0.9 <= value <= 1.1
            target(
                "deep page = first page ± 10%", "deep", big.label, value, met, f"{value:.2f}", "big"
            )
    b_small, b_big = queries.get(("B", "small"), {}), queries.get(("B", "big"), {})
    between = f"{small.label} vs {big.label}"
    if b_small and b_big:
        for name in ENDPOINTS:
            counts = (b_small[name]["queries"], b_big[name]["queries"])
            target(
                "queries constant",
                name,
                between,
                counts,
                counts[0] == counts[1],
                f"{counts[0]} at {small.label}, {counts[1]} at {big.label}",
            )
    for key in SIZES:
        counted = queries.get(("B", key))
        if counted:
            counts = (counted["list_20"]["queries"], counted["list_100"]["queries"])
            target(
                "queries constant",
                "list_20 vs list_100",
                corpora[key].label,
                counts,
                counts[0] == counts[1],
                f"{counts[0]} for 20, {counts[1]} for 100",
                key,
            )
    if ("B", "small") in runs and ("B", "big") in runs:
        small_rss = max(runs[("B", "small")]["rss_mb_after"])
        big_rss = max(runs[("B", "big")]["rss_mb_after"])
        value = round(big_rss / small_rss, 2)
        target(
            "worker memory flat (≤ +10%)",
            "B workers",
            between,
            value,
            value <= 1.1,
            f"{small_rss:.0f} MB at {small.label} → {big_rss:.0f} MB at {big.label}",
        )
    return targets


def build_report(config, corpora, runs, queries) -> dict:
    big = corpora["big"]
    rows = {key: size_rows(config, key, runs, queries) for key in SIZES}
    # A size is reported if some contender was measured on it (with BENCH_CONTENDERS=Bc, the
    # small corpus is not); the big one always, for "rows".
    measured = [key for key in SIZES if key == "big" or any(k == key for _, k in runs)]
    sizes = {
        key: {
            "label": corpora[key].label,
            "quotes": corpora[key].quotes,
            "rows": rows[key],
            "same_json_a_b": same_bodies(runs, key, "A", "B"),
            "same_json_b_bc": same_bodies(runs, key, "B", "Bc"),
        }
        for key in measured
    }
    memory = {}
    for key in SIZES:
        run = runs.get(("B", key))
        if run:
            memory[key] = {"before": run["rss_mb_before"], "after": run["rss_mb_after"]}
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "postgres": postgres_settings(big),
        "config": config.as_dict(),
        "corpora": {
            key: {
                "quotes": c.quotes,
                "label": c.label,
                "database": c.database,
                "manifest": c.manifest,
            }
            for key, c in corpora.items()
        },
        "sizes": sizes,
        # The big size's, as before there were two tables.
        "rows": sizes["big"]["rows"],
        "same_json_a_b": sizes["big"]["same_json_a_b"],
        "same_json_b_bc": sizes["big"]["same_json_b_bc"],
        "targets": build_targets(corpora, {key: rows[key] for key in measured}, runs, queries),
        "memory_mb": memory,
        "queries": {f"{c}-{k}": v for (c, k), v in queries.items()},
        "runs": {
            f"{c}-{k}": {key: value for key, value in run.items() if key != "bodies"}
            for (c, k), run in runs.items()
        },
    }


def size_table(report: dict, key: str, size: dict) -> list[str]:
    """One corpus size: its corpus line, then its table, with the contenders measured on it."""
    config, corpus = report["config"], report["corpora"][key]
    rows = size["rows"]
    contenders = [
        c for c in config["contenders"] if c in CONTENDERS and any(c in row for row in rows)
    ]
    cached = "Bc" in contenders
    lines = [
        f"Corpus: {corpus['quotes']:,} quotes "
        f"({corpus['manifest'].get('published_quotes', 0):,} published), seed {config['seed']}. "
        f"gunicorn gthread, {config['workers']} workers × {config['threads']} threads; wrk, "
        f"{config['connections']} connections, {config['duration']} s per endpoint after "
        f"{config['warmup']} s of warm-up.",
        "",
        "| endpoint | "
        + " | ".join(f"{c} req/s | {c} p50 ms | {c} p99 ms" for c in contenders)
        + " | B/A | B/C | "
        + ("Bc/A | " if cached else "")
        + "B queries |",
        "| --- | "
        + " | ".join("---: | ---: | ---:" for _ in contenders)
        + " | ---: | ---: | "
        + ("---: | " if cached else "")
        + "---: |",
    ]
    for row in rows:
        cells = [
            row["title"] + ("" if row.get("cached", True) or not cached else " (never cached)")
        ]
        for c in contenders:
            r = row.get(c)
            if not r:
                cells += ["", "", ""]
            elif not r["rps"]:  # not one request finished within the run
                cells += ["0", "–", "–"]
            else:
                cells += [f"{r['rps']:,.0f}", ms(r["p50_ms"]), ms(r["p99_ms"])]
        queries = row.get("B_queries", row.get(f"B_queries_{key}"))
        cells += [
            f"{row['B/A']:.2f}" if row["B/A"] is not None else "",
            f"{row['B/C']:.2f}" if row["B/C"] is not None else "",
            *([f"{row['Bc/A']:.2f}" if row.get("Bc/A") is not None else ""] if cached else []),
            str(queries or ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(report: dict) -> str:
    config = report["config"]
    big_label = report["corpora"]["big"].get("label", "big")
    sizes = report.get("sizes") or {"big": {"label": big_label, "rows": report["rows"]}}
    contenders = [c for c in config["contenders"] if c in CONTENDERS]
    lines = []
    for key, size in sizes.items():
        lines += [*size_table(report, key, size), ""]
    lines += ["| target | endpoint | measured | |", "| --- | --- | --- | --- |"]
    for t in report["targets"]:
        verdict = "met" if t["met"] else "**missed**"
        endpoint = f"{t['endpoint']} ({t['corpus']})" if t.get("corpus") else t["endpoint"]
        lines.append(f"| {t['target']} | {endpoint} | {t['shown']} | {verdict} |")
    lines.append("")
    for key, size in sizes.items():
        manifest = report["corpora"][key]["manifest"]
        terms = manifest.get("search_terms") or {}
        speaker = manifest.get("busiest_speaker") or {}
        lines.append(
            f"Search terms at {size['label']}: "
            + ", ".join(
                f"{kind} “{t['term']}” ({t['quotes']:,} quotes)" for kind, t in terms.items()
            )
            + f"; speaker: {speaker.get('slug')} ({speaker.get('quotes', 0):,} quotes, the most "
            "quoted)."
        )
    for key, what in (
        ("same_json_a_b", "A's responses compared with B's"),
        ("same_json_b_bc", "Bc's responses (from the cache) compared with B's"),
    ):
        for size in sizes.values():
            if size.get(key):
                verdicts = ", ".join(f"{name} {verdict}" for name, verdict in size[key].items())
                lines.append(f"{what} at {size['label']}: {verdicts}.")
    if "Bc" in contenders:
        lines.append(
            f"Bc (at {big_label} only): B with REDIS_URL set and the response cache on "
            "(core.cache), every path of an endpoint requested before its load and answered "
            "`X-Cache: HIT` before and after it; B runs with the cache off. The random quote is "
            "never cached: Bc computes it as B does, with the cache's lookups on top."
        )
    compared = [
        size for size in sizes.values() if any(r["A_same_sql"] is not None for r in size["rows"])
    ]
    differing = {
        size["label"]: [row["endpoint"] for row in size["rows"] if row["A_same_sql"] is False]
        for size in compared
    }
    if compared and not any(differing.values()):
        lines.append(
            "A sends the same SQL as B on every endpoint, at " + " and at ".join(differing) + "."
        )
    else:
        for corpus, names in differing.items():
            lines.append(
                f"A sends the same SQL as B on every endpoint at {corpus}."
                if not names
                else f"A's SQL differs from B's at {corpus} on: {', '.join(names)} "
                "(update bench/raw_app.py)."
            )
    measured = [
        (size["label"], row, c)
        for size in sizes.values()
        for row in size["rows"]
        for c in contenders
        if row.get(c)
    ]
    disturbed = [
        f"{c} {row['endpoint']} at {corpus} ({row[c]['other_cpu_cores']:.2f})"
        for corpus, row, c in measured
        if row[c]["other_cpu_cores"] > 0.1
    ]
    if disturbed:
        lines.append(
            "Other processes used more than 0.1 of a core during: " + ", ".join(disturbed) + "."
        )
    longer = [
        f"{c} {row['endpoint']} at {corpus} ({row[c]['requests']} requests in "
        f"{row[c]['seconds']} s)"
        for corpus, row, c in measured
        if row[c]["seconds"] != config["duration"]
    ]
    if longer:
        lines.append(
            f"Measured for longer, fewer than {MIN_REQUESTS} requests finishing in "
            f"{config['duration']} s: " + ", ".join(longer) + "."
        )
    errors = [
        f"{c} {row['endpoint']} at {corpus}" for corpus, row, c in measured if row[c]["errors"]
    ]
    if errors:
        lines.append("**Errors (non-2xx or socket) during**: " + ", ".join(errors) + ".")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- main


def main():
    config = Config()
    unknown = set(config.contenders) - set(CONTENDERS)
    if unknown:
        sys.exit(
            f"BENCH_CONTENDERS: unknown {', '.join(sorted(unknown))}; "
            f"choose from {','.join(CONTENDERS)}."
        )
    ensure_debian_package("wrk")
    if "Bc" in config.contenders:
        ensure_debian_package("redis-server")
    ensure_postgres(config)
    corpora = {"small": Corpus(config, config.small_quotes), "big": Corpus(config, config.quotes)}
    for corpus in corpora.values():
        corpus.prepare(config.server)
    paths = {key: corpus.endpoints() for key, corpus in corpora.items()}

    queries = {}
    for contender, what in (("B", "B (and comparing A's SQL)"), ("C", "C")):
        if contender in config.contenders:
            for key, corpus in corpora.items():
                log(f"counting queries per request of {what} on {corpus.label}")
                queries[(contender, key)] = count_queries(corpus, paths[key][contender], contender)

    runs = {}
    quiet = QuietWaiter(config)
    # The small corpus first, every contender but Bc (the response cache is measured on the
    # big corpus only): the tables, the targets and worker memory at both sizes.
    small_contenders = [c for c in config.contenders if c != "Bc"]
    if small_contenders:
        corpora["small"].warm_cache()
        small = measure(small_contenders, corpora["small"], config, paths["small"], quiet)
        for contender, run in small.items():
            runs[(contender, "small")] = run
    corpora["big"].warm_cache()
    redis = Redis(config) if "Bc" in config.contenders else None
    try:
        big = measure(
            config.contenders, corpora["big"], config, paths["big"], quiet, redis and redis.url
        )
    finally:
        if redis:
            redis.stop()
    for contender, run in big.items():
        runs[(contender, "big")] = run

    report = build_report(config, corpora, runs, queries)
    table = markdown(report)
    RESULTS.mkdir(exist_ok=True)
    name = corpora["big"].label
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(table, encoding="utf-8")
    print()
    print(table)
    log(f"written: bench/results/{name}.md and bench/results/{name}.json")


if __name__ == "__main__":
    main()

"""Statement suggestions at scale (make bench-statements): `suggest_statements(quote)` for new
quotes against a corpus of 1M on PostgreSQL, with the plans of its queries.

    python -m bench.statements [--quotes 1000000] [--seed 1] [--calls 300] [--warmup 60]

1. The corpus: a PostgreSQL database of its own (`quotedb_bench_statements_<size>`), filled by
   the bench app's `generate_corpus` (speakers quoted along a Zipf curve, so a few have very
   many quotes: the worst case for an index per speaker), its `match_text` filled by the app's
   own function. Reused when its marker in bench/.state/ says this size, seed and generator
   version were made and the database still holds that many quotes, all with a match text.
2. `--calls` new quotes, each in a source of its own, half of them the most quoted speaker's
   (the worst case) and half a speaker drawn as a random existing quote's (the usual case), in
   four length classes (2-3 words, 4-8, 9-30, 31 or more) and four kinds: an exact repeat of
   an existing quote of the speaker (re-punctuated, re-cased), a containment (a run of an
   existing quote's words, or an existing quote inside new words), a near-verbatim edit (a word
   changed, dropped or two swapped) and unrelated words. Each quote is made in a savepoint
   rolled back after its call, all in one transaction rolled back at the end: the corpus stays
   as it was (the tables written to are vacuumed first, so that the dead rows of earlier runs
   do not count). `--warmup` calls of other quotes first, unmeasured (warm-cache figures).
3. The time of each `suggest_statements(quote)` call (wall clock, in this process: Django,
   psycopg and the queries), its queries, and for the slowest call of each length class of the
   most quoted speaker, EXPLAIN (ANALYZE, BUFFERS) of each SELECT it ran.

Prints a Markdown table and writes bench/results/statements.md and statements.json.

Settings from the environment: BENCH_PG (the PostgreSQL server, default
postgresql://postgres@127.0.0.1:5432).
"""

import argparse
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.run import generator_version, label, log

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
STATE = BENCH / ".state"  # markers and logs, git-ignored
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent

TARGET_P99_MS = 50.0
LENGTH_CLASSES = {  # name: (fewest words, most words)
    "2-3 words": (2, 3),
    "4-8 words": (4, 8),
    "9-30 words": (9, 30),
    "31+ words": (31, 80),
}
KINDS = ["exact", "containment", "near-verbatim", "unrelated"]
# The tables the measured calls write to (then roll back).
VACUUMED = [
    "quotes_statementsuggestion",
    "quotes_historicalstatementsuggestion",
    "quotes_quote",
    "quotes_historicalquote",
    "sources_source",
    "sources_historicalsource",
    "sources_outlet",
]


# ---------------------------------------------------------------------------- the corpus


class Corpus:
    """The benchmark's database: created, migrated and generated when needed."""

    def __init__(self, server: str, quotes: int, seed: int):
        self.server, self.quotes, self.seed = server, quotes, seed
        self.database = f"quotedb_bench_statements_{label(quotes)}"
        self.url = f"{server}/{self.database}"
        self.marker = STATE / f"{self.database}.json"
        self.manifest: dict = {}
        self.generated_now = False

    def prepare(self):
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.database]
            ).fetchone()
            if not exists:
                log(f"creating database {self.database}")
                connection.execute(f'CREATE DATABASE "{self.database}"')
        env = {**os.environ, "DATABASE_URL": self.url, "DJANGO_LOG_LEVEL": "WARNING"}
        manage = [str(BIN / "python"), "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        if self.up_to_date():
            self.manifest = json.loads(self.marker.read_text(encoding="utf-8"))
            log(f"{self.database}: {self.quotes:,} quotes already generated (seed {self.seed})")
            return
        log(f"{self.database}: generating {self.quotes:,} quotes (seed {self.seed}); minutes")
        STATE.mkdir(exist_ok=True)
        self.marker.unlink(missing_ok=True)
        partial = self.marker.with_suffix(".partial.json")
        started = time.perf_counter()
        subprocess.run(
            [
                *manage,
                "generate_corpus",
                "--settings=bench.settings",
                f"--quotes={self.quotes}",
                f"--seed={self.seed}",
                "--replace",
                f"--manifest={partial}",
                "-v1",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the manifest has it all
            check=True,
        )
        self.generated_now = True
        self.manifest = json.loads(partial.read_text(encoding="utf-8"))
        self.manifest["command_seconds"] = round(time.perf_counter() - started, 1)
        self.marker.write_text(json.dumps(self.manifest, indent=2) + "\n", encoding="utf-8")
        partial.unlink()

    def up_to_date(self) -> bool:
        """The marker says this size, seed and generator were made, and the database agrees:
        as many quotes, every one with its match text."""
        if not self.marker.is_file():
            return False
        manifest = json.loads(self.marker.read_text(encoding="utf-8"))
        expected = (self.quotes, self.seed, generator_version())
        found = (manifest.get("quotes"), manifest.get("seed"), manifest.get("generator_version"))
        if found != expected:
            return False
        with psycopg.connect(self.url) as connection:
            count, unmatched = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE match_text = '' AND text <> '') "
                "FROM quotes_quote"
            ).fetchone()
        return count == self.quotes and unmatched == 0


# ---------------------------------------------------------------------------- the workload


class Workload:
    """The new quotes' texts, speakers and kinds, drawn from the corpus deterministically."""

    def __init__(self, seed: int):
        from django.db import connection

        self.connection = connection
        self.rng = random.Random(f"statements:{seed}")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT speaker_id, count(*) FROM quotes_quote GROUP BY speaker_id "
                "ORDER BY count(*) DESC, speaker_id LIMIT 1"
            )
            self.busiest, self.busiest_count = cursor.fetchone()
            cursor.execute("SELECT count(*), min(id), max(id) FROM quotes_quote")
            self.total, self.min_id, self.max_id = cursor.fetchone()
            cursor.execute("SELECT count(DISTINCT speaker_id) FROM quotes_quote")
            (self.speakers,) = cursor.fetchone()
            cursor.execute(
                "SELECT percentile_disc(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY n), "
                "sum(n) FILTER (WHERE n >= 1000) FROM "
                "(SELECT count(*) n FROM quotes_quote GROUP BY speaker_id) per_speaker"
            )
            (self.speaker_median, self.speaker_p99), self.in_speakers_1000 = cursor.fetchone()
            # Words for new text: those of random quotes, so as frequent as in the corpus.
            cursor.execute(
                "SELECT text FROM quotes_quote WHERE id = ANY(%s)",
                [[self.rng.randint(self.min_id, self.max_id) for _ in range(3000)]],
            )
            self.words = [w for (text,) in cursor.fetchall() for w in text.split()]
        self.texts_of: dict[int, list[str]] = {}

    def speaker_texts(self, speaker_id: int) -> list[str]:
        if speaker_id not in self.texts_of:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT text FROM quotes_quote WHERE speaker_id = %s ORDER BY id",
                    [speaker_id],
                )
                self.texts_of[speaker_id] = [text for (text,) in cursor.fetchall()]
        return self.texts_of[speaker_id]

    def random_speaker(self) -> int:
        with self.connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT speaker_id FROM quotes_quote WHERE id = %s",
                    [self.rng.randint(self.min_id, self.max_id)],
                )
                row = cursor.fetchone()
                if row:
                    return row[0]

    def new_words(self, count: int) -> list[str]:
        return [self.rng.choice(self.words) for _ in range(count)]

    def case(self, speaker_id: int, length_class: str, kind: str) -> dict:
        rng = self.rng
        low, high = LENGTH_CLASSES[length_class]
        size = rng.randint(low, high)
        texts = self.speaker_texts(speaker_id)
        in_class = [t for t in texts if low <= len(t.split()) <= high]
        made_as = kind
        if kind == "exact" and in_class:
            words = rng.choice(in_class).split()
            text = " ".join(words)
            # The same words to match_text(): another case, other quotation marks, no stop.
            text = f"\u00ab{text.upper() if rng.random() < 0.3 else text.lower()}\u00bb"
        elif kind == "containment":
            longer = [t for t in texts if len(t.split()) > size]
            shorter = [t for t in texts if 2 <= len(t.split()) < size]
            if longer and (length_class == "2-3 words" or not shorter or rng.random() < 0.5):
                words = rng.choice(longer).split()  # a run of an existing quote's words
                start = rng.randrange(len(words) - size + 1)
                text = " ".join(words[start : start + size])
            elif shorter:  # an existing quote inside new words
                inner = rng.choice(shorter).split()
                before = rng.randint(0, size - len(inner))
                text = " ".join(
                    [*self.new_words(before), *inner, *self.new_words(size - len(inner) - before)]
                )
            else:
                made_as, text = "unrelated", " ".join(self.new_words(size))
        elif kind == "near-verbatim" and in_class:
            words = rng.choice(in_class).split()
            edit = rng.choice(["replace", "drop", "swap"])
            at = rng.randrange(len(words))
            if edit == "replace":
                words[at] = rng.choice(self.words)
            elif edit == "drop" and len(words) > 2:
                del words[at]
            else:
                at = min(at, len(words) - 2)
                words[at], words[at + 1] = words[at + 1], words[at]
            text = " ".join(words)
        else:
            made_as = "unrelated" if kind == "unrelated" else f"unrelated ({kind}: none in class)"
            text = " ".join(self.new_words(size))
        return {"speaker_id": speaker_id, "class": length_class, "kind": made_as, "text": text}

    def cases(self, calls: int) -> list[dict]:
        grid = [(c, k) for c in LENGTH_CLASSES for k in KINDS]
        made = []
        for index in range(calls):
            length_class, kind = grid[index % len(grid)]
            busiest = (index // len(grid)) % 2 == 0
            speaker = self.busiest if busiest else self.random_speaker()
            case = self.case(speaker, length_class, kind)
            case["speaker"] = "most quoted" if busiest else "random"
            made.append(case)
        return made


# ---------------------------------------------------------------------------- measuring


def shape(sql: str) -> str:
    """A query's shape: its SQL with lists of parameters folded."""
    sql = re.sub(r"\(\s*%s(?:\s*,\s*%s)+\s*\)", "(%s, ...)", sql)
    sql = re.sub(r'SAVEPOINT "[^"]+"', 'SAVEPOINT "…"', sql)
    return re.sub(r"\s+", " ", sql).strip()


class Recorder:
    """Django's execute wrapper: every statement run, with its parameters and time."""

    def __init__(self):
        self.queries: list[dict] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.queries.append({"sql": sql, "params": params, "ms": ms})


def kind_of(sql: str) -> str:
    head = sql.lstrip().split(None, 1)[0].upper()
    if head in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return "savepoint"
    if "set_config" in sql:
        return "set_config"
    return head.lower()


def make_quote(case: dict, index: int, outlet):
    from quotes.models import Quote, Speaker
    from sources.models import Source

    opening = f"Benchmark source {index}.\n\n\u201c"
    text = f"{opening}{case['text']}\u201d {Speaker.objects.get(pk=case['speaker_id']).name} said."
    source = Source.objects.create(
        title=f"Statement benchmark {index}",
        slug=f"statement-benchmark-{index}",
        outlet=outlet,
        published_on=datetime.date(2025, 6, 1),
        published_on_precision="day",
        text=text,
    )
    return Quote.objects.create(
        source=source,
        start=len(opening),
        end=len(opening) + len(case["text"]),
        text=case["text"],
        speaker_id=case["speaker_id"],
        kind="statement" if len(case["text"].split()) > 6 else "fragment",
        language="en",
        status="published",
    )


def run_case(case: dict, index: int, outlet, explain: bool = False) -> dict:
    """Make the case's quote in a savepoint, time suggest_statements() on it, roll back."""
    from django.db import connection, transaction

    from quotes.statements import suggest_statements

    point = transaction.savepoint()
    try:
        quote = make_quote(case, index, outlet)
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            started = time.perf_counter()
            made = suggest_statements(quote)
            ms = (time.perf_counter() - started) * 1000
        result = {
            **case,
            "words": len(case["text"].split()),
            "ms": ms,
            "queries": len(recorder.queries),
            "selects": sum(kind_of(q["sql"]) == "select" for q in recorder.queries),
            "suggestions": len(made),
            "methods": sorted({s.method for s in made}),
            "query_ms": [
                {"shape": shape(q["sql"]), "kind": kind_of(q["sql"]), "ms": round(q["ms"], 2)}
                for q in recorder.queries
            ],
        }
        if explain:
            result["plans"] = explain_selects(recorder.queries)
        return result
    finally:
        transaction.savepoint_rollback(point)


def explain_selects(queries) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of each SELECT shape, run again with its parameters (in the
    call's transaction: the trigram threshold it set still holds)."""
    from django.db import connection

    plans, seen = [], set()
    with connection.cursor() as cursor:
        for query in queries:
            if kind_of(query["sql"]) != "select" or shape(query["sql"]) in seen:
                continue
            seen.add(shape(query["sql"]))
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}", query["params"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append({"shape": shape(query["sql"]), "ms": round(query["ms"], 2), "plan": plan})
    return plans


def percentiles(values: list[float]) -> dict:
    values = sorted(values)

    def at(share):  # nearest rank
        return values[max(0, min(len(values) - 1, round(share * len(values) + 0.5) - 1))]

    return {
        "n": len(values),
        "p50": round(statistics.median(values), 2),
        "p95": round(at(0.95), 2),
        "p99": round(at(0.99), 2),
        "max": round(values[-1], 2),
    }


def machine() -> dict:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load],
        "python": sys.version.split()[0],
    }


def measure(corpus: Corpus, calls: int, warmup: int, seed: int) -> dict:
    os.environ["DATABASE_URL"] = corpus.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction

    from sources.models import Outlet

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (pg_version,) = cursor.fetchone()
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    # The rows of earlier runs, rolled back, are dead tuples: gone before this one measures.
    with connection.cursor() as cursor:
        for table in VACUUMED:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    workload = Workload(seed)
    log(
        f"{workload.total:,} quotes, {workload.speakers:,} speakers; the most quoted has "
        f"{workload.busiest_count:,}"
    )
    load_before = machine()
    results, warm = [], []
    with transaction.atomic():
        outlet = Outlet.objects.create(name="Statement benchmark", slug="statement-benchmark")
        for index, case in enumerate(workload.cases(warmup)):
            warm.append(run_case(case, 10_000_000 + index, outlet)["ms"])
        log(f"warm-up: {warmup} calls, median {statistics.median(warm or [0]):.1f} ms")
        cases = workload.cases(calls)
        for index, case in enumerate(cases):
            results.append(run_case(case, index, outlet))
            if (index + 1) % 50 == 0:
                log(f"{index + 1}/{calls} calls")
        # Plans: the slowest call of each length class of the most quoted speaker, again.
        explained = []
        for length_class in LENGTH_CLASSES:
            mine = [
                (r["ms"], i)
                for i, r in enumerate(results)
                if r["class"] == length_class and r["speaker"] == "most quoted"
            ]
            if mine:
                _ms, i = max(mine)
                again = run_case(cases[i], 20_000_000 + i, outlet, explain=True)
                explained.append({**again, "measured_ms": results[i]["ms"]})
        transaction.set_rollback(True)  # the corpus stays as it was
    return {
        "corpus": {
            "database": corpus.database,
            "quotes": workload.total,
            "speakers": workload.speakers,
            "most_quoted_speaker_id": workload.busiest,
            "most_quoted_speaker_quotes": workload.busiest_count,
            "quotes_per_speaker_median": workload.speaker_median,
            "quotes_per_speaker_p99": workload.speaker_p99,
            "share_in_speakers_with_1000_or_more": round(
                (workload.in_speakers_1000 or 0) / workload.total, 3
            ),
            "generated_now": corpus.generated_now,
            "manifest": corpus.manifest,
        },
        "postgres": {"version": pg_version, **settings},
        "calls": calls,
        "warmup_calls": warmup,
        "machine_before": load_before,
        "machine_after": machine(),
        "results": results,
        "explained": explained,
    }


# ---------------------------------------------------------------------------- reporting


def summarise(report: dict) -> dict:
    results = report["results"]
    groups = {"all": results}
    for length_class in LENGTH_CLASSES:
        groups[length_class] = [r for r in results if r["class"] == length_class]
    for speaker in ("most quoted", "random"):
        groups[f"speaker: {speaker}"] = [r for r in results if r["speaker"] == speaker]
    for kind in KINDS:
        groups[f"kind: {kind}"] = [r for r in results if r["kind"] == kind]
    summary = {}
    for name, rows in groups.items():
        if rows:
            summary[name] = {
                **percentiles([r["ms"] for r in rows]),
                "queries": round(statistics.mean(r["queries"] for r in rows), 1),
                "selects": round(statistics.mean(r["selects"] for r in rows), 1),
                "found": sum(r["suggestions"] > 0 for r in rows),
            }
    overall = summary["all"]["p99"]
    summary["target"] = {"p99_ms": TARGET_P99_MS, "met": overall < TARGET_P99_MS}
    # Which query shape costs the most, in all calls.
    by_shape: dict[str, list[float]] = {}
    for r in results:
        for q in r["query_ms"]:
            by_shape.setdefault(q["shape"], []).append(q["ms"])
    summary["shapes"] = sorted(
        (
            {"shape": s, "runs": len(v), "total_ms": round(sum(v), 1), "max_ms": round(max(v), 2)}
            for s, v in by_shape.items()
        ),
        key=lambda item: -item["total_ms"],
    )
    return summary


def markdown(report: dict, summary: dict) -> str:
    corpus = report["corpus"]
    lines = [
        f"# `suggest_statements(quote)` against {corpus['quotes']:,} quotes (PostgreSQL)",
        "",
        f"Run {report['started']}, by `make bench-statements` ({report['duration_s']:.0f} s). "
        f"{corpus['quotes']:,} quotes of {corpus['speakers']:,} speakers; the most quoted has "
        f"{corpus['most_quoted_speaker_quotes']:,} quotes, the median speaker "
        f"{corpus['quotes_per_speaker_median']}, the 99th percentile "
        f"{corpus['quotes_per_speaker_p99']:,}; "
        f"{corpus['share_in_speakers_with_1000_or_more']:.0%} of the quotes are speakers' with "
        "1,000 or more.",
        f"{report['calls']} calls after {report['warmup_calls']} unmeasured ones (warm cache), "
        "half of them the most quoted speaker's; each new quote in a savepoint rolled back. "
        f"{report['postgres']['version'].split(' on ')[0]}, shared_buffers "
        f"{report['postgres']['shared_buffers']}, work_mem {report['postgres']['work_mem']}, "
        f"jit {report['postgres']['jit']}. Machine: {report['machine_before']['cpus']} CPUs, "
        f"load average {report['machine_before']['load_average']} before and "
        f"{report['machine_after']['load_average']} after (shared with other work).",
        "",
        "| calls | n | p50 ms | p95 ms | p99 ms | max ms | queries/call | SELECTs/call | "
        "found a match |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in summary.items():
        if name in ("target", "shapes"):
            continue
        lines.append(
            f"| {name} | {row['n']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | "
            f"{row['max']:.1f} | {row['queries']} | {row['selects']} | {row['found']} |"
        )
    met = "met" if summary["target"]["met"] else "NOT met"
    lines += [
        "",
        f"Target: p99 < {TARGET_P99_MS:.0f} ms over all calls: **{met}** "
        f"({summary['all']['p99']:.1f} ms).",
        "",
        "Queries per call count every statement sent: the SELECTs, the savepoint of "
        "`@transaction.atomic` and the INSERTs of the suggestions made and of their history "
        "(one each, however many).",
        "",
        "## Time by query shape (all calls)",
        "",
        "| total ms | runs | max ms | shape |",
        "| ---: | ---: | ---: | --- |",
    ]
    for item in summary["shapes"]:
        sql = item["shape"] if len(item["shape"]) < 400 else item["shape"][:400] + " …"
        lines.append(
            f"| {item['total_ms']:.1f} | {item['runs']} | {item['max_ms']:.2f} | `{sql}` |"
        )
    lines += [
        "",
        "## Plans: the slowest call of each length class, most quoted speaker",
        "",
    ]
    for case in report["explained"]:
        lines += [
            f"### {case['class']}, {case['kind']}: {case['words']} words, measured "
            f"{case['measured_ms']:.1f} ms (again with EXPLAIN: {case['ms']:.1f} ms)",
            "",
            f"Text: “{case['text'][:300]}”",
            "",
        ]
        for plan in case["plans"]:
            lines += [f"`{plan['shape'][:300]}` ({plan['ms']:.2f} ms in the call)", "", "```"]
            lines += [plan["plan"], "```", ""]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=64)
    parser.add_argument("--output", default="statements", help="results file name, no suffix")
    args = parser.parse_args()
    server = (os.environ.get("BENCH_PG") or "postgresql://postgres@127.0.0.1:5432").rstrip("/")
    started = time.perf_counter()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    corpus = Corpus(server, args.quotes, args.seed)
    corpus.prepare()
    report = measure(corpus, args.calls, args.warmup, args.seed)
    report["started"] = stamp
    report["duration_s"] = round(time.perf_counter() - started, 1)
    summary = summarise(report)
    report["summary"] = summary
    text = markdown(report, summary)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.output}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{args.output}.json").write_text(
        json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8"
    )
    print(text.split("\n## ")[0])
    log(f"written: bench/results/{args.output}.md and .json")
    sys.exit(0 if summary["target"]["met"] else 1)


if __name__ == "__main__":
    main()

"""The extraction's speed (make bench-extraction): CPU per article, and a directory of 1,000.

    python -m bench.extraction [--articles 1000] [--repeat 20]

1. CPU per text, the model loaded once: spaCy's full parse of each seed text beside the
   extraction of its candidates (which parses only the blocks that need it), the median of
   `--repeat` runs (time.process_time, so other processes do not count).
2. `manage.py import_sources --extract` on a directory of `--articles` files, in a fresh SQLite
   database holding the curated seed data: the wall time the command reports. The files are the
   five seed texts, each copy with a line of its own at the end so that none is a duplicate.

Prints a Markdown table; docs/extraction.md holds a run of it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_ms(function, repeat):
    runs = []
    for _ in range(repeat):
        started = time.process_time()
        function()
        runs.append((time.process_time() - started) * 1000)
    return statistics.median(runs)


def per_text(repeat):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from extraction.extractor import Extractor, nlp
    from extraction.speakers import Directory

    started = time.process_time()
    pipeline = nlp()
    load_ms = (time.process_time() - started) * 1000
    extractor = Extractor(Directory([]))
    rows = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        extractor.extract(text)  # warm
        parse = cpu_ms(lambda text=text: pipeline(text), repeat)
        extract = cpu_ms(lambda text=text: extractor.extract(text), repeat)
        rows.append((path.name, len(text), parse, extract))
    return load_ms, rows


def directory(articles):
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        texts = folder / "articles"
        texts.mkdir()
        for i in range(articles):
            seed = seeds[i % len(seeds)].read_text(encoding="utf-8")
            (texts / f"{i:04d}.txt").write_text(f"{seed}\n\nCopy {i}.\n", encoding="utf-8")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}"}
        env["DJANGO_LOG_LEVEL"] = "WARNING"
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "seed", "-v0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        output = subprocess.run(
            [*manage, "import_sources", str(texts), "--extract"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return time.perf_counter() - started, output.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    load_ms, rows = per_text(args.repeat)
    print(f"Model load: {load_ms:.0f} ms of CPU, once per process.\n")
    print("| seed | characters | full parse, ms CPU | extraction, ms CPU |")
    print("| --- | ---: | ---: | ---: |")
    for name, length, parse, extract in rows:
        print(f"| {name} | {length:,} | {parse:.1f} | {extract:.1f} |")
    seconds, output = directory(args.articles)
    print(f"\n`import_sources --extract` of {args.articles:,} files: {seconds:.1f} s in all.")
    print(f"It printed: {output.splitlines()[0]}")


if __name__ == "__main__":
    main()

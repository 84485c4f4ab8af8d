"""The SQL each benchmark endpoint sends, counted in-process (run by bench/run.py).

    DJANGO_SETTINGS_MODULE=config.settings DATABASE_URL=... \
        python -m bench.queries endpoints.json [--raw-app]

Requests each endpoint once (after one request to warm up) through Django's test client and
records the statements with CaptureQueriesContext; prints JSON: {endpoint: {"queries": n,
"sql": [...]}}. With --raw-app (and BENCH_DSN), also runs contender A (bench.raw_app)
in-process and says whether it sends the same statements, numbers aside (random pivots, ids).
"""

import argparse
import json
import os
import re
import sys

import django

WRAPPER_QUERIES = re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)")


def numbers_masked(sql: str) -> str:
    masked = re.sub(r"\b\d+(\.\d+)?\b", "N", sql)
    # A list of numbers is one parameter, however long: the random quote's draws vary in
    # number from request to request (`pk__in=set(draws)`: two equal draws are one).
    return re.sub(r"\bIN \(N(, N)*\)", "IN (N, ...)", masked)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoints", help="JSON file: {name: [path, ...]}")
    parser.add_argument("--raw-app", action="store_true")
    args = parser.parse_args()
    with open(args.endpoints, encoding="utf-8") as file:
        endpoints = json.load(file)

    sys.path.insert(0, os.getcwd())
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    report = {}
    for name, paths in endpoints.items():
        path = paths[0]
        client.get(path)  # first use: imports, connection
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        statements = [
            q["sql"] for q in captured.captured_queries if not WRAPPER_QUERIES.match(q["sql"])
        ]
        report[name] = {"status": response.status_code, "queries": len(statements)}
        report[name]["sql"] = statements
    if args.raw_app:
        compare_raw_app(endpoints, report)
    json.dump(report, sys.stdout, indent=1)


def compare_raw_app(endpoints, report):
    from bench import raw_app

    for name, paths in endpoints.items():
        path, _, query = paths[0].partition("?")
        raw_app.recorded_sql = []
        statuses: list[str] = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_HOST": "127.0.0.1",
        }

        def start_response(status, headers, statuses=statuses):
            statuses.append(status)

        b"".join(raw_app.application(environ, start_response))
        raw_sql, api_sql = raw_app.recorded_sql, report[name]["sql"]
        raw_app.recorded_sql = None
        entry = report[name]
        entry["raw_queries"] = len(raw_sql)
        entry["raw_status"] = statuses[0]
        entry["same_sql"] = [numbers_masked(s) for s in raw_sql] == [
            numbers_masked(s) for s in api_sql
        ]
        if not entry["same_sql"]:
            entry["raw_sql"] = raw_sql


if __name__ == "__main__":
    main()

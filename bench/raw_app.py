"""Contender A of the benchmark: the quote endpoints as a bare WSGI callable.

No framework: a psycopg 3 connection pool, hand-written routing and orjson. It sends the same
SQL as the API (contender B) for each endpoint, text for text (bench/run.py checks that), and
answers the same JSON, so the difference between the two is what Django, DRF and our code
cost on top of the database: the limit B is measured against.

Only what the benchmark asks is served: GET /api/v1/quotes/{id}/, /api/v1/quotes/ (page_size,
cursor, speaker, q) and /api/v1/quotes/random/.

    BENCH_DSN=postgresql://postgres@127.0.0.1:5432/quotedb_bench_1m \
        gunicorn --worker-class gthread --threads 4 bench.raw_app:application
"""

import base64
import binascii
import datetime
import os
import random
import re
import threading
from urllib import parse

import orjson
import psycopg
from psycopg_pool import ConnectionPool

from sources.spans import normalize  # plain Python: the rule Quote.__str__ applies

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PUBLISHED = "published"

# The columns Django selects, in its order (select_related speaker, source, event and the
# statement with its speaker, with the source text deferred and the context cut in SQL): see
# QuoteViewSet.queryset.
QUOTE_COLUMNS = [
    *("id", "created_at", "updated_at", "source_id", "start", "end", "text", "status"),
    *("speaker_id", "kind", "said_on", "said_on_precision", "said_on_inferred", "said_on_note"),
    *("event_id", "language", "is_translation", "original_language", "speaker_language"),
    *("attribution_note", "attribution_inferred", "from_headline", "note", "statement_id"),
    "match_text",
]
SOURCE_COLUMNS = [
    *("id", "created_at", "updated_at", "title", "original_title", "slug", "outlet_id"),
    *("outlet_note", "published_on", "published_on_precision", "published_on_inferred"),
    *("published_on_note", "language", "original_language", "sha256", "seed_file", "url"),
]
SPEAKER_COLUMNS = [
    *("id", "created_at", "updated_at", "name", "slug", "kind", "role", "organization_id"),
    *("country", "aliases", "wikidata_id", "note"),
]
EVENT_COLUMNS = [
    *("id", "created_at", "updated_at", "name", "slug", "kind", "starts_on"),
    *("starts_on_precision", "starts_on_inferred", "starts_on_note", "ends_on"),
    *("ends_on_precision", "ends_on_inferred", "ends_on_note", "place", "country"),
    *("organization_id", "note"),
]
STATEMENT_COLUMNS = ["id", "created_at", "updated_at", "speaker_id", "slug", "text", "note"]
TREATY_COLUMNS = [
    *("id", "created_at", "updated_at", "name", "short_name", "slug", "aliases", "signed_on"),
    *("signed_on_precision", "signed_on_inferred", "signed_on_note", "signed_place", "note"),
]

STATEMENT_SPEAKER = "T6"  # (no quotes: Django writes its aliases bare)
CONTEXT = (
    'SUBSTRING("sources_source"."text", (GREATEST(("quotes_quote"."start" - 200), 0) + 1), '
    '("quotes_quote"."start" - GREATEST(("quotes_quote"."start" - 200), 0))) '
    'AS "context_before", '
    'SUBSTRING("sources_source"."text", ("quotes_quote"."end" + 1), 200) AS "context_after"'
)
RANK = (
    '(ts_rank("quotes_quote"."search_vector", '
    "websearch_to_tsquery('english'::regconfig, %s), 2))::double precision "
    'AS "search_rank"'
)
MATCHES = '"quotes_quote"."search_vector" @@ (websearch_to_tsquery(\'english\'::regconfig, %s))'
JOINS = (
    'FROM "quotes_quote" '
    'INNER JOIN "sources_source" ON ("quotes_quote"."source_id" = "sources_source"."id") '
    'INNER JOIN "quotes_speaker" ON ("quotes_quote"."speaker_id" = "quotes_speaker"."id") '
    'LEFT OUTER JOIN "quotes_event" ON ("quotes_quote"."event_id" = "quotes_event"."id") '
    'LEFT OUTER JOIN "quotes_statement" '
    'ON ("quotes_quote"."statement_id" = "quotes_statement"."id") '
    # The statement's speaker: the speakers table joined a second time, under Django's alias.
    f'LEFT OUTER JOIN "quotes_speaker" {STATEMENT_SPEAKER} '
    f'ON ("quotes_statement"."speaker_id" = {STATEMENT_SPEAKER}."id")'
)
STATUS = '"quotes_quote"."status" = %s'
# A page in two steps, as the API's deferred join (core.api.pagination): its sort keys from the
# quotes table alone, then its rows by id with the joins and the context.
KEYS = 'SELECT "quotes_quote"."id" AS "pk" FROM "quotes_quote" WHERE {where} {order} LIMIT %s'
RANKED_KEYS = (
    f'SELECT {RANK}, "quotes_quote"."id" AS "pk" FROM "quotes_quote" WHERE {{where}} '
    "ORDER BY 1 DESC NULLS FIRST, 2 ASC NULLS LAST LIMIT %s"
)
SPEAKER_IDS = (
    'SELECT "quotes_speaker"."id" AS "pk" FROM "quotes_speaker" '
    'WHERE "quotes_speaker"."slug" IN ({slugs})'
)


def columns(table: str, names: list[str]) -> list[str]:
    """The columns of `table`, or of an alias Django gave a table it joins twice (bare)."""
    name_of_table = table if table == STATEMENT_SPEAKER else f'"{table}"'
    return [f'{name_of_table}."{name}"' for name in names]


def quote_select() -> str:
    parts = [
        *columns("quotes_quote", QUOTE_COLUMNS),
        CONTEXT,
        *columns("sources_source", SOURCE_COLUMNS),
        *columns("quotes_speaker", SPEAKER_COLUMNS),
        *columns("quotes_event", EVENT_COLUMNS),
        *columns("quotes_statement", STATEMENT_COLUMNS),
        *columns(STATEMENT_SPEAKER, SPEAKER_COLUMNS),
    ]
    return f"SELECT {', '.join(parts)} {JOINS}"


TREATIES = (
    'SELECT ("quotes_quote_treaties"."quote_id") AS "_prefetch_related_val_quote_id", '
    + ", ".join(columns("quotes_treaty", TREATY_COLUMNS))
    + ' FROM "quotes_treaty" INNER JOIN "quotes_quote_treaties" '
    'ON ("quotes_treaty"."id" = "quotes_quote_treaties"."treaty_id") '
    'WHERE "quotes_quote_treaties"."quote_id" IN ({ids}) ORDER BY "quotes_treaty"."name" ASC'
)
RANDOM_BOUNDS = (
    'SELECT MIN("quotes_quote"."id") AS "low", MAX("quotes_quote"."id") AS "high" '
    f'FROM "quotes_quote" WHERE {STATUS}'
)
# The API's random_key(): ids drawn between the bounds, tested in one query; when none
# matches, a count and an offset.
RANDOM_PROBES = 128
RANDOM_MATCHES = (
    f'SELECT "quotes_quote"."id" AS "pk" FROM "quotes_quote" WHERE ({STATUS} AND '
    '"quotes_quote"."id" IN ({ids}))'
)
RANDOM_COUNT = f'SELECT COUNT(*) AS "__count" FROM "quotes_quote" WHERE {STATUS}'
RANDOM_AT = (
    f'SELECT "quotes_quote"."id" AS "pk" FROM "quotes_quote" WHERE {STATUS} ORDER BY 1 ASC LIMIT 1'
)
RANDOM_ATTEMPTS = 3  # drawn again when the quote drawn is gone before it is read


def positions() -> dict[str, int]:
    """Where each value sits in a row of quote_select(), by a "table.column" name."""
    names = [f"quote.{name}" for name in QUOTE_COLUMNS]
    names += ["quote.context_before", "quote.context_after"]
    names += [f"source.{name}" for name in SOURCE_COLUMNS]
    names += [f"speaker.{name}" for name in SPEAKER_COLUMNS]
    names += [f"event.{name}" for name in EVENT_COLUMNS]
    names += [f"statement.{name}" for name in STATEMENT_COLUMNS]
    names += [f"statement_speaker.{name}" for name in SPEAKER_COLUMNS]
    return {name: index for index, name in enumerate(names)}


POSITIONS = positions()
ID_PATH = re.compile(r"^/api/v1/quotes/(\d+)/$")

# When a list, every statement sent is appended to it (bench/run.py compares them with B's).
recorded_sql: list[str] | None = None

_pool: ConnectionPool | None = None
_pool_lock = threading.Lock()


def pool() -> ConnectionPool:
    """One pool per process, made on first use: after gunicorn forks, not before."""
    global _pool
    with _pool_lock:
        if _pool is None:
            size = int(os.environ.get("BENCH_POOL_SIZE", "4"))
            _pool = ConnectionPool(
                os.environ["BENCH_DSN"],
                min_size=size,
                max_size=size,
                # Django's defaults: autocommit, and parameters bound on the client side, so
                # that the server receives the very same statements.
                kwargs={
                    "autocommit": True,
                    "cursor_factory": psycopg.ClientCursor,
                    "options": "-c TimeZone=UTC",
                },
                open=True,
            )
        return _pool


class HttpError(Exception):
    def __init__(self, status: str, code: str, detail: str, attr: str | None = None):
        super().__init__(detail)
        self.status = status
        self.body = {
            "type": "client_error" if attr is None else "validation_error",
            "errors": [{"code": code, "detail": detail, "attr": attr}],
        }


def fetch(connection, sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        if recorded_sql is not None:
            recorded_sql.append(cursor.mogrify(sql, params))
        cursor.execute(sql, params)
        return cursor.fetchall()


# ---------------------------------------------------------------------------- JSON


def iso_datetime(value: datetime.datetime) -> str:
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def partial_date(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def preview(text: str) -> str:
    text = normalize(text)
    return text if len(text) <= 80 else f"{text[:79]}…"


def quote_json(row: tuple, at: dict[str, int], treaties: list, base: str) -> dict:
    def v(name):
        return row[at[name]]

    quote_id, speaker_name = v("quote.id"), v("speaker.name")
    event_id, statement_id = v("quote.event_id"), v("quote.statement_id")
    return {
        "id": quote_id,
        "url": f"{base}/api/v1/quotes/{quote_id}/",
        "display": f"{speaker_name}: “{preview(v('quote.text'))}”",
        "text": v("quote.text"),
        "kind": v("quote.kind"),
        "speaker": {
            "id": v("speaker.id"),
            "url": f"{base}/api/v1/speakers/{v('speaker.id')}/",
            "display": speaker_name,
            "slug": v("speaker.slug"),
        },
        "source": {
            "id": v("source.id"),
            "url": f"{base}/api/v1/sources/{v('source.id')}/",
            "display": v("source.title"),
            "slug": v("source.slug"),
        },
        "start": v("quote.start"),
        "end": v("quote.end"),
        "context_before": v("quote.context_before"),
        "context_after": v("quote.context_after"),
        "said_on": iso_date(v("quote.said_on")),
        "said_on_precision": v("quote.said_on_precision"),
        "said_on_inferred": v("quote.said_on_inferred"),
        "said_on_note": v("quote.said_on_note"),
        "said_on_display": partial_date(v("quote.said_on"), v("quote.said_on_precision")),
        "event": None
        if event_id is None
        else {
            "id": event_id,
            "url": f"{base}/api/v1/events/{event_id}/",
            "display": v("event.name"),
            "slug": v("event.slug"),
        },
        "language": v("quote.language"),
        "is_translation": v("quote.is_translation"),
        "original_language": v("quote.original_language"),
        "speaker_language": v("quote.speaker_language"),
        "treaties": treaties,
        "attribution_note": v("quote.attribution_note"),
        "attribution_inferred": v("quote.attribution_inferred"),
        "from_headline": v("quote.from_headline"),
        "statement": None
        if statement_id is None
        else {
            "id": statement_id,
            "url": f"{base}/api/v1/statements/{statement_id}/",
            # Statement.__str__: its own speaker's name (the statement's, not the quote's).
            "display": f"{v('statement_speaker.name')}: “{preview(v('statement.text'))}”",
            "slug": v("statement.slug"),
        },
        "note": v("quote.note"),
        "status": v("quote.status"),
        "created_at": iso_datetime(v("quote.created_at")),
        "updated_at": iso_datetime(v("quote.updated_at")),
    }


def treaties_of(connection, quote_ids: list[int], base: str) -> dict[int, list]:
    """The brief treaties of each quote, in one query (Django's prefetch_related)."""
    by_quote: dict[int, list] = {quote_id: [] for quote_id in quote_ids}
    if not quote_ids:
        return by_quote
    sql = TREATIES.format(ids=", ".join(["%s"] * len(quote_ids)))
    for quote_id, treaty_id, *rest in fetch(connection, sql, quote_ids):
        values = dict(zip(TREATY_COLUMNS[1:], rest, strict=True))
        by_quote[quote_id].append(
            {
                "id": treaty_id,
                "url": f"{base}/api/v1/treaties/{treaty_id}/",
                "display": values["short_name"] or values["name"],
                "slug": values["slug"],
            }
        )
    return by_quote


def serialize(connection, rows: list[tuple], base: str, ids: list[int] | None = None):
    """JSON of `rows`, with their treaties (one query, as Django's prefetch_related: for the
    rows in the order their query gave them); in the order of `ids` when given (a row missing
    is left out), else in theirs."""
    at = POSITIONS
    treaties = treaties_of(connection, [row[at["quote.id"]] for row in rows], base)
    if ids is not None:
        by_id = {row[at["quote.id"]]: row for row in rows}
        rows = [by_id[quote_id] for quote_id in ids if quote_id in by_id]
    return [quote_json(row, at, treaties[row[at["quote.id"]]], base) for row in rows]


def rows_by_id(connection, ids: list[int]) -> list[tuple]:
    """The rows of these quotes, by id (the API's `rows.in_bulk(ids)`: one query, in the
    order of their ids, which its prefetch of the treaties follows)."""
    if not ids:
        return []
    sql = (
        f"{quote_select()} WHERE ({STATUS} AND "
        f'"quotes_quote"."id" IN ({", ".join(["%s"] * len(ids))})) '
        'ORDER BY "quotes_quote"."id" ASC'
    )
    return fetch(connection, sql, [PUBLISHED, *ids])


# ---------------------------------------------------------------------------- endpoints


def detail(connection, quote_id: int, base: str):
    sql = f'{quote_select()} WHERE ({STATUS} AND "quotes_quote"."id" = %s) LIMIT 21'
    rows = fetch(connection, sql, [PUBLISHED, quote_id])
    if not rows:
        raise HttpError("404 Not Found", "not_found", "Not found.")
    return serialize(connection, rows, base)[0]


def random_key(connection) -> int | None:
    """The id of a published quote drawn uniformly, or None if there is none (the API's
    random_key(): the first of RANDOM_PROBES draws that matches, else a count and an
    offset)."""
    ((low, high),) = fetch(connection, RANDOM_BOUNDS, [PUBLISHED])
    if low is None:
        return None
    draws = [random.randint(low, high) for _ in range(RANDOM_PROBES)]
    probes = list(set(draws))  # `pk__in=set(draws)`: the set's order, as Django writes it
    sql = RANDOM_MATCHES.format(ids=", ".join(["%s"] * len(probes)))
    matching = {row[0] for row in fetch(connection, sql, [PUBLISHED, *probes])}
    chosen = next((draw for draw in draws if draw in matching), None)
    if chosen is not None:
        return chosen
    ((count,),) = fetch(connection, RANDOM_COUNT, [PUBLISHED])
    if not count:
        return None
    offset = random.randrange(count)
    if offset:  # Django writes no OFFSET 0
        rows = fetch(connection, f"{RANDOM_AT} OFFSET %s", [PUBLISHED, offset])
    else:
        rows = fetch(connection, RANDOM_AT, [PUBLISHED])
    return rows[0][0] if rows else None


def random_quote(connection, base: str):
    for _ in range(RANDOM_ATTEMPTS):
        chosen = random_key(connection)
        if chosen is None:
            continue
        rows = rows_by_id(connection, [chosen])
        if rows:
            return serialize(connection, rows, base)[0]
    raise HttpError("404 Not Found", "not_found", "No quote matches the filters.")


def page_size_of(query: dict) -> int:
    raw = query.get("page_size", [None])[-1]
    if raw is None:
        return DEFAULT_PAGE_SIZE
    # ASCII digits only, as the API (int() would also take "٣" or "+3").
    size = int(raw) if raw.isascii() and raw.isdigit() else 0
    if size < 1:
        raise HttpError(
            "400 Bad Request",
            "invalid",
            f"Must be a whole number from 1 to {MAX_PAGE_SIZE}.",
            "page_size",
        )
    return min(size, MAX_PAGE_SIZE)


def decode_cursor(raw: str | None, keys: list[str]):
    if not raw:
        return None
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
        values, reverse, fields = payload["v"], bool(payload["r"]), payload["k"]
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
        fields = values = reverse = None
    if (
        fields != keys
        or not isinstance(values, list)
        or len(values) != len(keys)
        or not all(v is None or isinstance(v, str | int | float) for v in values)
        or any(isinstance(v, int | float) and not -(2**63) <= v < 2**63 for v in values)
    ):
        raise HttpError(
            "400 Bad Request",
            "invalid",
            "Invalid cursor: use the next and previous links of a page with the same ordering.",
            "cursor",
        )
    return values, reverse


def cursor_token(keys: list[str], values: list, reverse: bool) -> str:
    """The cursor of a page, as core.api.pagination writes it."""
    token = base64.urlsafe_b64encode(orjson.dumps({"v": values, "r": reverse, "k": keys}))
    return token.decode("ascii")


def link(url: str, token: str | None) -> str | None:
    """The URL with its cursor replaced (as rest_framework.utils.urls.replace_query_param), or
    removed (remove_query_param) when `token` is empty."""
    if token is None:
        return None
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    params = parse.parse_qs(query, keep_blank_values=True)
    params.pop("cursor", None)
    if token:
        params["cursor"] = [token]
    return parse.urlunsplit(
        (scheme, netloc, path, parse.urlencode(sorted(params.items()), doseq=True), fragment)
    )


def quote_list(connection, query: dict, base: str, url: str):
    page_size = page_size_of(query)
    search = query.get("q", [""])[-1]
    speakers = query.get("speaker", [])
    cursor = decode_cursor(query.get("cursor", [None])[-1], keys_of(search))
    if search and cursor:
        raise HttpError("400 Bad Request", "invalid", "Search pages past the first: not here.")
    conditions, params = [STATUS], [PUBLISHED]
    if speakers:
        sql = SPEAKER_IDS.format(slugs=", ".join(["%s"] * len(speakers)))
        speaker_ids = [row[0] for row in fetch(connection, sql, speakers)]
        if not speaker_ids:  # Django sends no query for `IN ()`: nothing matches
            return {
                "next": None,
                "previous": None,
                "next_cursor": None,
                "previous_cursor": None,
                "results": [],
            }
        conditions.append(
            f'"quotes_quote"."speaker_id" IN ({", ".join(["%s"] * len(speaker_ids))})'
        )
        params += speaker_ids
    if search:
        conditions.append(MATCHES)
        params.append(search)
    reverse = False
    if cursor:
        (after,), reverse = cursor
        conditions.append(f'"quotes_quote"."id" {"<" if reverse else ">"} %s')
        params.append(after)
    where = conditions[0] if len(conditions) == 1 else f"({' AND '.join(conditions)})"
    if search:
        sql = RANKED_KEYS.format(where=where)
        params = [search, *params]
    else:
        order = "ORDER BY 1 DESC NULLS FIRST" if reverse else "ORDER BY 1 ASC NULLS LAST"
        sql = KEYS.format(where=where, order=order)
    keys = fetch(connection, sql, [*params, page_size + 1])
    has_more = len(keys) > page_size
    keys = keys[:page_size]
    if reverse:
        keys.reverse()

    def position(key):
        return list(key) if search else [key[0]]

    has_next = bool(keys) and (has_more if not reverse else bool(cursor))
    has_previous = bool(keys) and (bool(cursor) if not reverse else has_more)
    ids = [key[-1] for key in keys]
    results = serialize(connection, rows_by_id(connection, ids), base, ids)
    next_cursor = cursor_token(keys_of(search), position(keys[-1]), False) if has_next else None
    previous_cursor = (
        cursor_token(keys_of(search), position(keys[0]), True) if has_previous else None
    )
    # Past the end (the rows around the cursor gone since): `previous` is the first page.
    after_the_end = bool(cursor) and not keys
    return {
        "next": link(url, next_cursor),
        "previous": link(url, "" if after_the_end else previous_cursor),
        "next_cursor": next_cursor,
        "previous_cursor": previous_cursor,
        "results": results,
    }


def keys_of(search: str) -> list[str]:
    return ["search_rank", "pk"] if search else ["pk"]


def route(environ):
    path = environ.get("PATH_INFO", "")
    base = f"http://{environ.get('HTTP_HOST', 'localhost')}"
    query_string = environ.get("QUERY_STRING", "")
    with pool().connection() as connection:
        if path == "/api/v1/quotes/":
            url = f"{base}{path}" + (f"?{query_string}" if query_string else "")
            query = parse.parse_qs(query_string, keep_blank_values=True)
            return quote_list(connection, query, base, url)
        if path == "/api/v1/quotes/random/":
            return random_quote(connection, base)
        if match := ID_PATH.match(path):
            return detail(connection, int(match.group(1)), base)
    raise HttpError("404 Not Found", "not_found", "Not found.")


def application(environ, start_response):
    """The WSGI entry point."""
    try:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            raise HttpError("405 Method Not Allowed", "method_not_allowed", "Read only.")
        status, body = "200 OK", route(environ)
    except HttpError as error:
        status, body = error.status, error.body
    payload = orjson.dumps(body)
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]

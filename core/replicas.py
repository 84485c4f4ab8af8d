"""Read replicas: reads go to PostgreSQL hot standbys that have every committed write, the rest
to the primary.

Turned on by `DATABASE_REPLICA_URLS` (config/settings.py installs `ReplicaRouter`). The rules:

- Writes go to the primary ("default"), and so do all the reads of a request with an unsafe
  method (POST, PUT, PATCH, DELETE: its If-Match checks and the answers it builds from what it
  just wrote), of a request once it has written, and of a transaction on the primary.
- Code outside a request (management commands, the shell, migrations) reads from the primary:
  commands are few and short, they often read back what they have just written, and some
  (`migrate`, `check`) must see the primary's schema, which a lagging replica may not have yet.
  `reading_from_replicas()` lets a long read-only job opt in.
- **No read sees a replica that has not replayed the latest committed write.** After each
  transaction that wrote to the primary commits (core.commits), the primary's WAL insert
  position is read and published in the shared cache (one key that only grows: a Redis script
  keeps the maximum). A read request takes that required LSN once, at its first query, and uses
  a replica only if the replica's `pg_last_wal_replay_lsn()` has reached it; otherwise it reads
  from the primary. This is read-your-writes for every client, not only for the one that wrote:
  a client has its answer to a write only after the LSN is published, so no read that follows
  it, from anyone, sees a replica without it; nor can the response cache (core.cache) store a
  replica's older answer under the new content version (this module's receiver runs before the
  cache's: core.apps connects them in that order). No per-client pin window is needed on top of it.
- A replica's replayed LSN only grows: each process remembers the last one it saw, per
  connection, and asks the replica again only when that is behind the required LSN, so a read
  request costs at most one `SELECT pg_last_wal_replay_lsn()` per replica, and none while the
  replica is known to be caught up.
- When the required LSN is unknown (the cache was emptied, Redis is down, or the cache is not
  shared: LocMem is per process), the request asks the primary for its current WAL insert
  position, which is past every committed write, and publishes it when it can. Safe, at the
  price of one query to the primary per read request while the cache cannot help.
- A replica that refuses a connection (or fails its query) is skipped by this process for
  DOWN_SECONDS; the next one is tried, and the primary is the last resort. Several caught-up
  replicas share the reads at random, one replica for all the reads of a request.

Only writes made through Django are seen (any process with the same cache: the app servers,
`manage.py seed`, the admin). A write made behind Django's back (psql) is not: a replica may
serve reads without it until it has replayed it.
"""

import logging
import random
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, Error, connections

from core.cache import redis_client

logger = logging.getLogger(__name__)

# How long a replica that failed is left alone by this process before it is tried again.
DOWN_SECONDS = 5.0
# How soon a required LSN that could not be published is tried again.
RETRY_SECONDS = 0.5
LSN_KEY = "replicas:primary-lsn"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# LSNs are kept as 16 hex digits, so that the cache compares them as strings in their order
# (a Lua number would lose precision past 2**53 bytes of WAL).
RAISE_TO = """
local current = redis.call('GET', KEYS[1])
if not current or current < ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[1])
    return ARGV[1]
end
return current
"""


def encode_lsn(lsn: int) -> str:
    return format(lsn, "016X")


# --- The reads of the current request -----------------------------------------------------------


@dataclass
class Reads:
    """Where the reads of one request (or of one `reading_from_replicas` block) may go."""

    primary: bool  # every read to the primary: an unsafe method, or a write was made
    chosen: str | None = None  # the database of this request's reads, once chosen


# None outside a request: every read goes to the primary.
current_reads: ContextVar[Reads | None] = ContextVar("current_reads", default=None)


@contextmanager
def reading_from_replicas(*, primary=False):
    """Reads inside the block may go to a caught-up replica (or, with primary=True, may not)."""
    token = current_reads.set(Reads(primary=primary))
    try:
        yield
    finally:
        current_reads.reset(token)


class PrimaryForWritesMiddleware:
    """Scopes each request's reads: an unsafe method reads from the primary throughout, a safe
    one from a caught-up replica (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reading_from_replicas(primary=request.method not in SAFE_METHODS):
            return self.get_response(request)


class ReplicaRouter:
    """Writes and migrations to the primary; reads as the module docstring says."""

    def db_for_read(self, model, **hints):
        reads = current_reads.get()
        if reads is None or reads.primary:
            return DEFAULT_DB_ALIAS
        # A read inside a transaction on the primary belongs to it (it may read its own,
        # uncommitted, writes, or lock rows).
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if reads.chosen is None:
            reads.chosen = choose_database()
        return reads.chosen

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every database holds the same rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


# --- Replicas -------------------------------------------------------------------------------


def standby_aliases() -> list[str]:
    """The replicas that are databases of their own: a replica configured as the primary's own
    database (a test mirror, TEST MIRROR) is read through the primary's connection instead."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    return [
        alias
        for alias in settings.REPLICA_DATABASES
        if not same_database(connections[alias].settings_dict, primary)
    ]


def same_database(one, other) -> bool:
    return one is other or all(
        str(one.get(key) or "") == str(other.get(key) or "") for key in ("HOST", "PORT", "NAME")
    )


class ReplicaState:
    """What this process knows of its replicas: when each failed, and the LSN each had replayed
    the last time it was asked, kept on the connection it was asked on (one per thread), for
    the life of that connection: a replica reached anew may be another server."""

    def __init__(self):
        self.down_until: dict[str, float] = {}

    def is_down(self, alias) -> bool:
        return self.down_until.get(alias, 0.0) > time.monotonic()

    def mark_down(self, alias, reason):
        if not self.is_down(alias):
            logger.warning("replica %s skipped for %ss: %s", alias, DOWN_SECONDS, reason)
        self.down_until[alias] = time.monotonic() + DOWN_SECONDS

    def mark_up(self, alias):
        self.down_until.pop(alias, None)

    @staticmethod
    def known_replayed(alias) -> int | None:
        wrapper = connections[alias]
        connection, lsn = getattr(wrapper, "replica_replayed", (None, None))
        return lsn if connection is not None and connection is wrapper.connection else None

    @staticmethod
    def remember(alias, lsn):
        wrapper = connections[alias]
        wrapper.replica_replayed = (wrapper.connection, lsn)


state = ReplicaState()


def connect(alias):
    """A usable connection to the replica, or raises django.db.Error."""
    connection = connections[alias]
    # A persistent connection that died since the last request is replaced (CONN_HEALTH_CHECKS).
    connection.close_if_health_check_failed()
    connection.ensure_connection()


def replayed_lsn(alias) -> int | None:
    """The replica's last replayed WAL position (a query), or None if it is not a standby."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint")
        (lsn,) = cursor.fetchone()
    return lsn


def caught_up(alias, required) -> bool:
    """Whether the replica has replayed `required`: asked only when this process's memory of
    it is behind. Raises django.db.Error if the replica cannot be reached."""
    connect(alias)
    known = state.known_replayed(alias)
    if known is not None and known >= required:
        return True
    lsn = replayed_lsn(alias)
    if lsn is None:
        raise NotAStandby(alias)
    state.remember(alias, lsn)
    return lsn >= required


class NotAStandby(Exception):
    """A replica that is not in recovery (promoted, or a primary): it no longer follows ours."""


def choose_database() -> str:
    """A replica that has replayed the required LSN, at random among those that have, or the
    primary."""
    aliases = standby_aliases()
    if not aliases:
        return DEFAULT_DB_ALIAS
    required = required_lsn()
    if required is None:
        return DEFAULT_DB_ALIAS
    for alias in random.sample(aliases, len(aliases)):
        if state.is_down(alias):
            continue
        try:
            if caught_up(alias, required):
                return alias
        except (Error, NotAStandby) as exc:
            state.mark_down(alias, exc)
    return DEFAULT_DB_ALIAS


# --- The required LSN -----------------------------------------------------------------------


# The primary's WAL insert position. It is past the commit record of every committed
# transaction, which pg_current_wal_lsn() (the write position) may not be, with
# synchronous_commit off. At the start of a WAL page it points after the page header (24 bytes,
# 40 at the start of a segment), where no record can end, while a standby that has replayed
# everything up to there reports the page's start: the header is taken off, or such a standby
# would look behind until the next WAL record.
PRIMARY_LSN_SQL = """
SELECT lsn - CASE
        WHEN lsn % pg_size_bytes(current_setting('wal_segment_size')) = 40 THEN 40
        WHEN lsn % current_setting('wal_block_size')::bigint = 24 THEN 24
        ELSE 0
    END
FROM (SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint AS lsn) AS position
"""


def primary_lsn() -> int | None:
    """The LSN past every transaction committed on the primary so far; None if the primary does
    not answer."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(PRIMARY_LSN_SQL)
            (lsn,) = cursor.fetchone()
    except Error as exc:
        logger.warning("replicas: the primary's LSN could not be read: %s", exc)
        return None
    return lsn


class CacheUnavailable(Exception):
    """The shared cache does not answer, or there is none."""


def published_lsn() -> int | None:
    """The required LSN from the shared cache, None if it is not there; raises CacheUnavailable
    when there is no shared cache or it does not answer."""
    client = redis_client()
    if client is None:
        raise CacheUnavailable("no shared cache")
    try:
        value = client.get(cache.make_and_validate_key(LSN_KEY))
    except Exception as exc:  # whatever redis-py raises for a server that does not answer
        raise CacheUnavailable(str(exc)) from exc
    return int(value, 16) if value else None


def raise_published_lsn(lsn: int) -> bool:
    """Raises the required LSN in the shared cache to `lsn` (never lowers it): True if the
    cache took it."""
    client = redis_client()
    if client is None:
        return False
    try:
        client.eval(RAISE_TO, 1, cache.make_and_validate_key(LSN_KEY), encode_lsn(lsn))
    except Exception as exc:  # whatever redis-py raises for a server that does not answer
        logger.warning("replicas: the required LSN could not be published: %s", exc)
        return False
    return True


def forget_published_lsn() -> bool:
    """Removes the required LSN from the shared cache (readers then ask the primary)."""
    client = redis_client()
    if client is None:
        return True
    try:
        client.delete(cache.make_and_validate_key(LSN_KEY))
    except Exception as exc:  # whatever redis-py raises for a server that does not answer
        logger.warning("replicas: the required LSN could not be removed: %s", exc)
        return False
    return True


class Unpublished:
    """A required LSN that this process could not publish: until it has, this process's reads
    take the primary's LSN instead of the cache's, and the publication is retried."""

    UNKNOWN = -1  # the LSN itself could not be read: the key is removed instead

    def __init__(self):
        self.lock = threading.Lock()
        self.lsn: int | None = None
        self.retrying = False

    @property
    def pending(self) -> bool:
        return self.lsn is not None

    def add(self, lsn):
        with self.lock:
            if lsn == self.UNKNOWN or self.lsn == self.UNKNOWN:
                self.lsn = self.UNKNOWN
            else:
                self.lsn = max(self.lsn or 0, lsn)
            if not self.retrying:
                self.retrying = True
                timer = threading.Timer(RETRY_SECONDS, self.retry)
                timer.daemon = True
                timer.start()

    def retry(self):
        with self.lock:
            lsn = self.lsn
        done = forget_published_lsn() if lsn == self.UNKNOWN else raise_published_lsn(lsn)
        with self.lock:
            self.retrying = False
            if done and self.lsn == lsn:
                self.lsn = None
            elif self.lsn is not None:
                self.retrying = True
                timer = threading.Timer(RETRY_SECONDS, self.retry)
                timer.daemon = True
                timer.start()


unpublished = Unpublished()


def required_lsn() -> int | None:
    """The LSN a replica must have replayed to serve this request's reads; None if it cannot be
    known (the primary does not answer either)."""
    if unpublished.pending:
        return primary_lsn()
    try:
        lsn = published_lsn()
    except CacheUnavailable:
        return primary_lsn()
    if lsn is None:
        # Not in the cache (emptied, or Redis restarted): the primary's position now is past
        # every committed write, so it is a safe value for everyone.
        lsn = primary_lsn()
        if lsn is not None:
            raise_published_lsn(lsn)
    return lsn


def publish_committed_write(sender, using, **kwargs):
    """After a committed write to the primary: the rest of the request reads from the primary,
    and no later read may use a replica that has not replayed it."""
    if using != DEFAULT_DB_ALIAS or not settings.REPLICA_DATABASES:
        return
    reads = current_reads.get()
    if reads is not None:
        reads.primary = True
    if not standby_aliases() or redis_client() is None:
        # Without a shared cache, each read request asks the primary for its LSN instead.
        return
    lsn = primary_lsn()
    if lsn is None:
        unpublished.add(Unpublished.UNKNOWN)
    elif not raise_published_lsn(lsn):
        unpublished.add(lsn)


# --- Health ---------------------------------------------------------------------------------


def replica_status() -> dict[str, dict]:
    """Each replica, probed now: {"status": "ok" | "behind" | "unreachable" | "not_a_standby",
    "lag_bytes": WAL the primary has that it has not replayed (None if unknown)}.

    "behind": it has not replayed the latest committed write, so reads go elsewhere for now
    (with the CI standby's 2 s apply delay, for 2 s after each write).
    """
    standbys = set(standby_aliases())
    primary = primary_lsn()
    try:
        required = None if unpublished.pending else published_lsn()
    except CacheUnavailable:
        required = None
    if required is None:
        required = primary
    report = {}
    for alias in settings.REPLICA_DATABASES:
        if alias not in standbys:
            report[alias] = {"status": "ok", "lag_bytes": 0, "primary_itself": True}
            continue
        if state.is_down(alias):
            # Failed within DOWN_SECONDS: not probed again (a replica that does not answer
            # would hold every health check up for its connect timeout).
            report[alias] = {"status": "unreachable", "lag_bytes": None}
            continue
        try:
            connect(alias)
            lsn = replayed_lsn(alias)
        except Error as exc:
            state.mark_down(alias, exc)
            report[alias] = {"status": "unreachable", "lag_bytes": None}
            continue
        if lsn is None:
            report[alias] = {"status": "not_a_standby", "lag_bytes": None}
            continue
        state.mark_up(alias)
        state.remember(alias, lsn)
        behind = required is None or lsn < required
        report[alias] = {
            "status": "behind" if behind else "ok",
            "lag_bytes": None if primary is None else max(primary - lsn, 0),
        }
    return report

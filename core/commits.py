"""Committed writes, seen where they happen: in the SQL each database connection executes.

What the response cache (core.cache) and the read replicas (core.replicas) need to know is the
same: which tables a committed transaction wrote to. Signals on models miss most of the ways a
table changes (`QuerySet.update()` in the bulk status actions, `bulk_create`, `loaddata`, the
many-to-many link tables, raw SQL); the SQL does not. Every connection gets an execute wrapper
(Django's `connection.execute_wrappers`) that notes the table of each INSERT, UPDATE, DELETE or
TRUNCATE; when the transaction commits (at once, in autocommit), `writes_committed` is sent with
the tables. A rolled-back transaction sends nothing.

A read costs a split of its first word and a set lookup.
"""

import re

from django.db import transaction
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.signals import connection_created
from django.dispatch import Signal, receiver

# Sent after a transaction that wrote commits: `using` (the database alias) and `tables` (a
# frozenset of table names, EVERY_TABLE among them when the watcher could not name them all).
writes_committed = Signal()

# Any table: a statement that writes, but to tables the watcher cannot name for sure.
EVERY_TABLE = "*"

# The first word of the statements that write to no table: reads, and what Django sends around
# transactions and cursors. Any other statement is a write; one whose tables are not named
# below (a CTE, a comment first, MERGE, COPY, DDL...) is reported as a write to EVERY_TABLE:
# an invalidation too many, never one missed.
READS = frozenset(
    {"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "PRAGMA"}
    | {"EXPLAIN", "VALUES", "DECLARE", "FETCH", "CLOSE", "MOVE", "LISTEN", "UNLISTEN"}
)
NAME = r'(?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?'  # a table, maybe schema-qualified
WRITTEN_TABLE = re.compile(
    rf"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+ONLY)?|DELETE\s+FROM(?:\s+ONLY)?)\s+({NAME})",
    re.IGNORECASE,
)
TRUNCATED_TABLES = re.compile(
    rf"^\s*TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?({NAME}(?:\s*,\s*{NAME})*)\s*(?:$|[;\w])",
    re.IGNORECASE,
)


def table_name(name: str) -> str:
    """quotes_quote from quotes_quote, "quotes_quote" or "public"."quotes_quote"."""
    return name.rsplit(".", 1)[-1].strip().strip('"')


FIRST_WORD = re.compile(r"[\s(]*(\w*)")


def written_tables(sql: str) -> frozenset[str] | None:
    """The tables a statement writes to; None for a read; {EVERY_TABLE} when unsure."""
    verb = FIRST_WORD.match(sql).group(1).upper()
    if verb in READS:
        return None
    if ";" in sql.rstrip().rstrip(";"):  # several statements at once
        return frozenset({EVERY_TABLE})
    if verb in {"INSERT", "UPDATE", "DELETE"}:
        match = WRITTEN_TABLE.match(sql)
        if match:
            return frozenset({table_name(match.group(1))})
    elif verb == "TRUNCATE":
        match = TRUNCATED_TABLES.match(sql)
        if match:
            return frozenset(table_name(name) for name in match.group(1).split(","))
    return frozenset({EVERY_TABLE})


class WriteWatcher:
    """An execute wrapper of one connection: collects the tables written in the current
    transaction, and reports them once it commits."""

    def __init__(self, alias):
        self.alias = alias
        self.pending: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        tables = written_tables(sql)
        if tables is not None:
            self.written(tables)
        return result

    def written(self, tables: frozenset[str]):
        connection = transaction.get_connection(self.alias)
        if not connection.in_atomic_block:
            # Autocommit: the statement has committed. (Under manual transaction management,
            # set_autocommit(False), which nothing here uses, it is reported before its commit.)
            writes_committed.send(sender=WriteWatcher, using=self.alias, tables=tables)
            return
        # One callback per transaction. A rollback (of the transaction, or of the savepoint
        # the callback was registered in) drops it: the next write registers it again and
        # starts afresh (a table of the rolled-back part may still be reported: an
        # invalidation too many, never one too few).
        if not any(entry[1] == self.report for entry in connection.run_on_commit):
            self.pending = set()
            transaction.on_commit(self.report, using=self.alias)
        self.pending |= tables

    def report(self):
        tables, self.pending = frozenset(self.pending), set()
        writes_committed.send(sender=WriteWatcher, using=self.alias, tables=tables)


@receiver(connection_created)
def watch_writes(sender, connection, **kwargs):
    """Install the watcher on each connection of a configured database, once (a reconnection
    keeps its wrappers). Not on the connections Django opens to no database (to create or
    drop one: the test databases), which hold no content and have no transactions to follow."""
    if connection.alias == NO_DB_ALIAS:
        return
    if not any(isinstance(wrapper, WriteWatcher) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(WriteWatcher(connection.alias))

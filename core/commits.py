"""Committed writes, seen where they happen: in the SQL each database connection executes.

What the response cache (core.cache) and the read replicas (core.replicas) need to know is the
same: which tables a committed transaction wrote to. Signals on models miss most of the ways a
table changes (`QuerySet.update()` in the bulk status actions, `bulk_create`, `loaddata`, the
many-to-many link tables, raw SQL); the SQL does not. Every connection gets an execute wrapper
(Django's `connection.execute_wrappers`) that notes the table of each INSERT, UPDATE, DELETE or
TRUNCATE; when the transaction commits (at once, in autocommit), `writes_committed` is sent with
the tables. A rolled-back transaction sends nothing.

A SELECT costs one slice and a set lookup, measured in bench/ as part of the read path.
"""

import re

from django.db import transaction
from django.db.backends.signals import connection_created
from django.dispatch import Signal, receiver

# Sent after a transaction that wrote commits: `using` (the database alias) and `tables` (a
# frozenset of table names).
writes_committed = Signal()

WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "TRUNCA"})
# The table a write statement targets, quoted or not, as Django and hand-written SQL spell it.
WRITTEN_TABLE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?',
    re.IGNORECASE,
)


class WriteWatcher:
    """An execute wrapper of one connection: collects the tables written in the current
    transaction, and reports them once it commits."""

    def __init__(self, alias):
        self.alias = alias
        self.pending: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        head = sql.lstrip()[:6].upper()
        if head in WRITE_VERBS:
            match = WRITTEN_TABLE.match(sql)
            if match:
                self.written(match.group(1))
        return result

    def written(self, table):
        connection = transaction.get_connection(self.alias)
        if not connection.in_atomic_block:
            # Autocommit: the statement has committed.
            writes_committed.send(sender=WriteWatcher, using=self.alias, tables=frozenset({table}))
            return
        # One callback per transaction. A rollback (of the transaction, or of the savepoint
        # the callback was registered in) drops it: the next write registers it again and
        # starts afresh (a table of the rolled-back part may still be reported: an
        # invalidation too many, never one too few).
        if not any(entry[1] == self.report for entry in connection.run_on_commit):
            self.pending = set()
            transaction.on_commit(self.report, using=self.alias)
        self.pending.add(table)

    def report(self):
        tables, self.pending = frozenset(self.pending), set()
        writes_committed.send(sender=WriteWatcher, using=self.alias, tables=tables)


@receiver(connection_created)
def watch_writes(sender, connection, **kwargs):
    """Install the watcher on each connection, once (a reconnection keeps its wrappers)."""
    if not any(isinstance(wrapper, WriteWatcher) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(WriteWatcher(connection.alias))

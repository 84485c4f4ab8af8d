"""A record fetched by primary key with SQL compiled once per query shape.

Django compiles a queryset's SQL anew for every evaluation. For a detail of the API that was
about a third of the request's CPU (docs/performance.md): the same SELECT, with the same joins
and columns, for every request of the same kind, only the id changing. `fetch_by_pk()` compiles
the query of a shape once, with a marker standing for the id, and then runs that SQL with the
id in the marker's place, through Django's own compiler for the rest (the rows become model
instances, select_related and prefetch_related included, as Django makes them).

The caller names the shape (`key`): everything its queryset depends on. Two querysets under one
key must compile to the same SQL but for the id; tests/core/test_compiled.py holds every
resource of the API to that, for each kind of user and format.
"""

import copy
import threading
import weakref

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models.constants import LOOKUP_SEP
from django.db.models.fields.related_descriptors import ManyToManyDescriptor
from django.db.models.query import MAX_GET_RESULTS, prefetch_related_objects

# Stands for the id while the shape is compiled: a value no primary key takes (the lowest
# bigint but one), so that it is found in the parameters only where the id goes.
MARKER = -(2**63) + 1

# How many shapes are kept: far more than the API has (resources × kinds of user × formats ×
# researchers); past it, the oldest half is dropped.
MAX_SHAPES = 2048


class _Compiled:
    """The SQL of one shape, the compiler that made it (its select list and row plan), and
    the converters of its columns for each connection (what Django asks the connection's
    operations and the fields for on every evaluation)."""

    __slots__ = ("compiler", "converters", "extra", "params", "position", "sql")

    def __init__(self, compiler, sql, params, position, extra=None):
        self.compiler, self.sql, self.params, self.position = compiler, sql, params, position
        self.extra = extra  # what the caller needs besides: a prefetch's queryset and cache
        self.converters = weakref.WeakKeyDictionary()

    def converters_for(self, compiler):
        converters = self.converters.get(compiler.connection)
        if converters is None:
            columns = [column for column, *_ in compiler.select[: compiler.col_count]]
            converters = type(compiler).get_converters(compiler, columns)
            with _lock:
                self.converters[compiler.connection] = converters
        return converters


_NOT_REUSABLE = object()  # a shape whose SQL holds the id more than once, or not at all
_shapes: dict = {}
_lock = threading.Lock()


def get_queryset_for_pk(queryset, pk):
    """What QuerySet.get(pk=pk) runs: the filter, no ordering, at most MAX_GET_RESULTS rows."""
    clone = queryset.filter(pk=pk)
    if clone.query.can_filter() and not clone.query.distinct_fields:
        clone = clone.order_by()
    clone.query.set_limits(high=MAX_GET_RESULTS)
    return clone


def _compile(probe, extra=None):
    """The compiled SQL of `probe`, a queryset whose SQL holds MARKER where the id goes."""
    compiler = probe.query.get_compiler(using=probe.db)
    try:
        sql, params = compiler.as_sql()
    except (EmptyResultSet, FullResultSet):
        return _NOT_REUSABLE
    positions = [i for i, value in enumerate(params) if value == MARKER]
    if len(positions) != 1:
        return _NOT_REUSABLE
    return _Compiled(compiler, sql, tuple(params), positions[0], extra)


def _compiled(key, probe):
    """The compiled SQL of the shape `key`; `probe()` gives its queryset the first time (and
    what to keep with it)."""
    compiled = _shapes.get(key)
    if compiled is None:
        compiled = _compile(*probe())
        with _lock:
            if len(_shapes) >= MAX_SHAPES:
                for old in list(_shapes)[: MAX_SHAPES // 2]:
                    _shapes.pop(old, None)
            _shapes[key] = compiled
    return compiled


def _run(compiled, queryset, value):
    """The rows of `queryset` (made into instances as Django makes them, its prefetches
    aside), read with the compiled SQL, `value` in the marker's place."""
    params = list(compiled.params)
    params[compiled.position] = value
    compiler = copy.copy(compiled.compiler)
    compiler.connection = connections[queryset.db]
    sql = compiled.sql
    compiler.as_sql = lambda *args, **kwargs: (sql, params)
    converters = compiled.converters_for(compiler)
    compiler.get_converters = lambda expressions: converters
    rows = queryset._chain()
    rows._prefetch_related_lookups = ()
    # Django's ModelIterable asks the query for its compiler: it gets the compiled one.
    rows.query.get_compiler = lambda *args, **kwargs: compiler
    return list(rows)


def db_value(queryset, pk):
    """The id as the database is sent it, or None when no row can have it: out of the
    column's range, for which Django's lookup matches nothing. Raises TypeError or ValueError
    for what is no id at all, as a filter on it does."""
    field = queryset.model._meta.pk
    connection = connections[queryset.db]
    value = field.get_db_prep_value(field.get_prep_value(pk), connection, prepared=True)
    if not isinstance(value, int):
        return value
    try:
        low, high = connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:  # a key of another type that gives ints (PostgreSQL lists integers only)
        return value
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def fetch_by_pk(queryset, value, key):
    """The records of `queryset` whose primary key is `value` (as `db_value()` gives it): a
    list of at most MAX_GET_RESULTS, as QuerySet.get() reads them, their prefetches done, with
    the SQL compiled once for the shape named by `key` (and that of each many-to-many
    prefetch, see `prefetch()`)."""
    key = (queryset.db, queryset.model, *key)
    compiled = _compiled(key, lambda: (get_queryset_for_pk(queryset, MARKER),))
    if compiled is _NOT_REUSABLE:
        return list(get_queryset_for_pk(queryset, value))
    found = _run(compiled, queryset, value)
    if len(found) == 1:
        prefetch(found[0], queryset._prefetch_related_lookups, key)
    elif found:
        prefetch_related_objects(found, *queryset._prefetch_related_lookups)
    return found


def prefetch(instance, lookups, key):
    """prefetch_related_objects([instance], *lookups), a many-to-many relation's query
    compiled once per shape (`key`, the instance's, and the relation). Other lookups (a
    Prefetch, a nested one, a reverse foreign key) are Django's."""
    instance._prefetched_objects_cache = getattr(instance, "_prefetched_objects_cache", {})
    others = []
    for lookup in lookups:
        descriptor = getattr(type(instance), lookup, None) if isinstance(lookup, str) else None
        if not isinstance(descriptor, ManyToManyDescriptor) or LOOKUP_SEP in lookup:
            others.append(lookup)
            continue

        def probe(lookup=lookup):
            # The relation's own prefetch queryset, for an instance whose id is the marker.
            stand_in = type(instance)(pk=MARKER)
            manager = getattr(stand_in, lookup)
            rel_queryset, _, instance_attr, _, cache_name, _ = manager.get_prefetch_querysets(
                [stand_in]
            )
            return rel_queryset, (rel_queryset, instance_attr, cache_name)

        compiled = _compiled((*key, "prefetch", lookup), probe)
        if compiled is _NOT_REUSABLE:
            others.append(lookup)
            continue
        rel_queryset, instance_attr, cache_name = compiled.extra
        # The value the relation's rows are found by (the id, unless it links another field).
        (value,) = instance_attr(instance)
        related = _run(compiled, rel_queryset.using(instance._state.db), value)
        manager = getattr(instance, lookup)
        queryset = manager.get_queryset()  # what prefetch_one_level caches, the rows in it
        queryset._result_cache = related
        queryset._prefetch_done = True
        instance._prefetched_objects_cache[cache_name] = queryset
    if others:
        prefetch_related_objects([instance], *others)


def clear():
    """Forget every compiled shape (tests that change what a shape compiles to)."""
    with _lock:
        _shapes.clear()

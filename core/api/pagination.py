"""Keyset (cursor) pagination: a deep page costs what the first page costs.

Offset pagination makes the database walk past every skipped row, so page 50,000 of a million
quotes is slow. Here the `cursor` parameter carries the sort-key values of the row a page starts
after, and the next page is `WHERE (key) > (those values) ORDER BY key LIMIT n`, which an index
answers directly. Unlike DRF's CursorPagination, any ordering works, on several fields, in mixed
directions, with NULLs (which sort after every value, in both directions' sense of "after"), and
the primary key is always appended so that the order is total.

The envelope is `{"next", "previous", "results"}`; `CountedKeysetPagination` adds `count`, for
resources whose tables stay small: counting a million filtered quotes costs more than the page.
"""

import base64
import binascii
import datetime
from collections import OrderedDict

import orjson
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import F, Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _ordering_of(queryset) -> list[tuple[str, bool]]:
    """The queryset's ordering as (field, descending) pairs, made total with the primary key."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    keys = []
    for item in ordering:
        if not isinstance(item, str):
            raise TypeError("keyset pagination orders by field names, not expressions")
        descending = item.startswith("-")
        name = item.lstrip("-")
        keys.append(("pk" if name in ("pk", "id") else name, descending))
    if not any(name == "pk" for name, _ in keys):
        keys.append(("pk", keys[-1][1] if keys else False))
    return keys[: [name for name, _ in keys].index("pk") + 1]


def _encode(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


class KeysetPagination(BasePagination):
    """Cursor pagination on the queryset's own ordering; see the module docstring."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    count_results = False

    def paginate_queryset(self, queryset, request, view=None, rows=None):
        """The page's rows. With `rows` (a queryset of the same model), a deferred join: the
        page is first found in `queryset` as its sort keys alone, then its rows are fetched by
        id from `rows`.

        That lets `queryset` be the narrow one (the table, its filters and sort keys) while the
        costly columns (joins, a context cut from each source text) are computed for the page's
        rows only. PostgreSQL cannot push a LIMIT below a join or an expression it must sort
        by: a search ranking 5,000 matches would otherwise join and cut 5,000 rows to keep 21.
        """
        self.request = request
        self.count = queryset.count() if self.count_results else None
        self.page_size = self.get_page_size(request)
        keys = _ordering_of(queryset)
        cursor = self.decode_cursor(request, keys)
        reverse = bool(cursor and cursor["reverse"])
        order_by = [self._order_expression(queryset, name, desc != reverse) for name, desc in keys]
        queryset = queryset.order_by(*order_by)
        try:
            if cursor:
                queryset = queryset.filter(self._after(queryset, keys, cursor["values"], reverse))
            page = queryset[: self.page_size + 1]
            if rows is not None:
                page = page.values(*[name for name, _ in keys])
            found = list(page)
        except (ValueError, TypeError, OverflowError, DjangoValidationError, DataError) as exc:
            # A cursor we did not write (values of the wrong type or size).
            raise self.invalid_cursor() from exc
        has_more = len(found) > self.page_size
        found = found[: self.page_size]
        if reverse:
            found.reverse()
        self.keys = keys
        self.rows = found
        # Going forward, more rows means a next page and a cursor means a previous one;
        # going back (reverse), the other way round.
        self.has_next = bool(found) and (has_more if not reverse else bool(cursor))
        self.has_previous = bool(found) and (bool(cursor) if not reverse else has_more)
        self.after_the_end = bool(cursor) and not found
        if rows is None:
            return found
        objects = rows.in_bulk([row["pk"] for row in found])
        # (A row deleted between the two queries is left out, as if it had gone just before.)
        return [objects[row["pk"]] for row in found if row["pk"] in objects]

    # -- page size ------------------------------------------------------------------------

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # ASCII digits only, as the schema's integer: int() would also take "٣", "+3" or a
        # number padded with Unicode spaces ("\x853").
        size = int(raw) if raw.isascii() and raw.isdigit() else 0
        if size < 1:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Must be a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return min(size, self.max_page_size)

    # -- cursors --------------------------------------------------------------------------

    def decode_cursor(self, request, keys):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            payload = orjson.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            values, reverse, fields = payload["v"], bool(payload["r"]), payload["k"]
        except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
            payload = None
        if (
            payload is None
            or fields != [name for name, _ in keys]
            or not isinstance(values, list)
            or len(values) != len(keys)
            or not all(v is None or isinstance(v, str | int | float) for v in values)
            # orjson reads integers past 64 bits as floats: bound every number.
            or any(isinstance(v, int | float) and not -(2**63) <= v < 2**63 for v in values)
        ):
            raise self.invalid_cursor()
        return {"values": values, "reverse": reverse}

    def invalid_cursor(self):
        return ValidationError(
            {
                self.cursor_query_param: [
                    "Invalid cursor: use the next and previous links of a page with the same "
                    "ordering."
                ]
            }
        )

    def encode_cursor(self, row, reverse):
        """The `cursor` value of the page after (or, `reverse`, before) `row`."""
        values = [_encode(self._value_of(row, name)) for name, _ in self.keys]
        payload = {"v": values, "r": reverse, "k": [name for name, _ in self.keys]}
        return base64.urlsafe_b64encode(orjson.dumps(payload)).decode("ascii")

    def _link(self, cursor):
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    @staticmethod
    def _value_of(row, name):
        if isinstance(row, dict):  # the sort keys of a deferred join
            return row[name]
        value = row
        for part in name.split("__"):
            value = getattr(value, part) if value is not None else None
        if hasattr(value, "pk"):
            return value.pk
        return value

    # -- SQL ------------------------------------------------------------------------------

    @staticmethod
    def _nullable(queryset, name):
        if name == "pk" or name in queryset.query.annotations:
            return False
        model = queryset.model
        parts = name.split("__")
        try:
            for part in parts[:-1]:
                field = model._meta.get_field(part)
                if field.null:
                    return True
                model = field.related_model
            return model._meta.get_field(parts[-1]).null
        except FieldDoesNotExist:
            return True

    def _order_expression(self, queryset, name, descending):
        # NULLs sort last going up and first going down: "NULL is greater than any value",
        # the same on PostgreSQL and SQLite, which _after() relies on.
        if descending:
            return F(name).desc(nulls_first=True)
        return F(name).asc(nulls_last=True)

    def _after(self, queryset, keys, values, reverse):
        """Rows strictly after `values` in the (possibly reversed) ordering `keys`."""
        condition = Q(pk__in=[])  # false
        equal_so_far = Q()
        for (name, descending), value in zip(keys, values, strict=True):
            descending = descending != reverse
            nullable = self._nullable(queryset, name)
            if value is None:
                # NULL is the greatest value: nothing is after it going up; going down,
                # every non-NULL value is.
                after = Q(**{f"{name}__isnull": False}) if descending else Q(pk__in=[])
                equal = Q(**{f"{name}__isnull": True})
            else:
                after = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
                if nullable and not descending:
                    after |= Q(**{f"{name}__isnull": True})
                equal = Q(**{name: value})
            condition |= equal_so_far & after
            equal_so_far &= equal
        return condition

    # -- response -------------------------------------------------------------------------

    def get_paginated_response(self, data):
        envelope = OrderedDict()
        if self.count is not None:
            envelope["count"] = self.count
        next_cursor = self.encode_cursor(self.rows[-1], False) if self.has_next else None
        previous_cursor = self.encode_cursor(self.rows[0], True) if self.has_previous else None
        envelope["next"] = self._link(next_cursor)
        envelope["previous"] = self._link(previous_cursor)
        if self.after_the_end:
            # The rows around the cursor are gone (deleted since): offer the first page.
            envelope["previous"] = remove_query_param(
                self.request.build_absolute_uri(), self.cursor_query_param
            )
        # The cursors alone, for a client that calls the list again with its own parameters
        # (a generated SDK) rather than following a link.
        envelope["next_cursor"] = next_cursor
        envelope["previous_cursor"] = previous_cursor
        envelope["results"] = data
        return Response(envelope)

    def get_paginated_response_schema(self, schema):
        properties = {
            "next": {
                "type": "string",
                "nullable": True,
                "format": "uri",
                "description": "The next page, or null on the last page.",
                "example": "http://127.0.0.1:8000/api/v1/quotes/?cursor=eyJ2IjpbMjBdLCJyIjpmYWxzZX0%3D",
            },
            "previous": {
                "type": "string",
                "nullable": True,
                "format": "uri",
                "description": "The previous page, or null on the first page.",
            },
            "next_cursor": {
                "type": "string",
                "nullable": True,
                "description": "The `cursor` parameter of the next page (`next` without the "
                "rest of its URL), or null on the last page.",
                "example": "eyJ2IjpbMjBdLCJyIjpmYWxzZX0=",
            },
            "previous_cursor": {
                "type": "string",
                "nullable": True,
                "description": "The `cursor` parameter of the previous page, or null on the "
                "first page (and when the rows the cursor pointed at are gone: `previous` then "
                "links to the first page).",
            },
            "results": schema,
        }
        required = ["next", "previous", "next_cursor", "previous_cursor", "results"]
        if self.count_results:
            properties = {
                "count": {
                    "type": "integer",
                    "description": "How many results match, over all pages.",
                    "example": 47,
                },
                **properties,
            }
            required = ["count", *required]
        return {"type": "object", "required": required, "properties": properties}

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position in the results, taken from a page's next or "
                "previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}, at most "
                f"{self.max_page_size}; larger values are capped).",
                "schema": {"type": "integer", "minimum": 1, "default": self.page_size},
            },
        ]


class CountedKeysetPagination(KeysetPagination):
    """Keyset pagination with the total `count`, for resources whose tables stay small."""

    count_results = True

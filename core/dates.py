"""Partial dates: a date, how much of it the text gives, and whether it was inferred.

A text often gives only part of a date ("last year", "in 1987", "on 2 August"). We store a full
`DateField` for sorting and filtering together with its precision; a year-precision date is
stored as 1 January of that year and a month-precision date as the 1st of its month, so that a
day is never invented. `<name>_inferred` says the date was worked out rather than read (from
"on Saturday" and a known publication date, say) and `<name>_note` says how.

Models spell the four fields out (`said_on`, `said_on_precision`, `said_on_inferred`,
`said_on_note`); this module holds the rules they share.
"""

import datetime
import re

from django.db import models
from django.db.models import Q
from django.utils import timezone


class DatePrecision(models.TextChoices):
    """How much of a date the text supports."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def partial_date_errors(value: datetime.date | None, precision: str, inferred: bool, field: str):
    """Return field errors for a partial date whose parts disagree; empty when consistent."""
    precision_field = f"{field}_precision"
    if value is None:
        errors = {}
        if precision:
            errors[precision_field] = "Leave the precision empty when the date is unknown."
        if inferred:
            errors[f"{field}_inferred"] = "An unknown date cannot be inferred."
        return errors
    if precision not in DatePrecision.values:
        return {precision_field: "Say how precise the date is: day, month or year."}
    if precision == DatePrecision.YEAR and (value.month, value.day) != (1, 1):
        return {field: "A year-precision date is stored as 1 January of that year."}
    if precision == DatePrecision.MONTH and value.day != 1:
        return {field: "A month-precision date is stored as the 1st of that month."}
    return {}


# The furthest time zone ahead of UTC (Kiribati, UTC+14).
EARTH_AHEAD = datetime.timedelta(hours=14)


def latest_today() -> datetime.date:
    """Today's date where it is latest on Earth: a statement made just after midnight in
    Vladivostok is "today" there while it is still yesterday in UTC."""
    return (timezone.now() + EARTH_AHEAD).date()


def future_date_errors(instance, *fields: str) -> dict:
    """Errors for the named dates that are after today (anywhere): what was said or published
    has happened. (Not for events and treaty changes: a summit or a withdrawal can be
    announced.)"""
    today = latest_today()
    return {
        field: f"{getattr(instance, field).isoformat()} is after today ({today.isoformat()}): "
        "it cannot have happened yet."
        for field in fields
        if getattr(instance, field) is not None and getattr(instance, field) > today
    }


def partial_date_errors_for(instance, *fields: str) -> dict:
    """Collect the partial-date errors of the named date fields of a model instance."""
    errors = {}
    for field in fields:
        errors.update(
            partial_date_errors(
                getattr(instance, field),
                getattr(instance, f"{field}_precision"),
                getattr(instance, f"{field}_inferred"),
                field,
            )
        )
    return errors


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """Render a partial date with only the parts it has: 2017-05-26, 2017-05 or 2016.

    The one rendering: the API's `*_display` fields, the admin's columns, the CSV export and
    the records' names all show a partial date through it.
    """
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


PARTIAL_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """2017-05-26, 2017-05 or 2017 as (the stored date, its precision); ValueError otherwise."""
    match = PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD, YYYY-MM or YYYY.")
    year, month, day = match["y"], match["m"], match["d"]
    if day:
        return datetime.date(int(year), int(month), int(day)), DatePrecision.DAY
    if month:
        return datetime.date(int(year), int(month), 1), DatePrecision.MONTH
    return datetime.date(int(year), 1, 1), DatePrecision.YEAR


def partial_date_display(instance, field: str) -> str:
    """The partial date `field` of a record, rendered (empty when unknown)."""
    return format_partial_date(getattr(instance, field), getattr(instance, f"{field}_precision"))


def partial_date_constraints(field: str, prefix: str) -> list[models.CheckConstraint]:
    """Database checks for a partial date: a known date has a precision, an unknown one none."""
    precision = f"{field}_precision"
    return [
        models.CheckConstraint(
            condition=(
                Q(**{f"{field}__isnull": True, precision: "", f"{field}_inferred": False})
                | Q(**{f"{field}__isnull": False, f"{precision}__in": DatePrecision.values})
            ),
            name=f"{prefix}_{field}_precision_consistent",
            violation_error_message=(
                "A known date needs a precision; an unknown date has none and is not inferred."
            ),
        )
    ]

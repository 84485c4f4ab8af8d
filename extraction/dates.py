"""When something was said, as far as the text says it (docs/curation.md, "Dates").

Only what the words around a quotation state is read: "on Wednesday", "in a statement Friday",
"on 2 February", "last month", "last year", a full date. A relative day is resolved against the
publication date only when that date is known to the day; otherwise the date stays at the
precision the publication date has. A quotation whose sentence states no time gets no date:
nothing is invented.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from core.dates import DatePrecision

MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTH_NUMBERS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTH_NUMBERS["sept"] = 9
MONTH = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
WEEKDAY_NUMBERS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
WEEKDAY = "|".join(calendar.day_name)

FULL_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{MONTH})\.?|(?P<m2>{MONTH})\.?\s+(?P<d2>\d{{1,2}}))"
    rf"(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b",
    re.IGNORECASE,
)
DAY_MONTH = re.compile(
    rf"(?:\bon\s+|^|(?<=\s))(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{MONTH})\b\.?"
    rf"|(?P<m2>{MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b)(?!\s*,?\s*\d{{4}})",
    re.IGNORECASE,
)
WEEKDAY_CUE = re.compile(rf"\b(?:on\s+|last\s+)?(?P<w>{WEEKDAY})\b", re.IGNORECASE)
RELATIVE = re.compile(
    r"\b(?P<cue>yesterday|today|this year|last year|this month|last month|earlier this month)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SaidOn:
    """A date as far as the text supports it: the date, its precision, inferred, and how."""

    value: datetime.date
    precision: str
    inferred: bool
    note: str


def _month_of(name: str) -> int:
    return MONTH_NUMBERS[name.lower().rstrip(".")]


def said_on(
    context: str, published_on: datetime.date | None, precision: str | None
) -> SaidOn | None:
    """The date `context` (the words around a quotation, the quotation left out) says it was
    said on, given the source's publication date and its precision."""
    dated = f"in an article dated {_shown(published_on, precision)}" if published_on else ""
    match = FULL_DATE.search(context)
    if match:
        day = int(match["d1"] or match["d2"])
        month = _month_of(match["m1"] or match["m2"])
        try:
            value = datetime.date(int(match["y"]), month, day)
        except ValueError:
            return None
        return SaidOn(value, DatePrecision.DAY, False, f"“{match[0].strip()}”.")
    if published_on is None:
        return None
    match = DAY_MONTH.search(context)
    if match:
        day = int(match["d1"] or match["d2"])
        month = _month_of(match["m1"] or match["m2"])
        year = published_on.year
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            return None
        if precision == DatePrecision.DAY and value > published_on:
            value = value.replace(year=year - 1)
        note = f"“{match[0].strip()}”, the year from the article's own ({dated})."
        return SaidOn(value, DatePrecision.DAY, True, note)
    match = RELATIVE.search(context)
    if match:
        return _relative(match["cue"].lower(), published_on, precision, dated)
    match = WEEKDAY_CUE.search(context)
    if match:
        cue = match[0].strip()
        if precision != DatePrecision.DAY:
            # The day cannot be worked out: the date stays at the precision that is known.
            return _at_precision(published_on, precision, f"“{cue}”, {dated}: the day is unknown.")
        weekday = WEEKDAY_NUMBERS[match["w"].lower()]
        back = (published_on.weekday() - weekday) % 7
        if cue.lower().startswith("last") and back == 0:
            back = 7
        value = published_on - datetime.timedelta(days=back)
        return SaidOn(value, DatePrecision.DAY, True, f"“{cue}”, {dated}.")
    return None


def _relative(cue, published_on, precision, dated) -> SaidOn | None:
    note = f"“{cue}”, {dated}."
    if cue in {"yesterday", "today"}:
        if precision != DatePrecision.DAY:
            return _at_precision(published_on, precision, f"{note[:-1]}: the day is unknown.")
        days = 1 if cue == "yesterday" else 0
        return SaidOn(published_on - datetime.timedelta(days=days), DatePrecision.DAY, True, note)
    if cue == "this year":
        return SaidOn(published_on.replace(month=1, day=1), DatePrecision.YEAR, True, note)
    if cue == "last year":
        value = datetime.date(published_on.year - 1, 1, 1)
        return SaidOn(value, DatePrecision.YEAR, True, note)
    if precision not in (DatePrecision.DAY, DatePrecision.MONTH):
        return None  # "last month" of an article known to the year: could be the year before
    first = published_on.replace(day=1)
    if cue == "last month":
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return SaidOn(first, DatePrecision.MONTH, True, note)


def _at_precision(published_on, precision, note) -> SaidOn:
    if precision == DatePrecision.YEAR:
        return SaidOn(published_on.replace(month=1, day=1), DatePrecision.YEAR, True, note)
    return SaidOn(published_on.replace(day=1), DatePrecision.MONTH, True, note)


def _shown(value: datetime.date, precision: str | None) -> str:
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return f"{value:%Y-%m}"
    return value.isoformat()

"""Partial dates: precision is stored, never a day the text does not give."""

import datetime

import pytest

from core.dates import format_partial_date, partial_date_errors

D = datetime.date


@pytest.mark.parametrize(
    ("value", "precision", "shown"),
    [
        (D(2017, 5, 26), "day", "2017-05-26"),
        (D(2019, 8, 1), "month", "2019-08"),
        (D(2016, 1, 1), "year", "2016"),
        (None, "", ""),
    ],
)
def test_format_shows_only_the_known_parts(value, precision, shown):
    assert format_partial_date(value, precision) == shown


@pytest.mark.parametrize(
    ("value", "precision", "inferred", "field"),
    [
        (D(2016, 3, 1), "year", False, "said_on"),  # a year-precision date must be 1 January
        (D(2016, 3, 5), "month", False, "said_on"),  # a month-precision date must be the 1st
        (D(2016, 3, 5), "", False, "said_on_precision"),  # a known date needs a precision
        (None, "day", False, "said_on_precision"),  # an unknown date has none
        (None, "", True, "said_on_inferred"),  # and cannot be inferred
    ],
)
def test_inconsistent_partial_dates_are_rejected(value, precision, inferred, field):
    assert field in partial_date_errors(value, precision, inferred, "said_on")


@pytest.mark.parametrize(
    ("value", "precision"),
    [(D(2016, 1, 1), "year"), (D(2019, 8, 1), "month"), (D(2017, 5, 26), "day"), (None, "")],
)
def test_consistent_partial_dates_pass(value, precision):
    assert partial_date_errors(value, precision, False, "said_on") == {}


def test_today_is_the_latest_date_on_earth():
    from unittest import mock

    from django.utils import timezone

    from core.dates import latest_today

    late_evening_utc = datetime.datetime(2026, 12, 1, 22, 0, tzinfo=datetime.UTC)
    with mock.patch.object(timezone, "now", return_value=late_evening_utc):
        # 22:00 UTC is already 2 December in Moscow (UTC+3) and Vladivostok (UTC+10): a
        # quote said there that day is not "in the future".
        assert latest_today() == datetime.date(2026, 12, 2)

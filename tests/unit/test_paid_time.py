"""Paid time in integers: whole minutes worked, pay rounded once, and how both are written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coop.formatting import hours_text, pay_text
from coop.pay.hours import day_bounds, gross_cents, minutes_between

CHICAGO = ZoneInfo("America/Chicago")
NINE = datetime(2026, 6, 6, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("worked", "minutes"),
    [
        (timedelta(hours=2, minutes=30), 150),
        (timedelta(minutes=59, seconds=59), 59),  # seconds are dropped, never rounded up
        (timedelta(0), 0),
        (timedelta(minutes=-5), 0),  # left before arriving: nothing, never negative
    ],
)
def test_minutes_worked_are_whole_minutes(worked, minutes):
    assert minutes_between(NINE, NINE + worked) == minutes


@pytest.mark.parametrize(
    ("minutes", "wage", "cents"),
    [
        (60, 1550, 1550),
        (150, 1550, 3875),
        (20, 1000, 333),  # 333.33... rounds down
        (1, 1530, 26),  # 25.5 rounds half up, once
        (0, 1550, 0),
        (-30, 1000, -500),  # an adjustment that takes time back
    ],
)
def test_pay_is_rounded_once_in_integers(minutes, wage, cents):
    assert gross_cents(minutes, wage) == cents


def test_a_pay_period_runs_from_local_midnight_to_local_midnight():
    start, end = day_bounds(date(2027, 3, 8), date(2027, 3, 21), CHICAGO)
    assert start == datetime(2027, 3, 8, 6, tzinfo=UTC)  # CST
    assert end == datetime(2027, 3, 22, 5, tzinfo=UTC)  # CDT: the clocks moved in between
    assert end - start == timedelta(days=14, hours=-1)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (150, "2.5"),
        (20, "0.33"),
        (60, "1"),
        (0, "0"),
        (-90, "-1.5"),
        (119, "1.98"),
        (1439, "23.98"),
    ],
)
def test_hours_are_written_as_people_read_them(minutes, text):
    assert hours_text(minutes) == text


@pytest.mark.parametrize(
    ("cents", "text"), [(3100, "$31.00"), (-250, "-$2.50"), (123_456_78, "$123,456.78")]
)
def test_pay_documents_always_show_cents(cents, text):
    assert pay_text(cents) == text

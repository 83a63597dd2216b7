"""Seasons, date ranges and weeks, as lists, exports and reports read them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coop.periods import (
    BadDate,
    check_record_date,
    check_year,
    date_bounds,
    week_of,
    year_instants,
)

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize("year", [2000, 2026, 2100])
def test_a_season_year_is_kept(year):
    assert check_year(year) == year


@pytest.mark.parametrize("year", [1999, 2101, -1])
def test_a_year_outside_the_books_is_refused(year):
    with pytest.raises(BadDate, match="between 2000 and 2100") as refused:
        check_year(year)
    assert refused.value.extra == {"field": "year"}


def test_a_year_and_a_range_combine_into_one_inclusive_range():
    assert date_bounds(None, None, None) == (None, None)
    assert date_bounds(2026, None, None) == (date(2026, 1, 1), date(2026, 12, 31))
    narrowed = date_bounds(2026, date(2026, 6, 1), date(2027, 3, 1))
    assert narrowed == (date(2026, 6, 1), date(2026, 12, 31))
    assert date_bounds(None, date(2026, 6, 1), None) == (date(2026, 6, 1), None)


def test_a_range_that_ends_before_it_starts_is_refused():
    with pytest.raises(BadDate, match="comes after its end") as refused:
        date_bounds(None, date(2026, 6, 2), date(2026, 6, 1))
    assert refused.value.extra == {"field": "from"}
    with pytest.raises(BadDate):
        date_bounds(2025, date(2026, 1, 1), None)  # the year and the range do not meet


def test_a_season_is_cut_at_the_gardens_midnight():
    start, end = year_instants(2026, CHICAGO)
    assert start == datetime(2026, 1, 1, 6, tzinfo=UTC)
    assert end == datetime(2027, 1, 1, 6, tzinfo=UTC)
    with pytest.raises(BadDate):
        year_instants(1999, CHICAGO)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 6, 6), "2026-W23"),
        (date(2026, 6, 1), "2026-W23"),  # Monday starts the week
        (date(2026, 5, 31), "2026-W22"),  # Sunday ends the one before
        (date(2027, 1, 1), "2026-W53"),  # ISO weeks cross the new year
    ],
)
def test_weeks_are_iso_weeks(day, label):
    assert week_of(day) == label


def test_a_record_date_is_from_the_books_and_not_far_ahead():
    today = datetime.now(CHICAGO).date()
    assert check_record_date(today, CHICAGO, "sold_on") == today
    assert check_record_date(today + timedelta(days=31), CHICAGO, "sold_on")
    with pytest.raises(BadDate, match="Sold on: that date is far ahead"):
        check_record_date(today + timedelta(days=32), CHICAGO, "sold_on")
    with pytest.raises(BadDate, match="from 2000 on") as refused:
        check_record_date(date(1999, 12, 31), CHICAGO, "harvested_on")
    assert refused.value.extra == {"field": "harvested_on"}

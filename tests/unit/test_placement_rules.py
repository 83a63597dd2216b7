"""The pure parts of the placement rules: open or closed, the pace's week, the words used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coop.shifts.rules import (
    AlreadyPlaced,
    NotPartners,
    OverlappingShift,
    PaceReached,
    ShiftClosed,
    describe_moment,
    ensure_open,
    ordinal,
    week_bounds,
)

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)


def a_shift(**changes) -> dict:
    shift = {"status": "scheduled", "cancel_reason": "", "starts_at": NOW + timedelta(hours=1)}
    return shift | changes


def test_an_upcoming_scheduled_shift_is_open():
    ensure_open(a_shift(), now=NOW)


@pytest.mark.parametrize(
    ("shift", "says"),
    [
        (a_shift(status="cancelled"), "That shift was cancelled, so nobody can sign up for it."),
        (
            a_shift(status="cancelled", cancel_reason="heat advisory"),
            "That shift was cancelled (heat advisory), so nobody can sign up for it.",
        ),
        (a_shift(starts_at=NOW), "That shift has already started, so sign-up is closed."),
        (a_shift(starts_at=NOW - timedelta(days=1)), "already started"),
    ],
)
def test_a_cancelled_or_started_shift_is_closed(shift, says):
    with pytest.raises(ShiftClosed) as refused:
        ensure_open(shift, now=NOW)
    assert says in refused.value.message
    assert refused.value.status_code == 409


def test_refusals_answer_as_a_person_expects():
    assert {AlreadyPlaced.status_code, OverlappingShift.status_code, PaceReached.status_code} == {
        409
    }
    assert NotPartners.status_code == 403


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHICAGO)


def test_the_pace_week_runs_monday_to_sunday_on_the_gardens_clock():
    monday, next_monday = local(2027, 5, 31), local(2027, 6, 7)
    for moment in (monday, local(2027, 6, 6, 23, 59), local(2027, 6, 2, 9)):
        assert week_bounds(moment.astimezone(UTC), CHICAGO) == (
            monday.astimezone(UTC),
            next_monday.astimezone(UTC),
        )
    # Sunday 21:00 in Chicago is already Monday in UTC, and still the same garden week.
    sunday_night = local(2027, 6, 6, 21).astimezone(UTC)
    assert sunday_night.weekday() == 0
    assert week_bounds(sunday_night, CHICAGO)[0] == monday.astimezone(UTC)


def test_the_week_the_clocks_change_is_an_hour_short():
    start, end = week_bounds(local(2027, 3, 14, 12).astimezone(UTC), CHICAGO)
    assert end - start == timedelta(hours=167)


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (datetime(2026, 6, 6, 14, tzinfo=UTC), "Saturday 6 June, 9:00 am"),
        (datetime(2026, 6, 6, 17, 30, tzinfo=UTC), "Saturday 6 June, 12:30 pm"),
        (datetime(2026, 6, 7, 5, 5, tzinfo=UTC), "Sunday 7 June, 12:05 am"),
        (datetime(2026, 12, 1, 21, tzinfo=UTC), "Tuesday 1 December, 3:00 pm"),
    ],
)
def test_a_moment_is_described_on_the_gardens_clock(moment, words):
    assert describe_moment(moment, CHICAGO) == words


def test_ordinals_say_the_first_few_in_words():
    assert [ordinal(n) for n in (1, 2, 3, 9)] == ["first", "second", "third", "ninth"]
    assert ordinal(10) == "number 10"
    assert ordinal(0) == "number 0"

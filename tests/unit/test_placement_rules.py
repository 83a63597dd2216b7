"""The pure parts of the placement rules: open or closed, places left, the pace's week, and the
words a refusal uses for a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coop.formatting import clock, day, decimal_dollars, money, when
from coop.periods import week_bounds, week_start
from coop.shifts.rules import (
    AlreadyPlaced,
    NotPartners,
    OverlappingShift,
    PaceReached,
    ShiftClosed,
    ensure_open,
    open_slots,
    ordinal,
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


@pytest.mark.parametrize(
    ("status", "pair_slots", "taken_slots", "left"),
    [
        ("scheduled", 3, 1, 2),
        ("scheduled", 3, 3, 0),
        ("scheduled", 2, 3, 0),  # slots cut below the pairs placed: none, never negative
        ("cancelled", 3, 0, 0),  # the API and the pages agree: a cancelled shift has none
    ],
)
def test_open_places(status, pair_slots, taken_slots, left):
    shift = {"status": status, "pair_slots": pair_slots, "taken_slots": taken_slots}
    assert open_slots(shift) == left


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
    assert week_bounds(local(2027, 3, 14).date(), CHICAGO) == (start, end)  # a day works too


def test_week_start_is_the_gardens_monday():
    assert week_start(CHICAGO, today=local(2027, 6, 6).date()) == local(2027, 5, 31).date()
    assert week_start(CHICAGO, 2, today=local(2027, 5, 31).date()) == local(2027, 6, 14).date()


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
    assert when(moment, CHICAGO) == words
    assert words == f"{day(moment.astimezone(CHICAGO))}, {clock(moment, CHICAGO)}"


@pytest.mark.parametrize(
    ("cents", "shown", "plain"),
    [
        (350, "$3.50", "3.50"),
        (6_650_000, "$66,500", "66500.00"),
        (5, "$0.05", "0.05"),
        (-250, None, "-2.50"),
    ],
)
def test_money_is_written_from_cents(cents, shown, plain):
    if shown is not None:
        assert money(cents) == shown
    assert decimal_dollars(cents) == plain


def test_ordinals_say_the_first_few_in_words():
    assert [ordinal(n) for n in (1, 2, 3, 9)] == ["first", "second", "third", "ninth"]
    assert ordinal(10) == "number 10"
    assert ordinal(0) == "number 0"

"""Recurring plans: an RRULE and garden-clock times in, UTC shift times out, 9:00 kept at 9:00."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coop.plan.recurrence import (
    MAX_OCCURRENCES,
    InvalidPlan,
    expand,
    parse_clock,
    parse_moment,
    shift_wall_clock,
    to_utc,
    weekly_rrule,
)

CHICAGO = ZoneInfo("America/Chicago")
NINE, ELEVEN = time(9), time(11)


def test_nine_stays_nine_across_both_daylight_saving_changes():
    # Chicago springs forward on 14 March 2027 and falls back on 7 November 2027.
    march = expand("FREQ=WEEKLY;BYDAY=SA;COUNT=3", date(2027, 3, 6), NINE, ELEVEN, CHICAGO)
    assert [o.starts_at.hour for o in march] == [15, 15, 14]  # UTC: CST, then CDT
    november = expand("FREQ=WEEKLY;BYDAY=SA;COUNT=2", date(2027, 11, 6), NINE, ELEVEN, CHICAGO)
    assert [o.starts_at.hour for o in november] == [14, 15]
    for occurrence in march + november:
        assert occurrence.starts_at.astimezone(CHICAGO).time() == NINE
        assert occurrence.ends_at - occurrence.starts_at == timedelta(hours=2)
        assert occurrence.starts_at.tzinfo is UTC


def test_an_until_date_alone_means_through_that_day():
    rule = weekly_rrule(["TH", "TU"], date(2027, 6, 10))
    assert rule == "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270610T235959"
    days = [o.starts_at.date() for o in expand(rule, date(2027, 6, 1), NINE, ELEVEN, CHICAGO)]
    assert days == [date(2027, 6, 1), date(2027, 6, 3), date(2027, 6, 8), date(2027, 6, 10)]
    bare = expand("RRULE:FREQ=DAILY;UNTIL=20270603", date(2027, 6, 1), NINE, ELEVEN, CHICAGO)
    assert len(bare) == 3


def test_a_utc_until_is_read_on_the_gardens_clock():
    # 2027-06-03 13:59 UTC is 8:59 in Chicago: the 9:00 shift that day is after the end.
    rule = "FREQ=DAILY;UNTIL=20270603T135900Z"
    assert len(expand(rule, date(2027, 6, 1), NINE, ELEVEN, CHICAGO)) == 2


def test_no_days_ticked_is_refused():
    with pytest.raises(InvalidPlan) as refused:
        weekly_rrule([], date(2027, 6, 10))
    assert refused.value.field == "days"


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "go on forever"),
        ("FREQ=HOURLY;COUNT=3", "daily, weekly or monthly"),
        ("FREQ=DAILY;COUNT=3\nDTSTART:20270101T000000", "one repeat rule"),
        ("DTSTART=20270101;FREQ=DAILY;COUNT=3", "one repeat rule"),
        ("", "one repeat rule"),
        ("FREQ=DAILY;COUNT=three", "couldn't read"),
        (f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}", "more than 500 shifts"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270501", "no dates"),
    ],
)
def test_a_rule_that_cannot_be_planned_is_refused_kindly(rule, says):
    with pytest.raises(InvalidPlan, match=says) as refused:
        expand(rule, date(2027, 6, 1), NINE, ELEVEN, CHICAGO)
    assert refused.value.field == "rrule"


def test_the_most_shifts_a_rule_may_make():
    rule = f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}"
    assert len(expand(rule, date(2027, 1, 1), NINE, ELEVEN, CHICAGO)) == MAX_OCCURRENCES


def test_an_end_before_the_start_is_refused():
    with pytest.raises(InvalidPlan, match="end time") as refused:
        expand("FREQ=DAILY;COUNT=1", date(2027, 6, 1), ELEVEN, NINE, CHICAGO)
    assert refused.value.field == "end_time"


def test_a_clock_time_that_never_happens_is_refused():
    with pytest.raises(InvalidPlan, match="clocks jump forward") as refused:
        to_utc(datetime(2027, 3, 14, 2, 30), CHICAGO)
    assert refused.value.field == "starts_at"
    assert to_utc(datetime(2027, 3, 14, 3, 30), CHICAGO) == datetime(2027, 3, 14, 8, 30, tzinfo=UTC)
    with_offset = datetime(2027, 3, 14, 2, 30, tzinfo=UTC)
    assert to_utc(with_offset, CHICAGO) == with_offset


def test_moving_on_the_wall_clock_keeps_the_local_time():
    friday_nine = datetime(2027, 3, 12, 15, tzinfo=UTC)  # 9:00 CST
    sunday = shift_wall_clock(friday_nine, timedelta(days=2), CHICAGO)
    assert sunday == datetime(2027, 3, 14, 14, tzinfo=UTC)  # 9:00 CDT
    assert sunday - friday_nine == timedelta(hours=47)


def test_times_are_read_as_people_type_them():
    nine = datetime(2027, 6, 1, 14, tzinfo=UTC)  # 9:00 on the garden's clock
    assert parse_moment(" 2027-06-01T09:00 ", CHICAGO, "starts_at") == nine
    assert parse_moment("2027-06-01T16:00+02:00", CHICAGO, "starts_at") == nine
    with pytest.raises(InvalidPlan, match="clocks jump forward"):
        parse_moment("2027-03-14T02:30", CHICAGO, "starts_at")
    assert parse_clock("09:30", "start_time") == time(9, 30)
    with pytest.raises(InvalidPlan, match="Starts at: please give a date and time"):
        parse_moment("next Tuesday", CHICAGO, "starts_at")
    with pytest.raises(InvalidPlan, match="without an offset"):
        parse_clock("09:00+02:00", "start_time")
    with pytest.raises(InvalidPlan, match="like 09:00"):
        parse_clock("nine", "start_time")

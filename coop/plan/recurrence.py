"""Recurring plans: RRULE text in, shift times out, kept on the garden's wall clock.

A series is expanded with python-dateutil from a NAIVE start (first date at the start time), and
only then is each occurrence placed in the garden's zone and converted to UTC. Expanding an aware
start would keep the UTC offset of the first date, and 9:00 would drift to 8:00 or 10:00 after a
daylight-saving change; expanding wall-clock times keeps 9:00 at 9:00 all season.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from coop import formatting
from coop.errors import DomainError
from coop.i18n import N_, _
from coop.labels import field_label

MAX_OCCURRENCES = 500
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY"}
# What a garden plan needs; BYWEEKNO, BYYEARDAY, BYHOUR and the rest only add ways to search
# for dates that never come.
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTH", "BYMONTHDAY", "BYSETPOS"}
# How many day tests dateutil may make: twice what three years of plans need at most. A rule
# that never matches again (30 February) would otherwise search up to the year 9999.
MAX_DAY_CHECKS = 10_000
# Expansion runs in a worker thread, never on the event loop, and gives up after this long.
EXPANSION_SECONDS = 5.0
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = {
    "MO": N_("Monday"),
    "TU": N_("Tuesday"),
    "WE": N_("Wednesday"),
    "TH": N_("Thursday"),
    "FR": N_("Friday"),
    "SA": N_("Saturday"),
    "SU": N_("Sunday"),
}
_UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6})?(Z?)", re.IGNORECASE)


class InvalidPlan(DomainError):
    """A plan that can't be made as given; ``field`` says which part to look at."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Occurrence:
    """One planned shift time, as UTC instants."""

    starts_at: datetime
    ends_at: datetime


def parse_moment(text: str, zone: ZoneInfo, field: str) -> datetime:
    """Read an ISO 8601 date or date and time as a UTC instant; without an offset it is on the
    garden's clock (and must be a time that clock shows)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidPlan(
            _(
                "%(label)s: please give a date and time like 2027-06-01T09:00.",
                label=field_label(field),
            ),
            field,
        ) from error
    return to_utc(moment, zone, field)


def parse_clock(text: str, field: str) -> time:
    """Read a garden-clock time such as 09:00."""
    try:
        clock = time.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidPlan(
            _(
                "%(label)s: please give a time like 09:00.",
                label=field_label(field),
            ),
            field,
        ) from error
    if clock.tzinfo is not None:
        raise InvalidPlan(
            _(
                "%(label)s: please give the time on the garden's clock, without an offset.",
                label=field_label(field),
            ),
            field,
        )
    return clock


def to_utc(moment: datetime, zone: ZoneInfo, field: str = "starts_at") -> datetime:
    """Read a time without offset on the garden's clock; refuse clock times that never happen."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    placed = moment.replace(tzinfo=zone)
    back = placed.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != moment:
        raise InvalidPlan(
            _(
                "%(time)s doesn't happen on %(day)s: the clocks jump forward that "
                "night. Please pick another time.",
                time=f"{moment:%H:%M}",
                day=formatting.long_date(moment.date()),
            ),
            field,
        )
    return placed.astimezone(UTC)


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive garden-clock time of a UTC instant (for wall-clock arithmetic)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def weekly_rrule(days: Iterable[str], last_date: date) -> str:
    """Build the RRULE a person means by "every Tue and Thu until 30 September"."""
    chosen = [day for day in WEEKDAYS if day in set(days)]
    if not chosen:
        raise InvalidPlan(_("Please tick at least one day of the week."), "days")
    return f"FREQ=WEEKLY;BYDAY={','.join(chosen)};UNTIL={last_date:%Y%m%d}T235959"


def _normalise(rule: str, zone: ZoneInfo) -> str:
    """Accept "RRULE:" prefixes and a UTC UNTIL, which dateutil refuses with a naive start."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if "\n" in text or "\r" in text or "DTSTART" in text.upper() or not text:
        raise InvalidPlan(
            _("Please give one repeat rule, like FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270930."), "rrule"
        )
    parts = dict(
        part.split("=", 1) if "=" in part else (part, "") for part in text.upper().split(";")
    )
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise InvalidPlan(
            _("Shifts can repeat daily, weekly or monthly (FREQ=DAILY, WEEKLY or MONTHLY)."),
            "rrule",
        )
    unknown = sorted(set(parts) - ALLOWED_PARTS)
    if unknown:
        raise InvalidPlan(
            _(
                "Shift plans can't use %(parts)s. Please use FREQ, INTERVAL, COUNT, UNTIL, "
                "BYDAY, BYMONTH, BYMONTHDAY or BYSETPOS.",
                parts=", ".join(unknown)[:200],
            ),
            "rrule",
        )
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise InvalidPlan(
            _(
                "Please say when the series ends: add an end date (UNTIL=20270930) or a number of"
                " shifts (COUNT=12). A plan without an end would go on forever."
            ),
            "rrule",
        )

    def local_until(match: re.Match[str]) -> str:
        day, clock, utc = match.groups()
        if not clock:  # a date alone means "through that day"
            return f"UNTIL={day}T235959"
        if not utc:
            return match.group(0)
        instant = datetime.strptime(day + clock, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return f"UNTIL={wall_clock(instant, zone):%Y%m%dT%H%M%S}"

    return _UNTIL.sub(local_until, text)


class _OutOfChecks(Exception):
    """dateutil made more day tests than any plan within the horizon needs."""


class _CountedRule(tuple):
    """One of dateutil's BY* filters that counts every day it tests against a shared budget."""

    budget: list[int]

    def __contains__(self, item: object) -> bool:
        self.budget[0] -= 1
        if self.budget[0] < 0:
            raise _OutOfChecks
        return tuple.__contains__(self, item)

    def __iter__(self):  # BYSETPOS: read once per period, a month's worth of days
        self.budget[0] -= 31
        if self.budget[0] < 0:
            raise _OutOfChecks
        return tuple.__iter__(self)


def _bounded(recurrence) -> None:
    """Make ``recurrence`` stop (with _OutOfChecks) after MAX_DAY_CHECKS day tests."""
    budget = [MAX_DAY_CHECKS]
    for name in ("_bymonth", "_byweekday", "_bymonthday", "_bynmonthday", "_bysetpos"):
        values = getattr(recurrence, name, None)
        if values:
            counted = _CountedRule(values)
            counted.budget = budget
            setattr(recurrence, name, counted)


def _moments(recurrence, horizon: datetime | None) -> list[datetime]:
    """At most MAX_OCCURRENCES + 1 moments, none past ``horizon``, within the day-test budget."""
    moments: list[datetime] = []
    _bounded(recurrence)
    try:
        for moment in islice(iter(recurrence), MAX_OCCURRENCES + 1):
            if horizon is not None and moment > horizon:
                raise InvalidPlan(
                    _("That plan reaches more than three years ahead. Please end it sooner."),
                    "rrule",
                )
            moments.append(moment)
    except _OutOfChecks:
        pass  # no date for decades: the plan ends with what was found
    return moments


def expand(
    rule: str,
    first_date: date,
    start_time: time,
    end_time: time,
    zone: ZoneInfo,
    horizon: datetime | None = None,
) -> list[Occurrence]:
    """Every occurrence of ``rule`` from ``first_date``, at the same garden-clock times, up to
    ``horizon`` (naive, on the garden's clock)."""
    if end_time <= start_time:
        raise InvalidPlan(_("The end time needs to be after the start time."), "end_time")
    start = datetime.combine(first_date, start_time)
    try:
        text = _normalise(rule, zone)
        recurrence = rrulestr(text, dtstart=start)
        moments = _moments(recurrence, horizon)
    except (ValueError, TypeError, OverflowError) as error:
        raise InvalidPlan(
            _(
                "We couldn't read that repeat rule. Try something like "
                "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270930."
            ),
            "rrule",
        ) from error
    if len(moments) > MAX_OCCURRENCES:
        raise InvalidPlan(
            _(
                "That would make more than %(most)s shifts. Please plan a shorter "
                "stretch (an end date sooner, or fewer days) and add more later.",
                most=MAX_OCCURRENCES,
            ),
            "rrule",
        )
    if not moments:
        raise InvalidPlan(
            _("That plan has no dates in it. Check the days and the from and to dates."), "rrule"
        )
    return [
        Occurrence(
            starts_at=to_utc(moment, zone, "start_time"),
            ends_at=to_utc(datetime.combine(moment.date(), end_time), zone, "end_time"),
        )
        for moment in moments
    ]


async def expand_off_the_loop(
    rule: str,
    first_date: date,
    start_time: time,
    end_time: time,
    zone: ZoneInfo,
    horizon: datetime | None = None,
) -> list[Occurrence]:
    """``expand`` in a worker thread with a time limit, so no rule can stall other requests."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(expand, rule, first_date, start_time, end_time, zone, horizon),
            timeout=EXPANSION_SECONDS,
        )
    except TimeoutError:
        raise InvalidPlan(
            _("That repeat rule takes too long to work out. Please make it simpler."), "rrule"
        ) from None


def shift_wall_clock(moment: datetime, delta: timedelta, zone: ZoneInfo) -> datetime:
    """Move a UTC instant by ``delta`` on the garden's clock (9:00 + 1h is 10:00, DST or not)."""
    return to_utc(wall_clock(moment, zone) + delta, zone)

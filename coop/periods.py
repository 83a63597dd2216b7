"""Seasons, date ranges and weeks, read the same way by lists, exports and reports.

A season is a calendar year in the garden's own time zone. Dated records (harvests,
batches, sales) are plain dates; shifts are UTC instants, so their year is cut at local
midnight on 1 January.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from coop.errors import DomainError
from coop.i18n import _
from coop.labels import field_label

FIRST_YEAR = 2000
LAST_YEAR = 2100
# Records may be entered a little ahead (a market on Saturday), not next year.
MAX_DAYS_AHEAD = 31


class BadDate(DomainError):
    """A date or range no garden season could hold."""

    status_code = 422


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadDate(
            _(
                "Year: please give a year between %(first)s and %(last)s.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
            field="year",
        )
    return year


def this_year(zone: ZoneInfo) -> int:
    return datetime.now(zone).year


def check_record_date(day: date, zone: ZoneInfo, field: str) -> date:
    """Refuse dates from before the garden's books or far in the future."""
    today = datetime.now(zone).date()
    label = field_label(field)
    if day.year < FIRST_YEAR:
        raise BadDate(
            _(
                "%(label)s: please give a date from %(first)s on.",
                label=label,
                first=FIRST_YEAR,
            ),
            field=field,
        )
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise BadDate(
            _("%(label)s: that date is far ahead; please check it.", label=label), field=field
        )
    return day


def date_bounds(
    year: int | None, start: date | None, end: date | None
) -> tuple[date | None, date | None]:
    """Combine ``year=`` with ``from=``/``to=`` into one inclusive range (either side open)."""
    if year is not None:
        check_year(year)
        start = max(start, date(year, 1, 1)) if start else date(year, 1, 1)
        end = min(end, date(year, 12, 31)) if end else date(year, 12, 31)
    if start and end and start > end:
        raise BadDate(_("Dates: the start of the range comes after its end."), field="from")
    return start, end


def year_instants(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The season as UTC instants: local midnight 1 January to the next one."""
    check_year(year)
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    return start, end


def week_start(zone: ZoneInfo, weeks_ahead: int = 0, today: date | None = None) -> date:
    """The Monday of this week (or ``weeks_ahead`` later) in the garden's zone."""
    today = today or datetime.now(UTC).astimezone(zone).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def week_bounds(moment: datetime | date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The garden week holding ``moment`` (or a day): Monday 00:00 to the next, as UTC instants."""
    local = moment.astimezone(zone).date() if isinstance(moment, datetime) else moment
    monday = local - timedelta(days=local.weekday())
    start = datetime.combine(monday, datetime.min.time(), zone)
    end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def week_of(day: date) -> str:
    """ISO week label such as "2026-W23" (weeks start on Monday)."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"

"""The one definition of paid time, read by timesheets, reports, exports and My season.

Paid time is an *approved* ``attended`` record on a shift that was not cancelled: the whole
minutes between arriving and leaving (the shift's own times when none were given). Every
figure of hours or wages in the app is built from these rows, so no two pages can disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coop.tables import Attendance
from coop.vocabulary import AttendanceStatus, ShiftStatus


@dataclass(frozen=True)
class Worked:
    """One person's approved time on one shift."""

    shift_id: int
    member_id: int | None
    display_name: str
    title: str
    kind: str
    starts_at: datetime
    minutes: int


def minutes_between(arrived: datetime, left: datetime) -> int:
    """Whole minutes worked (seconds are dropped, never rounded up)."""
    return max(0, int((left - arrived).total_seconds()) // 60)


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight before ``first`` to local midnight after ``last``, as UTC instants."""
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


async def worked(start: datetime, end: datetime, member_id: int | None = None) -> list[Worked]:
    """Approved time on shifts starting in [start, end), oldest first."""
    where = (
        (Attendance.status == AttendanceStatus.ATTENDED)
        & (Attendance.approved == True)  # noqa: E712 (a Piccolo expression, not a comparison)
        & (Attendance.shift.status != ShiftStatus.CANCELLED)
        & (Attendance.shift.starts_at >= start)
        & (Attendance.shift.starts_at < end)
    )
    if member_id is not None:
        where &= Attendance.member == member_id
    rows = await Attendance.select(
        Attendance.shift,
        Attendance.member,
        Attendance.arrived_at,
        Attendance.left_at,
        Attendance.member.display_name.as_alias("display_name"),
        Attendance.shift.title.as_alias("title"),
        Attendance.shift.kind.slug.as_alias("kind"),
        Attendance.shift.starts_at.as_alias("starts_at"),
        Attendance.shift.ends_at.as_alias("ends_at"),
    ).where(where)
    result = [
        Worked(
            shift_id=row["shift"],
            member_id=row["member"],
            display_name=row["display_name"] or "",
            title=row["title"],
            kind=row["kind"],
            starts_at=row["starts_at"],
            minutes=minutes_between(
                row["arrived_at"] or row["starts_at"], row["left_at"] or row["ends_at"]
            ),
        )
        for row in rows
    ]
    return sorted(result, key=lambda w: (w.starts_at, w.shift_id, w.display_name))


def gross_cents(minutes: int, hourly_wage_cents: int) -> int:
    """Pay for ``minutes`` at an hourly wage, rounded once, half a cent up, in integers only."""
    return (2 * minutes * hourly_wage_cents + 60) // 120

"""Pay periods, adjustments, wages and timesheets: the rules that turn hours into pay.

A period covers whole days in the garden's time zone; a shift belongs to the period holding
its local start date. Closing a period locks its attendance; a later correction is an
adjustment in an open period, as payroll systems do. Money is integer cents, rounded once
per person (see ``hours.gross_cents``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from piccolo.engine.postgres import PostgresEngine

from coop.db import current_engine, reading, writing
from coop.errors import Conflict, DomainError, NotFound
from coop.i18n import _, ngettext
from coop.pay.hours import Worked, day_bounds, gross_cents, worked
from coop.tables import Attendance, Member, PayAdjustment, PayPeriod, PlacementMember
from coop.vocabulary import HELD, AttendanceStatus, ShiftStatus

MAX_PERIOD_DAYS = 62
MAX_ADJUSTMENT_MINUTES = 100 * 60
MAX_WAGE_CENTS = 100_000
# One number both engines accept for PostgreSQL's transaction-scoped advisory lock.
PERIODS_LOCK = 424_213


class PeriodClosed(Conflict):
    """A closed period's attendance never changes: corrections are adjustments."""


def closed_message() -> str:
    return _(
        "This shift's pay period is closed, so its attendance can't change. "
        "A coordinator can add an adjustment in an open pay period instead."
    )


async def lock_periods(shared: bool = False) -> None:
    """On PostgreSQL, order marking against closing: marks share a lock that closing and
    creating a period take alone (SQLite already runs one writer at a time)."""
    if isinstance(current_engine(), PostgresEngine):
        kind = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        await PayPeriod.raw(f"SELECT {kind}({{}})", PERIODS_LOCK)


async def period_of_day(day: date) -> dict | None:
    return (
        await PayPeriod.select()
        .where((PayPeriod.starts_on <= day) & (PayPeriod.ends_on >= day))
        .first()
    )


async def is_closed(starts_at: datetime, zone: ZoneInfo) -> bool:
    """Whether the shift starting at ``starts_at`` is in a closed pay period."""
    period = await period_of_day(starts_at.astimezone(zone).date())
    return period is not None and period["closed_at"] is not None


async def ensure_open(starts_at: datetime, zone: ZoneInfo) -> None:
    """Refuse (409) when the shift starting at ``starts_at`` is in a closed period."""
    period = await period_of_day(starts_at.astimezone(zone).date())
    if period is not None and period["closed_at"] is not None:
        raise PeriodClosed(closed_message(), pay_period_id=period["id"])


async def load_period(period_id: int) -> dict:
    period = await PayPeriod.select().where(PayPeriod.id == period_id).first()
    if period is None:
        raise NotFound(_("We couldn't find that pay period."))
    return period


async def list_periods() -> list[dict]:
    return await PayPeriod.select().order_by(PayPeriod.starts_on, ascending=False)


async def create_period(starts_on: date, ends_on: date) -> dict:
    """A new period of whole days that overlaps no other."""
    if ends_on < starts_on:
        raise DomainError(_("The period must end on or after the day it starts."), field="ends_on")
    if (ends_on - starts_on).days + 1 > MAX_PERIOD_DAYS:
        raise DomainError(
            _("A pay period can be at most %(days)d days long.", days=MAX_PERIOD_DAYS),
            field="ends_on",
        )
    if starts_on.year < 2000 or ends_on.year > 2100:
        raise DomainError(_("Please give dates between 2000 and 2100."), field="starts_on")
    async with writing():
        await lock_periods()  # two coordinators at once must not both pass the overlap check
        clash = (
            await PayPeriod.select(PayPeriod.starts_on, PayPeriod.ends_on)
            .where((PayPeriod.starts_on <= ends_on) & (PayPeriod.ends_on >= starts_on))
            .first()
        )
        if clash is not None:
            raise Conflict(
                _(
                    "That overlaps the pay period %(start)s to %(end)s. Periods never overlap.",
                    start=clash["starts_on"].isoformat(),
                    end=clash["ends_on"].isoformat(),
                ),
                field="starts_on",
            )
        row = (
            await PayPeriod.insert(PayPeriod(starts_on=starts_on, ends_on=ends_on)).returning(
                PayPeriod.id
            )
        )[0]
    return await load_period(row["id"])


async def needing_approval(period: dict, zone: ZoneInfo) -> list[dict]:
    """Started, not-cancelled shifts of the period with time marked but not yet approved."""
    start, end = day_bounds(period["starts_on"], period["ends_on"], zone)
    end = min(end, datetime.now(UTC))
    rows = await Attendance.select(
        Attendance.shift,
        Attendance.member,
        Attendance.member.display_name.as_alias("display_name"),
        Attendance.shift.title.as_alias("title"),
        Attendance.shift.starts_at.as_alias("starts_at"),
    ).where(
        (Attendance.status == AttendanceStatus.ATTENDED)
        & (Attendance.approved == False)  # noqa: E712
        & (Attendance.shift.status != ShiftStatus.CANCELLED)
        & (Attendance.shift.starts_at >= start)
        & (Attendance.shift.starts_at < end)
    )
    shifts: dict[int, dict] = {}
    for row in rows:
        shift = shifts.setdefault(
            row["shift"],
            {
                "id": row["shift"],
                "title": row["title"],
                "starts_at": row["starts_at"],
                "people": [],
            },
        )
        shift.setdefault("people", []).append(
            {"id": row["member"], "display_name": row["display_name"] or ""}
        )
    for shift in shifts.values():
        shift["people"].sort(key=lambda p: p["display_name"].lower())
    return sorted(shifts.values(), key=lambda s: (s["starts_at"], s["id"]))


async def not_marked(period: dict, zone: ZoneInfo) -> list[dict]:
    """Started, not-cancelled shifts of the period where someone placed has no mark yet."""
    start, end = day_bounds(period["starts_on"], period["ends_on"], zone)
    end = min(end, datetime.now(UTC))
    where = (
        PlacementMember.placement.status.is_in(list(HELD))
        & (PlacementMember.shift.status != ShiftStatus.CANCELLED)
        & (PlacementMember.shift.starts_at >= start)
        & (PlacementMember.shift.starts_at < end)
    )
    seats = await PlacementMember.select(
        PlacementMember.shift,
        PlacementMember.member,
        PlacementMember.member.display_name.as_alias("display_name"),
        PlacementMember.shift.title.as_alias("title"),
        PlacementMember.shift.starts_at.as_alias("starts_at"),
    ).where(where)
    if not seats:
        return []
    marked = {
        (row["shift"], row["member"])
        for row in await Attendance.select(Attendance.shift, Attendance.member).where(
            Attendance.shift.is_in(list({s["shift"] for s in seats}))
        )
    }
    shifts: dict[int, dict] = {}
    for seat in seats:
        if (seat["shift"], seat["member"]) in marked:
            continue
        shift = shifts.setdefault(
            seat["shift"],
            {"id": seat["shift"], "title": seat["title"], "starts_at": seat["starts_at"]},
        )
        shift.setdefault("people", []).append(seat["display_name"])
    return sorted(shifts.values(), key=lambda s: (s["starts_at"], s["id"]))


async def close_period(period_id: int, by: int, zone: ZoneInfo) -> dict:
    """Lock the period's attendance; refused while marked time still awaits approval."""
    async with writing():
        await lock_periods()
        period = await load_period(period_id)
        if period["closed_at"] is not None:
            raise Conflict(_("This pay period is already closed."))
        waiting = await needing_approval(period, zone)
        if waiting:
            raise Conflict(
                ngettext(
                    "%(num)d shift of this period still needs approval. Approve it "
                    "(or correct it) first, then close the period.",
                    "%(num)d shifts of this period still need approval. Approve them "
                    "(or correct them) first, then close the period.",
                    len(waiting),
                ),
                shift_ids=[s["id"] for s in waiting],
            )
        await PayPeriod.update(
            {PayPeriod.closed_at: datetime.now(UTC), PayPeriod.closed_by: by}
        ).where((PayPeriod.id == period_id) & PayPeriod.closed_at.is_null())
    return await load_period(period_id)


async def add_adjustment(period_id: int, member_id: int, minutes: int, reason: str, by: int):
    """A correction of paid minutes (plus or minus) in an open period, with its reason."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Please say why, in a few words."), field="reason")
    if minutes == 0 or abs(minutes) > MAX_ADJUSTMENT_MINUTES:
        raise DomainError(
            _(
                "Minutes: please give a number of minutes other than 0, "
                "at most %(max)d either way.",
                max=MAX_ADJUSTMENT_MINUTES,
            ),
            field="minutes",
        )
    async with writing():
        await lock_periods(shared=True)
        period = await load_period(period_id)
        if period["closed_at"] is not None:
            raise PeriodClosed(
                _("This pay period is closed. Please add the adjustment to an open period.")
            )
        if not await Member.exists().where(Member.id == member_id):
            raise DomainError(_("We couldn't find that member."), field="member_id")
        await PayAdjustment.insert(
            PayAdjustment(
                period=period_id, member=member_id, minutes=minutes, reason=reason, recorded_by=by
            )
        )


async def set_wage(member_id: int, hourly_wage_cents: int) -> dict:
    if not 0 <= hourly_wage_cents <= MAX_WAGE_CENTS:
        raise DomainError(
            _("Hourly wage: please give an amount in cents from 0 to %(max)d.", max=MAX_WAGE_CENTS),
            field="hourly_wage_cents",
        )
    async with writing():
        updated = (
            await Member.update({Member.hourly_wage_cents: hourly_wage_cents})
            .where(Member.id == member_id)
            .returning(Member.id, Member.username, Member.display_name, Member.role)
        )
    if not updated:
        raise NotFound(_("We couldn't find that member."))
    return {**updated[0], "hourly_wage_cents": hourly_wage_cents}


async def periods_and_wages() -> tuple[list[dict], list[dict]]:
    """The pay periods page: every period, and everyone's hourly wage."""
    async with reading():
        return await list_periods(), await wages()


async def period_awaiting(period_id: int, zone: ZoneInfo) -> tuple[dict, list[dict]]:
    """A period and its shifts whose marked time still needs approval."""
    async with reading():
        period = await load_period(period_id)
        return period, await needing_approval(period, zone)


async def period_view(
    period_id: int, zone: ZoneInfo
) -> tuple[dict, list[dict], list[dict], list[dict]]:
    """A period's page: the period, what needs approval, who is not marked, and wages."""
    async with reading():
        period = await load_period(period_id)
        waiting = await needing_approval(period, zone)
        unmarked = await not_marked(period, zone)
        return period, waiting, unmarked, await wages()


async def wages() -> list[dict]:
    return await Member.select(
        Member.id, Member.display_name, Member.role, Member.hourly_wage_cents
    ).order_by(Member.display_name)


@dataclass
class SheetLine:
    """One person's page of a timesheet."""

    member_id: int | None
    display_name: str
    hourly_wage_cents: int
    shifts: list[Worked] = field(default_factory=list)
    adjustments: list[dict] = field(default_factory=list)

    @property
    def shift_minutes(self) -> int:
        return sum(w.minutes for w in self.shifts)

    @property
    def adjustment_minutes(self) -> int:
        return sum(a["minutes"] for a in self.adjustments)

    @property
    def minutes(self) -> int:
        return self.shift_minutes + self.adjustment_minutes

    @property
    def gross_cents(self) -> int:
        return gross_cents(self.minutes, self.hourly_wage_cents)


@dataclass
class Sheet:
    """A timesheet: the lines of everyone paid between two dates."""

    starts_on: date
    ends_on: date
    lines: list[SheetLine]

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def total_cents(self) -> int:
        return sum(line.gross_cents for line in self.lines)


async def sheet(starts_on: date, ends_on: date, zone: ZoneInfo) -> Sheet:
    """Approved time and adjustments of periods starting in [starts_on, ends_on], per person."""
    start, end = day_bounds(starts_on, ends_on, zone)
    async with reading():
        shifts = await worked(start, end)
        adjustments = await PayAdjustment.select(
            PayAdjustment.id,
            PayAdjustment.member,
            PayAdjustment.minutes,
            PayAdjustment.reason,
            PayAdjustment.created_at,
            PayAdjustment.member.display_name.as_alias("display_name"),
        ).where(
            (PayAdjustment.period.starts_on >= starts_on)
            & (PayAdjustment.period.starts_on <= ends_on)
        )
        wage_rows = await Member.select(Member.id, Member.hourly_wage_cents)
    wage = {row["id"]: row["hourly_wage_cents"] for row in wage_rows}
    lines: dict[int | None, SheetLine] = {}

    def line(member_id: int | None, name: str) -> SheetLine:
        if member_id not in lines:
            lines[member_id] = SheetLine(
                member_id, name or _("Former member"), wage.get(member_id, 0) if member_id else 0
            )
        return lines[member_id]

    for one in shifts:
        line(one.member_id, one.display_name).shifts.append(one)
    for row in sorted(adjustments, key=lambda r: r["id"]):
        line(row["member"], row["display_name"]).adjustments.append(row)
    ordered = sorted(lines.values(), key=lambda x: (x.display_name.lower(), x.member_id or 0))
    return Sheet(starts_on, ends_on, ordered)


async def period_sheet(period_id: int, zone: ZoneInfo) -> tuple[dict, Sheet]:
    period = await load_period(period_id)
    return period, await sheet(period["starts_on"], period["ends_on"], zone)


def default_period(zone: ZoneInfo) -> tuple[date, date]:
    """The two weeks that began last Monday, offered on the new-period form."""
    today = datetime.now(zone).date()
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=13)

"""Reading shifts for pages and the API: a week at a time, filtered by kind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from coop.errors import DomainError, NotFound
from coop.i18n import _
from coop.labels import field_label
from coop.tables import Shift, ShiftKind

COLUMNS = (
    Shift.all_columns(),
    Shift.kind.slug.as_alias("kind_slug"),
    Shift.kind.label.as_alias("kind_label"),
)


def parse_moment(text: str | None, zone: ZoneInfo, name: str) -> datetime | None:
    """ISO 8601 date or date-time; one without an offset is read in the garden's zone."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError as error:
        raise DomainError(
            _(
                "Please give %(name)s as a date like 2026-06-01 or a time like 2026-06-01T09:00.",
                name=field_label(name),
            ),
            field=name,
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


async def get_shift(shift_id: int) -> dict:
    row = await Shift.select(*COLUMNS).where(Shift.id == shift_id).first()
    if row is None:
        raise NotFound(_("We couldn't find that shift. It may have been removed."))
    return row


async def list_shifts(
    start: datetime | None = None,
    end: datetime | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
    include_cancelled: bool = True,
) -> list[dict]:
    """Shifts starting in [start, end), soonest first."""
    query = Shift.select(*COLUMNS)
    if start is not None:
        query = query.where(Shift.starts_at >= start)
    if end is not None:
        query = query.where(Shift.starts_at < end)
    if kind:
        query = query.where(Shift.kind.slug == kind)
    if not include_cancelled:
        query = query.where(Shift.status == "scheduled")
    return await query.order_by(Shift.starts_at).order_by(Shift.id).limit(limit).offset(offset)


def week_start(zone: ZoneInfo, weeks_ahead: int = 0, today: date | None = None) -> date:
    """The Monday of this week (or ``weeks_ahead`` later) in the garden's zone."""
    today = today or datetime.now(UTC).astimezone(zone).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def week_range(monday: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(monday, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), zone).astimezone(UTC)
    return start, end


async def kinds() -> list[dict]:
    return await ShiftKind.select(ShiftKind.slug, ShiftKind.label).order_by(ShiftKind.label)

"""Reading shifts and their kinds for pages, the API and the rules: one, a range, the kinds."""

from __future__ import annotations

from datetime import datetime

from coop.db import reading
from coop.errors import NotFound
from coop.i18n import _
from coop.tables import Shift, ShiftKind
from coop.vocabulary import ShiftStatus

COLUMNS = (
    Shift.all_columns(),
    Shift.kind.slug.as_alias("kind_slug"),
    Shift.kind.label.as_alias("kind_label"),
)


def shift_query():
    """Shifts with their kind's slug and label, as every reader of a shift wants them."""
    return Shift.select(*COLUMNS)


async def get_shift(shift_id: int) -> dict:
    """One shift with its kind; "not found" in the garden's words."""
    row = await shift_query().where(Shift.id == shift_id).first()
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
    query = shift_query()
    if start is not None:
        query = query.where(Shift.starts_at >= start)
    if end is not None:
        query = query.where(Shift.starts_at < end)
    if kind:
        query = query.where(Shift.kind.slug == kind)
    if not include_cancelled:
        query = query.where(Shift.status == ShiftStatus.SCHEDULED)
    return await query.order_by(Shift.starts_at).order_by(Shift.id).limit(limit).offset(offset)


async def week(start: datetime, end: datetime, kind: str | None) -> tuple[list[dict], list[dict]]:
    """The shifts starting in [start, end) (of one kind, or all) and every kind, read together."""
    async with reading():
        return await list_shifts(start, end, kind, limit=500), await kinds()


async def kinds() -> list[dict]:
    """The kinds of shift in the order they were added (the defaults first)."""
    return await ShiftKind.select().order_by(ShiftKind.id)

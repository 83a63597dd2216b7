"""After a shift: who came and when (for pay) and the pair's own private notes.

Attendance is marked on a started, not-cancelled shift by each person for themselves (never by
a partner) or by a coordinator, who approves it; only approved time is paid. Every change is
kept. It is shown only to coordinators and the person it is about, and nothing in the app locks
anyone out for a missed shift.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from piccolo.engine.postgres import PostgresEngine

from coop.db import current_engine, writing
from coop.errors import Conflict, DomainError, Forbidden
from coop.i18n import _
from coop.pay import service as pay
from coop.pay.service import lock_periods
from coop.shifts.listing import get_shift
from coop.tables import (
    Attendance,
    AttendanceChange,
    Member,
    Pair,
    Placement,
    PlacementMember,
    Shift,
    ShiftNote,
)
from coop.vocabulary import HELD, AttendanceStatus, PairStatus, PlacementStatus, Role, ShiftStatus


class NotPlacedHere(DomainError):
    status_code = 400


# How far from the shift's own times arriving and leaving may be (people come early, stay late).
SLACK = timedelta(hours=3)


async def _held_seats(shift_id: int) -> dict[int, int]:
    """member id -> placement id, for everyone holding a place on the shift."""
    rows = await PlacementMember.select(PlacementMember.member, PlacementMember.placement).where(
        (PlacementMember.shift == shift_id) & PlacementMember.placement.status.is_in(list(HELD))
    )
    return {row["member"]: row["placement"] for row in rows}


def _snapshot(row: dict | None) -> dict | None:
    """What the history keeps of a record: status, times (ISO, UTC) and approval."""
    if row is None:
        return None
    return {
        "status": row["status"],
        "arrived_at": row["arrived_at"].astimezone(UTC).isoformat() if row["arrived_at"] else None,
        "left_at": row["left_at"].astimezone(UTC).isoformat() if row["left_at"] else None,
        "approved": bool(row["approved"]),
    }


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Times without an offset are garden time."""
    if value is None:
        return None
    return (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(UTC)


def _times(shift: dict, record, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """Arrived and left for a record, checked against the shift; none unless attended."""
    arrived, left = _local(record.arrived_at, zone), _local(record.left_at, zone)
    if record.status != AttendanceStatus.ATTENDED:
        if arrived or left:
            raise DomainError(
                _('Arrival and leaving times go with "came" only.'),
                member_id=record.member_id,
                field="arrived_at",
            )
        return None, None
    arrived = arrived or shift["starts_at"]
    left = left or shift["ends_at"]
    if left <= arrived:
        raise DomainError(
            _("The time someone left must be after the time they arrived."),
            member_id=record.member_id,
            field="left_at",
        )
    if arrived < shift["starts_at"] - SLACK or left > shift["ends_at"] + SLACK:
        raise DomainError(
            _(
                "Those times are far from the shift's own. Arriving and leaving must be "
                "within %(hours)d hours of the shift's start and end.",
                hours=SLACK.seconds // 3600,
            ),
            member_id=record.member_id,
            field="arrived_at",
        )
    return arrived, left


async def _open_shift(shift_id: int, zone: ZoneInfo) -> dict:
    """The shift, if its attendance may change now: started, not cancelled, period open.

    On PostgreSQL the shift's row is locked first, so two marks of one person at once are
    serialised (SQLite runs one writer at a time already)."""
    if isinstance(current_engine(), PostgresEngine):
        await Shift.raw("SELECT id FROM shift WHERE id = {} FOR UPDATE", shift_id)
    shift = await get_shift(shift_id)
    if shift["status"] == ShiftStatus.CANCELLED:
        raise Conflict(_("This shift was cancelled, so there is no attendance to mark."))
    if shift["starts_at"] > datetime.now(UTC):
        raise Conflict(_("You can mark attendance once the shift has started."))
    await lock_periods(shared=True)
    await pay.ensure_open(shift["starts_at"], zone)
    return shift


async def record_attendance(shift_id: int, caller: Member, records: list, zone: ZoneInfo):
    """Each person marks their own; a coordinator marks anyone placed. Every change is kept."""
    async with writing():
        shift = await _open_shift(shift_id, zone)
        seats = await _held_seats(shift_id)
        existing = {
            row["member"]: row
            for row in await Attendance.select().where(Attendance.shift == shift_id)
        }
        if caller.role == Role.COORDINATOR:
            allowed = set(seats) | set(existing)
        elif caller.id in seats or caller.id in existing:
            allowed = {caller.id}
        else:
            raise Forbidden(
                _("Attendance is marked by the people who worked this shift, or a coordinator.")
            )
        for record in records:
            if record.member_id in allowed:
                continue
            if caller.role != Role.COORDINATOR and record.member_id in seats:
                raise Forbidden(
                    _(
                        "You can mark only your own attendance. Your partner marks theirs, "
                        "or a coordinator can."
                    ),
                    member_id=record.member_id,
                )
            raise NotPlacedHere(
                _("You can mark attendance only for people placed on this shift."),
                member_id=record.member_id,
            )
        if len({r.member_id for r in records}) != len(records):
            raise DomainError(_("Please mark each person once."))
        planned = [(record, *_times(shift, record, zone)) for record in records]
        now = datetime.now(UTC)
        for record, arrived, left in planned:
            before = existing.get(record.member_id)
            values = {"status": record.status, "arrived_at": arrived, "left_at": left}
            after = {**values, "approved": False}
            if before is not None and _snapshot(before) == _snapshot(after):
                continue  # the same again: nothing changes, nothing to keep
            if before is None:
                await Attendance.insert(
                    Attendance(
                        shift=shift_id,
                        member=record.member_id,
                        recorded_by=caller.id,
                        recorded_at=now,
                        approved=False,
                        **values,
                    )
                )
            else:
                await Attendance.update(
                    {
                        Attendance.status: record.status,
                        Attendance.arrived_at: arrived,
                        Attendance.left_at: left,
                        Attendance.approved: False,
                        Attendance.approved_by: None,
                        Attendance.approved_at: None,
                        Attendance.recorded_by: caller.id,
                        Attendance.recorded_at: now,
                    }
                ).where(Attendance.id == before["id"])
            await _keep(shift_id, record.member_id, caller.id, now, before, after)
    return await attendance_of(shift_id, caller)


async def _keep(shift_id, member_id, by, when, before: dict | None, after: dict) -> None:
    await AttendanceChange.insert(
        AttendanceChange(
            shift=shift_id,
            member=member_id,
            changed_by=by,
            changed_at=when,
            before=_snapshot(before),
            after=_snapshot(after),
        )
    )


async def approve(shift_id: int, caller: Member, member_ids: list[int], zone: ZoneInfo):
    """A coordinator approves marked time: only approved time is paid."""
    async with writing():
        await _open_shift(shift_id, zone)
        rows = {
            row["member"]: row
            for row in await Attendance.select().where(
                (Attendance.shift == shift_id) & Attendance.member.is_in(member_ids)
            )
        }
        missing = [m for m in member_ids if m not in rows]
        if missing:
            raise DomainError(
                _("Only marked attendance can be approved; someone here is not marked yet."),
                member_ids=missing,
            )
        now = datetime.now(UTC)
        for member_id in dict.fromkeys(member_ids):
            before = rows[member_id]
            if before["approved"]:
                continue
            await Attendance.update(
                {
                    Attendance.approved: True,
                    Attendance.approved_by: caller.id,
                    Attendance.approved_at: now,
                }
            ).where(Attendance.id == before["id"])
            await _keep(shift_id, member_id, caller.id, now, before, {**before, "approved": True})
    return await attendance_of(shift_id, caller)


async def attendance_of(shift_id: int, viewer: Member) -> list[dict]:
    """Records with their history: all for a coordinator, only your own for anyone else."""
    await get_shift(shift_id)
    where = Attendance.shift == shift_id
    changes = AttendanceChange.shift == shift_id
    if viewer.role != Role.COORDINATOR:
        where &= Attendance.member == viewer.id
        changes &= AttendanceChange.member == viewer.id
        seats = await _held_seats(shift_id)
        if viewer.id not in seats and not await Attendance.exists().where(where):
            raise Forbidden(
                _("Attendance is shown only to coordinators and the person it is about.")
            )
    rows = await Attendance.select(
        Attendance.all_columns(), Attendance.member.display_name.as_alias("display_name")
    ).where(where)
    history = (
        await AttendanceChange.select(
            AttendanceChange.all_columns(),
            AttendanceChange.changed_by.display_name.as_alias("changed_by_name"),
        )
        .where(changes)
        .order_by(AttendanceChange.id)
    )
    by_member: dict[int | None, list[dict]] = {}
    for change in history:
        by_member.setdefault(change["member"], []).append(
            {
                "changed_by": change["changed_by"],
                "changed_by_name": change["changed_by_name"] or "",
                "changed_at": change["changed_at"],
                "before": _json(change["before"]),
                "after": _json(change["after"]),
            }
        )
    return [
        {
            "member_id": row["member"],
            "display_name": row["display_name"] or "",
            "status": row["status"],
            "arrived_at": row["arrived_at"],
            "left_at": row["left_at"],
            "approved": bool(row["approved"]),
            "history": by_member.get(row["member"], []),
        }
        for row in sorted(rows, key=lambda r: (r["display_name"] or "").lower())
    ]


def _json(value):
    """Piccolo hands JSON columns back as text on some engines and paths."""
    return json.loads(value) if isinstance(value, str) else value


async def notes_pair(shift_id: int, member_id: int) -> int:
    """The pair whose notes the caller may read and write on this shift."""
    seat = (
        await PlacementMember.select(PlacementMember.placement)
        .where((PlacementMember.shift == shift_id) & (PlacementMember.member == member_id))
        .first()
    )
    placement = (
        await Placement.select().where(Placement.id == seat["placement"]).first() if seat else None
    )
    if placement is None or placement["status"] != PlacementStatus.CONFIRMED:
        raise Forbidden(_("Shift notes belong to the partners who share a slot on this shift."))
    partner = next(
        m
        for m in await PlacementMember.select(PlacementMember.member)
        .where(PlacementMember.placement == placement["id"])
        .output(as_list=True)
        if m != member_id
    )
    if placement["pair"] is not None:
        return placement["pair"]
    a, b = sorted((member_id, partner))
    pair = (
        await Pair.select(Pair.id)
        .where(
            (Pair.member_a == a)
            & (Pair.member_b == b)
            & Pair.status.is_in([PairStatus.ACTIVE, PairStatus.ENDED])
        )
        .order_by(Pair.id, ascending=False)
        .first()
    )
    if pair is None:
        raise Forbidden(
            _(
                "Shift notes are shared by a pair. You shared this slot but aren't partners; you "
                "can propose a pair on the Pairs page."
            )
        )
    return pair["id"]


async def list_notes(shift_id: int, member_id: int) -> list[dict]:
    pair_id = await notes_pair(shift_id, member_id)
    return await _notes(shift_id, pair_id)


async def _notes(shift_id: int, pair_id: int) -> list[dict]:
    return (
        await ShiftNote.select(
            ShiftNote.id,
            ShiftNote.shift,
            ShiftNote.pair,
            ShiftNote.text,
            ShiftNote.created_at,
            ShiftNote.author.display_name.as_alias("author"),
        )
        .where((ShiftNote.shift == shift_id) & (ShiftNote.pair == pair_id))
        .order_by(ShiftNote.id)
    )


async def add_note(shift_id: int, member_id: int, text: str) -> list[dict]:
    """Either partner writes a short note after the shift; both of them see it."""
    async with writing():
        shift = await get_shift(shift_id)
        pair_id = await notes_pair(shift_id, member_id)
        if shift["starts_at"] > datetime.now(UTC):
            raise Conflict(_("You can write a note once the shift has started."))
        text = text.strip()
        if not text:
            raise DomainError(_("Please write something in the note."), field="text")
        await ShiftNote.insert(ShiftNote(shift=shift_id, pair=pair_id, author=member_id, text=text))
    return await _notes(shift_id, pair_id)


async def markable(shift_id: int, viewer: Member) -> list[dict]:
    """Whom the viewer may mark on this shift (a coordinator: everyone; else only themselves),
    with their record and its history, for the form."""
    seats = await _held_seats(shift_id)
    records = {r["member_id"]: r for r in await _records_or_none(shift_id, viewer)}
    if viewer.role == Role.COORDINATOR:
        people = set(seats) | {m for m in records if m is not None}
    elif viewer.id in seats or viewer.id in records:
        people = {viewer.id}
    else:
        return []
    if not people:
        return []
    names = await Member.select(Member.id, Member.display_name).where(Member.id.is_in(list(people)))
    return [
        {
            "id": row["id"],
            "display_name": row["display_name"],
            "record": records.get(row["id"]),
            "status": (records.get(row["id"]) or {}).get("status", ""),
        }
        for row in sorted(names, key=lambda r: r["display_name"].lower())
    ]


async def _records_or_none(shift_id: int, viewer: Member) -> list[dict]:
    try:
        return await attendance_of(shift_id, viewer)
    except Forbidden:
        return []

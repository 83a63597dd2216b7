"""After a shift: who came (for hours) and the pair's own private notes.

Attendance is marked by a coordinator or by the partners of a slot for themselves; it is
never shown to other members, and nothing in the app locks anyone out for a missed shift.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from coop.db import writing
from coop.errors import Conflict, DomainError, Forbidden
from coop.i18n import _
from coop.shifts.listing import get_shift
from coop.tables import Attendance, Member, Pair, Placement, PlacementMember, ShiftNote
from coop.vocabulary import HELD, AttendanceStatus, PairStatus, PlacementStatus, Role


class NotPlacedHere(DomainError):
    status_code = 400


async def _held_seats(shift_id: int) -> dict[int, int]:
    """member id -> placement id, for everyone holding a place on the shift."""
    rows = await PlacementMember.select(PlacementMember.member, PlacementMember.placement).where(
        (PlacementMember.shift == shift_id) & PlacementMember.placement.status.is_in(list(HELD))
    )
    return {row["member"]: row["placement"] for row in rows}


async def record_attendance(shift_id: int, caller: Member, records: list) -> list[dict]:
    """Mark attended / excused / absent; a later mark replaces an earlier one."""
    async with writing():
        shift = await get_shift(shift_id)
        if shift["starts_at"] > datetime.now(UTC):
            raise Conflict(_("You can mark attendance once the shift has started."))
        seats = await _held_seats(shift_id)
        if caller.role == Role.COORDINATOR:
            allowed = set(seats)
        elif caller.id in seats:
            allowed = {m for m, p in seats.items() if p == seats[caller.id]}
        else:
            raise Forbidden(
                _("Attendance is marked by a coordinator or by the partners who worked this shift.")
            )
        for record in records:
            if record.member_id not in allowed:
                raise NotPlacedHere(
                    _("You can mark attendance only for people placed on this shift.")
                    if caller.role == Role.COORDINATOR
                    else _(
                        "You can mark attendance only for people placed on this shift: "
                        "yourself and your partner."
                    ),
                    member_id=record.member_id,
                )
        now = datetime.now(UTC)
        for record in records:
            await Attendance.delete().where(
                (Attendance.shift == shift_id) & (Attendance.member == record.member_id)
            )
            await Attendance.insert(
                Attendance(
                    shift=shift_id,
                    member=record.member_id,
                    status=record.status,
                    recorded_by=caller.id,
                    recorded_at=now,
                )
            )
    return [{"member_id": r.member_id, "status": r.status} for r in records]


async def hours_by_member(start: datetime, end: datetime) -> dict[int, Decimal]:
    """Hours per member from attended records of shifts starting in [start, end)."""
    rows = await Attendance.select(
        Attendance.member,
        Attendance.shift.starts_at.as_alias("starts_at"),
        Attendance.shift.ends_at.as_alias("ends_at"),
    ).where(
        (Attendance.status == AttendanceStatus.ATTENDED)
        & (Attendance.shift.starts_at >= start)
        & (Attendance.shift.starts_at < end)
        & Attendance.member.is_not_null()
    )
    hours: dict[int, Decimal] = {}
    for row in rows:
        seconds = int((row["ends_at"] - row["starts_at"]).total_seconds())
        hours[row["member"]] = hours.get(row["member"], Decimal(0)) + Decimal(seconds) / 3600
    return hours


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
    """Whom the viewer may mark on this shift, with the mark each has now (for the form)."""
    seats = await _held_seats(shift_id)
    if viewer.role == Role.COORDINATOR:
        people = list(seats)
    elif viewer.id in seats:
        people = [m for m, p in seats.items() if p == seats[viewer.id]]
    else:
        return []
    if not people:
        return []
    names = await Member.select(Member.id, Member.display_name).where(Member.id.is_in(people))
    marks = await Attendance.select(Attendance.member, Attendance.status).where(
        (Attendance.shift == shift_id) & Attendance.member.is_in(people)
    )
    status = {row["member"]: row["status"] for row in marks}
    return [
        {"id": row["id"], "display_name": row["display_name"], "status": status.get(row["id"], "")}
        for row in sorted(names, key=lambda r: r["display_name"].lower())
    ]

"""The JSON face of shifts: read them, sign up, withdraw, attendance and notes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar import Controller, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from coop import auth
from coop.deps import AppSettings, CurrentMember
from coop.errors import DomainError
from coop.shifts import attendance, listing, service
from coop.shifts.schemas import (
    AttendanceIn,
    AttendanceOut,
    AttendanceRecord,
    Limit,
    NoteIn,
    NoteOut,
    Offset,
    PlacementCreate,
    PlacementOut,
    ShiftOut,
)


def parse_moment(text: str | None, zone: ZoneInfo, name: str) -> datetime | None:
    """ISO 8601 date or date-time; one without an offset is read in the garden's zone."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError as error:
        raise DomainError(
            f"Please give {name} as a date like 2026-06-01 or a time like 2026-06-01T09:00.",
            field=name,
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def placement_out(view: dict, me: int) -> PlacementOut:
    return PlacementOut(**view, message=service.describe(view, me))


def note_out(row: dict) -> NoteOut:
    return NoteOut(
        id=row["id"],
        shift_id=row["shift"],
        pair_id=row["pair"],
        text=row["text"],
        author=row["author"] or "",
        created_at=row["created_at"],
    )


class ShiftsApi(Controller):
    path = "/api/shifts"
    tags = ["shifts"]

    @get()
    async def list_shifts(
        self,
        settings: AppSettings,
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[ShiftOut]:
        """Shifts starting in [start, end), with their open pair slots."""
        zone = settings.zone
        rows = await listing.list_shifts(
            parse_moment(start, zone, "start"),
            parse_moment(end, zone, "end"),
            kind,
            limit,
            offset,
        )
        return [ShiftOut(**listing.shift_out(row, zone)) for row in rows]

    @get("/{shift_id:int}")
    async def one(self, shift_id: FromPath[int], settings: AppSettings) -> ShiftOut:
        return ShiftOut(**listing.shift_out(await listing.get_shift(shift_id), settings.zone))

    @post("/{shift_id:int}/placements", guards=[auth.requires_member], status_code=HTTP_201_CREATED)
    async def sign_up(
        self,
        shift_id: FromPath[int],
        member: CurrentMember,
        settings: AppSettings,
        data: JSONBody[PlacementCreate | None] = None,
    ) -> PlacementOut:
        """Sign up alone, or with an active partner (``pair_id``); a full shift waitlists."""
        pair_id = data.pair_id if data else None
        view = await service.sign_up(shift_id, member.id, settings.zone, pair_id)
        return placement_out(view, member.id)

    @post("/{shift_id:int}/attendance", guards=[auth.requires_member], status_code=HTTP_200_OK)
    async def attendance(
        self, shift_id: FromPath[int], data: JSONBody[AttendanceIn], member: CurrentMember
    ) -> AttendanceOut:
        records = await attendance.record_attendance(shift_id, member, data.records)
        return AttendanceOut(shift_id=shift_id, records=[AttendanceRecord(**r) for r in records])

    @get("/{shift_id:int}/notes", guards=[auth.requires_member])
    async def notes(self, shift_id: FromPath[int], member: CurrentMember) -> list[NoteOut]:
        """Your pair's own notes on this shift (partners only)."""
        return [note_out(row) for row in await attendance.list_notes(shift_id, member.id)]

    @post("/{shift_id:int}/notes", guards=[auth.requires_member], status_code=HTTP_201_CREATED)
    async def add_note(
        self, shift_id: FromPath[int], data: JSONBody[NoteIn], member: CurrentMember
    ) -> list[NoteOut]:
        rows = await attendance.add_note(shift_id, member.id, data.text)
        return [note_out(row) for row in rows]


class PlacementsApi(Controller):
    path = "/api"
    tags = ["shifts"]
    guards = [auth.requires_member]

    @delete("/placements/{placement_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def withdraw(
        self, placement_id: FromPath[int], member: CurrentMember, settings: AppSettings
    ) -> None:
        """Withdraw from a shift; no reason needed. A partner keeps the slot."""
        await service.withdraw(placement_id, member.id, settings.zone)

    @get("/me/placements")
    async def mine(self, member: CurrentMember) -> list[PlacementOut]:
        """Your places in upcoming shifts: confirmed, awaiting a partner, waitlisted."""
        views = await service.member_placements(member.id)
        return [placement_out(view, member.id) for view in views]

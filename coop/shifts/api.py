"""The JSON face of shifts: read them, sign up, withdraw, attendance and notes."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from coop.shifts import attendance, service
from coop.shifts.schemas import (
    ApproveIn,
    AttendanceChangeOut,
    AttendanceIn,
    AttendanceOut,
    AttendanceView,
    NoteIn,
    NoteOut,
    PartnerChoice,
    PlacementCreate,
    PlacementOut,
)
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.errors import error_responses


def placement_out(view: dict, me: int) -> PlacementOut:
    return PlacementOut(**view, message=service.describe(view, me))


def attendance_out(shift_id: int, records: list[dict]) -> AttendanceOut:
    views = [
        AttendanceView(
            **{k: v for k, v in r.items() if k != "history"},
            history=[AttendanceChangeOut(**h) for h in r["history"]],
        )
        for r in records
    ]
    return AttendanceOut(shift_id=shift_id, records=views)


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
    """Placements, attendance and notes of a shift.

    The shift itself (GET /api/shifts, GET /api/shifts/{id}) is served by the planner's
    controller: Litestar refuses two controllers on one path (their OPTIONS handlers clash).
    """

    path = "/api/shifts"
    tags = ["shifts"]

    @post(
        "/{shift_id:int}/placements",
        guards=[sessions.requires_member],
        status_code=HTTP_201_CREATED,
        responses=error_responses(409),
    )
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

    @post(
        "/{shift_id:int}/attendance",
        guards=[sessions.requires_member],
        status_code=HTTP_200_OK,
        responses=error_responses(400, 409),
    )
    async def attendance(
        self,
        shift_id: FromPath[int],
        data: JSONBody[AttendanceIn],
        member: CurrentMember,
        settings: AppSettings,
    ) -> AttendanceOut:
        """Mark your own attendance (a coordinator: anyone placed); times default to the shift's."""
        records = await attendance.record_attendance(shift_id, member, data.records, settings.zone)
        return attendance_out(shift_id, records)

    @get("/{shift_id:int}/attendance", guards=[sessions.requires_member])
    async def attendance_list(
        self, shift_id: FromPath[int], member: CurrentMember
    ) -> list[AttendanceView]:
        """Records with their history: every one for coordinators, your own for anyone else."""
        records = await attendance.attendance_of(shift_id, member)
        return attendance_out(shift_id, records).records

    @post(
        "/{shift_id:int}/attendance/approve",
        guards=[sessions.requires_coordinator],
        status_code=HTTP_200_OK,
        responses=error_responses(400, 409),
    )
    async def approve(
        self,
        shift_id: FromPath[int],
        data: JSONBody[ApproveIn],
        member: CurrentMember,
        settings: AppSettings,
    ) -> AttendanceOut:
        """Approve marked time (coordinators): only approved time is paid."""
        records = await attendance.approve(shift_id, member, data.member_ids, settings.zone)
        return attendance_out(shift_id, records)

    @get("/{shift_id:int}/notes", guards=[sessions.requires_member])
    async def notes(self, shift_id: FromPath[int], member: CurrentMember) -> list[NoteOut]:
        """Your pair's own notes on this shift (partners only)."""
        return [note_out(row) for row in await attendance.list_notes(shift_id, member.id)]

    @post(
        "/{shift_id:int}/notes",
        guards=[sessions.requires_member],
        status_code=HTTP_201_CREATED,
        responses=error_responses(409),
    )
    async def add_note(
        self, shift_id: FromPath[int], data: JSONBody[NoteIn], member: CurrentMember
    ) -> list[NoteOut]:
        rows = await attendance.add_note(shift_id, member.id, data.text)
        return [note_out(row) for row in rows]


class PlacementsApi(Controller):
    path = "/api"
    tags = ["shifts"]
    guards = [sessions.requires_member]

    @delete(
        "/placements/{placement_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        responses=error_responses(409),
    )
    async def withdraw(
        self, placement_id: FromPath[int], member: CurrentMember, settings: AppSettings
    ) -> None:
        """Withdraw from a shift; no reason needed. A partner keeps the slot."""
        await service.withdraw(placement_id, member.id, settings.zone)

    @post("/placements/{placement_id:int}/open", status_code=HTTP_200_OK)
    async def open_to_anyone(
        self, placement_id: FromPath[int], member: CurrentMember, settings: AppSettings
    ) -> PlacementOut:
        """Match me with anyone: the waitlist or a solo sign-up may now complete your place."""
        view = await service.open_to_anyone(placement_id, member.id, settings.zone)
        return placement_out(view, member.id)

    @post("/placements/{placement_id:int}/partner", status_code=HTTP_200_OK)
    async def choose_partner(
        self,
        placement_id: FromPath[int],
        data: JSONBody[PartnerChoice],
        member: CurrentMember,
        settings: AppSettings,
    ) -> PlacementOut:
        """Your partner from that active pair takes the free seat beside you."""
        view = await service.choose_partner(placement_id, member.id, data.pair_id, settings.zone)
        return placement_out(view, member.id)

    @get("/me/placements")
    async def mine(self, member: CurrentMember) -> list[PlacementOut]:
        """Your places in upcoming shifts: confirmed, awaiting a partner, waitlisted."""
        views = await service.member_placements(member.id)
        return [placement_out(view, member.id) for view in views]

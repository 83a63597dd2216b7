"""The pages of shifts: the weeks ahead, one shift, signing up and withdrawing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from coop import auth
from coop.db import reading
from coop.deps import AppSettings, CurrentMember, Viewer
from coop.errors import DomainError
from coop.forms import parse_form
from coop.garden import service as garden
from coop.pairs import service as pairs
from coop.settings import Settings
from coop.shifts import attendance, listing, service, visibility
from coop.shifts.schemas import AttendanceRecord, NoteIn, PlacementCreate
from coop.tables import Member

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MAX_WEEKS_AHEAD = 60


class HomePage(Controller):
    include_in_schema = False

    @get("/")
    async def home(
        self,
        request: HTMXRequest,
        viewer: Viewer,
        settings: AppSettings,
        week: FromQuery[int] = 0,
        kind: FromQuery[str] = "",
    ) -> Template:
        """Upcoming shifts, one week a page, with open places and a kind filter."""
        visibility.ensure_may_see_schedule(settings, viewer)
        week = min(max(week, 0), MAX_WEEKS_AHEAD)
        monday = listing.week_start(settings.zone, week)
        start, end = listing.week_range(monday, settings.zone)
        start = max(start, datetime.now(UTC)) if week == 0 else start
        async with reading():
            rows = await listing.list_shifts(start, end, kind or None, limit=500)
            kinds = await listing.kinds()
        days: dict[str, list[dict]] = {}
        for row in rows:
            local = row["starts_at"].astimezone(settings.zone)
            row["open_slots"] = max(0, row["pair_slots"] - row["taken_slots"])
            days.setdefault(f"{local:%A} {local.day} {local:%B}", []).append(row)
        context = {
            "viewer": viewer,
            "days": days,
            "kinds": kinds,
            "kind": kind,
            "week": week,
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "has_next": week < MAX_WEEKS_AHEAD,
        }
        if request.htmx and not request.htmx.history_restore_request:
            return Template("shifts/_weeks.html", context=context)  # the kind filter, in place
        return Template("shifts/home.html", context=context)


async def shift_context(shift_id: FromPath[int], viewer, settings) -> dict[str, Any]:
    """Everything the shift page shows; partner-only parts only for partners."""
    visibility.ensure_may_see_schedule(settings, viewer)
    async with reading():
        shift = await listing.get_shift(shift_id)
        roster = await service.shift_placements(shift_id)
        mine = None
        partners: list[dict] = []
        notes = None
        if viewer is not None:
            mine = next(
                (p for p in roster if any(m["id"] == viewer.id for m in p["members"])), None
            )
            placed = {m["id"] for p in roster for m in p["members"]}
            # Offer "Sign up with ..." only for partners who are not on this shift already.
            partners = [
                p for p in await pairs.active_partners(viewer.id) if p["partner_id"] not in placed
            ]
            if mine and mine["status"] == "confirmed":
                try:
                    notes = await attendance.list_notes(shift_id, viewer.id)
                except DomainError:
                    notes = None
        started = shift["starts_at"] <= datetime.now(UTC)
        marking = await attendance.markable(shift_id, viewer) if viewer and started else []
        # Names for members only; contacts for partners who share them, and for coordinators.
        slots = await visibility.roster_for(
            viewer, [p for p in roster if p["status"] != "waitlisted"]
        )
        if mine is not None:
            mine = next((p for p in slots if p["id"] == mine["id"]), None) or {
                **mine,
                "members": [{**m, "contact": ""} for m in mine["members"]],
            }
    harvest: dict[str, Any] = {}
    live = shift["status"] == "scheduled"
    if viewer is not None and started and live and await garden.can_log_harvest(viewer, shift_id):
        harvest = await garden.harvest_form_context(shift_id)
        harvest["harvested_on"] = shift["starts_at"].astimezone(settings.zone).date().isoformat()
    return {
        "viewer": viewer,
        "shift": shift,
        "open_slots": max(0, shift["pair_slots"] - shift["taken_slots"]),
        "slots": slots,
        "waiting": len([p for p in roster if p["status"] == "waitlisted"]),
        "mine": mine,
        "partners": partners,
        "notes": notes,
        "started": started,
        "marking": marking,
        "can_sign_up": shift["status"] == "scheduled" and not started and mine is None,
        "form": {},
        "harvest": harvest,
    }


async def places(
    shift_id: int, member: Member, settings: Settings, status_code: int = 200, **extra: Any
) -> Template:
    """Just the sign-up part of a shift's page, as it is now, for htmx to swap in place."""
    context = await shift_context(shift_id, member, settings)
    context.update(extra, partial=True)
    return Template("shifts/_places.html", context=context, status_code=status_code)


class ShiftPages(Controller):
    path = "/shifts"
    include_in_schema = False

    @get("/{shift_id:int}")
    async def show(
        self, shift_id: FromPath[int], viewer: Viewer, settings: AppSettings
    ) -> Template:
        return Template(
            "shifts/shift.html", context=await shift_context(shift_id, viewer, settings)
        )

    async def _retry(self, shift_id, member, settings, error: DomainError, form=None) -> Template:
        context = await shift_context(shift_id, member, settings)
        context.update(error=error.message, field=error.extra.get("field"), form=form or {})
        return Template("shifts/shift.html", context=context, status_code=error.status_code)

    @post("/{shift_id:int}/sign-up", guards=[auth.requires_member])
    async def sign_up(
        self,
        request: HTMXRequest,
        shift_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        try:
            choice = parse_form({"pair_id": data.get("pair_id", "")}, PlacementCreate)
            view = await service.sign_up(shift_id, member.id, settings.zone, choice.pair_id)
        except DomainError as error:
            if request.htmx:
                return await places(
                    shift_id, member, settings, error.status_code, error=error.message
                )
            return await self._retry(shift_id, member, settings, error)
        words = service.describe(view, member.id)
        if request.htmx:
            return await places(shift_id, member, settings, message=words)
        flash(request, words, category="success")
        return Redirect(f"/shifts/{shift_id}")

    @post("/{shift_id:int}/notes", guards=[auth.requires_member])
    async def add_note(
        self,
        request: Request,
        shift_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        try:
            note = parse_form(data, NoteIn)
            await attendance.add_note(shift_id, member.id, note.text)
        except DomainError as error:
            return await self._retry(shift_id, member, settings, error, form=data)
        flash(request, "Your note is saved. Only the two of you can see it.", category="success")
        return Redirect(f"/shifts/{shift_id}")

    @post("/{shift_id:int}/attendance", guards=[auth.requires_member])
    async def mark_attendance(
        self,
        request: Request,
        shift_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        """One select per person: attended, excused or absent (blank leaves it as it was)."""
        try:
            records = [
                parse_form(
                    {"member_id": key.removeprefix("status_"), "status": value}, AttendanceRecord
                )
                for key, value in data.items()
                if key.startswith("status_") and value
            ]
            # Even with nothing chosen: an unknown shift or a stranger still gets told so.
            await attendance.record_attendance(shift_id, member, records)
        except DomainError as error:
            return await self._retry(shift_id, member, settings, error)
        flash(request, "Attendance is saved. Thank you.", category="success")
        return Redirect(f"/shifts/{shift_id}")


class PlacementPages(Controller):
    path = "/placements"
    include_in_schema = False
    guards = [auth.requires_member]

    @post("/{placement_id:int}/withdraw")
    async def withdraw(
        self,
        request: HTMXRequest,
        placement_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        """No reason asked, nothing held against anyone. From a shift's page htmx gets its
        sign-up part back instead of a redirect."""
        shift_id = str(data.get("shift_id", ""))
        in_place = bool(request.htmx) and shift_id.isdigit()
        try:
            await service.withdraw(placement_id, member.id, settings.zone)
        except DomainError as error:
            if not in_place:
                raise
            return await places(
                int(shift_id), member, settings, error.status_code, error=error.message
            )
        words = "You've withdrawn. Thanks for letting the garden know."
        if in_place:
            return await places(int(shift_id), member, settings, message=words)
        flash(request, words, category="success")
        target = data.get("next", "")
        return Redirect(target if target.startswith("/") and not target.startswith("//") else "/me")

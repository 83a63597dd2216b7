"""The pages of shifts: the weeks ahead, one shift, signing up and withdrawing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from coop import formatting
from coop.errors import DomainError
from coop.garden import service as garden
from coop.i18n import _
from coop.periods import week_bounds, week_start
from coop.settings import Settings
from coop.shifts import attendance, listing, rules, service, visibility
from coop.shifts.schemas import AttendanceRecord, NoteIn, PartnerChoice, PlacementCreate
from coop.tables import Member
from coop.vocabulary import AttendanceStatus, PlacementStatus, ShiftStatus
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember, Viewer
from coop.web.forms import Form, parse_form, refusal
from coop.web.urls import redirect_to, safe_next

MAX_WEEKS_AHEAD = 60


class HomePage(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(
        self,
        request: HTMXRequest,
        viewer: Viewer,
        settings: AppSettings,
        week: FromQuery[int] = 0,
        kind: FromQuery[str] = "",
    ) -> Template:
        """Upcoming shifts, one week a page, with open places and a kind filter."""
        sessions.ensure_may_see_schedule(settings, viewer)
        week = min(max(week, 0), MAX_WEEKS_AHEAD)
        monday = week_start(settings.zone, week)
        start, end = week_bounds(monday, settings.zone)
        start = max(start, datetime.now(UTC)) if week == 0 else start
        rows, kinds = await listing.week(start, end, kind or None)
        days: dict[str, list[dict]] = {}
        for row in rows:
            local = row["starts_at"].astimezone(settings.zone)
            row["open_slots"] = rules.open_slots(row)
            heading = formatting.day(local.date())
            days.setdefault(heading[:1].upper() + heading[1:], []).append(row)
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
    sessions.ensure_may_see_schedule(settings, viewer)
    view = await service.shift_view(shift_id, viewer, settings.zone)
    shift, roster, mine, started = view["shift"], view["roster"], view["mine"], view["started"]
    # Names for members only; contacts for partners who share them, and for coordinators.
    seated = [p for p in roster if p["status"] != PlacementStatus.WAITLISTED]
    slots = await visibility.roster_for(viewer, seated)
    if mine is not None:
        mine = next((p for p in slots if p["id"] == mine["id"]), None) or {
            **mine,
            "members": [{**m, "contact": ""} for m in mine["members"]],
        }
    harvest: dict[str, Any] = {}
    live = shift["status"] == ShiftStatus.SCHEDULED
    if viewer is not None and started and live and await garden.can_log_harvest(viewer, shift_id):
        harvest = await garden.harvest_form_context(shift_id)
        harvest["harvested_on"] = shift["starts_at"].astimezone(settings.zone).date().isoformat()
    return {
        "viewer": viewer,
        "shift": shift,
        "open_slots": rules.open_slots(shift),
        "slots": slots,
        "waiting": len([p for p in roster if p["status"] == PlacementStatus.WAITLISTED]),
        "mine": mine,
        "partners": view["partners"],
        "notes": view["notes"],
        "started": started,
        "marking": view["marking"],
        "pay_locked": view["pay_locked"],
        "can_sign_up": shift["status"] == ShiftStatus.SCHEDULED and not started and mine is None,
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

    @get("/{shift_id:int}", name="shift")
    async def show(
        self, shift_id: FromPath[int], viewer: Viewer, settings: AppSettings
    ) -> Template:
        return Template(
            "shifts/shift.html", context=await shift_context(shift_id, viewer, settings)
        )

    async def _retry(self, shift_id, member, settings, error: DomainError, form=None) -> Template:
        context = await shift_context(shift_id, member, settings)
        context.update(refusal(error), form=form or {})
        return Template("shifts/shift.html", context=context, status_code=error.status_code)

    @post("/{shift_id:int}/sign-up", guards=[sessions.requires_member])
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
                return await places(shift_id, member, settings, error.status_code, **refusal(error))
            return await self._retry(shift_id, member, settings, error)
        words = service.describe(view, member.id)
        if request.htmx:
            return await places(shift_id, member, settings, message=words)
        flash(request, words, category="success")
        return redirect_to(request, "shift", shift_id=shift_id)

    @post("/{shift_id:int}/notes", guards=[sessions.requires_member])
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
        flash(request, _("Your note is saved. Only the two of you can see it."), category="success")
        return redirect_to(request, "shift", shift_id=shift_id)

    @post("/{shift_id:int}/attendance", guards=[sessions.requires_member])
    async def mark_attendance(
        self,
        request: Request,
        shift_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        """Per person: came, excused or didn't come, and for "came" the times (blank: the
        shift's own). A blank choice leaves the record as it was."""
        try:
            shift = await listing.get_shift(shift_id)
            day = shift["starts_at"].astimezone(settings.zone).date().isoformat()
            records = []
            for key, value in data.items():
                if not key.startswith("status_") or not value:
                    continue
                person = key.removeprefix("status_")
                fields = {"member_id": person, "status": value}
                for name in ("arrived", "left"):
                    clock = str(data.get(f"{name}_{person}", "")).strip()
                    if clock and value == AttendanceStatus.ATTENDED:
                        fields[f"{name}_at"] = f"{day}T{clock}"
                records.append(parse_form(fields, AttendanceRecord))
            # Even with nothing chosen: an unknown shift or a stranger still gets told so.
            await attendance.record_attendance(shift_id, member, records, settings.zone)
        except DomainError as error:
            return await self._retry(shift_id, member, settings, error)
        flash(request, _("Attendance is saved. Thank you."), category="success")
        return redirect_to(request, "shift", shift_id=shift_id)

    @post("/{shift_id:int}/attendance/approve", guards=[sessions.requires_coordinator])
    async def approve_attendance(
        self,
        request: Request,
        shift_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        """Approve the ticked people's time; only approved time is paid."""
        ticked = [int(k.removeprefix("approve_")) for k in data if _ticked(k, "approve_")]
        try:
            if not ticked:
                raise DomainError(_("Please tick whose time to approve."))
            await attendance.approve(shift_id, member, ticked, settings.zone)
        except DomainError as error:
            return await self._retry(shift_id, member, settings, error)
        flash(request, _("Approved. That time will be paid."), category="success")
        target = str(data.get("next", ""))
        if target and safe_next(request, target) == target:
            return Redirect(target)
        return redirect_to(request, "shift", shift_id=shift_id)


def _ticked(key: str, prefix: str) -> bool:
    return key.startswith(prefix) and key.removeprefix(prefix).isdigit()


class PlacementPages(Controller):
    path = "/placements"
    include_in_schema = False
    guards = [sessions.requires_member]

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
                int(shift_id), member, settings, error.status_code, **refusal(error)
            )
        words = _("You've withdrawn. Thanks for letting the garden know.")
        if in_place:
            return await places(int(shift_id), member, settings, message=words)
        flash(request, words, category="success")
        target = data.get("next", "")
        return Redirect(safe_next(request, target))

    async def _choose(self, request, placement_id, data, member, settings, choose) -> Any:
        """Run one choice for a place whose partner left; answer as withdraw does."""
        shift_id = str(data.get("shift_id", ""))
        in_place = bool(request.htmx) and shift_id.isdigit()
        try:
            view = await choose()
        except DomainError as error:
            if not in_place:
                raise
            return await places(
                int(shift_id), member, settings, error.status_code, error=error.message
            )
        words = service.describe(view, member.id)
        if in_place:
            return await places(int(shift_id), member, settings, message=words)
        flash(request, words, category="success")
        return Redirect(f"/shifts/{view['shift_id']}")

    @post("/{placement_id:int}/open")
    async def open_to_anyone(
        self,
        request: HTMXRequest,
        placement_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        """ "Match me with anyone": the waitlist or the next solo sign-up completes the place."""

        async def choose():
            return await service.open_to_anyone(placement_id, member.id, settings.zone)

        return await self._choose(request, placement_id, data, member, settings, choose)

    @post("/{placement_id:int}/partner")
    async def choose_partner(
        self,
        request: HTMXRequest,
        placement_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        """ "Sign up with <partner>": an active partner takes the free seat."""

        async def choose():
            choice = parse_form({"pair_id": data.get("pair_id", "")}, PartnerChoice)
            return await service.choose_partner(
                placement_id, member.id, choice.pair_id, settings.zone
            )

        return await self._choose(request, placement_id, data, member, settings, choose)

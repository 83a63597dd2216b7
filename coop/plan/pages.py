"""The season planner's pages: /plan and /plan/shifts/{id}, each form working without JavaScript.

Every form posts, and on a refusal the page is rendered again with the message next to the field
and what was typed kept; on success it redirects (so a reload never plans twice).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop import formatting
from coop.errors import DomainError
from coop.i18n import _, ngettext
from coop.plan import service
from coop.plan.recurrence import WEEKDAY_NAMES, InvalidPlan, parse_clock, wall_clock, weekly_rrule
from coop.plan.schemas import (
    DayCancelForm,
    KindCreate,
    SeriesCreate,
    SeriesForm,
    ShiftCreate,
    ShiftForm,
    ShiftUpdate,
)
from coop.shifts import listing
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.forms import Form, parse_form, refusal
from coop.web.pagination import page_links
from coop.web.params import Offset
from coop.web.urls import path_to, redirect_to

PAGE_SIZE = 25
# Service messages name API fields; the forms ask for a date and two clock times instead.
FORM_FIELDS = {"starts_at": "start_time", "ends_at": "end_time", "first_date": "from_date"}


def _days(data: dict[str, Any]) -> list[str]:
    """Ticked checkboxes arrive as one string or a list of them."""
    days = data.get("days", [])
    return [days] if isinstance(days, str) else list(days)


class PlanPages(Controller):
    path = "/plan"
    include_in_schema = False
    guards = [sessions.requires_coordinator]

    async def _render(
        self, request: Request, offset: int = 0, status_code: int = 200, **extra: Any
    ) -> Template:
        shifts, total = await service.upcoming(PAGE_SIZE, offset)
        kinds = await listing.kinds()
        context = {
            "kinds": kinds,
            "shifts": shifts,
            "total": total,
            "offset": offset,
            "links": page_links(path_to(request, "plan"), {}, offset, total, PAGE_SIZE),
            "weekdays": WEEKDAY_NAMES,
            "series_form": {},
            "series_days": [],
            "shift_form": {},
            "kind_form": {},
            "day_form": {},
            **extra,
        }
        return Template("plan/plan.html", context=context, status_code=status_code)

    @get(name="plan")
    async def plan(self, request: Request, offset: Offset = 0) -> Template:
        """The planner: forms for series, shifts, kinds and days, and the shifts ahead."""
        return await self._render(request, offset)

    @post("/series")
    async def series(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        """Preview a weekly series (re-render with its dates), or create it."""
        days = _days(data)
        try:
            form = parse_form({**data, "days": days}, SeriesForm)
            if form.to_date < form.from_date:
                raise InvalidPlan(
                    _("The last day needs to be on or after the first day."), "to_date"
                )
            spec = SeriesCreate(
                title=form.title,
                kind=form.kind,
                rrule=weekly_rrule(form.days, form.to_date),
                first_date=form.from_date,
                start_time=form.start_time,
                end_time=form.end_time,
                pair_slots=form.pair_slots,
                location=form.location,
                notes=form.notes,
            )
            if data.get("action") == "create":
                _series, shift_ids = await service.create_series(spec, settings.zone, member.id)
                flash(
                    request,
                    ngettext(
                        "The series is planned: %(num)d shift.",
                        "The series is planned: %(num)d shifts.",
                        len(shift_ids),
                    ),
                    "success",
                )
                return redirect_to(request, "plan")
            occurrences = await service.preview_series(spec, settings.zone)
        except DomainError as error:
            return await self._render(
                request,
                status_code=error.status_code,
                series_form=data,
                series_days=days,
                **refusal(error, "series", renames=FORM_FIELDS),
            )
        return await self._render(
            request, series_form=data, series_days=days, preview=occurrences, rrule=spec.rrule
        )

    @post("/shifts")
    async def add_shift(
        self, request: Request, data: Form, settings: AppSettings
    ) -> Template | Redirect:
        """Plan one shift on one day."""
        try:
            form = parse_form(data, ShiftForm)
            shift = await service.create_shift(
                ShiftCreate(
                    title=form.title,
                    kind=form.kind,
                    starts_at=f"{form.date}T{form.start_time}",
                    ends_at=f"{form.date}T{form.end_time}",
                    pair_slots=form.pair_slots,
                    location=form.location,
                    notes=form.notes,
                ),
                settings.zone,
            )
        except DomainError as error:
            return await self._render(
                request,
                status_code=error.status_code,
                shift_form=data,
                **refusal(error, "shift", renames=FORM_FIELDS),
            )
        flash(request, _("“%(title)s” is planned.", title=shift["title"]), "success")
        return redirect_to(request, "plan")

    @post("/kinds")
    async def add_kind(self, request: Request, data: Form) -> Template | Redirect:
        try:
            values = {**data, "slug": str(data.get("slug", "")).strip().lower()}
            kind = await service.add_kind(parse_form(values, KindCreate))
        except DomainError as error:
            return await self._render(
                request,
                status_code=error.status_code,
                kind_form=data,
                **refusal(error, "kind", renames=FORM_FIELDS),
            )
        flash(request, _("“%(label)s” shifts can now be planned.", label=kind["label"]), "success")
        return redirect_to(request, "plan")

    @post("/days/cancel")
    async def cancel_day(
        self, request: Request, data: Form, settings: AppSettings
    ) -> Template | Redirect:
        """Cancel every shift of one garden day, with the reason people will read."""
        try:
            form = parse_form(data, DayCancelForm)
            cancelled = await service.cancel_day(form.day, form.reason, settings.zone)
        except DomainError as error:
            return await self._render(
                request,
                status_code=error.status_code,
                day_form=data,
                **refusal(error, "day", renames=FORM_FIELDS),
            )
        day = formatting.day(form.day)
        if cancelled:
            text = ngettext(
                "Cancelled %(num)d shift on %(day)s: %(reason)s.",
                "Cancelled %(num)d shifts on %(day)s: %(reason)s.",
                len(cancelled),
                day=day,
                reason=form.reason,
            )
        else:
            text = _("There were no planned shifts on %(day)s, so nothing changed.", day=day)
        flash(request, text, "success")
        return redirect_to(request, "plan")

    # --- one shift -----------------------------------------------------------------------------

    async def _render_shift(
        self, shift_id: int, settings: AppSettings, status_code: int = 200, **extra: Any
    ) -> Template:
        shift, kinds, roster = await service.shift_editor(shift_id)
        starts = wall_clock(shift["starts_at"], settings.zone)
        ends = wall_clock(shift["ends_at"], settings.zone)
        current = {
            "title": shift["title"],
            "kind": shift["kind_slug"],
            "date": starts.date().isoformat(),
            "start_time": f"{starts:%H:%M}",
            "end_time": f"{ends:%H:%M}",
            "pair_slots": shift["pair_slots"],
            "location": shift["location"],
            "notes": shift["notes"],
            "scope": "this",
        }
        context = {"shift": shift, "kinds": kinds, "roster": roster, "form": current, **extra}
        return Template("plan/shift.html", context=context, status_code=status_code)

    @get("/shifts/{shift_id:int}", name="plan_shift")
    async def shift(self, shift_id: FromPath[int], settings: AppSettings) -> Template:
        """Edit one shift (or it and the following ones of its series), or cancel it."""
        return await self._render_shift(shift_id, settings)

    @post("/shifts/{shift_id:int}")
    async def edit_shift(
        self, request: Request, shift_id: FromPath[int], data: Form, settings: AppSettings
    ) -> Template | Redirect:
        try:
            form = parse_form({k: v for k, v in data.items() if k != "scope"}, ShiftForm)
            shift = await listing.get_shift(shift_id)
            changes = _changed_fields(form, shift, settings)
            scope = "following" if data.get("scope") == "following" else "this"
            changed = await service.update_shift(
                shift_id, ShiftUpdate(**changes, scope=scope), settings.zone
            )
        except DomainError as error:
            return await self._render_shift(
                shift_id,
                settings,
                error.status_code,
                form=data,
                **refusal(error, renames=FORM_FIELDS),
            )
        if not changes:
            text = _("Nothing was different, so nothing changed.")
        elif len(changed) == 1:
            text = _("Saved. The shift is updated.")
        else:
            text = ngettext(
                "Saved. %(num)d shift of the series is updated.",
                "Saved. %(num)d shifts of the series are updated.",
                len(changed),
            )
        flash(request, text, "success")
        return redirect_to(request, "plan_shift", shift_id=shift_id)

    @post("/shifts/{shift_id:int}/cancel")
    async def cancel_shift(
        self, request: Request, shift_id: FromPath[int], data: Form, settings: AppSettings
    ) -> Template | Redirect:
        reason = str(data.get("reason", "")).strip()
        try:
            if len(reason) > 200:
                raise InvalidPlan(_("Reason: please keep it to 200 characters or fewer."), "reason")
            await service.cancel_shift(shift_id, reason, settings.zone)
        except DomainError as error:
            return await self._render_shift(
                shift_id,
                settings,
                error.status_code,
                **refusal(error, "cancel"),
                cancel_form={"reason": reason},
            )
        flash(request, _("The shift is cancelled. Calendars will show it as cancelled."), "success")
        return redirect_to(request, "plan_shift", shift_id=shift_id)


def _changed_fields(form: ShiftForm, shift: dict[str, Any], settings: AppSettings) -> dict:
    """Only what the coordinator changed, so "this and following" leaves the rest alone."""
    starts = datetime.combine(form.date, parse_clock(form.start_time, "start_time"))
    ends = datetime.combine(form.date, parse_clock(form.end_time, "end_time"))
    changes: dict[str, Any] = {}
    if starts != wall_clock(shift["starts_at"], settings.zone):
        changes["starts_at"] = starts.isoformat()
    if ends != wall_clock(shift["ends_at"], settings.zone):
        changes["ends_at"] = ends.isoformat()
    for name, current in (
        ("title", shift["title"]),
        ("kind", shift["kind_slug"]),
        ("pair_slots", shift["pair_slots"]),
        ("location", shift["location"]),
        ("notes", shift["notes"]),
    ):
        if getattr(form, name) != current:
            changes[name] = getattr(form, name)
    return changes

"""The harvest pages: the log form, the list with its filters, and corrections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop import corrections
from coop.errors import DomainError
from coop.garden import service
from coop.garden.schemas import BedCreate, CropCreate, HarvestCreate, HarvestUpdate
from coop.i18n import _
from coop.quantities import UNITS
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.forms import Form, parse_form, refusal
from coop.web.pagination import PAGE_SIZE, page_links
from coop.web.params import From, Offset, To
from coop.web.urls import path_to, redirect_to


class HarvestPages(Controller):
    include_in_schema = False
    guards = [sessions.requires_member]

    async def _render(
        self,
        request: Request,
        member: Any,
        settings: Any,
        status_code: int = 200,
        filters: dict[str, Any] | None = None,
        offset: int = 0,
        **extra: Any,
    ) -> Template:
        filters = filters or {}
        harvest_filter = service.HarvestFilter(
            start=filters.get("from"),
            end=filters.get("to"),
            crop_id=filters.get("crop_id"),
            limit=PAGE_SIZE,
            offset=offset,
        )
        harvests, total = await service.list_harvests(harvest_filter)
        today = datetime.now(settings.zone).date().isoformat()
        context = {
            "viewer": member,
            "harvests": harvests,
            "total": total,
            "offset": offset,
            "links": page_links(path_to(request, "harvests"), filters, offset, total),
            "filters": filters,
            "crops": await service.list_crops(),
            "beds": await service.list_beds(),
            "units": UNITS,
            "form": {"harvested_on": today, "unit": "kg"},
            **extra,
        }
        return Template("garden/harvests.html", context=context, status_code=status_code)

    @get("/harvests", name="harvests")
    async def harvests(
        self,
        request: Request,
        member: CurrentMember,
        settings: AppSettings,
        date_from: From = None,
        date_to: To = None,
        crop_id: FromQuery[int | None] = None,
        offset: Offset = 0,
    ) -> Template:
        """Harvests, newest first, filtered by date range and crop; and the form to log one."""
        filters = {"from": date_from, "to": date_to, "crop_id": crop_id}
        return await self._render(request, member, settings, filters=filters, offset=offset)

    @post("/harvests")
    async def log(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        """Log a harvest; from a shift's page, go back to that shift."""
        try:
            if not str(data.get("crop_id") or "").strip():
                raise DomainError(_("Crop: please pick the crop you picked."), field="crop_id")
            harvest = parse_form(data, HarvestCreate)
            await service.log_harvest(member, harvest, settings.zone)
        except DomainError as error:
            return await self._render(
                request,
                member,
                settings,
                error.status_code,
                form=data,
                **refusal(error),
            )
        flash(request, _("Thank you! The harvest is logged."), category="success")
        shift_id = str(data.get("shift_id") or "")
        if shift_id.isdigit():
            return redirect_to(request, "shift", shift_id=int(shift_id))
        return redirect_to(request, "harvests")

    @get("/harvests/{harvest_id:int}", name="harvest")
    async def harvest(self, harvest_id: FromPath[int], member: CurrentMember) -> Template:
        """One harvest, what it held before any correction, and the form to correct it."""
        return await self._detail(member, harvest_id)

    async def _detail(self, member: Any, harvest_id: int, status_code: int = 200, **extra: Any):
        harvest = await service.get_harvest(harvest_id)
        can_correct = service.is_coordinator(member) or harvest.recorded_by == member.id
        context = {
            "viewer": member,
            "harvest": harvest,
            "history": await corrections.history("harvest", harvest_id),
            "can_correct": can_correct,
            "crops": await service.list_crops(),
            "beds": await service.list_beds(),
            "units": UNITS,
            **extra,
        }
        context.setdefault(
            "form",
            {
                "crop_id": harvest.crop_id,
                "bed_id": harvest.bed_id or "",
                "harvested_on": harvest.harvested_on.isoformat(),
                "quantity": harvest.quantity,
                "unit": harvest.unit,
                "notes": harvest.notes,
            },
        )
        return Template("garden/harvest.html", context=context, status_code=status_code)

    @post("/harvests/{harvest_id:int}")
    async def correct(
        self,
        request: Request,
        harvest_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        fields = {k: data.get(k, "") for k in ("crop_id", "harvested_on", "quantity", "unit")}
        try:
            update = parse_form(fields, HarvestUpdate)
            # The form always shows notes and bed: empty means "none", not "unchanged".
            update.notes = str(data.get("notes") or "").strip()
            bed = str(data.get("bed_id") or "").strip()
            update.bed_id = int(bed) if bed.isdigit() else None
            await service.correct_harvest(member, harvest_id, update, settings.zone)
        except DomainError as error:
            return await self._detail(
                member,
                harvest_id,
                error.status_code,
                form=data,
                **refusal(error),
            )
        flash(request, _("The harvest is corrected; what it held before is kept below."), "success")
        return redirect_to(request, "harvest", harvest_id=harvest_id)

    @post("/beds", guards=[sessions.requires_coordinator])
    async def add_bed(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        try:
            await service.create_bed(parse_form(data, BedCreate))
        except DomainError as error:
            return await self._render(
                request, member, settings, error.status_code, bed_form=data, **refusal(error, "bed")
            )
        flash(request, _("The bed is added."), category="success")
        return redirect_to(request, "harvests")

    @post("/crops", guards=[sessions.requires_coordinator])
    async def add_crop(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        try:
            await service.create_crop(parse_form(data, CropCreate))
        except DomainError as error:
            return await self._render(
                request,
                member,
                settings,
                error.status_code,
                crop_form=data,
                **refusal(error, "crop"),
            )
        flash(request, _("The crop is added."), category="success")
        return redirect_to(request, "harvests")

"""The JSON face of planning: kinds, shifts, series, edits and cancellations (thin over service)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from coop.i18n import _
from coop.plan import service
from coop.plan.recurrence import InvalidPlan
from coop.plan.schemas import (
    CancelRequest,
    DayCancel,
    KindCreate,
    KindOut,
    SeriesCreate,
    SeriesCreated,
    ShiftCreate,
    ShiftOut,
    ShiftUpdate,
)
from coop.shifts import listing, rules
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember, Viewer
from coop.web.errors import error_responses
from coop.web.params import Limit, Offset, moment_query


def shift_out(row: dict[str, Any]) -> ShiftOut:
    """A shift as the API shows it; a cancelled shift has no open places."""
    return ShiftOut(
        id=row["id"],
        title=row["title"],
        kind=row["kind_slug"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        location=row["location"],
        pair_slots=row["pair_slots"],
        open_slots=rules.open_slots(row),
        taken_slots=row["taken_slots"],
        status=row["status"],
        cancel_reason=row["cancel_reason"],
        notes=row["notes"],
        sequence=row["sequence"],
        series_id=row["series"],
        updated_at=row["updated_at"],
    )


class Occurrence(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime


class SeriesOut(msgspec.Struct):
    id: int
    title: str
    rrule: str
    first_date: date
    shifts: list[ShiftOut]


def garden_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidPlan(_("Please give the day as a date like 2027-07-14."), "date") from error


class KindsApi(Controller):
    path = "/api/kinds"
    tags = ["planning"]

    @get()
    async def list_kinds(self) -> list[KindOut]:
        """The kinds of shift, for forms and feed links."""
        return [KindOut(slug=k["slug"], label=k["label"]) for k in await listing.kinds()]

    @post(guards=[sessions.requires_coordinator], responses=error_responses(409))
    async def add_kind(self, data: JSONBody[KindCreate]) -> KindOut:
        kind = await service.add_kind(data)
        return KindOut(slug=kind["slug"], label=kind["label"])


class PlanApi(Controller):
    path = "/api"
    tags = ["planning"]

    # The reads of shifts live here too: Litestar refuses a second controller on these paths.
    @get("/shifts", responses=error_responses(401))
    async def list_shifts(
        self,
        settings: AppSettings,
        viewer: Viewer,
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[ShiftOut]:
        """Shifts starting in [start, end) (no offset: the garden's clock), with open slots."""
        sessions.ensure_may_see_schedule(settings, viewer)
        rows = await listing.list_shifts(
            moment_query(start, settings.zone, "start"),
            moment_query(end, settings.zone, "end"),
            kind,
            limit,
            offset,
        )
        return [shift_out(row) for row in rows]

    @get("/shifts/{shift_id:int}", responses=error_responses(401))
    async def get_shift(
        self, shift_id: FromPath[int], settings: AppSettings, viewer: Viewer
    ) -> ShiftOut:
        sessions.ensure_may_see_schedule(settings, viewer)
        return shift_out(await listing.get_shift(shift_id))

    @post("/shifts", guards=[sessions.requires_coordinator], responses=error_responses(422))
    async def create_shift(self, data: JSONBody[ShiftCreate], settings: AppSettings) -> ShiftOut:
        """Plan one shift; times without an offset are on the garden's clock."""
        return shift_out(await service.create_shift(data, settings.zone))

    @patch(
        "/shifts/{shift_id:int}",
        guards=[sessions.requires_coordinator],
        responses=error_responses(409, 422),
    )
    async def update_shift(
        self, shift_id: FromPath[int], data: JSONBody[ShiftUpdate], settings: AppSettings
    ) -> ShiftOut:
        """Edit a shift; ``scope: "following"`` also edits the later shifts of its series."""
        changed = await service.update_shift(shift_id, data, settings.zone)
        return shift_out(changed[0])

    @post(
        "/shifts/{shift_id:int}/cancel",
        guards=[sessions.requires_coordinator],
        status_code=HTTP_200_OK,
        responses=error_responses(409),
    )
    async def cancel_shift(
        self, shift_id: FromPath[int], data: JSONBody[CancelRequest], settings: AppSettings
    ) -> ShiftOut:
        return shift_out(await service.cancel_shift(shift_id, data.reason, settings.zone))

    @post(
        "/days/{day:str}/cancel",
        guards=[sessions.requires_coordinator],
        status_code=HTTP_200_OK,
        responses=error_responses(422),
    )
    async def cancel_day(
        self, day: FromPath[str], data: JSONBody[DayCancel], settings: AppSettings
    ) -> list[ShiftOut]:
        """Cancel every shift of a garden day at once, with the reason people will read."""
        rows = await service.cancel_day(garden_date(day), data.reason, settings.zone)
        return [shift_out(row) for row in rows]

    @post("/series", guards=[sessions.requires_coordinator], responses=error_responses(422))
    async def create_series(
        self, data: JSONBody[SeriesCreate], member: CurrentMember, settings: AppSettings
    ) -> SeriesCreated:
        """Store a recurring plan (RRULE) and make one shift per occurrence."""
        series_id, shift_ids = await service.create_series(data, settings.zone, member.id)
        return SeriesCreated(id=series_id, shift_ids=shift_ids)

    @post(
        "/series/preview",
        guards=[sessions.requires_coordinator],
        status_code=HTTP_200_OK,
        responses=error_responses(422),
    )
    async def preview_series(
        self, data: JSONBody[SeriesCreate], settings: AppSettings
    ) -> list[Occurrence]:
        """The shifts a series would make, without saving anything."""
        occurrences = await service.preview_series(data, settings.zone)
        return [Occurrence(starts_at=o.starts_at, ends_at=o.ends_at) for o in occurrences]

    @get("/series/{series_id:int}", guards=[sessions.requires_member])
    async def series(self, series_id: FromPath[int]) -> SeriesOut:
        """A series with every shift it made, cancelled ones included."""
        row, shifts = await service.get_series(series_id)
        return SeriesOut(
            id=row["id"],
            title=row["title"],
            rrule=row["rrule"],
            first_date=row["first_date"],
            shifts=[shift_out(s) for s in shifts],
        )

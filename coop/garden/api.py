"""The JSON face of the garden: beds, crops, plantings and harvests (with corrections)."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from coop import corrections
from coop.corrections import CorrectionOut, history_out
from coop.garden import service
from coop.garden.schemas import (
    BedCreate,
    BedOut,
    CropCreate,
    CropOut,
    HarvestCreate,
    HarvestOut,
    HarvestUpdate,
    PlantingCreate,
    PlantingOut,
)
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.errors import error_responses
from coop.web.params import From, Limit, Offset, To, Year


async def harvest_filter(
    limit: Limit = 100,
    offset: Offset = 0,
    year: Year = None,
    date_from: From = None,
    date_to: To = None,
    crop_id: FromQuery[int | None] = None,
) -> service.HarvestFilter:
    """The query every dated garden list takes: a page, a year or dates, and a crop."""
    return service.HarvestFilter(year, date_from, date_to, crop_id, limit, offset)


class GardenApi(Controller):
    path = "/api"
    tags = ["garden"]
    guards = [sessions.requires_member]
    dependencies = {"filters": Provide(harvest_filter)}

    @get("/beds")
    async def beds(self, limit: Limit = 1000, offset: Offset = 0) -> list[BedOut]:
        return await service.list_beds(limit, offset)

    @post("/beds", guards=[sessions.requires_coordinator], responses=error_responses(409))
    async def add_bed(self, data: JSONBody[BedCreate]) -> BedOut:
        return await service.create_bed(data)

    @get("/crops")
    async def crops(self, limit: Limit = 1000, offset: Offset = 0) -> list[CropOut]:
        return await service.list_crops(limit, offset)

    @post("/crops", guards=[sessions.requires_coordinator])
    async def add_crop(self, data: JSONBody[CropCreate]) -> CropOut:
        return await service.create_crop(data)

    @get("/plantings")
    async def plantings(self, filters: NamedDependency[service.HarvestFilter]) -> list[PlantingOut]:
        return await service.list_plantings(filters)

    @post("/plantings", responses=error_responses(422))
    async def add_planting(
        self, data: JSONBody[PlantingCreate], member: CurrentMember, settings: AppSettings
    ) -> PlantingOut:
        return await service.create_planting(member, data, settings.zone)

    @get("/harvests")
    async def harvests(self, filters: NamedDependency[service.HarvestFilter]) -> list[HarvestOut]:
        rows, _total = await service.list_harvests(filters)
        return rows

    @post("/harvests", responses=error_responses(422))
    async def log_harvest(
        self, data: JSONBody[HarvestCreate], member: CurrentMember, settings: AppSettings
    ) -> HarvestOut:
        return await service.log_harvest(member, data, settings.zone)

    @get("/harvests/{harvest_id:int}")
    async def harvest(self, harvest_id: FromPath[int]) -> HarvestOut:
        return await service.get_harvest(harvest_id)

    @patch("/harvests/{harvest_id:int}", responses=error_responses(422))
    async def correct_harvest(
        self,
        harvest_id: FromPath[int],
        data: JSONBody[HarvestUpdate],
        member: CurrentMember,
        settings: AppSettings,
    ) -> HarvestOut:
        return await service.correct_harvest(member, harvest_id, data, settings.zone)

    @get("/harvests/{harvest_id:int}/history")
    async def harvest_history(self, harvest_id: FromPath[int]) -> list[CorrectionOut]:
        await service.get_harvest(harvest_id)
        return history_out(await corrections.history("harvest", harvest_id))

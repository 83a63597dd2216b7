"""The JSON face of stock write-offs and lot traces (coordinators)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from coop.market import service
from coop.sales.schemas import StockAdjustmentCreate
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.errors import error_responses
from coop.web.params import Limit, Offset


class MarketApi(Controller):
    path = "/api"
    tags = ["market"]
    guards = [sessions.requires_coordinator]

    @get("/stock-adjustments")
    async def adjustments(self, limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
        return await service.adjustments(limit, offset)

    @post("/stock-adjustments", responses=error_responses(400, 422))
    async def adjust(
        self, data: JSONBody[StockAdjustmentCreate], member: CurrentMember, settings: AppSettings
    ) -> dict[str, Any]:
        """Write pops off (melted, given away) with a reason; stock = made - sold - written off."""
        return await service.write_off(
            member, data.product_id, data.quantity, data.reason, data.adjusted_on, settings.zone
        )

    @get("/batches/{batch_id:int}/trace")
    async def batch_trace(self, batch_id: FromPath[int]) -> dict[str, Any]:
        return await service.trace(batch_id=batch_id)

    @get("/lots/{code:str}")
    async def lot(self, code: FromPath[str]) -> dict[str, Any]:
        return await service.trace(code=code)

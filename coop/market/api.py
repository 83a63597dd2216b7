"""The JSON face of stock write-offs and lot traces (coordinators)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from coop import auth
from coop.deps import AppSettings, CurrentMember
from coop.errors import DomainError
from coop.i18n import _
from coop.market import service
from coop.periods import Limit, Offset, check_record_date
from coop.sales.schemas import StockAdjustmentCreate


class MarketApi(Controller):
    path = "/api"
    tags = ["market"]
    guards = [auth.requires_coordinator]

    @get("/stock-adjustments")
    async def adjustments(self, limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
        return await service.adjustments(limit, offset)

    @post("/stock-adjustments")
    async def adjust(
        self, data: JSONBody[StockAdjustmentCreate], member: CurrentMember, settings: AppSettings
    ) -> dict[str, Any]:
        """Write pops off (melted, given away) with a reason; stock = made - sold - written off."""
        return await write_off(member, data, settings)

    @get("/batches/{batch_id:int}/trace")
    async def batch_trace(self, batch_id: FromPath[int]) -> dict[str, Any]:
        return await service.trace(batch_id=batch_id)

    @get("/lots/{code:str}")
    async def lot(self, code: FromPath[str]) -> dict[str, Any]:
        return await service.trace(code=code)


async def write_off(member: Any, data: StockAdjustmentCreate, settings: Any) -> dict[str, Any]:
    """Check a write-off (pages and API alike) and record it."""
    if data.quantity == 0:
        raise DomainError(_("Quantity: please give a number other than 0."), field="quantity")
    if not data.reason.strip():
        raise DomainError(_("Reason: please say why, in a few words."), field="reason")
    day = check_record_date(
        data.adjusted_on or datetime.now(settings.zone).date(), settings.zone, "adjusted_on"
    )
    return await service.write_off(member, data.product_id, data.quantity, data.reason, day)

"""The JSON face of products, batches and sales; every write is for coordinators."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from coop import corrections
from coop.corrections import CorrectionOut, history_out
from coop.sales import service
from coop.sales.schemas import (
    BatchCreate,
    BatchOut,
    BatchUpdate,
    ProductCreate,
    ProductOut,
    SaleCreate,
    SaleOut,
    SaleUpdate,
)
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.errors import error_responses
from coop.web.params import From, Limit, Offset, To, Year


async def sales_filter(
    limit: Limit = 100,
    offset: Offset = 0,
    year: Year = None,
    date_from: From = None,
    date_to: To = None,
    product_id: FromQuery[int | None] = None,
) -> service.SalesFilter:
    """The query every dated sales list takes: a page, a year or dates, and a product."""
    return service.SalesFilter(year, date_from, date_to, product_id, limit, offset)


class SalesApi(Controller):
    path = "/api"
    tags = ["sales"]
    guards = [sessions.requires_member]
    dependencies = {"filters": Provide(sales_filter)}

    @get("/products")
    async def products(self, limit: Limit = 1000, offset: Offset = 0) -> list[ProductOut]:
        return await service.list_products(limit, offset)

    @post("/products", guards=[sessions.requires_coordinator])
    async def add_product(self, data: JSONBody[ProductCreate]) -> ProductOut:
        return await service.create_product(data)

    @get("/batches", guards=[sessions.requires_coordinator])
    async def batches(self, filters: NamedDependency[service.SalesFilter]) -> list[BatchOut]:
        return await service.list_batches(filters)

    @post("/batches", guards=[sessions.requires_coordinator], responses=error_responses(422))
    async def record_batch(
        self, data: JSONBody[BatchCreate], member: CurrentMember, settings: AppSettings
    ) -> BatchOut:
        return await service.record_batch(member, data, settings.zone)

    @get("/batches/{batch_id:int}", guards=[sessions.requires_coordinator])
    async def batch(self, batch_id: FromPath[int]) -> BatchOut:
        return await service.get_batch(batch_id)

    @patch(
        "/batches/{batch_id:int}",
        guards=[sessions.requires_coordinator],
        responses=error_responses(422),
    )
    async def correct_batch(
        self,
        batch_id: FromPath[int],
        data: JSONBody[BatchUpdate],
        member: CurrentMember,
        settings: AppSettings,
    ) -> BatchOut:
        return await service.correct_batch(member, batch_id, data, settings.zone)

    @get("/batches/{batch_id:int}/history", guards=[sessions.requires_coordinator])
    async def batch_history(self, batch_id: FromPath[int]) -> list[CorrectionOut]:
        await service.get_batch(batch_id)
        return history_out(await corrections.history("batch", batch_id))

    @get("/sales", guards=[sessions.requires_coordinator])
    async def sales(self, filters: NamedDependency[service.SalesFilter]) -> list[SaleOut]:
        rows, _total = await service.list_sales(filters)
        return rows

    @post("/sales", responses=error_responses(403, 409, 422))
    async def record_sale(
        self, data: JSONBody[SaleCreate], member: CurrentMember, settings: AppSettings
    ) -> Response[SaleOut]:
        """Coordinators, or sellers on a market shift under way; a resend answers 200."""
        sale, created = await service.record_sale(member, data, settings.zone)
        return Response(sale, status_code=201 if created else 200)

    @get("/sales/{sale_id:int}", guards=[sessions.requires_coordinator])
    async def sale(self, sale_id: FromPath[int]) -> SaleOut:
        return await service.get_sale(sale_id)

    @patch(
        "/sales/{sale_id:int}",
        guards=[sessions.requires_coordinator],
        responses=error_responses(422),
    )
    async def correct_sale(
        self,
        sale_id: FromPath[int],
        data: JSONBody[SaleUpdate],
        member: CurrentMember,
        settings: AppSettings,
    ) -> SaleOut:
        return await service.correct_sale(member, sale_id, data, settings.zone)

    @get("/sales/{sale_id:int}/history", guards=[sessions.requires_coordinator])
    async def sale_history(self, sale_id: FromPath[int]) -> list[CorrectionOut]:
        await service.get_sale(sale_id)
        return history_out(await corrections.history("sale", sale_id))

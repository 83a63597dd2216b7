"""The sales page for coordinators: record sales and batches, keep products, fix mistakes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop import corrections
from coop.errors import DomainError
from coop.formatting import decimal_dollars, parse_decimal
from coop.garden import service as garden
from coop.i18n import _
from coop.quantities import UNITS
from coop.sales import service
from coop.sales.schemas import BatchCreate, ProductCreate, SaleCreate, SaleUpdate
from coop.vocabulary import SaleChannel, SalePayment, values
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.forms import Form, parse_form, refusal
from coop.web.pagination import PAGE_SIZE, page_links
from coop.web.params import From, Offset, To
from coop.web.urls import path_to, redirect_to

PRODUCE_LINES = 3


def dollars_to_cents(text: str, field: str = "unit_price") -> int | None:
    """ "3.50" -> 350; blank -> None (use the product's price)."""
    text = text.strip().removeprefix("$")
    if not text:
        return None
    try:
        cents = parse_decimal(text) * 100
    except ValueError:
        raise DomainError(_("Price: please give an amount like 3.50."), field=field) from None
    if not cents.is_finite() or cents < 0 or cents != cents.to_integral():
        raise DomainError(_("Price: please give dollars and cents, like 3.50."), field=field)
    return int(cents)


def batch_from_form(data: dict[str, Any]) -> BatchCreate:
    """The batch form has a few produce lines; empty ones are skipped."""
    used = []
    for n in range(1, PRODUCE_LINES + 1):
        crop = str(data.get(f"produce_crop_{n}") or "").strip()
        amount = str(data.get(f"produce_quantity_{n}") or "").strip()
        if crop or amount:
            unit = data.get(f"produce_unit_{n}") or "kg"
            harvests = str(data.get(f"produce_harvests_{n}") or "").replace(",", " ").split()
            used.append(
                {"crop_id": crop, "quantity": amount, "unit": unit, "harvest_ids": harvests}
            )
    fields = {k: data.get(k, "") for k in ("product_id", "made_on", "quantity", "notes")}
    return parse_form({**fields, "produce_used": used}, BatchCreate)


class SalesPages(Controller):
    include_in_schema = False
    guards = [sessions.requires_coordinator]

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
        sales_filter = service.SalesFilter(
            start=filters.get("from"),
            end=filters.get("to"),
            product_id=filters.get("product_id"),
            limit=PAGE_SIZE,
            offset=offset,
        )
        sales, total = await service.list_sales(sales_filter)
        today = datetime.now(settings.zone).date().isoformat()
        context = {
            "viewer": member,
            "sales": sales,
            "total": total,
            "offset": offset,
            "links": page_links(path_to(request, "sales"), filters, offset, total),
            "filters": filters,
            "products": await service.list_products(),
            "batches": await service.list_batches(service.SalesFilter(limit=10)),
            "crops": await garden.list_crops(),
            "units": UNITS,
            "channels": values(SaleChannel),
            "payments": values(SalePayment),
            "produce_lines": range(1, PRODUCE_LINES + 1),
            "today": today,
            "sale_form": {"sold_on": today, "channel": "market"},
            "batch_form": {"made_on": today},
            "product_form": {},
            **extra,
        }
        return Template("sales/sales.html", context=context, status_code=status_code)

    async def _refuse(
        self,
        request: Request,
        member: Any,
        settings: Any,
        form: str,
        data: dict,
        error: DomainError,
    ):
        return await self._render(
            request,
            member,
            settings,
            error.status_code,
            **{f"{form}_form": data},
            **refusal(error, form),
        )

    @get("/sales", name="sales")
    async def sales(
        self,
        request: Request,
        member: CurrentMember,
        settings: AppSettings,
        date_from: From = None,
        date_to: To = None,
        product_id: FromQuery[int | None] = None,
        offset: Offset = 0,
    ) -> Template:
        """Sales, newest first, filtered by date and product; the forms to record more."""
        filters = {"from": date_from, "to": date_to, "product_id": product_id}
        return await self._render(request, member, settings, filters=filters, offset=offset)

    @post("/sales")
    async def record_sale(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        try:
            names = ("product_id", "sold_on", "quantity", "channel", "payment", "lot_code")
            sale = parse_form({k: data.get(k, "") for k in names}, SaleCreate)
            sale.unit_price_cents = dollars_to_cents(str(data.get("unit_price", "")))
            await service.record_sale(member, sale, settings.zone)
        except DomainError as error:
            return await self._refuse(request, member, settings, "sale", data, error)
        flash(request, _("The sale is recorded."), category="success")
        return redirect_to(request, "sales")

    @post("/batches")
    async def record_batch(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        try:
            await service.record_batch(member, batch_from_form(data), settings.zone)
        except DomainError as error:
            return await self._refuse(request, member, settings, "batch", data, error)
        flash(request, _("The batch is recorded."), category="success")
        return redirect_to(request, "sales")

    @post("/products")
    async def add_product(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        try:
            cents = dollars_to_cents(str(data.get("price", "")), "price")
            if cents is None:
                raise DomainError(_("Price: please fill this in."), field="price")
            fields = {"name": data.get("name", ""), "unit": data.get("unit") or "pop"}
            await service.create_product(
                parse_form({**fields, "price_cents": cents}, ProductCreate)
            )
        except DomainError as error:
            return await self._refuse(request, member, settings, "product", data, error)
        flash(request, _("The product is added."), category="success")
        return redirect_to(request, "sales")

    @get("/sales/{sale_id:int}", name="sale")
    async def sale(self, sale_id: FromPath[int], member: CurrentMember) -> Template:
        """One sale with its history, and the form to correct it."""
        return await self._sale_page(member, sale_id)

    async def _sale_page(self, member: Any, sale_id: int, status_code: int = 200, **extra: Any):
        sale = await service.get_sale(sale_id)
        context = {
            "viewer": member,
            "sale": sale,
            "history": await corrections.history("sale", sale_id),
            "products": await service.list_products(),
            "channels": values(SaleChannel),
            "payments": values(SalePayment),
            **extra,
        }
        context.setdefault(
            "form",
            {
                "product_id": sale.product_id,
                "sold_on": sale.sold_on.isoformat(),
                "quantity": sale.quantity,
                "channel": sale.channel,
                "payment": sale.payment,
                "unit_price": decimal_dollars(sale.unit_price_cents),
            },
        )
        return Template("sales/sale.html", context=context, status_code=status_code)

    @post("/sales/{sale_id:int}")
    async def correct_sale(
        self,
        request: Request,
        sale_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        try:
            names = ("product_id", "sold_on", "quantity", "channel", "payment")
            update = parse_form({k: data.get(k, "") for k in names}, SaleUpdate)
            cents = dollars_to_cents(str(data.get("unit_price", "")))
            if cents is not None:
                update.unit_price_cents = cents
            await service.correct_sale(member, sale_id, update, settings.zone)
        except DomainError as error:
            return await self._sale_page(
                member, sale_id, error.status_code, form=data, **refusal(error)
            )
        flash(request, _("The sale is corrected; what it held before is kept below."), "success")
        return redirect_to(request, "sale", sale_id=sale_id)

    @get("/batches/{batch_id:int}", name="batch")
    async def batch(self, batch_id: FromPath[int], member: CurrentMember) -> Template:
        """One batch, the produce it used, and its correction history."""
        context = {
            "viewer": member,
            "batch": await service.get_batch(batch_id),
            "history": await corrections.history("batch", batch_id),
        }
        return Template("sales/batch.html", context=context)

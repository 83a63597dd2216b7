"""The stall on a phone (/market), lot traces and labels, and what makes /market work offline."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop.errors import DomainError, Forbidden
from coop.i18n import N_, _
from coop.market import service
from coop.sales import service as sales
from coop.sales.schemas import SaleCreate, StockAdjustmentCreate
from coop.vocabulary import SalePayment, values
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.forms import Form, parse_form

SALE_PAYMENTS = values(SalePayment)

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
PAYMENT_WORDS = {"cash": N_("Cash"), "card": N_("Card"), "ebt": N_("EBT"), "other": N_("Other")}


def cents_from_dollars(text: str) -> int | None:
    """ "120.50" -> 12050; anything else -> None (the cash count just isn't compared)."""
    try:
        cents = Decimal(text.strip().removeprefix("$") or "x") * 100
    except InvalidOperation:
        return None
    if not cents.is_finite() or cents < 0 or cents > 10_000_000 or cents != cents.to_integral():
        return None
    return int(cents)


class MarketPages(Controller):
    include_in_schema = False
    guards = [sessions.requires_member]

    async def _stall(self, member: Any, settings: Any) -> dict[str, Any]:
        """What the stall page shows: the shift, the products with stock, the day so far."""
        today = datetime.now(settings.zone).date()
        stall = await service.stall(member, today)
        return {**stall, "products": await sales.list_products(), "today": today.isoformat()}

    @get("/market")
    async def market(
        self,
        member: CurrentMember,
        settings: AppSettings,
        counted: FromQuery[str | None] = None,
    ) -> Template:
        """Big buttons per product; a plain form without JavaScript, a queue with it."""
        context = await self._stall(member, settings)
        cash_count = None
        if counted is not None:
            cents = cents_from_dollars(counted)
            expected = context["day"]["by_payment"]["cash"]
            cash_count = {"counted": cents, "expected": expected}
            if cents is not None:
                cash_count["difference"] = cents - expected
        context.update(
            viewer=member,
            payments=SALE_PAYMENTS,
            client_id=str(uuid.uuid4()),  # a double-tapped plain form still records once
            cash_count=cash_count,
            counted=counted or "",
        )
        return Template("market/market.html", context=context)

    @post("/market")
    async def record(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        names = ("product_id", "quantity", "payment", "shift_id", "client_id", "lot_code")
        try:
            sale = parse_form({k: data.get(k, "") for k in names}, SaleCreate)
            recorded, _created = await sales.record_sale(member, sale, settings.zone)
        except Forbidden:
            raise
        except DomainError as error:
            context = await self._stall(member, settings)
            context.update(
                viewer=member,
                payments=SALE_PAYMENTS,
                client_id=str(uuid.uuid4()),
                cash_count=None,
                counted="",
                error=error.message,
                form=data,
            )
            return Template("market/market.html", context=context, status_code=error.status_code)
        flash(
            request,
            _(
                "Recorded: %(quantity)s × %(product)s, %(payment)s.",
                quantity=recorded.quantity,
                product=recorded.product,
                payment=_(PAYMENT_WORDS[recorded.payment]),
            ),
            category="success",
        )
        return Redirect("/market")

    @get("/lots/{code:str}", guards=[sessions.requires_coordinator])
    async def lot(self, code: FromPath[str], member: CurrentMember) -> Template:
        """A lot's harvests and sales: a recall on one page."""
        context = {"viewer": member, "lot": await service.trace(code=code)}
        return Template("market/lot.html", context=context)

    @get("/lots/{code:str}/label", guards=[sessions.requires_coordinator])
    async def label(self, code: FromPath[str], member: CurrentMember) -> Template:
        """A page to print and stick on the batch's boxes."""
        context = {"viewer": member, "lot": await service.trace(code=code)}
        return Template("market/label.html", context=context)

    @post("/stock-adjustments", guards=[sessions.requires_coordinator])
    async def adjust(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Redirect:
        names = ("product_id", "quantity", "reason", "adjusted_on")
        try:
            adjustment = parse_form({k: data.get(k, "") for k in names}, StockAdjustmentCreate)
            done = await service.write_off(
                member,
                adjustment.product_id,
                adjustment.quantity,
                adjustment.reason,
                adjustment.adjusted_on,
                settings.zone,
            )
        except DomainError as error:
            flash(request, error.message, category="error")
            return Redirect("/sales#stock-heading")
        flash(request, _("Written off. Stock now: %(stock)s.", stock=done["stock"]), "success")
        return Redirect("/sales#stock-heading")


@get("/sw.js", include_in_schema=False, sync_to_thread=False)
def service_worker() -> Response[bytes]:
    """The service worker, from the root so its scope covers /market (and sees /logout)."""
    return Response(
        (STATIC / "sw.js").read_bytes(),
        media_type="text/javascript",
        headers={"cache-control": "no-cache"},
    )


@get("/manifest.webmanifest", include_in_schema=False, sync_to_thread=False)
def manifest() -> Response[dict]:
    """Lets a phone install the market page like an app."""
    return Response(
        {
            "name": _("Garden co-op market"),
            "short_name": _("Market"),
            "start_url": "/market",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#2e7d32",
            "icons": [{"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"}],
        },
        media_type="application/manifest+json",
        headers={"cache-control": "no-cache"},
    )

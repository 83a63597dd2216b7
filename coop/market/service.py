"""Market day: who may sell, stock, write-offs, lot codes and the trace from bed to sale.

A sale at the stall is recorded by whoever holds a place on a market shift under way (or a
coordinator). Stock is never stored: it is made (batches) - sold - written off, summed from the
rows each time, so it can never drift from the books. It may go below zero: the stall never
refuses a customer, and the page says so instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Sum

from coop.db import reading, writing
from coop.errors import DomainError, Forbidden, NotFound
from coop.garden.service import UnknownReference
from coop.i18n import _
from coop.periods import check_record_date
from coop.quantities import from_milli, show
from coop.tables import (
    Batch,
    BatchHarvest,
    Member,
    PlacementMember,
    Product,
    Sale,
    Shift,
    StockAdjustment,
)

MARKET = "market"
# The stall is set up before the shift starts, and sales made without signal may only reach
# the server once the seller is home again: both still count as "on the shift".
SELLING_OPENS_BEFORE = timedelta(minutes=30)
SELLING_CLOSES_AFTER = timedelta(hours=12)


# --- who may sell -----------------------------------------------------------------------------


async def market_shifts_under_way(member_id: int, now: datetime | None = None) -> list[dict]:
    """The market shifts the member holds a place on (not the waitlist) open for selling now."""
    now = now or datetime.now(UTC)
    seat = PlacementMember
    return await (
        seat.select(
            seat.shift.as_alias("id"),
            seat.shift.title.as_alias("title"),
            seat.shift.starts_at.as_alias("starts_at"),
            seat.shift.ends_at.as_alias("ends_at"),
            seat.shift.location.as_alias("location"),
        )
        .where(
            (seat.member == member_id)
            & (seat.placement.status != "waitlisted")
            & (seat.shift.kind.slug == MARKET)
            & (seat.shift.status == "scheduled")
            & (seat.shift.starts_at <= now + SELLING_OPENS_BEFORE)
            & (seat.shift.ends_at >= now - SELLING_CLOSES_AFTER)
        )
        .order_by(seat.shift.starts_at, ascending=False)
    )


async def selling_shift(member: Member, shift_id: int | None) -> int | None:
    """The market shift a sale belongs to; refuse (403) anyone not selling on one now."""
    if member.role == "coordinator":
        if shift_id is None:
            return None
        exists = await Shift.exists().where(Shift.id == shift_id)
        if not exists:
            raise UnknownReference(_("We couldn't find that shift."), field="shift_id")
        return shift_id
    shifts = await market_shifts_under_way(member.id)
    if shift_id is None and shifts:
        return shifts[0]["id"]
    if any(s["id"] == shift_id for s in shifts):
        return shift_id
    raise Forbidden(
        _(
            "You can record sales while you're on a market shift that's under way. "
            "Coordinators can record them any time."
        )
    )


# --- stock ------------------------------------------------------------------------------------


async def _sums(table: Any, until: date | None, day_column: Any) -> dict[int, int]:
    query = table.select(table.product, Sum(table.quantity).as_alias("n")).group_by(table.product)
    if until is not None:
        query = query.where(day_column <= until)
    return {row["product"]: int(row["n"] or 0) for row in await query}


@dataclass(frozen=True)
class Stock:
    made: int
    sold: int
    written_off: int

    @property
    def left(self) -> int:
        return self.made - self.sold - self.written_off


async def stock(until: date | None = None) -> dict[int, Stock]:
    """Stock per product id (on ``until``, or now): made - sold - written off."""
    made = await _sums(Batch, until, Batch.made_on)
    sold = await _sums(Sale, until, Sale.sold_on)
    off = await _sums(StockAdjustment, until, StockAdjustment.adjusted_on)
    return defaultdict(
        lambda: Stock(0, 0, 0),
        {
            pid: Stock(made.get(pid, 0), sold.get(pid, 0), off.get(pid, 0))
            for pid in made.keys() | sold.keys() | off.keys()
        },
    )


async def write_off(
    member: Member, product_id: int, quantity: int, reason: str, adjusted_on: date | None, zone: Any
) -> dict[str, Any]:
    """Record pops written off (a negative quantity puts back pops found in a recount)."""
    if quantity == 0:
        raise DomainError(_("Quantity: please give a number other than 0."), field="quantity")
    if not reason.strip():
        raise DomainError(_("Reason: please say why, in a few words."), field="reason")
    adjusted_on = check_record_date(adjusted_on or datetime.now(zone).date(), zone, "adjusted_on")
    async with writing():
        if not await Product.exists().where(Product.id == product_id):
            raise UnknownReference(
                _("We couldn't find that product. Please pick one from the list."),
                field="product_id",
            )
        row = StockAdjustment(
            product=product_id,
            quantity=quantity,
            reason=reason.strip(),
            adjusted_on=adjusted_on,
            recorded_by=member.id,
        )
        await row.save()
        left = (await stock())[product_id].left
    return {
        "id": row.id,
        "product_id": product_id,
        "quantity": quantity,
        "reason": row.reason,
        "adjusted_on": adjusted_on,
        "stock": str(left),
    }


async def adjustments(limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    rows = await (
        StockAdjustment.select(
            StockAdjustment.all_columns(), StockAdjustment.product.name.as_alias("product_name")
        )
        .order_by(StockAdjustment.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return [
        {
            "id": r["id"],
            "product_id": r["product"],
            "product": r["product_name"],
            "quantity": r["quantity"],
            "reason": r["reason"],
            "adjusted_on": r["adjusted_on"],
        }
        for r in rows
    ]


# --- lots -------------------------------------------------------------------------------------


def lot_code(product_name: str, made_on: date, batch_id: int) -> str:
    """A code a person can read off a label and type: "STR-261130-7" (unique by the batch id)."""
    letters = unicodedata.normalize("NFKD", product_name).encode("ascii", "ignore").decode()
    prefix = re.sub(r"[^A-Za-z]", "", letters)[:3].upper() or "LOT"
    return f"{prefix}-{made_on:%y%m%d}-{batch_id}"


async def lot_id(code: str, product_id: int) -> int:
    """The batch a sale names by its lot code; it must be a lot of the product sold."""
    row = (
        await Batch.select(Batch.id, Batch.product)
        .where(Batch.lot_code == code.strip().upper())
        .first()
    )
    if row is None:
        raise UnknownReference(_("We couldn't find a lot with that code."), field="lot_code")
    if row["product"] != product_id:
        raise UnknownReference(
            _("That lot is of another product. Please check the code on the label."),
            field="lot_code",
        )
    return row["id"]


async def trace(batch_id: int | None = None, code: str | None = None) -> dict[str, Any]:
    """A lot's harvests (crop, bed, date, shift) and its sales: a recall on one page."""
    where = Batch.id == batch_id if batch_id is not None else Batch.lot_code == (code or "").upper()
    async with reading():
        batch = await (
            Batch.select(
                Batch.all_columns(),
                Batch.product.name.as_alias("product_name"),
                Batch.product.unit.as_alias("product_unit"),
            )
            .where(where)
            .first()
        )
        if batch is None:
            raise NotFound(_("We couldn't find that lot."))
        link = BatchHarvest
        harvests = await (
            link.select(
                link.harvest.as_alias("id"),
                link.harvest.crop.name.as_alias("crop"),
                link.harvest.bed.name.as_alias("bed"),
                link.harvest.harvested_on.as_alias("harvested_on"),
                link.harvest.shift.as_alias("shift_id"),
                link.harvest.shift.title.as_alias("shift"),
                link.harvest.quantity_milli.as_alias("quantity_milli"),
                link.harvest.unit.as_alias("unit"),
            )
            .where(link.batch == batch["id"])
            .order_by(link.harvest.harvested_on)
            .order_by(link.harvest)
        )
        sales = await (
            Sale.select(
                Sale.id, Sale.sold_on, Sale.quantity, Sale.channel, Sale.payment, Sale.shift
            )
            .where(Sale.lot == batch["id"])
            .order_by(Sale.sold_on)
            .order_by(Sale.id)
        )
    seen: set[int] = set()
    unique = [h for h in harvests if not (h["id"] in seen or seen.add(h["id"]))]
    return {
        "batch_id": batch["id"],
        "lot_code": batch["lot_code"],
        "product_id": batch["product"],
        "product": batch["product_name"],
        "unit": batch["product_unit"],
        "made_on": batch["made_on"],
        "quantity": batch["quantity"],
        "sold": sum(s["quantity"] for s in sales),
        "harvests": [
            {
                "id": h["id"],
                "crop": h["crop"],
                "bed": h["bed"],
                "harvested_on": h["harvested_on"],
                "shift_id": h["shift_id"],
                "shift": h["shift"],
                "quantity": show(from_milli(h["quantity_milli"])),
                "unit": h["unit"],
            }
            for h in unique
        ],
        "sales": [
            {
                "id": s["id"],
                "sold_on": s["sold_on"],
                "quantity": s["quantity"],
                "channel": s["channel"],
                "payment": s["payment"],
                "shift_id": s["shift"],
            }
            for s in sales
        ],
    }


async def lots_made(start: date, end: date) -> list[dict[str, Any]]:
    """Every lot made between two dates, with how many of it were sold by lot."""
    batches = await (
        Batch.select(
            Batch.id,
            Batch.lot_code,
            Batch.made_on,
            Batch.quantity,
            Batch.product.name.as_alias("product"),
        )
        .where((Batch.made_on >= start) & (Batch.made_on <= end))
        .order_by(Batch.made_on)
        .order_by(Batch.id)
    )
    sold = await _sold_by_lot([b["id"] for b in batches])
    return [{**b, "sold": sold.get(b["id"], 0)} for b in batches]


async def _sold_by_lot(batch_ids: list[int]) -> dict[int, int]:
    if not batch_ids:
        return {}
    rows = await (
        Sale.select(Sale.lot, Sum(Sale.quantity).as_alias("n"))
        .where(Sale.lot.is_in(batch_ids))
        .group_by(Sale.lot)
    )
    return {r["lot"]: int(r["n"] or 0) for r in rows}


async def what_harvests_became(pair_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For each pair, the lots their harvests went into and the pops of those lots sold."""
    if not pair_ids:
        return {}
    async with reading():
        return await _harvests_became(pair_ids)


async def _harvests_became(pair_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    link = BatchHarvest
    rows = await (
        link.select(
            link.harvest.pair.as_alias("pair"),
            link.batch.as_alias("batch"),
            link.batch.lot_code.as_alias("lot_code"),
            link.batch.made_on.as_alias("made_on"),
            link.batch.quantity.as_alias("quantity"),
            link.batch.product.name.as_alias("product"),
        )
        .where(link.harvest.pair.is_in(pair_ids))
        .order_by(link.batch.made_on)
    )
    sold = await _sold_by_lot(list({r["batch"] for r in rows}))
    became: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        became[r["pair"]][r["batch"]] = {
            "lot_code": r["lot_code"],
            "product": r["product"],
            "made_on": r["made_on"],
            "made": r["quantity"],
            "sold": sold.get(r["batch"], 0),
        }
    return {pair: list(lots.values()) for pair, lots in became.items()}


# --- the stall's day --------------------------------------------------------------------------


async def stall(member: Member, today: date) -> dict[str, Any]:
    """What the stall page shows: the member's market shift under way and the day's sales."""
    async with reading():
        shifts = await market_shifts_under_way(member.id)
        if not shifts and member.role != "coordinator":
            raise Forbidden(
                _(
                    "The market page opens while you're on a market shift that's under way. "
                    "Sign up for one on the shifts page."
                )
            )
        shift = shifts[0] if shifts else None
        sales = await day_sales(shift["id"] if shift else None, member.id, today)
    return {"shift": shift, "day": day_totals(sales), "recent": sales[:5]}


async def day_sales(shift_id: int | None, member_id: int, day: date) -> list[dict[str, Any]]:
    """The sales of one market shift (or, without one, the member's own sales that day)."""
    where = Sale.shift == shift_id if shift_id else (Sale.recorded_by == member_id)
    return await (
        Sale.select(
            Sale.id,
            Sale.quantity,
            Sale.unit_price_cents,
            Sale.payment,
            Sale.product.name.as_alias("product"),
        )
        .where(where & (Sale.sold_on == day))
        .order_by(Sale.id, ascending=False)
    )


def day_totals(sales: list[dict[str, Any]]) -> dict[str, Any]:
    """The running total, and what each payment method brought (cash is what the box holds)."""
    by_payment: dict[str, int] = {"cash": 0, "card": 0, "ebt": 0, "other": 0}
    for s in sales:
        by_payment[s["payment"]] = (
            by_payment.get(s["payment"], 0) + s["quantity"] * s["unit_price_cents"]
        )
    return {
        "count": len(sales),
        "pops": sum(s["quantity"] for s in sales),
        "total_cents": sum(by_payment.values()),
        "by_payment": by_payment,
    }

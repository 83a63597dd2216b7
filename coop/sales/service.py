"""Products, batches and sales: the garden's books, exact to the cent.

Only coordinators write here (the controllers guard that). Money is integer cents and
produce used is integer thousandths, so every total is exact on both engines. A correction
keeps the old record in the history before changing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from coop import corrections
from coop.db import reading, writing
from coop.errors import Conflict, DomainError, Forbidden, NotFound
from coop.garden.service import UnknownReference
from coop.i18n import _
from coop.market import service as market
from coop.periods import check_record_date, date_bounds
from coop.quantities import from_milli, parse_quantity, parse_unit, show, to_milli
from coop.sales.schemas import (
    BatchCreate,
    BatchOut,
    BatchUpdate,
    ProduceUsed,
    ProduceUsedOut,
    ProductCreate,
    ProductOut,
    SaleCreate,
    SaleOut,
    SaleUpdate,
)
from coop.tables import Batch, BatchHarvest, BatchProduce, Crop, Harvest, Member, Product, Sale

LIST_LIMIT = 1000


@dataclass(frozen=True)
class SalesFilter:
    year: int | None = None
    start: date | None = None
    end: date | None = None
    product_id: int | None = None
    limit: int = 50
    offset: int = 0


# --- products ---------------------------------------------------------------------------------


async def list_products(limit: int = LIST_LIMIT, offset: int = 0) -> list[ProductOut]:
    """Products by name, each with its stock now."""
    async with reading():
        rows = await Product.select().order_by(Product.name).limit(limit).offset(offset)
        stock = await market.stock()
    return [
        ProductOut(
            id=r["id"],
            name=r["name"],
            unit=r["unit"],
            price_cents=r["price_cents"],
            stock=str(stock[r["id"]].left),
        )
        for r in rows
    ]


async def create_product(data: ProductCreate) -> ProductOut:
    product = Product(name=data.name.strip(), unit=data.unit.strip(), price_cents=data.price_cents)
    async with writing():
        await product.save()
    return ProductOut(
        id=product.id, name=product.name, unit=product.unit, price_cents=product.price_cents
    )


async def _product_price(product_id: int) -> int:
    price = await Product.select(Product.price_cents).where(Product.id == product_id).first()
    if price is None:
        raise UnknownReference(
            _("We couldn't find that product. Please pick one from the list."), field="product_id"
        )
    return price["price_cents"]


# --- batches ----------------------------------------------------------------------------------


ProduceRow = tuple[int, int, str, list[int]]


def _produce_rows(used: list[ProduceUsed]) -> list[ProduceRow]:
    """Check each line of produce used: (crop_id, milli, unit, harvest_ids)."""
    return [
        (
            item.crop_id,
            to_milli(parse_quantity(item.quantity, "produce_used")),
            parse_unit(item.unit, "produce_used"),
            sorted(set(item.harvest_ids)),
        )
        for item in used
    ]


async def _save_produce(batch_id: int, rows: list[ProduceRow]) -> None:
    crop_ids = {row[0] for row in rows}
    if crop_ids:
        known = await Crop.count().where(Crop.id.is_in(list(crop_ids)))
        if known != len(crop_ids):
            raise UnknownReference(
                _("One of the crops used is not in the garden's list."), field="produce_used"
            )
    harvest_ids = {h for row in rows for h in row[3]}
    crop_of: dict[int, int] = {}
    if harvest_ids:
        found = await Harvest.select(Harvest.id, Harvest.crop).where(
            Harvest.id.is_in(list(harvest_ids))
        )
        crop_of = {h["id"]: h["crop"] for h in found}
    for crop_id, _milli, _unit, harvests in rows:
        for harvest_id in harvests:
            if harvest_id not in crop_of:
                raise UnknownReference(
                    _("We couldn't find harvest %(id)s.", id=harvest_id), field="produce_used"
                )
            if crop_of[harvest_id] != crop_id:
                raise UnknownReference(
                    _("Harvest %(id)s is of another crop than its line.", id=harvest_id),
                    field="produce_used",
                )
    await BatchProduce.delete().where(BatchProduce.batch == batch_id)  # cascades to the links
    for crop_id, milli, unit, harvests in rows:
        line = await BatchProduce.insert(
            BatchProduce(batch=batch_id, crop=crop_id, quantity_milli=milli, unit=unit)
        )
        for harvest_id in harvests:
            await BatchHarvest.insert(
                BatchHarvest(batch=batch_id, produce=line[0]["id"], harvest=harvest_id)
            )


async def record_batch(member: Member, data: BatchCreate, zone: ZoneInfo) -> BatchOut:
    check_record_date(data.made_on, zone, "made_on")
    produce = _produce_rows(data.produce_used)
    async with writing():
        await _product_price(data.product_id)
        batch = Batch(
            product=data.product_id,
            made_on=data.made_on,
            quantity=data.quantity,
            notes=data.notes,
            recorded_by=member.id,
        )
        await batch.save()
        product = await Product.select(Product.name).where(Product.id == data.product_id).first()
        code = market.lot_code(product["name"], data.made_on, batch.id)
        await Batch.update({Batch.lot_code: code}).where(Batch.id == batch.id)
        await _save_produce(batch.id, produce)
    return await get_batch(batch.id)


async def get_batch(batch_id: int) -> BatchOut:
    batches = await _batches(Batch.id == batch_id, 1, 0)
    if not batches:
        raise NotFound(_("We couldn't find that batch."))
    return batches[0]


async def list_batches(filters: SalesFilter) -> list[BatchOut]:
    start, end = date_bounds(filters.year, filters.start, filters.end)
    where = Batch.id > 0
    if start:
        where &= Batch.made_on >= start
    if end:
        where &= Batch.made_on <= end
    if filters.product_id:
        where &= Batch.product == filters.product_id
    return await _batches(where, min(filters.limit, LIST_LIMIT), filters.offset)


async def _batches(where: Any, limit: int, offset: int) -> list[BatchOut]:
    async with reading():
        rows = await (
            Batch.select(Batch.all_columns(), Batch.product.name.as_alias("product_name"))
            .where(where)
            .order_by(Batch.made_on, ascending=False)
            .order_by(Batch.id, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        ids = [r["id"] for r in rows]
        used = await (
            BatchProduce.select(
                BatchProduce.all_columns(), BatchProduce.crop.name.as_alias("crop_name")
            )
            .where(BatchProduce.batch.is_in(ids or [0]))
            .order_by(BatchProduce.id)
        )
        links = await BatchHarvest.select(BatchHarvest.produce, BatchHarvest.harvest).where(
            BatchHarvest.batch.is_in(ids or [0])
        )
        corrected = await corrections.corrected_ids("batch", ids)
    harvests_of: dict[int, list[int]] = {}
    for link in links:
        harvests_of.setdefault(link["produce"], []).append(link["harvest"])
    by_batch: dict[int, list[ProduceUsedOut]] = {}
    for u in used:
        by_batch.setdefault(u["batch"], []).append(
            ProduceUsedOut(
                crop_id=u["crop"],
                crop=u["crop_name"],
                quantity=show(from_milli(u["quantity_milli"])),
                unit=u["unit"],
                harvest_ids=sorted(harvests_of.get(u["id"], [])),
            )
        )
    return [
        BatchOut(
            id=r["id"],
            product_id=r["product"],
            product=r["product_name"],
            made_on=r["made_on"],
            quantity=r["quantity"],
            produce_used=by_batch.get(r["id"], []),
            notes=r["notes"],
            recorded_by=r["recorded_by"],
            corrected=r["id"] in corrected,
            lot_code=r["lot_code"],
        )
        for r in rows
    ]


async def correct_batch(
    member: Member, batch_id: int, data: BatchUpdate, zone: ZoneInfo
) -> BatchOut:
    before = await get_batch(batch_id)
    changes: dict[Any, Any] = {}
    if data.made_on is not msgspec.UNSET:
        changes[Batch.made_on] = check_record_date(data.made_on, zone, "made_on")
    if data.quantity is not msgspec.UNSET:
        changes[Batch.quantity] = data.quantity
    if data.notes is not msgspec.UNSET:
        changes[Batch.notes] = data.notes
    produce = None if data.produce_used is msgspec.UNSET else _produce_rows(data.produce_used)
    async with writing():
        if data.product_id is not msgspec.UNSET:
            await _product_price(data.product_id)
            changes[Batch.product] = data.product_id
        if not changes and produce is None:
            raise DomainError(_("Nothing to change: please send at least one field."))
        snapshot = msgspec.to_builtins(before)
        for key in ("id", "corrected", "recorded_by"):
            snapshot.pop(key, None)
        await corrections.keep_before("batch", batch_id, member.id, snapshot)
        if changes:
            await Batch.update(changes).where(Batch.id == batch_id)
        if produce is not None:
            await _save_produce(batch_id, produce)
    return await get_batch(batch_id)


# --- sales ------------------------------------------------------------------------------------

_SALE_COLUMNS = (
    Sale.all_columns(),
    Sale.product.name.as_alias("product_name"),
    Sale.lot.lot_code.as_alias("lot_code"),
)


def sale_out(row: dict, corrected: bool = False) -> SaleOut:
    return SaleOut(
        id=row["id"],
        product_id=row["product"],
        product=row["product_name"],
        sold_on=row["sold_on"],
        quantity=row["quantity"],
        unit_price_cents=row["unit_price_cents"],
        total_cents=row["quantity"] * row["unit_price_cents"],
        channel=row["channel"],
        recorded_by=row["recorded_by"],
        corrected=corrected,
        payment=row["payment"],
        shift_id=row["shift"],
        lot_code=row["lot_code"],
        client_id=row["client_id"],
    )


def _sales_where(filters: SalesFilter) -> Any:
    start, end = date_bounds(filters.year, filters.start, filters.end)
    where = Sale.id > 0
    if start:
        where &= Sale.sold_on >= start
    if end:
        where &= Sale.sold_on <= end
    if filters.product_id:
        where &= Sale.product == filters.product_id
    return where


async def list_sales(filters: SalesFilter) -> tuple[list[SaleOut], int]:
    where = _sales_where(filters)
    async with reading():
        rows = await (
            Sale.select(*_SALE_COLUMNS)
            .where(where)
            .order_by(Sale.sold_on, ascending=False)
            .order_by(Sale.id, ascending=False)
            .limit(min(filters.limit, LIST_LIMIT))
            .offset(filters.offset)
        )
        total = await Sale.count().where(where)
        corrected = await corrections.corrected_ids("sale", [r["id"] for r in rows])
    return [sale_out(r, r["id"] in corrected) for r in rows], total


async def get_sale(sale_id: int) -> SaleOut:
    async with reading():
        row = await Sale.select(*_SALE_COLUMNS).where(Sale.id == sale_id).first()
        if row is None:
            raise NotFound(_("We couldn't find that sale."))
        corrected = await corrections.corrected_ids("sale", [sale_id])
    return sale_out(row, bool(corrected))


async def record_sale(member: Member, data: SaleCreate, zone: ZoneInfo) -> tuple[SaleOut, bool]:
    """Record a sale once: (the sale, True) when new, (the same sale, False) for a resend.

    A resend carries the same ``client_id``. Two copies racing (even on two processes) meet the
    unique index on ``client_id``: the insert that loses does nothing, and returns the winner's.
    """
    sold_on = check_record_date(data.sold_on or datetime.now(zone).date(), zone, "sold_on")
    client_id = str(data.client_id) if data.client_id else None
    async with writing():
        if client_id and (earlier := await _sale_sent_before(member, client_id, data)):
            return earlier, False
        shift_id = await market.selling_shift(member, data.shift_id)
        if member.role != "coordinator" and (
            data.unit_price_cents is not None or data.channel != "market"
        ):
            raise Forbidden(
                _("At the stall, sales are at the usual price; a coordinator can correct one.")
            )
        price = await _product_price(data.product_id)
        lot = await market.lot_id(data.lot_code, data.product_id) if data.lot_code else None
        query = Sale.insert(
            Sale(
                product=data.product_id,
                sold_on=sold_on,
                quantity=data.quantity,
                unit_price_cents=price if data.unit_price_cents is None else data.unit_price_cents,
                channel=data.channel,
                recorded_by=member.id,
                payment=data.payment,
                shift=shift_id,
                lot=lot,
                client_id=client_id,
            )
        )
        if client_id:
            query = query.on_conflict(target=Sale.client_id, action="DO NOTHING")
        inserted = await query
        if not inserted:  # another request with this client_id committed first
            earlier = await _sale_sent_before(member, client_id or "", data)
            if earlier is None:
                raise Conflict(_("That sale is being recorded already. Please try again."))
            return earlier, False
        # Read it back on the same connection: a new sale has no corrections to look up.
        row = await Sale.select(*_SALE_COLUMNS).where(Sale.id == inserted[0]["id"]).first()
    return sale_out(row), True


async def _sale_sent_before(member: Member, client_id: str, data: SaleCreate) -> SaleOut | None:
    """The sale this ``client_id`` already recorded, if it is the same sale from the same person."""
    row = await Sale.select(*_SALE_COLUMNS).where(Sale.client_id == client_id).first()
    if row is None:
        return None
    if row["recorded_by"] != member.id and member.role != "coordinator":
        raise Forbidden(_("That sale was recorded by someone else."))
    if (row["product"], row["quantity"]) != (data.product_id, data.quantity):
        raise Conflict(
            _("A different sale was already sent with this client_id. Please make a new one.")
        )
    return sale_out(row)


async def correct_sale(member: Member, sale_id: int, data: SaleUpdate, zone: ZoneInfo) -> SaleOut:
    changes: dict[Any, Any] = {}
    if data.sold_on is not msgspec.UNSET:
        changes[Sale.sold_on] = check_record_date(data.sold_on, zone, "sold_on")
    if data.quantity is not msgspec.UNSET:
        changes[Sale.quantity] = data.quantity
    if data.channel is not msgspec.UNSET:
        changes[Sale.channel] = data.channel
    if data.unit_price_cents is not msgspec.UNSET:
        changes[Sale.unit_price_cents] = data.unit_price_cents
    if data.payment is not msgspec.UNSET:
        changes[Sale.payment] = data.payment
    async with writing():
        row = await Sale.select().where(Sale.id == sale_id).first()
        if row is None:
            raise NotFound(_("We couldn't find that sale."))
        if data.product_id is not msgspec.UNSET:
            await _product_price(data.product_id)
            changes[Sale.product] = data.product_id
        if not changes:
            raise DomainError(_("Nothing to change: please send at least one field."))
        before = {
            "product_id": row["product"],
            "sold_on": row["sold_on"].isoformat(),
            "quantity": row["quantity"],
            "unit_price_cents": row["unit_price_cents"],
            "channel": row["channel"],
        }
        if data.payment is not msgspec.UNSET:
            before["payment"] = row["payment"]
        await corrections.keep_before("sale", sale_id, member.id, before)
        await Sale.update(changes).where(Sale.id == sale_id)
    return await get_sale(sale_id)

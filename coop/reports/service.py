"""The season in numbers: hours, harvests, batches, sales and shift fill, all exact.

Rows of one season are read once and totalled in Python with ``Decimal`` and integer
cents (SQLite would sum floats). The page, the charts, the JSON and the CSV exports all
read these same numbers, so they can never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from coop.db import reading
from coop.formatting import money
from coop.i18n import _
from coop.market import service as market
from coop.pay.hours import Worked, worked
from coop.periods import week_of, year_instants
from coop.quantities import in_kg, is_mass, show, totals
from coop.tables import Batch, Harvest, Product, Sale, Shift
from coop.vocabulary import SaleChannel, SalePayment, ShiftStatus, values

SECONDS_PER_HOUR = Decimal(3600)
HUNDREDTH = Decimal("0.01")


@dataclass
class Season:
    """Everything the season report shows; ``Decimal`` quantities, integer cents."""

    year: int
    hours_total: Decimal = Decimal(0)
    hours_by_member: list[dict[str, Any]] = field(default_factory=list)
    harvest_by_crop: list[dict[str, Any]] = field(default_factory=list)
    harvest_by_week: list[dict[str, Any]] = field(default_factory=list)
    harvest_by_bed: list[dict[str, Any]] = field(default_factory=list)
    harvest_by_pair: list[dict[str, Any]] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    sales_total_cents: int = 0
    sales_by_product: list[dict[str, Any]] = field(default_factory=list)
    sales_by_channel: list[dict[str, Any]] = field(default_factory=list)
    sales_by_week: list[dict[str, Any]] = field(default_factory=list)
    shifts: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    sales_by_payment: list[dict[str, Any]] = field(default_factory=list)
    stock: list[dict[str, Any]] = field(default_factory=list)  # at the season's end
    lots: list[dict[str, Any]] = field(default_factory=list)


def amount_text(value: Decimal) -> str:
    """A quantity for people: thousands separated, no trailing zeros ("1,900", "48.5")."""
    whole, _dot, fraction = show(value).partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


async def season(year: int, zone: ZoneInfo) -> Season:
    """Read and total one season (a calendar year in the garden's time zone)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    first, after = year_instants(year, zone)
    async with reading():
        attendance = await worked(first, after)
        harvests = await Harvest.select(
            Harvest.crop,
            Harvest.crop.name.as_alias("crop_name"),
            Harvest.bed,
            Harvest.bed.name.as_alias("bed_name"),
            Harvest.pair,
            Harvest.pair.member_a.display_name.as_alias("partner_a"),
            Harvest.pair.member_b.display_name.as_alias("partner_b"),
            Harvest.harvested_on,
            Harvest.quantity_milli,
            Harvest.unit,
        ).where((Harvest.harvested_on >= start) & (Harvest.harvested_on <= end))
        batches = await Batch.select(
            Batch.product,
            Batch.product.name.as_alias("product_name"),
            Batch.product.unit.as_alias("product_unit"),
            Batch.quantity,
        ).where((Batch.made_on >= start) & (Batch.made_on <= end))
        sales = await Sale.select(
            Sale.product,
            Sale.product.name.as_alias("product_name"),
            Sale.sold_on,
            Sale.quantity,
            Sale.unit_price_cents,
            Sale.channel,
            Sale.payment,
        ).where((Sale.sold_on >= start) & (Sale.sold_on <= end))
        shifts = await Shift.select(Shift.status, Shift.pair_slots, Shift.taken_slots).where(
            (Shift.starts_at >= first) & (Shift.starts_at < after)
        )
        products = await Product.select(Product.id, Product.name).order_by(Product.name)
        stock = await market.stock(until=end)
        lots = await market.lots_made(start, end)
    report = Season(year=year)
    report.stock = [
        {"product_id": p["id"], "product": p["name"], "stock": stock[p["id"]].left}
        for p in products
        if p["id"] in stock
    ]
    report.lots = lots
    _hours(report, attendance)
    _harvests(report, harvests)
    _batches(report, batches)
    _sales(report, sales)
    report.shifts = shift_fill(shifts)
    report.summary = summary_line(report)
    return report


async def attended_shifts(year: int, zone: ZoneInfo) -> list[Worked]:
    """One row per person per shift of approved time in the season, by date (``pay.hours``)."""
    first, after = year_instants(year, zone)
    async with reading():
        return await worked(first, after)


async def season_harvests(year: int) -> list[dict[str, Any]]:
    """Every harvest of the season with its crop, bed and who recorded it, oldest first."""
    async with reading():
        return await (
            Harvest.select(
                Harvest.id,
                Harvest.harvested_on,
                Harvest.crop.name.as_alias("crop"),
                Harvest.crop.variety.as_alias("variety"),
                Harvest.bed.name.as_alias("bed"),
                Harvest.quantity_milli,
                Harvest.unit,
                Harvest.shift,
                Harvest.recorded_by.display_name.as_alias("recorded_by"),
                Harvest.notes,
            )
            .where(
                (Harvest.harvested_on >= date(year, 1, 1))
                & (Harvest.harvested_on <= date(year, 12, 31))
            )
            .order_by(Harvest.harvested_on)
            .order_by(Harvest.id)
        )


async def season_sales(year: int) -> list[dict[str, Any]]:
    """Every sale of the season with its product's name, oldest first."""
    async with reading():
        return await (
            Sale.select(Sale.all_columns(), Sale.product.name.as_alias("product_name"))
            .where((Sale.sold_on >= date(year, 1, 1)) & (Sale.sold_on <= date(year, 12, 31)))
            .order_by(Sale.sold_on)
            .order_by(Sale.id)
        )


def _hours(report: Season, rows: list[Worked]) -> None:
    """Approved time per person (coop/pay/hours.py: the one definition of hours)."""
    seconds: dict[int | None, int] = defaultdict(int)
    names: dict[int | None, str] = {}
    for row in rows:
        seconds[row.member_id] += row.minutes * 60
        names[row.member_id] = row.display_name or _("Former members")
    report.hours_by_member = sorted(
        (
            {"member_id": member, "display_name": names[member], "hours": hours_of(total)}
            for member, total in seconds.items()
        ),
        key=lambda r: (-r["hours"], r["display_name"]),
    )
    report.hours_total = hours_of(sum(seconds.values()))


def hours_of(seconds: int) -> Decimal:
    """Exact to the hundredth of an hour (a 20-minute shift is 0.33)."""
    return (Decimal(seconds) / SECONDS_PER_HOUR).quantize(HUNDREDTH)


def _grouped(rows: list[dict], key: str, name: str) -> list[dict[str, Any]]:
    """Per ``key`` (crop or bed): kg for mass units, each count unit apart."""
    amounts: dict[Any, list[tuple[int, str]]] = defaultdict(list)
    names: dict[Any, str] = {}
    for row in rows:
        amounts[row[key]].append((row["quantity_milli"], row["unit"]))
        names[row[key]] = row[name] or _("No bed given")
    result = [
        {f"{key}_id": ident, key: names[ident], "unit": unit, "quantity": quantity}
        for ident, pairs in amounts.items()
        for unit, quantity in sorted(totals(pairs).items())
    ]
    return sorted(result, key=lambda r: (r[key].lower(), r["unit"]))


def _harvests(report: Season, rows: list[dict]) -> None:
    report.harvest_by_crop = _grouped(rows, "crop", "crop_name")
    report.harvest_by_bed = _grouped(rows, "bed", "bed_name")
    picked_by_pairs = [{**row, "pair_name": _pair_name(row)} for row in rows if row["pair"]]
    report.harvest_by_pair = _grouped(picked_by_pairs, "pair", "pair_name")
    weeks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        weeks[week_of(row["harvested_on"])].append((row["quantity_milli"], row["unit"]))
    report.harvest_by_week = [
        {"week": week, "kg": totals(pairs).get("kg", Decimal(0)), "counts": _counts(pairs)}
        for week, pairs in sorted(weeks.items())
    ]


def _pair_name(row: dict) -> str:
    """ "Jo & Sam": partners in alphabetical order, so the name never ranks one of them."""
    names = sorted(name or _("a former member") for name in (row["partner_a"], row["partner_b"]))
    return " & ".join(names)


def _counts(pairs: list[tuple[int, str]]) -> dict[str, Decimal]:
    return {unit: q for unit, q in totals(pairs).items() if unit != "kg"}


def _batches(report: Season, rows: list[dict]) -> None:
    made: dict[int, int] = defaultdict(int)
    info: dict[int, tuple[str, str]] = {}
    for row in rows:
        made[row["product"]] += row["quantity"]
        info[row["product"]] = (row["product_name"], row["product_unit"])
    report.batches = sorted(
        (
            {"product_id": pid, "product": info[pid][0], "unit": info[pid][1], "quantity": qty}
            for pid, qty in made.items()
        ),
        key=lambda r: r["product"].lower(),
    )


def _sales(report: Season, rows: list[dict]) -> None:
    by_product: dict[int, dict[str, Any]] = {}
    by_channel: dict[str, int] = dict.fromkeys(values(SaleChannel), 0)
    by_week: dict[str, int] = defaultdict(int)
    by_payment: dict[str, int] = dict.fromkeys(values(SalePayment), 0)
    for row in rows:
        cents = row["quantity"] * row["unit_price_cents"]
        line = by_product.setdefault(
            row["product"],
            {
                "product_id": row["product"],
                "product": row["product_name"],
                "quantity": 0,
                "total_cents": 0,
            },
        )
        line["quantity"] += row["quantity"]
        line["total_cents"] += cents
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + cents
        by_week[week_of(row["sold_on"])] += cents
        by_payment[row["payment"]] = by_payment.get(row["payment"], 0) + cents
        report.sales_total_cents += cents
    report.sales_by_product = sorted(by_product.values(), key=lambda r: r["product"].lower())
    report.sales_by_channel = [
        {"channel": channel, "total_cents": cents} for channel, cents in by_channel.items()
    ]
    report.sales_by_payment = [
        {"payment": payment, "total_cents": cents} for payment, cents in by_payment.items()
    ]
    report.sales_by_week = [{"week": w, "total_cents": c} for w, c in sorted(by_week.items())]


def shift_fill(rows: list[dict]) -> dict[str, Any]:
    """Planned = every shift of the season; slots count only shifts still scheduled."""
    scheduled = [r for r in rows if r["status"] == ShiftStatus.SCHEDULED]
    pair_slots = sum(r["pair_slots"] for r in scheduled)
    filled = sum(r["taken_slots"] for r in scheduled)
    return {
        "planned": len(rows),
        "cancelled": len(rows) - len(scheduled),
        "pair_slots": pair_slots,
        "filled_slots": filled,
        "fill_rate": round(filled / pair_slots, 3) if pair_slots else 0.0,
    }


def summary_line(report: Season) -> str:
    """ "This season: 212 hours, 48 kg of strawberries, 1,900 pops, $6,650"."""
    parts = []
    if report.hours_total:
        parts.append(_("%(hours)s hours", hours=amount_text(report.hours_total)))
    mass = [r for r in report.harvest_by_crop if r["unit"] == "kg"]
    if mass:
        top = max(mass, key=lambda r: r["quantity"])
        parts.append(
            _(
                "%(amount)s kg of %(crop)s",
                amount=amount_text(top["quantity"]),
                crop=top["crop"].lower(),
            )
        )
    made: dict[str, int] = defaultdict(int)
    for line in report.batches:
        made[line["unit"]] += line["quantity"]
    for unit, quantity in sorted(made.items()):
        plural = unit if quantity == 1 or unit.endswith("s") else f"{unit}s"
        parts.append(f"{quantity:,} {plural}")
    if report.sales_total_cents:
        parts.append(money(report.sales_total_cents))
    if not parts:
        return _("Nothing is recorded for %(year)s yet.", year=report.year)
    return _("This season: %(totals)s", totals=", ".join(parts))


def mass_kg(milli: int, unit: str) -> Decimal | None:
    """Kilograms for a mass amount, None for a count (used by the harvest export)."""
    return in_kg(milli, unit) if is_mass(unit) else None

"""CSV exports of a season that open cleanly in a spreadsheet, and cannot run formulas.

A UTF-8 byte-order mark makes spreadsheets read accents ("café") correctly. A cell that
starts with =, +, -, @, tab or carriage return would be read as a formula (a crop named
"=HYPERLINK(...)" could phone home), so such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from litestar import Controller, Response, get

from coop import auth
from coop.db import reading
from coop.deps import AppSettings
from coop.i18n import _
from coop.periods import Year, this_year, year_instants
from coop.quantities import from_milli, show
from coop.reports.service import hours_of, mass_kg
from coop.tables import Attendance, Harvest, Sale

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: Any) -> str:
    """Make a cell inert: text that a spreadsheet would run as a formula gets a ' first."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return Response(
        content=(BOM + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class ExportsApi(Controller):
    path = "/api"
    tags = ["exports"]
    guards = [auth.requires_member]

    @get("/harvests.csv")
    async def harvests_csv(self, settings: AppSettings, year: Year = None) -> Response:
        """Every harvest of the season, with exact kilograms for mass units."""
        year = year or this_year(settings.zone)
        async with reading():
            rows = await (
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
        header = [
            "id",
            "harvested_on",
            "crop",
            "variety",
            "bed",
            "quantity",
            "unit",
            "kg",
            "shift_id",
            "recorded_by",
            "notes",
        ]
        lines = (
            [
                r["id"],
                r["harvested_on"].isoformat(),
                r["crop"],
                r["variety"],
                r["bed"] or "",
                show(from_milli(r["quantity_milli"])),
                r["unit"],
                _kg(r["quantity_milli"], r["unit"]),
                r["shift"] or "",
                r["recorded_by"] or "",
                r["notes"],
            ]
            for r in rows
        )
        return csv_response(f"harvests-{year}.csv", header, lines)

    @get("/sales.csv", guards=[auth.requires_coordinator])
    async def sales_csv(self, settings: AppSettings, year: Year = None) -> Response:
        """Every sale of the season; prices in dollars with cents, totals exact."""
        year = year or this_year(settings.zone)
        async with reading():
            rows = await (
                Sale.select(Sale.all_columns(), Sale.product.name.as_alias("product_name"))
                .where((Sale.sold_on >= date(year, 1, 1)) & (Sale.sold_on <= date(year, 12, 31)))
                .order_by(Sale.sold_on)
                .order_by(Sale.id)
            )
        header = ["id", "sold_on", "product", "quantity", "unit_price", "total", "channel"]
        lines = (
            [
                r["id"],
                r["sold_on"].isoformat(),
                r["product_name"],
                r["quantity"],
                _cents(r["unit_price_cents"]),
                _cents(r["quantity"] * r["unit_price_cents"]),
                r["channel"],
            ]
            for r in rows
        )
        return csv_response(f"sales-{year}.csv", header, lines)

    @get("/hours.csv", guards=[auth.requires_coordinator])
    async def hours_csv(self, settings: AppSettings, year: Year = None) -> Response:
        """One line per person per attended shift (the work is often paid)."""
        year = year or this_year(settings.zone)
        first, after = year_instants(year, settings.zone)
        async with reading():
            rows = await (
                Attendance.select(
                    Attendance.shift,
                    Attendance.member,
                    Attendance.status,
                    Attendance.member.display_name.as_alias("member_name"),
                    Attendance.shift.title.as_alias("title"),
                    Attendance.shift.starts_at.as_alias("starts_at"),
                    Attendance.shift.ends_at.as_alias("ends_at"),
                )
                .where((Attendance.shift.starts_at >= first) & (Attendance.shift.starts_at < after))
                .order_by(Attendance.id)
            )
        latest = {(r["shift"], r["member"]): r for r in rows}
        attended = sorted(
            (r for r in latest.values() if r["status"] == "attended"),
            key=lambda r: (r["starts_at"], r["member_name"] or ""),
        )
        header = ["date", "shift_id", "shift", "member", "hours"]
        lines = (
            [
                r["starts_at"].astimezone(settings.zone).date().isoformat(),
                r["shift"],
                r["title"],
                r["member_name"] or _("Former member"),
                str(hours_of(int((r["ends_at"] - r["starts_at"]).total_seconds()))),
            ]
            for r in attended
        )
        return csv_response(f"hours-{year}.csv", header, lines)


def _kg(milli: int, unit: str) -> str:
    kg = mass_kg(milli, unit)
    return "" if kg is None else show(kg)

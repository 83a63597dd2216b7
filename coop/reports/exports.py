"""CSV exports of a season that open cleanly in a spreadsheet, and cannot run formulas.

A UTF-8 byte-order mark makes spreadsheets read accents ("café") correctly. A cell that
starts with =, +, -, @, tab or carriage return would be read as a formula (a crop named
"=HYPERLINK(...)" could phone home), so such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from litestar import Controller, Response, get

from coop.formatting import decimal_dollars, hours_text
from coop.i18n import _
from coop.periods import this_year
from coop.quantities import from_milli, show
from coop.reports import service
from coop.reports.service import mass_kg
from coop.web import sessions
from coop.web.deps import AppSettings
from coop.web.params import Year

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


class ExportsApi(Controller):
    path = "/api"
    tags = ["exports"]
    guards = [sessions.requires_member]

    @get("/harvests.csv")
    async def harvests_csv(self, settings: AppSettings, year: Year = None) -> Response:
        """Every harvest of the season, with exact kilograms for mass units."""
        year = year or this_year(settings.zone)
        rows = await service.season_harvests(year)
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

    @get("/sales.csv", guards=[sessions.requires_coordinator])
    async def sales_csv(self, settings: AppSettings, year: Year = None) -> Response:
        """Every sale of the season; prices in dollars with cents, totals exact."""
        year = year or this_year(settings.zone)
        rows = await service.season_sales(year)
        header = ["id", "sold_on", "product", "quantity", "unit_price", "total", "channel"]
        lines = (
            [
                r["id"],
                r["sold_on"].isoformat(),
                r["product_name"],
                r["quantity"],
                decimal_dollars(r["unit_price_cents"]),
                decimal_dollars(r["quantity"] * r["unit_price_cents"]),
                r["channel"],
            ]
            for r in rows
        )
        return csv_response(f"sales-{year}.csv", header, lines)

    @get("/hours.csv", guards=[sessions.requires_coordinator])
    async def hours_csv(self, settings: AppSettings, year: Year = None) -> Response:
        """One line per person per shift of approved time (the work is paid)."""
        year = year or this_year(settings.zone)
        attended = await service.attended_shifts(year, settings.zone)
        header = ["date", "shift_id", "shift", "member", "minutes", "hours"]
        lines = (
            [
                r.starts_at.astimezone(settings.zone).date().isoformat(),
                r.shift_id,
                r.title,
                r.display_name or _("Former member"),
                r.minutes,
                hours_text(r.minutes),
            ]
            for r in attended
        )
        return csv_response(f"hours-{year}.csv", header, lines)


def _kg(milli: int, unit: str) -> str:
    kg = mass_kg(milli, unit)
    return "" if kg is None else show(kg)

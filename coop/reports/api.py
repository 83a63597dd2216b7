"""The season report as JSON, in exactly the contract's shape (DESIGN.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, get

from coop.periods import this_year
from coop.quantities import show
from coop.reports import impact, service
from coop.web import sessions
from coop.web.deps import AppSettings
from coop.web.errors import error_responses
from coop.web.params import From, To, Year


def _hours(value: Decimal) -> float | int:
    """Hours as a JSON number: 212 or 212.5 (exact to the hundredth)."""
    return int(value) if value == value.to_integral() else float(value)


def season_json(report: service.Season) -> dict[str, Any]:
    return {
        "year": report.year,
        "hours": {
            "total": _hours(report.hours_total),
            "by_member": [
                {
                    "member_id": r["member_id"],
                    "display_name": r["display_name"],
                    "hours": _hours(r["hours"]),
                }
                for r in report.hours_by_member
            ],
        },
        "harvest_by_crop": [
            {
                "crop_id": r["crop_id"],
                "crop": r["crop"],
                "unit": r["unit"],
                "quantity": show(r["quantity"]),
            }
            for r in report.harvest_by_crop
        ],
        "batches": [
            {"product_id": r["product_id"], "product": r["product"], "quantity": r["quantity"]}
            for r in report.batches
        ],
        "sales": {
            "total_cents": report.sales_total_cents,
            "by_product": [
                {
                    "product_id": r["product_id"],
                    "product": r["product"],
                    "quantity": r["quantity"],
                    "total_cents": r["total_cents"],
                }
                for r in report.sales_by_product
            ],
            "by_channel": [
                {"channel": r["channel"], "total_cents": r["total_cents"]}
                for r in report.sales_by_channel
            ],
            "by_payment": [dict(r) for r in report.sales_by_payment],
        },
        "shifts": dict(report.shifts),
        "stock": [dict(r) for r in report.stock],
        "lots": [
            {**r, "made_on": r["made_on"].isoformat(), "batch_id": r["id"]} for r in report.lots
        ],
    }


class ReportsApi(Controller):
    path = "/api/reports"
    tags = ["reports"]
    guards = [sessions.requires_coordinator]

    @get("/season")
    async def season(self, settings: AppSettings, year: Year = None) -> dict[str, Any]:
        """Hours, harvests, batches, sales and shift fill of one season."""
        report = await service.season(year or this_year(settings.zone), settings.zone)
        return season_json(report)


class ImpactApi(Controller):
    path = "/api/reports/impact"
    tags = ["reports"]
    guards = [sessions.requires_coordinator]

    @get(responses=error_responses(400))
    async def impact_report(
        self, settings: AppSettings, starts_on: From = None, ends_on: To = None
    ) -> dict[str, Any]:
        """For funders, any date range: counts of people under 5 are null and named."""
        first, last = impact.impact_range(starts_on, ends_on, settings.zone)
        return impact.impact_json(await impact.impact(first, last, settings.zone))

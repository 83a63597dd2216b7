"""The JSON face of pay: periods, approval lists, adjustments, wages and timesheets."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from coop.formatting import decimal_dollars, hours_text
from coop.pay import service
from coop.pay.schemas import (
    AdjustmentCreate,
    PayPeriodCreate,
    PayPeriodDetail,
    PayPeriodOut,
    ShiftAwaiting,
    Timesheet,
    TimesheetAdjustment,
    TimesheetLine,
    TimesheetShift,
    WageOut,
    WageUpdate,
)
from coop.pay.season import my_season
from coop.periods import this_year
from coop.quantities import show
from coop.reports.exports import BOM, neutralise
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.errors import error_responses
from coop.web.params import Year


def period_out(row: dict) -> PayPeriodOut:
    return PayPeriodOut(
        id=row["id"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        closed=row["closed_at"] is not None,
        closed_at=row["closed_at"],
    )


def timesheet_out(period: dict, sheet: service.Sheet) -> Timesheet:
    return Timesheet(
        id=period["id"],
        starts_on=period["starts_on"],
        ends_on=period["ends_on"],
        closed=period["closed_at"] is not None,
        members=[
            TimesheetLine(
                member_id=line.member_id,
                display_name=line.display_name,
                minutes=line.minutes,
                hourly_wage_cents=line.hourly_wage_cents,
                gross_cents=line.gross_cents,
                shift_minutes=line.shift_minutes,
                adjustment_minutes=line.adjustment_minutes,
                shifts=[
                    TimesheetShift(w.shift_id, w.title, w.starts_at, w.minutes) for w in line.shifts
                ],
                adjustments=[
                    TimesheetAdjustment(a["id"], a["minutes"], a["reason"])
                    for a in line.adjustments
                ],
            )
            for line in sheet.lines
        ],
        total_minutes=sheet.total_minutes,
        total_cents=sheet.total_cents,
    )


def timesheet_csv(period: dict, sheet: service.Sheet) -> Response:
    """One row per person and a total row; text cells are made formula-safe, numbers stay
    numbers (a negative adjustment is a number, not a formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "member_id",
            "member",
            "shifts",
            "shift_minutes",
            "adjustment_minutes",
            "minutes",
            "hours",
            "hourly_wage",
            "gross",
            "gross_cents",
        ]
    )
    for line in sheet.lines:
        writer.writerow(
            [
                line.member_id or "",
                neutralise(line.display_name),
                len(line.shifts),
                line.shift_minutes,
                line.adjustment_minutes,
                line.minutes,
                hours_text(line.minutes),
                decimal_dollars(line.hourly_wage_cents),
                decimal_dollars(line.gross_cents),
                line.gross_cents,
            ]
        )
    writer.writerow(
        [
            "",
            "Total",
            sum(len(line.shifts) for line in sheet.lines),
            sum(line.shift_minutes for line in sheet.lines),
            sum(line.adjustment_minutes for line in sheet.lines),
            sheet.total_minutes,
            hours_text(sheet.total_minutes),
            "",
            decimal_dollars(sheet.total_cents),
            sheet.total_cents,
        ]
    )
    name = f"timesheet-{period['starts_on']}-to-{period['ends_on']}.csv"
    return Response(
        content=(BOM + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


class PayPeriodsApi(Controller):
    path = "/api/pay-periods"
    tags = ["pay"]
    guards = [sessions.requires_coordinator]

    @get(responses=error_responses(401, 403))
    async def list_periods(self) -> list[PayPeriodOut]:
        return [period_out(row) for row in await service.list_periods()]

    @post(status_code=HTTP_201_CREATED, responses=error_responses(400, 401, 403, 409))
    async def create(self, data: JSONBody[PayPeriodCreate]) -> PayPeriodOut:
        """A new period of whole days (garden time); periods never overlap."""
        return period_out(await service.create_period(data.starts_on, data.ends_on))

    @get("/{period_id:int}", responses=error_responses(401, 403, 404))
    async def show(self, period_id: FromPath[int], settings: AppSettings) -> PayPeriodDetail:
        """The period and its shifts whose marked time still needs approval."""
        period, waiting = await service.period_awaiting(period_id, settings.zone)
        return PayPeriodDetail(
            **{f: getattr(period_out(period), f) for f in PayPeriodOut.__struct_fields__},
            needing_approval=[
                ShiftAwaiting(s["id"], s["title"], s["starts_at"], [p["id"] for p in s["people"]])
                for s in waiting
            ],
        )

    @post(
        "/{period_id:int}/close",
        status_code=HTTP_200_OK,
        responses=error_responses(401, 403, 404, 409),
    )
    async def close(
        self, period_id: FromPath[int], member: CurrentMember, settings: AppSettings
    ) -> PayPeriodOut:
        """Lock the period's attendance (refused while time awaits approval)."""
        return period_out(await service.close_period(period_id, member.id, settings.zone))

    @post(
        "/{period_id:int}/adjustments",
        status_code=HTTP_201_CREATED,
        responses=error_responses(400, 401, 403, 404, 409),
    )
    async def adjust(
        self,
        period_id: FromPath[int],
        data: JSONBody[AdjustmentCreate],
        member: CurrentMember,
        settings: AppSettings,
    ) -> Timesheet:
        """A later correction (± minutes, with a reason) in an open period; the new timesheet."""
        await service.add_adjustment(
            period_id, data.member_id, data.minutes, data.reason, member.id
        )
        return timesheet_out(*await service.period_sheet(period_id, settings.zone))

    @get("/{period_id:int}/timesheet", responses=error_responses(401, 403, 404))
    async def timesheet(self, period_id: FromPath[int], settings: AppSettings) -> Timesheet:
        """Each person's approved minutes, adjustments, wage and gross pay, exact in cents."""
        return timesheet_out(*await service.period_sheet(period_id, settings.zone))

    @get("/{period_id:int}/timesheet.csv", responses=error_responses(401, 403, 404))
    async def timesheet_csv(self, period_id: FromPath[int], settings: AppSettings) -> Response:
        return timesheet_csv(*await service.period_sheet(period_id, settings.zone))


class WagesApi(Controller):
    path = "/api/members"
    tags = ["pay"]
    guards = [sessions.requires_coordinator]

    @patch("/{member_id:int}", responses=error_responses(400, 401, 403, 404))
    async def set_wage(self, member_id: FromPath[int], data: JSONBody[WageUpdate]) -> WageOut:
        """Set a member's hourly wage in cents (coordinators; never shown to other members)."""
        return WageOut(**await service.set_wage(member_id, data.hourly_wage_cents))


class MySeasonApi(Controller):
    path = "/api/me/season"
    tags = ["pay"]
    guards = [sessions.requires_member]

    @get(responses=error_responses(400, 401))
    async def season(
        self, member: CurrentMember, settings: AppSettings, year: Year = None
    ) -> dict[str, Any]:
        """Your own season: approved shifts worked, hours, kinds of work, your pairs' harvests."""
        year = year or this_year(settings.zone)
        mine = await my_season(member.id, year, settings.zone)
        return {
            "year": year,
            "shifts_worked": mine.shifts_worked,
            "hours": hours_number(mine.minutes),
            "minutes": mine.minutes,
            "by_kind": [
                {
                    "kind": k["kind"],
                    "label": k["label"],
                    "shifts": k["shifts"],
                    "hours": hours_number(k["minutes"]),
                    "minutes": k["minutes"],
                }
                for k in mine.by_kind
            ],
            "harvests": [
                {"crop": h["crop"], "unit": h["unit"], "quantity": show(h["quantity"])}
                for h in mine.harvests
            ],
        }


def hours_number(minutes: int) -> int | float:
    """Hours as a JSON number, exact to the hundredth: 150 minutes -> 2.5."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return int(hours) if hours == hours.to_integral() else float(hours)

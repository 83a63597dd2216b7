"""The pages of pay: periods, approving a week, closing, wages, printable timesheets, and
each member's own season and work-record letter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop.errors import DomainError
from coop.i18n import _
from coop.pay import service
from coop.pay.schemas import AdjustmentCreate, PayPeriodCreate, WageUpdate
from coop.pay.season import my_season
from coop.periods import this_year
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.forms import Form, parse_form, refusal
from coop.web.params import Year
from coop.web.urls import path_to, redirect_to


def _dollars_to_cents(text: str) -> int:
    """ "15", "15.5", "15.50" -> cents, exactly (no float on the way)."""
    whole, _dot, rest = text.strip().removeprefix("$").partition(".")
    if not whole.isdigit() or (rest and (not rest.isdigit() or len(rest) > 2)):
        raise DomainError(
            _("Hourly wage: please give dollars and cents, like 15.50."), field="wage"
        )
    return int(whole) * 100 + int((rest + "00")[:2])


class PayPages(Controller):
    path = "/pay-periods"
    include_in_schema = False
    guards = [sessions.requires_coordinator]

    async def _index(self, member, settings, status_code: int = 200, **extra: Any) -> Template:
        periods, people = await service.periods_and_wages()
        first, last = service.default_period(settings.zone)
        context = {
            "viewer": member,
            "periods": periods,
            "people": people,
            "form": {"starts_on": first.isoformat(), "ends_on": last.isoformat()},
            **extra,
        }
        return Template("pay/periods.html", context=context, status_code=status_code)

    @get(name="pay_periods")
    async def index(self, member: CurrentMember, settings: AppSettings) -> Template:
        """Every pay period, a form for the next one, and hourly wages."""
        return await self._index(member, settings)

    @post()
    async def create(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        try:
            fields = {k: data.get(k, "") for k in ("starts_on", "ends_on")}
            new = parse_form(fields, PayPeriodCreate)
            period = await service.create_period(new.starts_on, new.ends_on)
        except DomainError as error:
            return await self._index(
                member, settings, error.status_code, **refusal(error), form=data
            )
        flash(request, _("The pay period is ready."), category="success")
        return redirect_to(request, "pay_period", period_id=period["id"])

    @post("/wages")
    async def set_wage(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        try:
            cents = _dollars_to_cents(str(data.get("wage", "")))
            wage = parse_form({"hourly_wage_cents": cents}, WageUpdate)
            who = parse_form({"member_id": data.get("member_id", "")}, _MemberChoice)
            row = await service.set_wage(who.member_id, wage.hourly_wage_cents)
        except DomainError as error:
            return await self._index(member, settings, error.status_code, **refusal(error, "wage"))
        flash(
            request,
            _("%(name)s's hourly wage is saved.", name=row["display_name"]),
            category="success",
        )
        return Redirect(path_to(request, "pay_periods") + "#wages")

    async def _period(
        self, period_id: int, member, settings, status_code: int = 200, **extra: Any
    ) -> Template:
        period, waiting, unmarked, people = await service.period_view(period_id, settings.zone)
        _period, sheet = await service.period_sheet(period_id, settings.zone)
        context = {
            "viewer": member,
            "period": period,
            "waiting": waiting,
            "unmarked": unmarked,
            "sheet": sheet,
            "people": people,
            "form": {},
            **extra,
        }
        return Template("pay/period.html", context=context, status_code=status_code)

    @get("/{period_id:int}", name="pay_period")
    async def show(
        self, period_id: FromPath[int], member: CurrentMember, settings: AppSettings
    ) -> Template:
        """What still needs approval, adjustments, the totals, and closing."""
        return await self._period(period_id, member, settings)

    @post("/{period_id:int}/close")
    async def close(
        self,
        request: Request,
        period_id: FromPath[int],
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        try:
            await service.close_period(period_id, member.id, settings.zone)
        except DomainError as error:
            return await self._period(
                period_id, member, settings, error.status_code, **refusal(error)
            )
        flash(
            request,
            _("The pay period is closed. Its timesheets are ready to print."),
            category="success",
        )
        return redirect_to(request, "pay_period", period_id=period_id)

    @post("/{period_id:int}/adjustments")
    async def adjust(
        self,
        request: Request,
        period_id: FromPath[int],
        data: Form,
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        try:
            fields = {k: data.get(k, "") for k in ("member_id", "minutes", "reason")}
            adjustment = parse_form(fields, AdjustmentCreate)
            await service.add_adjustment(
                period_id,
                adjustment.member_id,
                adjustment.minutes,
                adjustment.reason,
                member.id,
            )
        except DomainError as error:
            return await self._period(
                period_id,
                member,
                settings,
                error.status_code,
                **refusal(error, "adjust"),
                form=data,
            )
        flash(request, _("The adjustment is saved."), category="success")
        return Redirect(path_to(request, "pay_period", period_id=period_id) + "#adjustments")

    @get("/{period_id:int}/timesheet", name="timesheet")
    async def timesheet(
        self, period_id: FromPath[int], member: CurrentMember, settings: AppSettings
    ) -> Template:
        """One sheet per person, with a signature line; the print stylesheet breaks pages."""
        period, sheet = await service.period_sheet(period_id, settings.zone)
        return Template(
            "pay/timesheet.html", context={"viewer": member, "period": period, "sheet": sheet}
        )


class _MemberChoice(msgspec.Struct):
    member_id: int


class MySeasonPages(Controller):
    path = "/me/season"
    include_in_schema = False
    guards = [sessions.requires_member]

    @get(name="my_season")
    async def season(
        self, member: CurrentMember, settings: AppSettings, year: Year = None
    ) -> Template:
        """Your own record: shifts worked, hours, kinds of work, harvests of your pairs."""
        year = year or this_year(settings.zone)
        mine = await my_season(member.id, year, settings.zone)
        return Template(
            "pay/my_season.html", context={"viewer": member, "season": mine, "year": year}
        )

    @get("/letter", name="work_letter")
    async def letter(
        self, member: CurrentMember, settings: AppSettings, year: Year = None
    ) -> Template:
        """A printable work-record letter; only you can produce yours (there is no id to ask)."""
        year = year or this_year(settings.zone)
        mine = await my_season(member.id, year, settings.zone)
        return Template(
            "pay/letter.html",
            context={
                "viewer": member,
                "season": mine,
                "year": year,
                "today": datetime.now(settings.zone).date(),
            },
        )

"""The season report page and its charts, each chart served as its own SVG file."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.response import Template

from coop.errors import NotFound
from coop.i18n import _
from coop.periods import this_year
from coop.reports import impact, service
from coop.reports.charts import CHART_CSP, CHARTS, _bar
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.params import From, To, Year


class ReportPages(Controller):
    path = "/reports"
    include_in_schema = False
    guards = [sessions.requires_coordinator]

    @get(name="season_report")
    async def season(
        self, member: CurrentMember, settings: AppSettings, year: Year = None
    ) -> Template:
        """Seed to sale on one page: the summary line, charts, and the tables beside them."""
        year = year or this_year(settings.zone)
        report = await service.season(year, settings.zone)
        charts = {slug: chart.alt(report) for slug, chart in CHARTS.items()}
        return Template(
            "reports/season.html",
            context={"viewer": member, "report": report, "charts": charts, "year": year},
        )

    @get("/charts/{name:str}")
    async def chart(
        self, name: FromPath[str], settings: AppSettings, year: Year = None
    ) -> Response:
        """One chart as SVG (for ``<img>``); its own CSP lets pygal's inline style apply."""
        slug = name.removesuffix(".svg")
        chart = CHARTS.get(slug)
        if chart is None or not name.endswith(".svg"):
            raise NotFound(_("We couldn't find that chart."))
        report = await service.season(year or this_year(settings.zone), settings.zone)
        return Response(
            content=chart.draw(report),
            media_type="image/svg+xml",
            headers={"content-security-policy": CHART_CSP, "cache-control": "private, no-cache"},
        )


class ImpactPages(Controller):
    path = "/reports/impact"
    include_in_schema = False
    guards = [sessions.requires_coordinator]

    @get()
    async def impact_page(
        self,
        member: CurrentMember,
        settings: AppSettings,
        starts_on: From = None,
        ends_on: To = None,
    ) -> Template:
        """For funders: people, paid work, pairs and seed to sale; small counts say so."""
        first, last = impact.impact_range(starts_on, ends_on, settings.zone)
        report = await impact.impact(first, last, settings.zone)
        return Template(
            "reports/impact.html",
            context={"viewer": member, "report": report, "first": first, "last": last},
        )

    @get("/hours.svg")
    async def hours_chart(
        self, settings: AppSettings, starts_on: From = None, ends_on: To = None
    ) -> Response:
        """Paid hours by week as SVG; the page's table holds the same numbers."""
        first, last = impact.impact_range(starts_on, ends_on, settings.zone)
        report = await impact.impact(first, last, settings.zone)
        rows = report.hours_by_week
        svg = _bar(
            _("Paid hours by week"),
            [r["week"] for r in rows],
            _("hours"),
            [round(r["minutes"] / 60, 2) for r in rows],
        )
        return Response(
            content=svg,
            media_type="image/svg+xml",
            headers={"content-security-policy": CHART_CSP, "cache-control": "private, no-cache"},
        )

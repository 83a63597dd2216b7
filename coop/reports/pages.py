"""The season report page and its charts, each chart served as its own SVG file."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.response import Template

from coop.errors import NotFound
from coop.i18n import _
from coop.periods import this_year
from coop.reports import service
from coop.reports.charts import CHART_CSP, CHARTS
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.params import Year


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

"""The subscribe page: /calendar."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from coop.deps import AppSettings, Viewer


class CalendarPages(Controller):
    include_in_schema = False

    @get("/calendar")
    async def subscribe(self, viewer: Viewer, settings: AppSettings) -> Template:
        return Template("feeds/calendar.html", context={"viewer": viewer})

"""The pages of shifts: the week ahead."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, get
from litestar.response import Template

from coop.db import reading
from coop.deps import Viewer
from coop.tables import Shift


class HomePage(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, viewer: Viewer) -> Template:
        """Upcoming shifts with open places."""
        async with reading():
            shifts = await (
                Shift.select(Shift.all_columns(), Shift.kind.label.as_alias("kind_label"))
                .where((Shift.starts_at >= datetime.now(UTC)) & (Shift.status == "scheduled"))
                .order_by(Shift.starts_at)
                .limit(50)
            )
        return Template("shifts/home.html", context={"viewer": viewer, "shifts": shifts})

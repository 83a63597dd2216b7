"""Season charts drawn on the server as SVG with pygal, one chart per route.

The page's CSP forbids inline scripts and styles, so each chart is its own SVG file shown
with ``<img>`` (which never runs scripts), and pygal's JavaScript is switched off and
its config script removed. The
SVG carries pygal's own inline style, so its response gets a CSP that allows just that.
The data tables beside each chart hold the exact numbers; charts are a picture of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from coop.i18n import N_, _
from coop.reports.service import Season

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'"
GARDEN_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2d1f",
    foreground_strong="#1f2d1f",
    foreground_subtle="#5b6b5b",
    colors=("#2e7d32", "#f9a825", "#c62828", "#1565c0", "#6a1b9a"),
    font_family="system-ui, sans-serif",
)


@dataclass(frozen=True)
class Chart:
    """A chart route: its title, the alt text for ``<img>``, and how it is drawn."""

    slug: str
    title: str
    draw: Callable[[Season], bytes]

    def alt(self, report: Season) -> str:
        return _(
            "%(title)s, %(year)s. The same numbers are in the table beside it.",
            title=_(self.title),
            year=report.year,
        )


def _bar(title: str, labels: list[str], series: str, values: list[float], horizontal=False):
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(
        js=[],
        style=GARDEN_STYLE,
        title=_(title),
        show_legend=False,
        x_label_rotation=0 if horizontal else 30,
        no_data_text=_("Nothing recorded yet"),
        width=800,
        height=400,
    )
    chart.x_labels = labels
    chart.add(series, values)
    return without_scripts(chart.render_tree())


def without_scripts(root: ElementTree.Element) -> bytes:
    """pygal writes its config as a <script> even with ``js=[]``: drop every script."""
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def harvest_by_week(report: Season) -> bytes:
    rows = report.harvest_by_week
    return _bar(
        N_("Harvest by week (kg)"),
        [r["week"] for r in rows],
        "kg",
        [float(r["kg"]) for r in rows],
    )


def harvest_by_crop(report: Season) -> bytes:
    rows = [r for r in report.harvest_by_crop if r["unit"] == "kg"]
    return _bar(
        N_("Harvest by crop (kg)"),
        [r["crop"] for r in rows],
        "kg",
        [float(r["quantity"]) for r in rows],
        horizontal=True,
    )


def sales_by_week(report: Season) -> bytes:
    rows = report.sales_by_week
    return _bar(
        N_("Sales by week ($)"),
        [r["week"] for r in rows],
        "$",
        [r["total_cents"] / 100 for r in rows],
    )


def sales_by_channel(report: Season) -> bytes:
    rows = report.sales_by_channel
    return _bar(
        N_("Sales by channel ($)"),
        [r["channel"] for r in rows],
        "$",
        [r["total_cents"] / 100 for r in rows],
        horizontal=True,
    )


CHARTS: dict[str, Chart] = {
    chart.slug: chart
    for chart in (
        Chart("harvest-by-week", N_("Harvest by week, in kilograms"), harvest_by_week),
        Chart("harvest-by-crop", N_("Harvest by crop, in kilograms"), harvest_by_crop),
        Chart("sales-by-week", N_("Sales by week, in dollars"), sales_by_week),
        Chart("sales-by-channel", N_("Sales by channel, in dollars"), sales_by_channel),
    )
}

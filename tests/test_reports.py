"""The season report: hours from attendance, harvests, batches, sales and shift fill."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from tests.support.people import stock_garden
from tests.support.rows import HARVEST_SHIFT, Rows, at

SVG = "{http://www.w3.org/2000/svg}svg"


class Images(HTMLParser):
    """Collect the <img> tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


async def a_season(garden, client) -> dict:
    """Two shifts worked, one cancelled, one waiting in the next season; produce and pops."""
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    jo = await garden.member("jo", "Jo")
    sam = await garden.member("sam", "Sam")
    rows = Rows(client, **HARVEST_SHIFT)
    morning = rows.shift(at("2026-06-15"), hours=2, taken_slots=1)  # and the pair below
    evening = rows.shift(at("2026-06-16"), hours=1.5, taken_slots=1)
    rows.shift(at("2026-06-17"), status="cancelled", pair_slots=3)
    rows.shift(at("2027-06-17"), pair_slots=5, taken_slots=5)
    rows.attendance(morning, jo.id, "attended")
    rows.attendance(morning, sam.id, "attended")
    rows.attendance(evening, jo.id, "attended")
    rows.attendance(evening, sam.id, "absent")
    rows.place_pair(morning, sam.id, jo.id)
    from_the_shift = {"harvested_on": "2026-06-15", "quantity": "3", "unit": "kg"}
    from_the_shift |= {"crop_id": ids["strawberries"], "shift_id": morning}
    assert (await sam.post("/api/harvests", json=from_the_shift)).status_code == 201
    later_year = await maria.post(
        "/api/harvests",
        json={
            "crop_id": ids["strawberries"],
            "harvested_on": "2025-06-15",
            "quantity": "99",
            "unit": "kg",
        },
    )
    assert later_year.status_code == 201
    for quantity, unit, bed in [("40", "kg", ids["bed"]), ("8", "kg", None), ("2", "lb", None)]:
        await jo.post(
            "/api/harvests",
            json={
                "crop_id": ids["strawberries"],
                "bed_id": bed,
                "harvested_on": "2026-06-15",
                "quantity": quantity,
                "unit": unit,
            },
        )
    await sam.post(
        "/api/harvests",
        json={
            "crop_id": ids["basil"],
            "harvested_on": "2026-06-22",
            "quantity": 5,
            "unit": "bunch",
        },
    )
    await maria.post(
        "/api/batches", json={"product_id": ids["pop"], "made_on": "2026-06-20", "quantity": 1900}
    )
    await maria.post(
        "/api/sales",
        json={
            "product_id": ids["pop"],
            "sold_on": "2026-06-27",
            "quantity": 1900,
            "channel": "market",
        },
    )
    return {"ids": ids, "maria": maria, "jo": jo, "sam": sam}


async def test_the_season_json_has_the_contract_shape_and_exact_numbers(garden, client):
    season = await a_season(garden, client)
    ids, jo, sam = season["ids"], season["jo"], season["sam"]
    response = await season["maria"].get("/api/reports/season?year=2026")
    assert response.status_code == 200, response.text
    report = response.json()
    # Market day's additions (test_market checks them in detail): payments, stock, lots.
    assert report["sales"].pop("by_payment")[-1] == {"payment": "other", "total_cents": 665000}
    assert report.pop("stock") == [
        {"product_id": ids["pop"], "product": "Strawberry-basil pop", "stock": 0}
    ]
    assert sum(lot["quantity"] for lot in report.pop("lots")) == 1900
    assert report == {
        "year": 2026,
        "hours": {
            "total": 5.5,
            "by_member": [
                {"member_id": jo.id, "display_name": "Jo", "hours": 3.5},
                {"member_id": sam.id, "display_name": "Sam", "hours": 2},
            ],
        },
        "harvest_by_crop": [
            {"crop_id": ids["basil"], "crop": "Basil", "unit": "bunch", "quantity": "5"},
            {
                "crop_id": ids["strawberries"],
                "crop": "Strawberries",
                "unit": "kg",
                "quantity": "51.90718474",
            },
        ],
        "batches": [
            {"product_id": ids["pop"], "product": "Strawberry-basil pop", "quantity": 1900}
        ],
        "sales": {
            "total_cents": 665000,
            "by_product": [
                {
                    "product_id": ids["pop"],
                    "product": "Strawberry-basil pop",
                    "quantity": 1900,
                    "total_cents": 665000,
                }
            ],
            "by_channel": [
                {"channel": "market", "total_cents": 665000},
                {"channel": "café", "total_cents": 0},
                {"channel": "event", "total_cents": 0},
                {"channel": "wholesale", "total_cents": 0},
                {"channel": "online", "total_cents": 0},
            ],
        },
        "shifts": {
            "planned": 3,
            "cancelled": 1,
            "pair_slots": 4,
            "filled_slots": 3,
            "fill_rate": 0.75,
        },
    }
    other = (await season["maria"].get("/api/reports/season?year=2025")).json()
    assert other["harvest_by_crop"][0]["quantity"] == "99"
    assert other["hours"] == {"total": 0, "by_member": []}
    assert (await season["maria"].get("/api/reports/season?year=1066")).status_code == 400


async def test_the_report_page_shows_the_summary_charts_and_tables(garden, client):
    season = await a_season(garden, client)
    maria = season["maria"]
    page = await maria.get("/reports?year=2026")
    assert page.status_code == 200, page.text
    assert "This season: 5.5 hours, 51.90718474 kg of strawberries, 1,900 pops, $6,650" in page.text
    parser = Images()
    parser.feed(page.text)
    charts = [img for img in parser.images if img["src"].startswith("/reports/charts/")]
    assert {img["src"] for img in charts} == {
        "/reports/charts/harvest-by-week.svg?year=2026",
        "/reports/charts/harvest-by-crop.svg?year=2026",
        "/reports/charts/sales-by-week.svg?year=2026",
        "/reports/charts/sales-by-channel.svg?year=2026",
    }
    assert all(len(img["alt"]) > 20 for img in charts)
    assert page.text.count("<table>") >= 8
    assert '<td data-label="Week">2026-W25</td>' in page.text
    assert '<td data-label="Income">$6,650</td>' in page.text
    assert '<td data-label="Pair">Jo &amp; Sam</td><td data-label="Amount">3 kg</td>' in page.text
    # The CSP forbids inline scripts and styles: only scripts loaded from files may appear.
    assert "style=" not in page.text
    assert re.findall(r"<script(?![^>]*\bsrc=)", page.text) == []

    for img in charts:
        svg = await maria.get(img["src"])
        assert svg.status_code == 200
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert "style-src 'unsafe-inline'" in svg.headers["content-security-policy"]
        root = ET.fromstring(svg.content)
        assert root.tag == SVG
        assert b"<script" not in svg.content
    assert (await maria.get("/reports/charts/nothing.svg")).status_code == 404


async def test_an_empty_season_still_draws(garden):
    maria = await garden.first_coordinator()
    page = await maria.get("/reports?year=2030")
    assert "Nothing is recorded for 2030 yet." in page.text
    svg = await maria.get("/reports/charts/harvest-by-week.svg?year=2030")
    assert ET.fromstring(svg.content).tag == SVG


async def test_reports_are_for_coordinators(garden):
    jo = await garden.member("jo", "Jo")
    assert (await jo.get("/reports")).status_code == 403
    assert (await jo.get("/api/reports/season?year=2026")).status_code == 403
    assert (await jo.get("/reports/charts/harvest-by-week.svg")).status_code == 403

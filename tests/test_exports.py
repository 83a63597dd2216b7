"""CSV exports: a header, a BOM for accents, exact numbers, and no formulas that could run."""

from __future__ import annotations

import csv
import io

from tests.support.people import stock_garden
from tests.support.rows import HARVEST_SHIFT, Rows, at

BOM = b"\xef\xbb\xbf"


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.content.startswith(BOM)
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_harvests_csv_neutralises_formulas(garden):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    evil = await maria.post("/api/crops", json={"name": '=HYPERLINK("http://evil.example","x")'})
    jo = await garden.member("jo", "@jo")
    for crop_id, quantity, unit, notes in [
        (evil.json()["id"], "1.5", "kg", "+1"),
        (ids["strawberries"], "2", "lb", "-2 for the birds"),
        (ids["basil"], "3", "bunch", "\tlooks fine"),
    ]:
        response = await jo.post(
            "/api/harvests",
            json={
                "crop_id": crop_id,
                "bed_id": ids["bed"],
                "harvested_on": "2026-06-15",
                "quantity": quantity,
                "unit": unit,
                "notes": notes,
            },
        )
        assert response.status_code == 201, response.text
    export = await jo.get("/api/harvests.csv?year=2026")
    assert 'filename="harvests-2026.csv"' in export.headers["content-disposition"]
    rows = read_csv(export)
    assert list(rows[0]) == [
        "id", "harvested_on", "crop", "variety", "bed", "quantity", "unit", "kg", "shift_id",
        "recorded_by", "notes",
    ]  # fmt: skip
    assert [(r["crop"], r["quantity"], r["unit"], r["kg"], r["notes"]) for r in rows] == [
        ('\'=HYPERLINK("http://evil.example","x")', "1.5", "kg", "1.5", "'+1"),
        ("Strawberries", "2", "lb", "0.90718474", "'-2 for the birds"),
        ("Basil", "3", "bunch", "", "'\tlooks fine"),
    ]
    assert {r["recorded_by"] for r in rows} == {"'@jo"}
    assert read_csv(await jo.get("/api/harvests.csv?year=2025")) == []


async def test_sales_csv_keeps_accents_and_exact_cents(garden):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    for quantity, channel, price in [(10, "café", 10), (3, "market", None)]:
        body = {"product_id": ids["pop"], "sold_on": "2026-07-04", "quantity": quantity}
        body |= {"channel": channel, "unit_price_cents": price}
        assert (await maria.post("/api/sales", json=body)).status_code == 201
    export = await maria.get("/api/sales.csv?year=2026")
    assert "café".encode() in export.content
    rows = read_csv(export)
    assert [(r["channel"], r["quantity"], r["unit_price"], r["total"]) for r in rows] == [
        ("café", "10", "0.10", "1.00"),
        ("market", "3", "3.50", "10.50"),
    ]


async def test_hours_csv_lists_each_shift_of_approved_time(garden, client):
    maria = await garden.first_coordinator()
    jo = await garden.member("jo", "=Jo")
    sam = await garden.member("sam", "Sam")
    lu = await garden.member("lu", "Lu")
    shift = Rows(client, **HARVEST_SHIFT).shift(starts_at=at("2026-06-15"), hours=2.25)
    Rows(client).attendance(shift, jo.id, "attended")
    Rows(client).attendance(shift, sam.id, "excused")
    Rows(client).attendance(shift, lu.id, "attended", approved=False)
    rows = read_csv(await maria.get("/api/hours.csv?year=2026"))
    assert rows == [
        {
            "date": "2026-06-15",
            "shift_id": str(shift),
            "shift": "Harvesting shift",
            "member": "'=Jo",
            "minutes": "135",
            "hours": "2.25",
        }
    ]
    assert (await jo.get("/api/hours.csv?year=2026")).status_code == 403

"""Market day over HTTP: who may sell, sales counted once, stock, lots traced bed to sale."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from coop.tables import Placement, PlacementMember, Sale
from tests.support.people import stock_garden
from tests.support.rows import HARVEST_SHIFT, Rows

TODAY = datetime.now(UTC).astimezone().date().isoformat()


def now_minus(hours: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)


def market_sale(product_id: int, quantity: int = 2, **extra) -> dict:
    return {"product_id": product_id, "quantity": quantity, "payment": "cash", **extra}


async def sale_count(client) -> int:
    async def count() -> int:
        return await Sale.count()

    return client.blocking_portal.call(count)


async def stall(garden, client) -> dict:
    """A stocked garden and a pair, jo and sam, on a market shift that began an hour ago."""
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    jo = await garden.member("jo", "Jo")
    sam = await garden.member("sam", "Sam")
    lee = await garden.member("lee", "Lee")
    shift = Rows(client, **HARVEST_SHIFT).shift(starts_at=now_minus(1), hours=4, kind="market")
    pair = Rows(client).place_pair(shift, jo.id, sam.id, take_slot=False)
    return {**ids, "maria": maria, "jo": jo, "sam": sam, "lee": lee, "shift": shift, "pair": pair}


async def test_a_seller_on_a_market_shift_records_a_sale_once_per_client_id(garden, client):
    s = await stall(garden, client)
    client_id = str(uuid.uuid4())
    body = market_sale(s["pop"], 3, client_id=client_id, payment="ebt")
    first = await s["jo"].post("/api/sales", json=body)
    assert first.status_code == 201, first.text
    sale = first.json()
    assert (sale["payment"], sale["shift_id"], sale["channel"]) == ("ebt", s["shift"], "market")
    assert sale["client_id"] == client_id and sale["total_cents"] == 1050
    for _ in range(2):  # the phone sends it again (no answer came back): the same sale, 200
        again = await s["jo"].post("/api/sales", json=body)
        assert again.status_code == 200
        assert again.json() == sale
    assert await sale_count(client) == 1
    # The same client_id for another sale is a mistake, said kindly; nothing changes.
    other = await s["jo"].post("/api/sales", json={**body, "quantity": 4})
    assert other.status_code == 409
    assert await sale_count(client) == 1
    # A seller sells at the usual price, at the market; coordinators correct the rest later.
    for other_terms in ({"unit_price_cents": 1}, {"channel": "wholesale"}):
        changed = market_sale(s["pop"], 1, **other_terms)
        assert (await s["jo"].post("/api/sales", json=changed)).status_code == 403
    assert await sale_count(client) == 1
    # Sam, jo's partner on the shift, records too; the shift is found without naming it.
    sams = await s["sam"].post("/api/sales", json=market_sale(s["pop"], 1))
    assert sams.status_code == 201 and sams.json()["shift_id"] == s["shift"]


@pytest.mark.parametrize(
    "where",
    ["no shift", "weeding shift under way", "market shift tomorrow", "waitlisted", "cancelled"],
)
async def test_only_sellers_on_a_market_shift_under_way_may_record(garden, client, where):
    s = await stall(garden, client)
    lee = s["lee"]
    if where != "no shift":
        kind = "weeding" if where.startswith("weeding") else "market"
        starts = now_minus(-24) if where.endswith("tomorrow") else now_minus(1)
        status = "cancelled" if where == "cancelled" else "scheduled"
        shift = Rows(client, **HARVEST_SHIFT).shift(starts_at=starts, kind=kind, status=status)

        async def seat() -> None:
            placement = Placement(
                shift=shift, status="waitlisted" if where == "waitlisted" else "awaiting_partner"
            )
            await placement.save()
            await PlacementMember.insert(
                PlacementMember(placement=placement.id, shift=shift, member=lee.id)
            )

        client.blocking_portal.call(seat)
    refused = await lee.post("/api/sales", json=market_sale(s["pop"]))
    assert refused.status_code == 403
    assert "market shift" in refused.json()["detail"]
    # Naming someone else's market shift does not help either.
    named = await lee.post("/api/sales", json=market_sale(s["pop"], shift_id=s["shift"]))
    assert named.status_code == 403
    assert (await lee.get("/market")).status_code == 403
    assert (await lee.form("/market", {"product_id": s["pop"], "quantity": "1"})).status_code == 403
    assert await sale_count(client) == 0
    # Coordinators always may, with or without a shift.
    assert (await s["maria"].post("/api/sales", json=market_sale(s["pop"]))).status_code == 201


async def test_twenty_copies_of_one_sale_racing_record_it_once(garden, client):
    s = await stall(garden, client)
    body = market_sale(s["pop"], 2, client_id=str(uuid.uuid4()))
    answers = await asyncio.gather(*(s["jo"].post("/api/sales", json=body) for _ in range(20)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 19 + [201], codes
    assert len({a.json()["id"] for a in answers}) == 1
    assert await sale_count(client) == 1


async def test_stock_is_made_minus_sold_minus_written_off_and_may_go_below_zero(garden, client):
    s = await stall(garden, client)
    maria, jo = s["maria"], s["jo"]

    async def stock() -> str:
        products = (await jo.get("/api/products")).json()
        return next(p["stock"] for p in products if p["id"] == s["pop"])

    assert await stock() == "0"
    for quantity in (100, 50):
        batch = {"product_id": s["pop"], "made_on": TODAY, "quantity": quantity}
        assert (await maria.post("/api/batches", json=batch)).status_code == 201
    assert (await jo.post("/api/sales", json=market_sale(s["pop"], 30))).status_code == 201
    assert (await maria.post("/api/sales", json=market_sale(s["pop"], 5))).status_code == 201
    melted = {"product_id": s["pop"], "quantity": 10, "reason": "Melted in the heat"}
    written = await maria.post("/api/stock-adjustments", json=melted)
    assert written.status_code == 201, written.text
    assert written.json()["stock"] == "105"
    assert await stock() == "105"
    # Refusals change nothing: participants, no reason, zero, unknown product.
    assert (await jo.post("/api/stock-adjustments", json=melted)).status_code == 403
    for bad in ({"reason": "  "}, {"quantity": 0}, {"product_id": 999}, {"quantity": "ten"}):
        answer = await maria.post("/api/stock-adjustments", json={**melted, **bad})
        assert answer.status_code in (400, 422), (bad, answer.text)
    assert await stock() == "105"
    # The stall never refuses a customer: stock goes below zero, and the pages say so.
    assert (await jo.post("/api/sales", json=market_sale(s["pop"], 110))).status_code == 201
    assert await stock() == "-5"
    market = await jo.get("/market")
    assert market.status_code == 200
    assert "Stock below zero: -5" in market.text
    assert "-5" in (await maria.get("/sales")).text
    adjustments = (await maria.get("/api/stock-adjustments")).json()
    assert [(a["quantity"], a["reason"]) for a in adjustments] == [(10, "Melted in the heat")]


async def test_a_lot_traces_back_to_its_harvests_and_forward_to_its_sales(garden, client):
    s = await stall(garden, client)
    maria, jo, sam = s["maria"], s["jo"], s["sam"]
    picking = Rows(client, **HARVEST_SHIFT).shift(starts_at=now_minus(30), kind="harvesting")
    Rows(client).place_pair(picking, jo.id, s["lee"].id, take_slot=False)
    pair = (await jo.get("/api/me/placements")).json()  # jo and lee picked together
    assert pair
    picked = []
    for quantity in ("2.5", "1.25"):
        harvest = {
            "crop_id": s["strawberries"],
            "bed_id": s["bed"],
            "shift_id": picking,
            "harvested_on": TODAY,
            "quantity": quantity,
            "unit": "kg",
        }
        answer = await jo.post("/api/harvests", json=harvest)
        assert answer.status_code == 201, answer.text
        picked.append(answer.json()["id"])
    line = {"crop_id": s["strawberries"], "quantity": "3.75", "unit": "kg", "harvest_ids": picked}
    batch = {"product_id": s["pop"], "made_on": TODAY, "quantity": 60, "produce_used": [line]}
    made = await maria.post("/api/batches", json=batch)
    assert made.status_code == 201, made.text
    lot_code = made.json()["lot_code"]
    assert lot_code.startswith("STR-") and lot_code.endswith(f"-{made.json()['id']}")
    assert made.json()["produce_used"][0]["harvest_ids"] == sorted(picked)
    other = await maria.post("/api/batches", json={**batch, "produce_used": []})
    assert other.json()["lot_code"] != lot_code

    # A harvest of another crop on a line, or one that does not exist, is refused.
    wrong = {**line, "crop_id": s["basil"], "unit": "bunch", "quantity": "1"}
    for produce in ([wrong], [{**line, "harvest_ids": [9999]}]):
        answer = await maria.post("/api/batches", json={**batch, "produce_used": produce})
        assert answer.status_code == 422, answer.text

    sold = await jo.post("/api/sales", json=market_sale(s["pop"], 4, lot_code=lot_code.lower()))
    assert sold.status_code == 201, sold.text
    assert sold.json()["lot_code"] == lot_code
    await jo.post("/api/sales", json=market_sale(s["pop"], 1))  # a sale naming no lot
    another_product = await maria.post(
        "/api/products", json={"name": "Mint pop", "price_cents": 300}
    )
    mint = another_product.json()["id"]
    refused = await jo.post("/api/sales", json=market_sale(mint, 1, lot_code=lot_code))
    assert refused.status_code == 422 and refused.json()["extra"]["field"] == "lot_code"

    trace = (await maria.get(f"/api/lots/{lot_code}")).json()
    assert trace == (await maria.get(f"/api/batches/{made.json()['id']}/trace")).json()
    assert trace["lot_code"] == lot_code and trace["product"] == "Strawberry-basil pop"
    assert trace["made_on"] == TODAY and trace["sold"] == 4
    assert [
        (h["id"], h["crop"], h["bed"], h["harvested_on"], h["shift_id"]) for h in trace["harvests"]
    ] == [(hid, "Strawberries", "North bed", TODAY, picking) for hid in sorted(picked)]
    assert [(x["id"], x["quantity"], x["channel"]) for x in trace["sales"]] == [
        (sold.json()["id"], 4, "market")
    ]
    page = await maria.get(f"/lots/{lot_code}")
    assert page.status_code == 200
    assert "North bed" in page.text and lot_code in page.text
    label = await maria.get(f"/lots/{lot_code}/label")
    assert label.status_code == 200 and lot_code in label.text
    for who in (jo, sam):
        assert (await who.get(f"/api/lots/{lot_code}")).status_code == 403
        assert (await who.get(f"/lots/{lot_code}")).status_code == 403
    assert (await maria.get("/api/lots/NOPE-1")).status_code == 404

    # The pair who picked sees, privately, what their harvests became; sam does not.
    assert lot_code in (await jo.get("/pairs")).text
    assert lot_code in (await s["lee"].get("/pairs")).text
    assert lot_code not in (await sam.get("/pairs")).text


async def test_the_plain_market_form_records_once_even_when_sent_twice(garden, client):
    s = await stall(garden, client)
    jo = s["jo"]
    page = await jo.get("/market")
    assert page.status_code == 200
    assert 'name="client_id"' in page.text and "Strawberry-basil pop" in page.text
    client_id = str(uuid.uuid4())
    fields = {
        "product_id": str(s["pop"]),
        "quantity": "2",
        "payment": "card",
        "client_id": client_id,
        "shift_id": str(s["shift"]),
    }
    for _ in range(2):
        sent = await jo.form("/market", fields, follow_redirects=False)
        assert sent.status_code in (302, 303), sent.text
    assert await sale_count(client) == 1
    after = await jo.get("/market")
    assert after.text.count(">$7<") == 2  # the running day total, and the card line
    counted = await jo.get("/market?counted=3.50")
    assert "less than the cash sales" not in counted.text
    assert "$3.50 more than the cash sales" in counted.text
    bad = await jo.form("/market", {**fields, "client_id": str(uuid.uuid4()), "quantity": "0"})
    assert bad.status_code == 400
    assert await sale_count(client) == 1


async def test_the_season_report_has_payments_stock_and_lots(garden, client):
    s = await stall(garden, client)
    maria = s["maria"]
    made = await maria.post(
        "/api/batches", json={"product_id": s["pop"], "made_on": TODAY, "quantity": 40}
    )
    await s["jo"].post("/api/sales", json=market_sale(s["pop"], 4, payment="card"))
    await s["jo"].post("/api/sales", json=market_sale(s["pop"], 2, payment="cash"))
    report = (await maria.get(f"/api/reports/season?year={TODAY[:4]}")).json()
    by_payment = {r["payment"]: r["total_cents"] for r in report["sales"]["by_payment"]}
    assert by_payment == {"cash": 700, "card": 1400, "ebt": 0, "other": 0}
    assert [(r["product"], r["stock"]) for r in report["stock"]] == [("Strawberry-basil pop", 34)]
    assert [r["lot_code"] for r in report["lots"]] == [made.json()["lot_code"]]
    page = await maria.get("/reports")
    assert made.json()["lot_code"] in page.text


async def test_the_service_worker_and_manifest_are_served_for_the_market_page(client):
    worker = await client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "/api/" not in worker.text.replace("an API answer", "")
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["start_url"] == "/market"


async def test_resends_racing_on_two_processes_record_each_sale_once(database_url):
    """Two ``coop serve`` on one database: every copy of a sale, sent to either, counts once.

    The scale-out set-up is PostgreSQL; two processes on one SQLite file must hold too.
    """
    import httpx

    from tests.support.databases import fetch_rows
    from tests.support.people import PASSWORD
    from tests.support.served import run_coop, served_app

    run_coop(
        "create-coordinator",
        "maria",
        "--display-name",
        "Maria",
        database_url=database_url,
        env={"COOP_PASSWORD": PASSWORD},
    )
    with served_app(database_url) as first, served_app(database_url) as second:
        clients = []
        for base_url in (first, second):
            client = httpx.AsyncClient(
                base_url=base_url, timeout=60, limits=httpx.Limits(keepalive_expiry=1.0)
            )
            await client.get("/login")
            client.headers["x-csrftoken"] = client.cookies["csrftoken"]
            login = await client.post(
                "/api/session", json={"username": "maria", "password": PASSWORD}
            )
            assert login.status_code == 200
            clients.append(client)
        product = await clients[0].post("/api/products", json={"name": "Pop", "price_cents": 350})
        pop = product.json()["id"]
        sales = [market_sale(pop, n + 1, client_id=str(uuid.uuid4())) for n in range(10)]
        sends = [clients[i % 2].post("/api/sales", json=sale) for sale in sales for i in range(6)]
        answers = await asyncio.gather(*sends)
        for client in clients:
            await client.aclose()
    assert sorted({a.status_code for a in answers}) == [200, 201]
    assert sum(a.status_code == 201 for a in answers) == 10
    rows = await fetch_rows(database_url, "SELECT client_id, quantity FROM sale ORDER BY quantity")
    assert rows == [(sale["client_id"], sale["quantity"]) for sale in sales]

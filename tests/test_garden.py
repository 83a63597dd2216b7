"""Beds, crops and harvests over HTTP: exact totals, refusals, roles, shifts and corrections."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from coop.garden.service import can_log_harvest, harvest_form_context
from coop.tables import Member
from tests.support.people import stock_garden
from tests.support.rows import HARVEST_SHIFT, Rows, at, in_app

SEASON = 2026


def harvest(crop_id: int, quantity, unit: str = "kg", **extra) -> dict:
    return {
        "crop_id": crop_id,
        "harvested_on": f"{SEASON}-06-15",
        "quantity": quantity,
        "unit": unit,
        **extra,
    }


async def post_form_without_following(user, url: str, fields: dict):
    """Like ``User.form``, but stop at the redirect (the shifts page is built elsewhere)."""
    user.client.cookies = user.cookies
    if "csrftoken" not in user.client.cookies:
        await user.client.get("/login")
    data = {"_csrf_token": user.client.cookies.get("csrftoken", ""), **fields}
    response = await user.client.post(url, data=data, follow_redirects=False)
    user.cookies = httpx.Cookies(user.client.cookies)
    return response


async def crop_totals(coordinator) -> dict[tuple[str, str], Decimal]:
    response = await coordinator.get(f"/api/reports/season?year={SEASON}")
    assert response.status_code == 200, response.text
    return {
        (row["crop"], row["unit"]): Decimal(row["quantity"])
        for row in response.json()["harvest_by_crop"]
    }


async def test_a_participant_logs_harvests_that_total_exactly(garden):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    jo = await garden.member("jo", "Jo")
    for _ in range(10):
        response = await jo.post("/api/harvests", json=harvest(ids["strawberries"], "0.1"))
        assert response.status_code == 201, response.text
    logged = response.json()
    assert logged["quantity"] == "0.1"
    assert logged["unit"] == "kg"
    assert logged["recorded_by"] == jo.id
    assert set(logged) >= {
        "id", "crop_id", "bed_id", "shift_id", "harvested_on", "quantity", "unit", "notes",
        "recorded_by",
    }  # fmt: skip
    await jo.post("/api/harvests", json=harvest(ids["basil"], 1, "lb", bed_id=ids["bed"]))
    await jo.post("/api/harvests", json=harvest(ids["basil"], "16", "oz"))
    await jo.post("/api/harvests", json=harvest(ids["basil"], "3", "bunch"))
    await jo.post("/api/harvests", json=harvest(ids["basil"], 250, "g"))

    totals = await crop_totals(maria)
    assert totals[("Strawberries", "kg")] == Decimal("1.000")
    assert totals[("Basil", "kg")] == Decimal("1.15718474")  # 1 lb + 16 oz + 250 g
    assert totals[("Basil", "bunch")] == Decimal(3)


async def test_one_pound_and_sixteen_ounces_are_exactly_0_90718474_kg(garden):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    await maria.post("/api/harvests", json=harvest(ids["strawberries"], "1", "lb"))
    await maria.post("/api/harvests", json=harvest(ids["strawberries"], 16.0, "oz"))
    totals = await crop_totals(maria)
    assert totals == {("Strawberries", "kg"): Decimal("0.90718474")}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-2"}, "quantity"),
        ({"quantity": -2}, "quantity"),
        ({"quantity": "5000000"}, "quantity"),
        ({"quantity": "1.2345"}, "quantity"),
        ({"quantity": "a lot"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"unit": "stone"}, "unit"),
        ({"crop_id": 9999}, "crop_id"),
        ({"bed_id": 9999}, "bed_id"),
        ({"shift_id": 9999}, "shift_id"),
        ({"harvested_on": "2026-02-30"}, None),
        ({"harvested_on": "1850-06-01"}, "harvested_on"),
        ({"harvested_on": "2099-06-01"}, "harvested_on"),
    ],
)
async def test_impossible_harvests_are_refused_kindly_and_change_nothing(garden, change, field):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    body = {**harvest(ids["strawberries"], "1.5"), **change}
    response = await maria.post("/api/harvests", json=body)
    assert 400 <= response.status_code < 500, response.text
    error = response.json()
    assert "please" in error["detail"].lower() or "couldn't find" in error["detail"]
    if field:
        assert error["extra"]["field"] == field
    assert (await maria.get("/api/harvests")).json() == []


async def test_participants_log_but_only_coordinators_plan_the_garden(garden):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    jo = await garden.member("jo", "Jo")
    planting = {"crop_id": ids["basil"], "bed_id": ids["bed"], "planted_on": "2026-05-01"}
    assert (await jo.post("/api/plantings", json=planting)).status_code == 201
    plantings = (await jo.get("/api/plantings?year=2026")).json()
    assert [(p["crop_id"], p["bed_id"], p["recorded_by"]) for p in plantings] == [
        (ids["basil"], ids["bed"], jo.id)
    ]
    assert (await jo.get("/api/plantings?year=2025")).json() == []
    for url, body in [
        ("/api/beds", {"name": "South bed"}),
        ("/api/crops", {"name": "Mint"}),
    ]:
        response = await jo.post(url, json=body)
        assert response.status_code == 403
        assert "coordinator" in response.json()["detail"]
    assert [bed["name"] for bed in (await jo.get("/api/beds")).json()] == ["North bed"]
    assert [c["name"] for c in (await jo.get("/api/crops?limit=1&offset=1")).json()] == [
        "Strawberries"
    ]
    assert (await jo.get("/api/harvests?limit=1001")).status_code == 400
    assert (await jo.get("/api/harvests?year=1999")).status_code == 400
    assert (await garden.anonymous().get("/api/harvests")).status_code == 401


async def test_a_harvest_from_a_shift_remembers_the_pair_who_picked_it(garden, client):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    jo = await garden.member("jo", "Jo")
    sam = await garden.member("sam", "Sam")
    lee = await garden.member("lee", "Lee")
    rows = Rows(client, **HARVEST_SHIFT)
    shift_id = rows.shift(at("2026-06-15"))
    pair_id = rows.place_pair(shift_id, jo.id, sam.id)

    async def offered_the_form(member_id: int) -> bool:
        member = await Member.objects().where(Member.id == member_id).first()
        return await can_log_harvest(member, shift_id)

    offered = {u.username: in_app(client, offered_the_form, u.id) for u in (sam, lee)}
    assert offered == {"sam": True, "lee": False}

    response = await sam.post(
        "/api/harvests", json=harvest(ids["strawberries"], "2.5", shift_id=shift_id)
    )
    assert response.status_code == 201, response.text
    assert response.json()["shift_id"] == shift_id
    assert response.json()["pair_id"] == pair_id

    refused = await lee.post(
        "/api/harvests", json=harvest(ids["strawberries"], "1", shift_id=shift_id)
    )
    assert refused.status_code == 403
    assert "placed on this shift" in refused.json()["detail"]

    by_coordinator = await maria.post(
        "/api/harvests", json=harvest(ids["strawberries"], "1", shift_id=shift_id)
    )
    assert by_coordinator.status_code == 201
    assert by_coordinator.json()["pair_id"] is None

    # The form on the shift's page posts here and goes back to the shift.
    fields = {
        "shift_id": str(shift_id),
        "crop_id": str(ids["basil"]),
        "harvested_on": "2026-06-15",
        "quantity": "4",
        "unit": "bunch",
    }
    form = await post_form_without_following(jo, "/harvests", fields)
    assert form.status_code in (302, 303)
    assert form.headers["location"] == f"/shifts/{shift_id}"
    logged = (await jo.get(f"/api/harvests?crop_id={ids['basil']}")).json()
    assert [(h["quantity"], h["unit"], h["pair_id"]) for h in logged] == [("4", "bunch", pair_id)]


async def test_the_shift_page_partial_renders_from_its_context(garden, client):
    maria = await garden.first_coordinator()
    await stock_garden(maria)
    shift_id = Rows(client, **HARVEST_SHIFT).shift(at("2026-06-15"))
    context = in_app(client, harvest_form_context, shift_id)
    assert context["shift"]["id"] == shift_id
    template = client.app.template_engine.get_template("garden/_harvest_form.html")
    html = template.render(**context, csrf_input="<input type=hidden name=_csrf_token>")
    assert 'action="/harvests"' in html
    assert f'name="shift_id" value="{shift_id}"' in html
    assert "Strawberries" in html and "North bed" in html
    assert '<label for="harvest-quantity">' in html


async def test_corrections_keep_what_they_replaced(garden):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    jo = await garden.member("jo", "Jo")
    sam = await garden.member("sam", "Sam")
    logged = await jo.post("/api/harvests", json=harvest(ids["strawberries"], "1.2"))
    harvest_id = logged.json()["id"]
    not_theirs = await sam.patch(f"/api/harvests/{harvest_id}", json={"quantity": "9"})
    assert not_theirs.status_code == 403

    fixed = await jo.patch(f"/api/harvests/{harvest_id}", json={"quantity": "2.1", "notes": "oops"})
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["quantity"], fixed.json()["notes"]) == ("2.1", "oops")
    again = await maria.patch(f"/api/harvests/{harvest_id}", json={"unit": "lb"})
    assert again.status_code == 200
    refused = await maria.patch(f"/api/harvests/{harvest_id}", json={"quantity": "0"})
    assert refused.status_code == 422

    history = (await jo.get(f"/api/harvests/{harvest_id}/history")).json()
    assert [entry["before"]["quantity"] for entry in history] == ["1.2", "2.1"]
    assert [entry["before"]["unit"] for entry in history] == ["kg", "kg"]
    assert [entry["changed_by_name"] for entry in history] == ["Jo", "Maria"]
    assert (await jo.get(f"/api/harvests/{harvest_id}")).json()["corrected"] is True

    page = await jo.get("/harvests")
    assert "(corrected)" in page.text
    detail = await jo.get(f"/harvests/{harvest_id}")
    assert "Corrected: what it held before" in detail.text
    assert "quantity: 1.2" in detail.text

    fields = {"crop_id": str(ids["basil"]), "bed_id": "", "harvested_on": "2026-06-14"}
    fields |= {"quantity": "0.75", "unit": "kg", "notes": ""}
    by_form = await jo.form(f"/harvests/{harvest_id}", fields)
    assert "The harvest is corrected" in by_form.text
    now = (await jo.get(f"/api/harvests/{harvest_id}")).json()
    assert (now["crop_id"], now["quantity"], now["unit"], now["notes"]) == (
        ids["basil"],
        "0.75",
        "kg",
        "",
    )
    history = (await jo.get(f"/api/harvests/{harvest_id}/history")).json()
    assert history[-1]["before"]["unit"] == "lb" and history[-1]["before"]["notes"] == "oops"
    refused = await jo.form(f"/harvests/{harvest_id}", {**fields, "quantity": "lots"})
    assert refused.status_code == 422 and 'value="lots"' in refused.text


async def test_the_harvests_page_lists_filters_and_explains_mistakes(garden):
    maria = await garden.first_coordinator()
    ids = await stock_garden(maria)
    jo = await garden.member("jo", "Jo")
    for day in range(1, 28):
        await jo.post(
            "/api/harvests",
            json={**harvest(ids["strawberries"], "0.5"), "harvested_on": f"2026-06-{day:02d}"},
        )
    for day in range(1, 28):
        await jo.post(
            "/api/harvests",
            json={**harvest(ids["basil"], "1", "bunch"), "harvested_on": f"2026-07-{day:02d}"},
        )
    page = await jo.get("/harvests")
    assert page.status_code == 200
    assert '<input type="hidden" name="_csrf_token" value="' in page.text  # a real field
    assert "54 harvests; showing 1 to 50" in page.text
    assert "Older harvests" in page.text
    older = await jo.get("/harvests?offset=50")
    assert "showing 51 to 54" in older.text

    june = await jo.get(f"/harvests?from=2026-06-10&to=2026-06-19&crop_id={ids['strawberries']}")
    assert "10 harvests" in june.text
    api = await jo.get(f"/api/harvests?from=2026-06-10&to=2026-06-19&limit=1000&year={SEASON}")
    assert len(api.json()) == 10

    typed = {
        "crop_id": str(ids["strawberries"]),
        "harvested_on": "2026-06-30",
        "quantity": "1.23456",
        "unit": "kg",
        "notes": "morning pick",
    }
    response = await jo.form("/harvests", typed)
    assert response.status_code == 422
    assert 'id="harvest-quantity-error"' in response.text
    assert "at most three decimal places" in response.text
    assert 'value="1.23456"' in response.text and 'value="morning pick"' in response.text

    no_crop = await jo.form("/harvests", {**typed, "crop_id": "", "quantity": "2"})
    assert no_crop.status_code == 400
    assert 'id="harvest-crop_id-error"' in no_crop.text and 'value="2"' in no_crop.text
    assert "style=" not in no_crop.text

    fine = await jo.form("/harvests", {**typed, "quantity": "1.234"})
    assert fine.status_code == 200
    assert "The harvest is logged" in fine.text

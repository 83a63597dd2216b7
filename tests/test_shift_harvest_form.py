"""The harvest form on a shift's page: for the partners placed on it (and coordinators), once
the shift is under way; it posts to /harvests and comes back to the shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coop.tables import Harvest
from tests.support.rows import Rows, in_app


async def test_partners_log_a_harvest_from_the_shift_page(client, garden, settings):
    coordinator = await garden.first_coordinator()
    crop = (await coordinator.post("/api/crops", json={"name": "Rhubarb"})).json()
    shift_id = Rows(client).shift(title="Rhubarb pulling", kind="harvesting", pair_slots=2)
    sam, jo, kim = [await garden.member(n) for n in ("sam", "jo", "kim")]
    pair_id = (await sam.post("/api/pairs", json={"partner": "jo"})).json()["id"]
    await jo.post(f"/api/pairs/{pair_id}/accept")
    placed = await sam.post(f"/api/shifts/{shift_id}/placements", json={"pair_id": pair_id})
    assert placed.status_code == 201

    before = await sam.get(f"/shifts/{shift_id}")
    assert "Log what you picked" not in before.text  # it hasn't started

    starts = datetime.now(UTC) - timedelta(hours=1)
    Rows(client).move_shift(shift_id, starts)
    picked_on = starts.astimezone(settings.zone).date().isoformat()
    for person in (sam, jo, coordinator):
        page = await person.get(f"/shifts/{shift_id}")
        assert "Log what you picked" in page.text, person.username
        # The form is in the page once, and the title is just the shift's name.
        assert page.text.count('id="harvest-heading"') == 1
        title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert title == "Rhubarb pulling · Garden co-op", title
        assert f'name="shift_id" value="{shift_id}"' in page.text
        assert f'value="{picked_on}"' in page.text
    assert "Log what you picked" not in (await kim.get(f"/shifts/{shift_id}")).text
    assert "Log what you picked" not in (await garden.anonymous().get(f"/shifts/{shift_id}")).text

    logged = await jo.form(
        "/harvests",
        {
            "shift_id": str(shift_id),
            "crop_id": str(crop["id"]),
            "bed_id": "",
            "harvested_on": picked_on,
            "quantity": "1.75",
            "unit": "kg",
            "notes": "",
        },
    )
    assert logged.status_code == 200
    assert str(logged.url).endswith(f"/shifts/{shift_id}")
    assert "Thank you! The harvest is logged." in logged.text

    async def harvests() -> list[dict]:
        return await Harvest.select(Harvest.shift, Harvest.pair, Harvest.quantity_milli)

    assert in_app(client, harvests) == [
        {"shift": shift_id, "pair": pair_id, "quantity_milli": 1750}
    ]

"""After a shift: attendance (for hours) and the pair's private notes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.rows import Rows


async def move_into_past(client, shift_id: int, hours: float = 2.5) -> None:
    """Let time pass: the shift began a while ago and lasted ``hours``."""
    Rows(client).move_shift(shift_id, datetime.now(UTC) - timedelta(days=1), hours)


async def hours_paid(coordinator) -> dict[int, float]:
    """Hours per member as the season report counts them; the hours CSV must agree."""
    year = (datetime.now(UTC) - timedelta(days=1)).astimezone(ZoneInfo("America/Chicago")).year
    report = (await coordinator.get(f"/api/reports/season?year={year}")).json()["hours"]
    export = await coordinator.get(f"/api/hours.csv?year={year}")
    lines = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    by_name = {line["member"]: float(line["hours"]) for line in lines}
    assert by_name == {r["display_name"]: r["hours"] for r in report["by_member"]}
    assert sum(by_name.values()) == report["total"]
    return {r["member_id"]: r["hours"] for r in report["by_member"]}


async def worked_shift(client, garden):
    """Sam and Jo (a pair) and Kim and Lu (matched solo) worked a 2.5-hour shift."""
    shift_id = Rows(client).shift(pair_slots=2, title="Planting kale")
    sam, jo, kim, lu = [await garden.member(n) for n in ("sam", "jo", "kim", "lu")]
    pair_id = (await sam.post("/api/pairs", json={"partner": "jo"})).json()["id"]
    await jo.post(f"/api/pairs/{pair_id}/accept")
    await sam.post(f"/api/shifts/{shift_id}/placements", json={"pair_id": pair_id})
    await kim.post(f"/api/shifts/{shift_id}/placements", json={})
    await lu.post(f"/api/shifts/{shift_id}/placements", json={})
    return shift_id, sam, jo, kim, lu


async def test_attendance_waits_until_the_shift_has_started(client, garden):
    shift_id, sam, _jo, *_ = await worked_shift(client, garden)
    early = await sam.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": sam.id, "status": "attended"}]},
    )
    assert early.status_code == 409
    assert early.json()["detail"] == "You can mark attendance once the shift has started."


async def test_partners_mark_their_own_slot_and_hours_follow(client, garden):
    shift_id, sam, jo, kim, _lu = await worked_shift(client, garden)
    await move_into_past(client, shift_id, hours=2.5)
    marked = await jo.post(
        f"/api/shifts/{shift_id}/attendance",
        json={
            "records": [
                {"member_id": sam.id, "status": "attended"},
                {"member_id": jo.id, "status": "excused"},
            ]
        },
    )
    assert marked.status_code == 200
    assert marked.json()["records"][0] == {"member_id": sam.id, "status": "attended"}

    other_slot = await jo.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": kim.id, "status": "absent"}]},
    )
    assert other_slot.status_code == 400
    assert other_slot.json()["detail"] == (
        "You can mark attendance only for people placed on this shift: yourself and your partner."
    )

    coordinator = await garden.first_coordinator()
    assert await hours_paid(coordinator) == {sam.id: 2.5}
    # A later mark replaces the earlier one, either way.
    await sam.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": jo.id, "status": "attended"}]},
    )
    assert await hours_paid(coordinator) == {sam.id: 2.5, jo.id: 2.5}
    await coordinator.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": sam.id, "status": "absent"}]},
    )
    assert await hours_paid(coordinator) == {jo.id: 2.5}


async def test_a_coordinator_marks_anyone_placed_and_nobody_else(client, garden):
    shift_id, sam, jo, kim, lu = await worked_shift(client, garden)
    coordinator = await garden.first_coordinator()
    stranger = await garden.member("max")
    await move_into_past(client, shift_id)
    marked = await coordinator.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": m.id, "status": "absent"} for m in (sam, jo, kim, lu)]},
    )
    assert marked.status_code == 200
    not_placed = await coordinator.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": stranger.id, "status": "attended"}]},
    )
    assert not_placed.status_code == 400
    outsider = await stranger.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": stranger.id, "status": "attended"}]},
    )
    assert outsider.status_code == 403
    bad_status = await coordinator.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": sam.id, "status": "late"}]},
    )
    assert bad_status.status_code == 400
    # A missed shift locks nobody out: Sam can sign up again at once.
    next_shift = Rows(client).shift()
    again = await sam.post(f"/api/shifts/{next_shift}/placements", json={})
    assert again.status_code == 201


async def test_notes_are_private_to_the_pair(client, garden):
    shift_id, sam, jo, kim, _lu = await worked_shift(client, garden)
    early = await sam.post(f"/api/shifts/{shift_id}/notes", json={"text": "Seeds ready"})
    assert early.status_code == 409
    await move_into_past(client, shift_id)

    written = await sam.post(
        f"/api/shifts/{shift_id}/notes", json={"text": "Planted two rows of kale; slugs again."}
    )
    assert written.status_code == 201
    for partner in (sam, jo):
        notes = (await partner.get(f"/api/shifts/{shift_id}/notes")).json()
        assert [(n["text"], n["author"]) for n in notes] == [
            ("Planted two rows of kale; slugs again.", "Sam")
        ]
    # Kim and Lu shared a slot without being a pair: no notes, and no peeking at others'.
    refused = await kim.get(f"/api/shifts/{shift_id}/notes")
    assert refused.status_code == 403
    stranger = await garden.member("max")
    assert (await stranger.get(f"/api/shifts/{shift_id}/notes")).status_code == 403
    empty = await jo.post(f"/api/shifts/{shift_id}/notes", json={"text": ""})
    assert empty.status_code == 400

    page = await jo.get("/pairs")
    assert "Planted two rows of kale; slugs again." in page.text
    assert "slugs again" not in (await kim.get("/pairs")).text


async def test_partners_mark_attendance_on_the_shift_page(client, garden):
    shift_id, sam, jo, kim, _lu = await worked_shift(client, garden)
    assert "Who came" not in (await sam.get(f"/shifts/{shift_id}")).text
    await move_into_past(client, shift_id)

    page = await sam.get(f"/shifts/{shift_id}")
    assert f'name="status_{jo.id}"' in page.text
    assert f'name="status_{kim.id}"' not in page.text  # another slot: not Sam's to mark
    saved = await sam.form(
        f"/shifts/{shift_id}/attendance",
        {f"status_{sam.id}": "attended", f"status_{jo.id}": "excused"},
    )
    assert "Attendance is saved." in saved.text
    assert '<option value="excused" selected>' in saved.text
    refused = await sam.form(f"/shifts/{shift_id}/attendance", {f"status_{kim.id}": "absent"})
    assert refused.status_code == 400
    assert "yourself and your partner" in refused.text
    coordinator = await garden.first_coordinator()
    everyone = await coordinator.get(f"/shifts/{shift_id}")
    assert f'name="status_{kim.id}"' in everyone.text

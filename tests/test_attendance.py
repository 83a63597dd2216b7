"""After a shift: attendance (for hours) and the pair's private notes."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from coop.tables import Shift
from tests.support.rows import Rows, in_app


async def move_into_past(client, shift_id: int, hours: float = 2.5) -> None:
    """Let time pass: the shift began a while ago and lasted ``hours``."""
    Rows(client).move_shift(shift_id, datetime.now(UTC) - timedelta(days=1), hours)


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
    assert (await sam.get(f"/api/shifts/{shift_id}/attendance")).json() == []


async def hours(garden) -> dict[int, Decimal]:
    """Paid hours per member as the season report and the hours CSV show them (the app's own
    hours path); the two must agree."""
    coordinator = await garden.first_coordinator()
    year = (datetime.now(UTC) - timedelta(days=1)).astimezone(ZoneInfo("America/Chicago")).year
    report = (await coordinator.get(f"/api/reports/season?year={year}")).json()["hours"]
    export = await coordinator.get(f"/api/hours.csv?year={year}")
    minutes: dict[str, int] = defaultdict(int)
    for line in csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))):
        minutes[line["member"]] += int(line["minutes"])
    ids = {row["display_name"]: row["member_id"] for row in report["by_member"]}
    assert set(ids) == set(minutes)
    for row in report["by_member"]:
        exact = Decimal(minutes[row["display_name"]]) / 60
        assert Decimal(str(row["hours"])) == exact.quantize(Decimal("0.01"))
    return {ids[name]: Decimal(total) / 60 for name, total in minutes.items()}


async def test_each_person_marks_their_own_and_only_approved_time_counts(client, garden):
    shift_id, sam, jo, kim, _lu = await worked_shift(client, garden)
    coordinator = await garden.first_coordinator()
    await move_into_past(client, shift_id, hours=2.5)
    mine = await sam.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": sam.id, "status": "attended"}]},
    )
    assert mine.status_code == 200
    record = mine.json()["records"][0]
    assert (record["member_id"], record["status"], record["approved"]) == (
        sam.id,
        "attended",
        False,
    )
    assert record["arrived_at"] is not None and record["left_at"] is not None  # the shift's own

    # A partner never marks the other partner: refused, and nothing changes.
    for status in ("absent", "attended"):
        partner = await jo.post(
            f"/api/shifts/{shift_id}/attendance",
            json={"records": [{"member_id": sam.id, "status": status}]},
        )
        assert partner.status_code == 403
        assert partner.json()["detail"] == (
            "You can mark only your own attendance. "
            "Your partner marks theirs, or a coordinator can."
        )
    after = (await coordinator.get(f"/api/shifts/{shift_id}/attendance")).json()
    assert [(r["member_id"], r["status"], len(r["history"])) for r in after] == [
        (sam.id, "attended", 1)
    ]
    other_slot = await jo.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": kim.id, "status": "absent"}]},
    )
    assert other_slot.status_code == 403

    # Marked is not paid: only approved time counts.
    assert await hours(garden) == {}
    refused = await sam.post(
        f"/api/shifts/{shift_id}/attendance/approve", json={"member_ids": [sam.id]}
    )
    assert refused.status_code == 403
    approved = await coordinator.post(
        f"/api/shifts/{shift_id}/attendance/approve", json={"member_ids": [sam.id]}
    )
    assert approved.status_code == 200
    assert approved.json()["records"][0]["approved"] is True
    assert await hours(garden) == {sam.id: Decimal("2.5")}

    # Attendance is shown only to coordinators and the person it is about.
    assert [
        r["member_id"] for r in (await sam.get(f"/api/shifts/{shift_id}/attendance")).json()
    ] == [sam.id]
    assert (await jo.get(f"/api/shifts/{shift_id}/attendance")).json() == []
    stranger = await garden.member("max")
    assert (await stranger.get(f"/api/shifts/{shift_id}/attendance")).status_code == 403


async def test_times_are_checked_and_a_bad_mark_changes_nothing(client, garden):
    shift_id, sam, *_ = await worked_shift(client, garden)
    await move_into_past(client, shift_id, hours=2)
    coordinator = await garden.first_coordinator()
    shift = (await coordinator.get(f"/api/shifts/{shift_id}")).json()
    starts = datetime.fromisoformat(shift["starts_at"])
    ends = datetime.fromisoformat(shift["ends_at"])
    cases = [
        (
            {
                "arrived_at": (starts + timedelta(hours=1)).isoformat(),
                "left_at": starts.isoformat(),
            },
            400,
            "must be after",
        ),
        ({"arrived_at": (starts - timedelta(hours=9)).isoformat()}, 400, "far from the shift"),
        ({"left_at": (ends + timedelta(days=2)).isoformat()}, 400, "far from the shift"),
    ]
    for times, code, words in cases:
        bad = await sam.post(
            f"/api/shifts/{shift_id}/attendance",
            json={"records": [{"member_id": sam.id, "status": "attended", **times}]},
        )
        assert bad.status_code == code, times
        assert words in bad.json()["detail"]
    excused_with_times = await sam.post(
        f"/api/shifts/{shift_id}/attendance",
        json={
            "records": [
                {"member_id": sam.id, "status": "excused", "arrived_at": starts.isoformat()}
            ]
        },
    )
    assert excused_with_times.status_code == 400
    assert (await coordinator.get(f"/api/shifts/{shift_id}/attendance")).json() == []

    # Came 20 minutes late and left on time: paid for 1 h 40 min. Garden time without an offset.
    local = starts.astimezone(ZoneInfo("America/Chicago")) + timedelta(minutes=20)
    late = await sam.post(
        f"/api/shifts/{shift_id}/attendance",
        json={
            "records": [
                {
                    "member_id": sam.id,
                    "status": "attended",
                    "arrived_at": local.replace(tzinfo=None).isoformat(),
                }
            ]
        },
    )
    assert late.status_code == 200
    await coordinator.post(
        f"/api/shifts/{shift_id}/attendance/approve", json={"member_ids": [sam.id]}
    )
    assert await hours(garden) == {sam.id: Decimal(100) / 60}


async def test_no_attendance_on_a_cancelled_shift(client, garden):
    shift_id, sam, jo, *_ = await worked_shift(client, garden)
    coordinator = await garden.first_coordinator()
    await move_into_past(client, shift_id)
    await sam.post(
        f"/api/shifts/{shift_id}/attendance",
        json={"records": [{"member_id": sam.id, "status": "attended"}]},
    )
    await coordinator.post(
        f"/api/shifts/{shift_id}/attendance/approve", json={"member_ids": [sam.id]}
    )
    assert await hours(garden) == {sam.id: Decimal("2.5")}

    async def cancel() -> None:
        await Shift.update({Shift.status: "cancelled"}).where(Shift.id == shift_id)

    in_app(client, cancel)
    before = (await coordinator.get(f"/api/shifts/{shift_id}/attendance")).json()
    for who, records in (
        (jo, [{"member_id": jo.id, "status": "attended"}]),
        (coordinator, [{"member_id": sam.id, "status": "absent"}]),
    ):
        refused = await who.post(f"/api/shifts/{shift_id}/attendance", json={"records": records})
        assert refused.status_code == 409
        assert "cancelled" in refused.json()["detail"]
    approve = await coordinator.post(
        f"/api/shifts/{shift_id}/attendance/approve", json={"member_ids": [sam.id]}
    )
    assert approve.status_code == 409
    assert (await coordinator.get(f"/api/shifts/{shift_id}/attendance")).json() == before
    # The cancelled shift's hours are not paid, and not in the hours CSV either.
    assert await hours(garden) == {}
    hours_csv = await coordinator.get("/api/hours.csv")
    assert "Planting kale" not in hours_csv.text


async def test_every_change_is_kept_with_who_when_before_and_after(client, garden):
    shift_id, sam, jo, *_ = await worked_shift(client, garden)
    coordinator = await garden.first_coordinator()
    await move_into_past(client, shift_id, hours=2)
    url = f"/api/shifts/{shift_id}/attendance"
    await sam.post(url, json={"records": [{"member_id": sam.id, "status": "excused"}]})
    await sam.post(url, json={"records": [{"member_id": sam.id, "status": "attended"}]})
    # The same mark again is no change: nothing more is kept.
    await sam.post(url, json={"records": [{"member_id": sam.id, "status": "attended"}]})
    await coordinator.post(f"{url}/approve", json={"member_ids": [sam.id]})
    [record] = (await sam.get(url)).json()
    history = record["history"]
    assert [
        (
            h["changed_by"],
            h["before"] and h["before"]["status"],
            h["after"]["status"],
            h["after"]["approved"],
        )
        for h in history
    ] == [
        (sam.id, None, "excused", False),
        (sam.id, "excused", "attended", False),
        (coordinator.id, "attended", "attended", True),
    ]
    assert history[0]["before"] is None
    assert history[1]["after"]["arrived_at"] is not None
    assert all(h["changed_at"] for h in history)
    assert history == [
        h
        for r in (await coordinator.get(url)).json()
        if r["member_id"] == sam.id
        for h in r["history"]
    ]
    # Jo sees none of it: only Jo's own (empty) record list.
    assert (await jo.get(url)).json() == []
    # A change after approval needs approving again.
    await sam.post(url, json={"records": [{"member_id": sam.id, "status": "absent"}]})
    [changed] = (await sam.get(url)).json()
    assert (changed["approved"], len(changed["history"])) == (False, 4)


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


async def test_each_person_marks_their_own_time_on_the_shift_page(client, garden):
    shift_id, sam, jo, kim, _lu = await worked_shift(client, garden)
    assert "Who came" not in (await sam.get(f"/shifts/{shift_id}")).text
    await move_into_past(client, shift_id)

    page = await sam.get(f"/shifts/{shift_id}")
    assert f'name="status_{sam.id}"' in page.text
    assert f'name="status_{jo.id}"' not in page.text  # the partner marks their own
    assert f'name="arrived_{sam.id}"' in page.text
    saved = await sam.form(
        f"/shifts/{shift_id}/attendance",
        {f"status_{sam.id}": "attended", f"arrived_{sam.id}": "", f"left_{sam.id}": ""},
    )
    assert "Attendance is saved." in saved.text
    assert '<option value="attended" selected>' in saved.text
    assert "waiting for approval" in saved.text
    refused = await sam.form(f"/shifts/{shift_id}/attendance", {f"status_{jo.id}": "absent"})
    assert refused.status_code == 403
    assert "only your own attendance" in refused.text
    backwards = await sam.form(
        f"/shifts/{shift_id}/attendance",
        {f"status_{sam.id}": "attended", f"arrived_{sam.id}": "23:00", f"left_{sam.id}": "01:00"},
    )
    assert backwards.status_code == 400
    coordinator = await garden.first_coordinator()
    everyone = await coordinator.get(f"/shifts/{shift_id}")
    assert f'name="status_{kim.id}"' in everyone.text
    assert f'name="approve_{sam.id}"' in everyone.text
    approved = await coordinator.form(
        f"/shifts/{shift_id}/attendance/approve", {f"approve_{sam.id}": "1"}
    )
    assert "Approved. That time will be paid." in approved.text
    assert "Sam · approved" in " ".join(approved.text.split())

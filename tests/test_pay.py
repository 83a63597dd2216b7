"""Paid work: pay periods, closing, adjustments, wages, timesheets, My season, impact."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from coop.reports.impact import suppress
from coop.tables import Attendance, Crop, Harvest, Member, Pair, Placement, PlacementMember
from tests.support.rows import HARVEST_SHIFT, Rows, in_app


def local(settings, day: str, hour: int = 9, minute: int = 0) -> datetime:
    """A garden-time moment on ``day`` (YYYY-MM-DD), as the app stores it (UTC)."""
    moment = datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=settings.zone)
    return moment.astimezone(UTC)


def worked(client, shift_id: int, member_id: int, arrived=None, left=None, approved=True):
    """Approved time, inserted as a coordinator's approval would leave it."""

    async def insert() -> None:
        await Attendance.insert(
            Attendance(
                shift=shift_id,
                member=member_id,
                status="attended",
                arrived_at=arrived,
                left_at=left,
                approved=approved,
            )
        )

    client.blocking_portal.call(insert)


def people(client, count: int, prefix: str = "p") -> list[int]:
    """Members straight into the database (their accounts are not what is tested here)."""

    async def insert() -> list[int]:
        ids = []
        for n in range(count):
            rows = await Member.insert(
                Member(
                    username=f"{prefix}{n}", display_name=f"Person {prefix}{n}", password_hash="x"
                )
            ).returning(Member.id)
            ids.append(rows[0]["id"])
        return ids

    return client.blocking_portal.call(insert)


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def snapshot(client) -> list[dict[str, Any]]:
    async def look() -> list[dict]:
        return await Attendance.select().order_by(Attendance.id)

    return in_app(client, look)


# --- pay periods -----------------------------------------------------------------------------


async def test_pay_periods_never_overlap(client, garden):
    maria = await garden.first_coordinator()
    sam = await garden.member("sam")
    june = await maria.post(
        "/api/pay-periods", json={"starts_on": "2026-06-01", "ends_on": "2026-06-14"}
    )
    assert june.status_code == 201
    assert june.json()["closed"] is False
    for body, code in (
        ({"starts_on": "2026-06-10", "ends_on": "2026-06-20"}, 409),
        ({"starts_on": "2026-05-20", "ends_on": "2026-06-01"}, 409),
        ({"starts_on": "2026-06-20", "ends_on": "2026-06-15"}, 400),
        ({"starts_on": "2026-07-01", "ends_on": "2026-12-31"}, 400),
        ({"starts_on": "not a day", "ends_on": "2026-06-15"}, 400),
    ):
        refused = await maria.post("/api/pay-periods", json=body)
        assert refused.status_code == code, body
    overlap = await maria.post(
        "/api/pay-periods", json={"starts_on": "2026-06-14", "ends_on": "2026-06-27"}
    )
    assert overlap.json()["detail"] == (
        "That overlaps the pay period 2026-06-01 to 2026-06-14. Periods never overlap."
    )
    assert (
        await sam.post(
            "/api/pay-periods", json={"starts_on": "2026-08-01", "ends_on": "2026-08-14"}
        )
    ).status_code == 403
    assert (await sam.get("/api/pay-periods")).status_code == 403
    listed = (await maria.get("/api/pay-periods")).json()
    assert [(p["starts_on"], p["ends_on"]) for p in listed] == [("2026-06-01", "2026-06-14")]
    nextone = await maria.post(
        "/api/pay-periods", json={"starts_on": "2026-06-15", "ends_on": "2026-06-28"}
    )
    assert nextone.status_code == 201


async def test_a_closed_period_locks_its_attendance(client, garden, settings):
    maria = await garden.first_coordinator()
    sam = await garden.member("sam")
    jo = await garden.member("jo")
    yesterday = datetime.now(settings.zone).date() - timedelta(days=1)
    starts = datetime.now(UTC) - timedelta(days=1)
    shift = Rows(client, **HARVEST_SHIFT).shift(starts_at=starts, hours=2)

    async def seat() -> None:
        from coop.tables import Placement, PlacementMember

        placement = Placement(shift=shift, status="confirmed")
        await placement.save()
        for member in (sam.id, jo.id):
            await PlacementMember.insert(
                PlacementMember(placement=placement.id, shift=shift, member=member)
            )

    in_app(client, seat)
    period = (
        await maria.post(
            "/api/pay-periods",
            json={
                "starts_on": (yesterday - timedelta(days=3)).isoformat(),
                "ends_on": (yesterday + timedelta(days=3)).isoformat(),
            },
        )
    ).json()
    url = f"/api/shifts/{shift}/attendance"
    for who in (sam, jo):
        marked = await who.post(
            url, json={"records": [{"member_id": who.id, "status": "attended"}]}
        )
        assert marked.status_code == 200
    await maria.post(f"{url}/approve", json={"member_ids": [sam.id]})

    # Jo's time still needs approval: the period lists the shift and will not close yet.
    detail = (await maria.get(f"/api/pay-periods/{period['id']}")).json()
    assert [(s["id"], s["member_ids"]) for s in detail["needing_approval"]] == [(shift, [jo.id])]
    early = await maria.post(f"/api/pay-periods/{period['id']}/close")
    assert early.status_code == 409
    assert "still need" in early.json()["detail"]
    assert (await sam.post(f"/api/pay-periods/{period['id']}/close")).status_code == 403
    await maria.post(f"{url}/approve", json={"member_ids": [jo.id]})
    closed = await maria.post(f"/api/pay-periods/{period['id']}/close")
    assert closed.status_code == 200 and closed.json()["closed"] is True
    assert (await maria.post(f"/api/pay-periods/{period['id']}/close")).status_code == 409

    before = await snapshot(client)
    sheet_before = (await maria.get(f"/api/pay-periods/{period['id']}/timesheet")).json()
    for who, body in (
        (sam, {"records": [{"member_id": sam.id, "status": "absent"}]}),
        (maria, {"records": [{"member_id": jo.id, "status": "excused"}]}),
    ):
        refused = await who.post(url, json=body)
        assert refused.status_code == 409
        assert refused.json()["detail"] == (
            "This shift's pay period is closed, so its attendance can't change. "
            "A coordinator can add an adjustment in an open pay period instead."
        )
    assert (await maria.post(f"{url}/approve", json={"member_ids": [sam.id]})).status_code == 409
    late = await maria.post(
        f"/api/pay-periods/{period['id']}/adjustments",
        json={"member_id": sam.id, "minutes": -30, "reason": "Left early"},
    )
    assert late.status_code == 409
    assert await snapshot(client) == before
    shift_page = await sam.get(f"/shifts/{shift}")
    assert "pay period is closed" in shift_page.text
    assert f'name="status_{sam.id}"' not in shift_page.text
    assert (await maria.get(f"/api/pay-periods/{period['id']}/timesheet")).json() == sheet_before

    # The correction goes in the next, open period.
    following = (
        await maria.post(
            "/api/pay-periods",
            json={
                "starts_on": (yesterday + timedelta(days=4)).isoformat(),
                "ends_on": (yesterday + timedelta(days=17)).isoformat(),
            },
        )
    ).json()
    for body in (
        {"member_id": sam.id, "minutes": 0, "reason": "Nothing"},
        {"member_id": sam.id, "minutes": -30, "reason": ""},
        {"member_id": 99999, "minutes": -30, "reason": "Nobody"},
    ):
        bad = await maria.post(f"/api/pay-periods/{following['id']}/adjustments", json=body)
        assert bad.status_code == 400, body
    fixed = await maria.post(
        f"/api/pay-periods/{following['id']}/adjustments",
        json={"member_id": sam.id, "minutes": -30, "reason": "Left early last period"},
    )
    assert fixed.status_code == 201
    [line] = fixed.json()["members"]
    assert (line["member_id"], line["minutes"], line["adjustments"][0]["reason"]) == (
        sam.id,
        -30,
        "Left early last period",
    )


async def test_wages_are_set_by_coordinators_only(client, garden):
    maria = await garden.first_coordinator()
    sam = await garden.member("sam")
    jo = await garden.member("jo")
    assert (
        await sam.patch(f"/api/members/{sam.id}", json={"hourly_wage_cents": 9999})
    ).status_code == 403
    for body, code in (
        ({"hourly_wage_cents": -1}, 400),
        ({"hourly_wage_cents": 10_000_000}, 400),
        ({"hourly_wage_cents": 15.5}, 400),
        ({}, 400),
    ):
        assert (await maria.patch(f"/api/members/{sam.id}", json=body)).status_code == code, body
    assert (
        await maria.patch("/api/members/99999", json={"hourly_wage_cents": 1500})
    ).status_code == 404
    set_wage = await maria.patch(f"/api/members/{sam.id}", json={"hourly_wage_cents": 1575})
    assert set_wage.status_code == 200
    assert set_wage.json()["hourly_wage_cents"] == 1575
    # Never shown to other members (nor in the pages they see).
    assert "1575" not in (await jo.get("/api/me")).text
    assert "15.75" not in (await jo.get("/pairs")).text
    assert (await jo.get("/pay-periods")).status_code == 403
    assert "$15.75" in (await maria.get("/pay-periods")).text


# --- timesheets, CSV and the impact report agree to the cent ------------------------------------


async def test_timesheet_csv_and_impact_totals_are_the_same_exact_cents(client, garden, settings):
    maria = await garden.first_coordinator()
    ids = people(client, 3)
    wages = [1333, 1550, 1725]  # $13.33 an hour makes fractions of a cent on odd minutes
    for member, cents in zip(ids, wages, strict=True):
        assert (
            await maria.patch(f"/api/members/{member}", json={"hourly_wage_cents": cents})
        ).status_code == 200
    minutes = {ids[0]: 0, ids[1]: 0, ids[2]: 0}
    for day, (start_minute, length) in enumerate([(7, 113), (0, 120), (21, 59)], start=2):
        starts = local(settings, f"2026-06-{day:02d}")
        shift = Rows(client, **HARVEST_SHIFT).shift(starts_at=starts, hours=2)
        for member in ids:
            arrived = starts + timedelta(minutes=start_minute)
            worked(client, shift, member, arrived, arrived + timedelta(minutes=length, seconds=40))
            minutes[member] += length
    # Unapproved time and a cancelled shift are not paid.
    other = Rows(client, **HARVEST_SHIFT).shift(
        starts_at=local(settings, "2026-06-09"), status="cancelled"
    )
    worked(client, other, ids[0])
    pending = Rows(client, **HARVEST_SHIFT).shift(starts_at=local(settings, "2026-06-10"))
    worked(client, pending, ids[1], approved=False)
    # Outside the period: not in its timesheet.
    worked(
        client, Rows(client, **HARVEST_SHIFT).shift(starts_at=local(settings, "2026-06-20")), ids[2]
    )

    period = (
        await maria.post(
            "/api/pay-periods", json={"starts_on": "2026-06-01", "ends_on": "2026-06-14"}
        )
    ).json()
    await maria.post(
        f"/api/pay-periods/{period['id']}/adjustments",
        json={"member_id": ids[0], "minutes": 17, "reason": "Set up the stall"},
    )
    minutes[ids[0]] += 17

    expected = {m: (2 * minutes[m] * w + 60) // 120 for m, w in zip(ids, wages, strict=True)}
    sheet = (await maria.get(f"/api/pay-periods/{period['id']}/timesheet")).json()
    assert {line["member_id"]: line["minutes"] for line in sheet["members"]} == minutes
    assert {line["member_id"]: line["gross_cents"] for line in sheet["members"]} == expected
    assert sheet["total_cents"] == sum(expected.values())
    assert minutes[ids[0]] == 113 + 120 + 59 + 17

    async def rename() -> None:  # a name a spreadsheet would run as a formula
        await Member.update({Member.display_name: '=HYPERLINK("http://x")'}).where(
            Member.id == ids[1]
        )

    in_app(client, rename)
    rows = read_csv(await maria.get(f"/api/pay-periods/{period['id']}/timesheet.csv"))
    *people_rows, total = rows
    names = {int(r["member_id"]): r["member"] for r in people_rows}
    assert names[ids[1]] == '\'=HYPERLINK("http://x")'
    assert names[ids[0]] == "Person p0"
    assert {int(r["member_id"]): int(r["gross_cents"]) for r in people_rows} == expected
    assert total["member"] == "Total"
    assert int(total["gross_cents"]) == sheet["total_cents"]
    assert total["gross"] == f"{sheet['total_cents'] // 100}.{sheet['total_cents'] % 100:02d}"

    impact = (await maria.get("/api/reports/impact?from=2026-06-01&to=2026-06-14")).json()
    assert impact["wages_cents"] == sheet["total_cents"]
    assert impact["paid_minutes"] == sheet["total_minutes"] == sum(minutes.values())
    assert impact["shifts_worked"] == 3

    page = await maria.get(f"/pay-periods/{period['id']}/timesheet")
    assert page.text.count('class="sheet"') == 3
    assert page.text.count("Signature of") == 3
    assert f"${sheet['total_cents'] // 100:,}.{sheet['total_cents'] % 100:02d}" in page.text
    sam = await garden.member("sam")  # a participant sees no one's pay
    assert (await sam.get(f"/api/pay-periods/{period['id']}/timesheet")).status_code == 403
    assert (await sam.get(f"/pay-periods/{period['id']}/timesheet")).status_code == 403


# --- impact report: small counts of people are suppressed -----------------------------------


def test_suppression_hides_small_counts_and_what_would_reveal_them():
    shown, hidden = suppress(
        {
            "participants": 12,
            "new_participants": 9,
            "returning_participants": 3,
            "retained_4_weeks": 6,
        }
    )
    assert hidden == ["new_participants", "returning_participants"]  # 12 − 9 would reveal 3
    assert shown == {
        "participants": 12,
        "new_participants": None,
        "returning_participants": None,
        "retained_4_weeks": 6,
    }
    shown, hidden = suppress(
        {
            "participants": 12,
            "new_participants": 12,
            "returning_participants": 0,
            "retained_4_weeks": 5,
        }
    )
    assert shown["new_participants"] == 12 and hidden == ["returning_participants"]


async def test_impact_report_suppresses_counts_under_five(client, garden, settings):
    maria = await garden.first_coordinator()
    ids = people(client, 12)
    # Week one: 3 people. Week three: all 12; four of them again 5 weeks after their first shift.
    first = Rows(client, **HARVEST_SHIFT).shift(starts_at=local(settings, "2026-06-02"))
    for member in ids[:3]:
        worked(client, first, member)
    big = Rows(client, **HARVEST_SHIFT).shift(starts_at=local(settings, "2026-06-16"))
    for member in ids:
        worked(client, big, member)
    later = Rows(client, **HARVEST_SHIFT).shift(starts_at=local(settings, "2026-07-21"))
    for member in ids[3:9]:
        worked(client, later, member)

    small = (await maria.get("/api/reports/impact?from=2026-06-01&to=2026-06-07")).json()
    assert small["participants"] is None
    assert "participants" in small["suppressed"]
    assert set(small["suppressed"]) == {
        "participants",
        "new_participants",
        "returning_participants",
        "retained_4_weeks",
    }
    assert small["shifts_worked"] == 1
    page = await maria.get("/reports/impact?from=2026-06-01&to=2026-06-07")
    assert page.status_code == 200
    assert "fewer than 5" in page.text
    assert ">3<" not in page.text

    whole = (await maria.get("/api/reports/impact?from=2026-06-01&to=2026-06-30")).json()
    assert whole["participants"] == 12
    assert whole["new_participants"] == 12
    assert whole["returning_participants"] is None  # 0 is under 5 too
    assert whole["retained_4_weeks"] == 6
    assert whole["suppressed"] == ["returning_participants"]
    assert whole["paid_hours"] == 30  # 15 approved two-hour shifts
    page = await maria.get("/reports/impact?from=2026-06-01&to=2026-06-30")
    assert ">12<" in page.text
    chart = await maria.get("/reports/impact/hours.svg?from=2026-06-01&to=2026-06-30")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert b"<script" not in chart.content

    july = (await maria.get("/api/reports/impact?from=2026-07-01&to=2026-07-31")).json()
    assert july["participants"] == 6 and july["new_participants"] is None
    for query in ("from=2026-07-01&to=2026-06-01", "from=1900-01-01&to=1900-02-01", "from=x"):
        assert (await maria.get(f"/api/reports/impact?{query}")).status_code == 400, query
    sam = await garden.member("sam")
    assert (await sam.get("/api/reports/impact")).status_code == 403
    assert (await sam.get("/reports/impact")).status_code == 403


# --- My season --------------------------------------------------------------------------------


async def test_my_season_is_your_own_record_and_letter(client, garden, settings):
    maria = await garden.first_coordinator()
    sam = await garden.member("sam", "Sam")
    jo = await garden.member("jo", "Jo")
    weeding = Rows(client, **HARVEST_SHIFT).shift(
        starts_at=local(settings, "2026-06-02"), kind="weeding"
    )
    harvest = Rows(client, **HARVEST_SHIFT).shift(
        starts_at=local(settings, "2026-06-09"), hours=1.5
    )
    unapproved = Rows(client, **HARVEST_SHIFT).shift(starts_at=local(settings, "2026-06-16"))
    worked(client, weeding, sam.id)
    worked(client, harvest, sam.id)
    worked(client, harvest, jo.id)
    worked(client, unapproved, sam.id, approved=False)

    async def picked() -> None:
        a, b = sorted((sam.id, jo.id))
        pair = (
            await Pair.insert(Pair(member_a=a, member_b=b, status="active")).returning(Pair.id)
        )[0]
        crop = (await Crop.insert(Crop(name="Strawberries")).returning(Crop.id))[0]
        await Harvest.insert(
            Harvest(
                crop=crop["id"],
                pair=pair["id"],
                shift=harvest,
                harvested_on=date(2026, 6, 9),
                quantity_milli=4250,
                unit="kg",
            )
        )

    in_app(client, picked)
    mine = (await sam.get("/api/me/season?year=2026")).json()
    assert mine["year"] == 2026
    assert (mine["shifts_worked"], mine["hours"], mine["minutes"]) == (2, 3.5, 210)
    assert [(k["kind"], k["shifts"], k["hours"]) for k in mine["by_kind"]] == [
        ("weeding", 1, 2),
        ("harvesting", 1, 1.5),
    ]
    assert mine["harvests"] == [{"crop": "Strawberries", "unit": "kg", "quantity": "4.25"}]
    theirs = (await jo.get("/api/me/season?year=2026")).json()
    assert (theirs["shifts_worked"], theirs["hours"]) == (1, 1.5)

    page = await sam.get("/me/season?year=2026")
    assert "2 shifts worked" in page.text and "3.5 hours" in page.text
    letter = await sam.get("/me/season/letter?year=2026")
    assert letter.status_code == 200
    assert "Sam worked at the Garden co-op" in letter.text
    assert "3.5 hours" in letter.text
    # Only the person produces their letter: there is no way to ask for someone else's.
    for url in (f"/me/season/letter?year=2026&member_id={sam.id}", f"/me/season/letter/{sam.id}"):
        other = await jo.get(url)
        assert "Sam worked" not in other.text
    assert (await maria.get("/me/season/letter?year=2026")).text.count("Sam worked") == 0
    anonymous = garden.anonymous()
    assert (await anonymous.get("/api/me/season")).status_code == 401
    assert (await anonymous.get("/me/season/letter", follow_redirects=False)).status_code in (
        302,
        303,
    )
    assert (await sam.get("/api/me/season?year=1800")).status_code == 400


# --- the coordinator's end-of-period pages ------------------------------------------------------


async def test_end_of_period_on_the_pages(client, garden, settings):
    maria = await garden.first_coordinator()
    sam = await garden.member("sam", "Sam")
    starts = datetime.now(UTC) - timedelta(days=1)
    shift = Rows(client, **HARVEST_SHIFT).shift(starts_at=starts, hours=2)
    worked(client, shift, sam.id, approved=False)
    jo = await garden.member("jo", "Jo")

    async def seat_jo() -> None:  # placed, never marked
        placement = Placement(shift=shift, status="awaiting_partner")
        await placement.save()
        await PlacementMember.insert(
            PlacementMember(placement=placement.id, shift=shift, member=jo.id)
        )

    in_app(client, seat_jo)
    today = datetime.now(settings.zone).date()
    page = await maria.get("/pay-periods")
    assert 'name="starts_on"' in page.text
    created = await maria.form(
        "/pay-periods",
        {"starts_on": (today - timedelta(days=6)).isoformat(), "ends_on": today.isoformat()},
    )
    assert "The pay period is ready." in created.text
    again = await maria.form(
        "/pay-periods",
        {"starts_on": (today - timedelta(days=2)).isoformat(), "ends_on": today.isoformat()},
    )
    assert again.status_code == 409 and "Periods never overlap." in again.text
    period_id = (await maria.get("/api/pay-periods")).json()[0]["id"]
    shown = await maria.get(f"/pay-periods/{period_id}")
    assert "Not marked yet" in shown.text
    assert ": Jo</li>" in shown.text
    refused = await maria.form(f"/pay-periods/{period_id}/close", {})
    assert refused.status_code == 409 and "still need" in refused.text
    approved = await maria.form(
        f"/shifts/{shift}/attendance/approve",
        {f"approve_{sam.id}": "1", "next": f"/pay-periods/{period_id}"},
    )
    assert "Nothing waits for approval." in approved.text
    wage = await maria.form("/pay-periods/wages", {"member_id": str(sam.id), "wage": "15.50"})
    assert "hourly wage is saved" in wage.text
    bad_wage = await maria.form("/pay-periods/wages", {"member_id": str(sam.id), "wage": "15.505"})
    assert bad_wage.status_code == 400
    adjusted = await maria.form(
        f"/pay-periods/{period_id}/adjustments",
        {"member_id": str(sam.id), "minutes": "15", "reason": "Watered after"},
    )
    assert "The adjustment is saved." in adjusted.text
    closed = await maria.form(f"/pay-periods/{period_id}/close", {})
    assert "The pay period is closed." in closed.text
    sheet = await maria.get(f"/pay-periods/{period_id}/timesheet")
    assert sheet.text.count('class="sheet"') == 1
    assert "$34.88" in sheet.text  # 135 minutes at $15.50 = $34.875, rounded once

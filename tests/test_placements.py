"""Signing up, the waitlist and withdrawing, over HTTP, as members would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from coop.tables import Placement, Shift
from tests.support.rows import Rows, in_app

CHICAGO = ZoneInfo("America/Chicago")


async def pair_up(one, two) -> int:
    response = await one.post("/api/pairs", json={"partner": two.username})
    pair_id = response.json()["id"]
    assert (await two.post(f"/api/pairs/{pair_id}/accept")).json()["status"] == "active"
    return pair_id


async def sign_up(user, shift_id: int, pair_id: int | None = None):
    body = {"pair_id": pair_id} if pair_id else {}
    return await user.post(f"/api/shifts/{shift_id}/placements", json=body)


async def taken_slots(client, shift_id: int) -> int:
    async def look() -> int:
        row = await Shift.select(Shift.taken_slots).where(Shift.id == shift_id).first()
        return row["taken_slots"]

    return in_app(client, look)


def names(response) -> list[str]:
    return [m["display_name"] for m in response.json()["members"]]


async def test_solo_members_complete_a_slot_then_join_the_waitlist(client, garden):
    shift_id = Rows(client).shift(pair_slots=1)
    ana, ben, cai, dee = [await garden.member(n) for n in ("ana", "ben", "cai", "dee")]

    first = await sign_up(ana, shift_id)
    assert first.status_code == 201
    assert first.json()["status"] == "awaiting_partner"
    assert first.json()["waitlist_position"] is None

    second = await sign_up(ben, shift_id)
    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["status"] == "confirmed"
    assert names(second) == ["Ana", "Ben"]

    third = await sign_up(cai, shift_id)
    assert third.status_code == 201
    assert third.json()["status"] == "waitlisted"
    assert third.json()["waitlist_position"] == 1
    fourth = await sign_up(dee, shift_id)
    assert fourth.json()["waitlist_position"] == 2
    assert fourth.json()["message"] == "That shift is full. You're on the waitlist, number 2."

    shift = (await ana.get(f"/api/shifts/{shift_id}")).json()
    assert shift["open_slots"] == 0
    assert await taken_slots(client, shift_id) == 1


async def test_a_pair_signs_up_together_and_both_are_placed(client, garden):
    shift_id = Rows(client).shift(pair_slots=2)
    sam, jo = await garden.member("sam"), await garden.member("jo")
    pair_id = await pair_up(sam, jo)

    response = await sign_up(jo, shift_id, pair_id)
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    assert sorted(names(response)) == ["Jo", "Sam"]
    mine = (await sam.get("/api/me/placements")).json()
    assert [(p["shift_id"], p["status"]) for p in mine] == [(shift_id, "confirmed")]
    assert (await jo.get(f"/api/shifts/{shift_id}")).json()["open_slots"] == 1


async def test_signing_up_with_someone_who_is_not_an_active_partner_is_refused(client, garden):
    shift_id = Rows(client).shift()
    sam, _jo, kim = [await garden.member(n) for n in ("sam", "jo", "kim")]
    proposed = (await sam.post("/api/pairs", json={"partner": "jo"})).json()["id"]
    response = await sign_up(sam, shift_id, proposed)
    assert response.status_code == 403
    assert "isn't active" in response.json()["detail"]
    response = await sign_up(kim, shift_id, proposed)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "You can only sign up together with one of your own partners."
    )
    assert (await kim.get("/api/me/placements")).json() == []


async def test_a_solo_completes_the_oldest_slot_awaiting_a_partner(client, garden):
    shift_id = Rows(client).shift(pair_slots=2)
    ana, ben, cai, dee = [await garden.member(n) for n in ("ana", "ben", "cai", "dee")]
    first = (await sign_up(ana, shift_id)).json()
    await sign_up(ben, shift_id)  # completes Ana's slot
    await sign_up(cai, shift_id)  # opens the second slot
    assert (await ana.delete(f"/api/placements/{first['id']}")).status_code == 204

    response = await sign_up(dee, shift_id)
    assert response.json()["id"] == first["id"]
    assert names(response) == ["Ben", "Dee"]
    assert await taken_slots(client, shift_id) == 2


async def test_a_withdrawing_partner_leaves_the_slot_to_the_first_waiting_solo(client, garden):
    """Only once the partner who stays says "match me with anyone" (consent first)."""
    shift_id = Rows(client).shift(pair_slots=1)
    people = [await garden.member(n) for n in ("ana", "ben", "cai", "dee", "eve")]
    ana, ben, cai, dee, eve = people
    slot = (await sign_up(ana, shift_id, await pair_up(ana, ben))).json()
    waiting_pair = (await sign_up(cai, shift_id, await pair_up(cai, dee))).json()
    waiting_solo = (await sign_up(eve, shift_id)).json()
    assert (waiting_pair["waitlist_position"], waiting_solo["waitlist_position"]) == (1, 2)

    assert (await ana.delete(f"/api/placements/{slot['id']}")).status_code == 204
    ben_places = (await ben.get("/api/me/placements")).json()
    assert ben_places[0]["status"] == "awaiting_partner"
    assert ben_places[0]["open_to_anyone"] is False
    assert (await eve.get("/api/me/placements")).json()[0]["status"] == "waitlisted"

    assert (await ben.post(f"/api/placements/{slot['id']}/open")).status_code == 200
    ben_places = (await ben.get("/api/me/placements")).json()
    assert ben_places[0]["status"] == "confirmed"
    assert [m["display_name"] for m in ben_places[0]["members"]] == ["Ben", "Eve"]
    cai_places = (await cai.get("/api/me/placements")).json()
    assert (cai_places[0]["status"], cai_places[0]["waitlist_position"]) == ("waitlisted", 1)
    assert await taken_slots(client, shift_id) == 1


async def test_a_fully_freed_slot_goes_to_the_first_waiting_pair(client, garden):
    shift_id = Rows(client).shift(pair_slots=1)
    ana, ben, cai, dee = [await garden.member(n) for n in ("ana", "ben", "cai", "dee")]
    slot = (await sign_up(ana, shift_id, await pair_up(ana, ben))).json()
    await sign_up(cai, shift_id, await pair_up(cai, dee))

    await ana.delete(f"/api/placements/{slot['id']}")
    assert (await ben.get("/api/me/placements")).json()[0]["status"] == "awaiting_partner"
    await ben.delete(f"/api/placements/{slot['id']}")

    dee_places = (await dee.get("/api/me/placements")).json()
    assert dee_places[0]["status"] == "confirmed"
    assert sorted(m["display_name"] for m in dee_places[0]["members"]) == ["Cai", "Dee"]
    assert await taken_slots(client, shift_id) == 1


async def test_promotion_skips_entries_that_no_longer_fit(client, garden):
    full = Rows(client).shift(pair_slots=1, title="Full shift")
    ana, ben, cai, dee = [await garden.member(n) for n in ("ana", "ben", "cai", "dee")]
    slot = (await sign_up(ana, full, await pair_up(ana, ben))).json()
    await cai.patch("/api/me", json={"max_shifts_per_week": 1})
    assert (await sign_up(cai, full)).json()["status"] == "waitlisted"
    assert (await sign_up(dee, full)).json()["status"] == "waitlisted"
    # A waitlist place doesn't count toward the pace, so Cai can take another shift that week.
    other = Rows(client).shift(
        title="Other", starts_at=datetime.now(UTC) + timedelta(days=2, hours=3)
    )
    assert (await sign_up(cai, other)).status_code == 201

    await ana.delete(f"/api/placements/{slot['id']}")
    await ben.post(f"/api/placements/{slot['id']}/open")  # Ben agrees to anyone
    places = (await ben.get("/api/me/placements")).json()
    assert [m["display_name"] for m in places[0]["members"]] == ["Ben", "Dee"]
    cai_full = [p for p in (await cai.get("/api/me/placements")).json() if p["shift_id"] == full]
    assert (cai_full[0]["status"], cai_full[0]["waitlist_position"]) == ("waitlisted", 1)


async def test_one_place_per_member_per_shift(client, garden):
    shift_id = Rows(client).shift(pair_slots=3)
    ana, ben = await garden.member("ana"), await garden.member("ben")
    await sign_up(ana, shift_id)
    again = await sign_up(ana, shift_id)
    assert again.status_code == 409
    assert again.json()["detail"] == "You're already signed up for this shift."
    together = await sign_up(ben, shift_id, await pair_up(ben, ana))
    assert together.status_code == 409
    assert together.json()["detail"].startswith("Ana is already signed up for this shift")
    assert await taken_slots(client, shift_id) == 1


async def test_no_two_overlapping_shifts(client, garden):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    morning = Rows(client).shift(starts_at=start, hours=2, title="Morning weeding")
    overlap = Rows(client).shift(starts_at=start + timedelta(hours=1), title="Watering")
    after = Rows(client).shift(starts_at=start + timedelta(hours=2), title="Compost")
    ana = await garden.member("ana")
    assert (await sign_up(ana, morning)).status_code == 201
    refused = await sign_up(ana, overlap)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("You already have a shift at that time: Morning")
    assert (await sign_up(ana, after)).status_code == 201  # back to back is fine


async def test_no_sign_up_on_a_cancelled_or_started_shift(client, garden):
    cancelled = Rows(client).shift(status="cancelled", cancel_reason="heat advisory")
    started = Rows(client).shift(starts_at=datetime.now(UTC) - timedelta(minutes=5))
    ana = await garden.member("ana")
    response = await sign_up(ana, cancelled)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "That shift was cancelled (heat advisory), so nobody can sign up for it."
    )
    response = await sign_up(ana, started)
    assert response.status_code == 409
    assert response.json()["detail"] == "That shift has already started, so sign-up is closed."
    assert (await sign_up(ana, 999_999)).status_code == 404


def local(day: datetime, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHICAGO).astimezone(UTC)


async def test_pace_counts_monday_to_sunday_in_the_garden_zone(client, garden):
    today = datetime.now(CHICAGO)
    monday = today + timedelta(days=7 - today.weekday())  # next Monday, local
    sunday = monday + timedelta(days=6)
    shifts = [
        Rows(client).shift(starts_at=local(monday, 9), title="Monday"),
        Rows(client).shift(starts_at=local(monday + timedelta(days=2), 9), title="Wed"),
        Rows(client).shift(starts_at=local(sunday, 21), title="Sunday night"),
        Rows(client).shift(starts_at=local(sunday + timedelta(days=1), 0), title="Next Mon"),
    ]
    ana = await garden.member("ana")
    assert (await ana.patch("/api/me", json={"max_shifts_per_week": 2})).status_code == 200
    assert (await sign_up(ana, shifts[0])).status_code == 201
    assert (await sign_up(ana, shifts[1])).status_code == 201
    refused = await sign_up(ana, shifts[2])
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(
        "You set your pace at 2 shifts a week, and this would be the third."
    )
    assert (await sign_up(ana, shifts[3])).status_code == 201  # a new week, just after midnight


async def test_a_partners_pace_is_respected_too(client, garden):
    first = Rows(client).shift(title="First")
    second = Rows(client).shift(
        title="Second", starts_at=datetime.now(UTC) + timedelta(days=2, hours=4)
    )
    ana, ben = await garden.member("ana", "Ana"), await garden.member("ben", "Ben")
    pair_id = await pair_up(ana, ben)
    await ben.patch("/api/me", json={"max_shifts_per_week": 1})
    assert (await sign_up(ana, first, pair_id)).status_code == 201
    refused = await sign_up(ana, second, pair_id)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Ben set their pace at 1 shift a week, and this would be the second."
    )


async def test_withdrawing_is_for_your_own_place_only(client, garden):
    shift_id = Rows(client).shift(pair_slots=1)
    ana, ben = await garden.member("ana"), await garden.member("ben")
    place = (await sign_up(ana, shift_id)).json()
    assert (await ben.delete(f"/api/placements/{place['id']}")).status_code == 404
    assert (await ana.delete(f"/api/placements/{place['id']}")).status_code == 204
    assert (await ana.delete(f"/api/placements/{place['id']}")).status_code == 404
    assert await taken_slots(client, shift_id) == 0


async def test_leaving_the_waitlist_moves_the_line_up(client, garden):
    shift_id = Rows(client).shift(pair_slots=1)
    people = [await garden.member(n) for n in ("ana", "ben", "cai", "dee")]
    for person in people[:2]:
        await sign_up(person, shift_id)
    cai = (await sign_up(people[2], shift_id)).json()
    await sign_up(people[3], shift_id)
    await people[2].delete(f"/api/placements/{cai['id']}")
    dee = (await people[3].get("/api/me/placements")).json()
    assert (dee[0]["status"], dee[0]["waitlist_position"]) == ("waitlisted", 1)


async def test_closing_an_account_frees_the_place_for_the_waitlist(client, garden):
    shift_id = Rows(client).shift(pair_slots=1)
    ana, ben, cai = [await garden.member(n) for n in ("ana", "ben", "cai")]
    await sign_up(ana, shift_id)
    await sign_up(ben, shift_id)
    await sign_up(cai, shift_id)
    assert (await ana.delete("/api/me")).status_code == 204
    place = (await ben.get("/api/me/placements")).json()[0]
    assert [m["display_name"] for m in place["members"]] == ["Ben", "Cai"]
    assert await taken_slots(client, shift_id) == 1

    async def count() -> int:
        return await Placement.count().where(Placement.shift == shift_id)

    assert in_app(client, count) == 1


async def test_shifts_are_listed_with_open_slots_and_local_times(client, garden):
    start = datetime(2031, 7, 1, 14, tzinfo=UTC)
    shift_id = Rows(client).shift(starts_at=start, pair_slots=3, kind="harvesting")
    Rows(client).shift(starts_at=start + timedelta(days=1), kind="weeding")
    ana = await garden.member("ana")
    await sign_up(ana, shift_id)
    listed = (await ana.get("/api/shifts?start=2031-07-01&end=2031-07-02&kind=harvesting")).json()
    assert [s["id"] for s in listed] == [shift_id]
    shift = listed[0]
    assert shift["kind"] == "harvesting"
    assert datetime.fromisoformat(shift["starts_at"]) == start  # 9:00 am in Chicago
    assert (shift["pair_slots"], shift["open_slots"], shift["status"]) == (3, 2, "scheduled")
    assert len((await ana.get("/api/shifts?start=2031-07-01&limit=1")).json()) == 1
    bad = await ana.get("/api/shifts?start=someday")
    assert bad.status_code == 400
    too_many = await ana.get("/api/shifts?limit=5000")
    assert too_many.status_code == 400
    assert too_many.json()["extra"][0]["key"] == "limit"
    empty = await ana.post(f"/api/shifts/{shift_id + 1}/placements")  # no body: solo
    assert empty.json()["status"] == "awaiting_partner"


async def test_closing_an_account_leaves_past_rosters_alone(client, garden):
    shift_id = Rows(client).shift(pair_slots=1)
    ana, ben = await garden.member("ana"), await garden.member("ben")
    await sign_up(ana, shift_id)
    await sign_up(ben, shift_id)

    Rows(client).move_shift(shift_id, datetime.now(UTC) - timedelta(days=2))
    assert (await ana.delete("/api/me")).status_code == 204

    async def statuses() -> list[str]:
        rows = await Placement.select(Placement.status).where(Placement.shift == shift_id)
        return [row["status"] for row in rows]

    assert in_app(client, statuses) == ["confirmed"]
    assert await taken_slots(client, shift_id) == 1


async def test_slots_a_coordinator_adds_go_to_the_waitlist_in_order(client, garden):
    shift_id = Rows(client).shift(pair_slots=1)
    people = [await garden.member(n) for n in ("ana", "ben", "cai", "dee", "eve")]
    for person in people:
        await sign_up(person, shift_id)
    coordinator = await garden.first_coordinator()
    edited = await coordinator.patch(f"/api/shifts/{shift_id}", json={"pair_slots": 2})
    assert edited.status_code == 200
    assert edited.json()["open_slots"] == 0  # Cai and Dee took the new slot at once

    cai = (await people[2].get("/api/me/placements")).json()[0]
    assert cai["status"] == "confirmed"
    assert [m["display_name"] for m in cai["members"]] == ["Cai", "Dee"]
    eve = (await people[4].get("/api/me/placements")).json()[0]
    assert (eve["status"], eve["waitlist_position"]) == ("waitlisted", 1)
    assert await taken_slots(client, shift_id) == 2

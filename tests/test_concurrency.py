"""Many people at once, over real connections, against a running ``coop serve``.

Each member is a separate HTTP client with their own session; requests are fired together
with ``asyncio.gather``. Afterwards the database itself is read to check the invariants.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from coop.tables import Notification, Placement, PlacementMember, Shift
from tests.support.crowd import Person, gather_people
from tests.support.rows import insert_shift


async def pair_up(one: Person, two: Person) -> int:
    pair_id = (await one.send("POST", "/api/pairs", json={"partner": two.username})).json()["id"]
    assert (await two.send("POST", f"/api/pairs/{pair_id}/accept")).status_code == 200
    return pair_id


async def roster(shift_id: int) -> dict[str, list[dict]]:
    """The shift as the database holds it: placements with their seats, by status."""
    placements = await Placement.select().where(Placement.shift == shift_id).order_by(Placement.id)
    by_status: dict[str, list[dict]] = {"confirmed": [], "awaiting_partner": [], "waitlisted": []}
    for placement in placements:
        placement["seats"] = (
            await PlacementMember.select(PlacementMember.member)
            .where(PlacementMember.placement == placement["id"])
            .output(as_list=True)
        )
        by_status[placement["status"]].append(placement)
    return by_status


async def taken(shift_id: int) -> int:
    return (await Shift.select(Shift.taken_slots).where(Shift.id == shift_id).first())[
        "taken_slots"
    ]


async def test_a_rush_of_sign_ups_fills_exactly_the_capacity(app_url):
    people = await gather_people(app_url, 28)
    solos, paired = people[:20], people[20:]
    pairs = [(paired[i], await pair_up(paired[i], paired[i + 1])) for i in range(0, 8, 2)]
    shift_id = await insert_shift(pair_slots=3)

    requests = [p.send("POST", f"/api/shifts/{shift_id}/placements", json={}) for p in solos]
    requests += [
        p.send("POST", f"/api/shifts/{shift_id}/placements", json={"pair_id": pair_id})
        for p, pair_id in pairs
    ]
    responses = await asyncio.gather(*requests)

    assert [r.status_code for r in responses if r.status_code != 201] == []
    state = await roster(shift_id)
    assert await taken(shift_id) == 3
    assert len(state["confirmed"]) == 3 and state["awaiting_partner"] == []
    placed = [m for p in state["confirmed"] for m in p["seats"]]
    assert len(placed) == len(set(placed)) == 6
    waiting = [m for p in state["waitlisted"] for m in p["seats"]]
    assert sorted(placed + waiting) == sorted(p.id for p in people)
    # The line is in order of arrival: each answer's number matches the database's order.
    numbers = {
        r.json()["id"]: r.json()["waitlist_position"]
        for r in responses
        if r.json()["status"] == "waitlisted"
    }
    assert sorted(numbers.values()) == list(range(1, len(state["waitlisted"]) + 1))
    assert [numbers[p["id"]] for p in state["waitlisted"]] == sorted(numbers.values())
    for person in people:
        await person.http.aclose()


async def test_withdrawals_and_sign_ups_at_once_keep_the_invariant(app_url):
    people = await gather_people(app_url, 24)
    shift_id = await insert_shift(pair_slots=3)
    first_wave = await asyncio.gather(
        *[p.send("POST", f"/api/shifts/{shift_id}/placements", json={}) for p in people[:14]]
    )
    assert {r.status_code for r in first_wave} == {201}
    places = {p.id: r.json()["id"] for p, r in zip(people[:14], first_wave, strict=True)}

    leaving = people[:10]  # everyone placed, and some of the line, withdraw...
    arriving = people[14:]  # ...while ten newcomers sign up
    responses = await asyncio.gather(
        *[p.send("DELETE", f"/api/placements/{places[p.id]}") for p in leaving],
        *[p.send("POST", f"/api/shifts/{shift_id}/placements", json={}) for p in arriving],
    )

    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert {r.status_code for r in responses[: len(leaving)]} <= {204, 404}
    # A waitlisted solo promoted into a slot awaiting a partner moves into that slot's
    # placement, so their old id is gone: they withdraw again with the id they now hold.
    for person, response in zip(leaving, responses, strict=False):
        if response.status_code == 404:
            (now_held,) = (await person.send("GET", "/api/me/placements")).json()
            again = await person.send("DELETE", f"/api/placements/{now_held['id']}")
            assert again.status_code == 204
    state = await roster(shift_id)
    held = state["confirmed"] + state["awaiting_partner"]
    assert await taken(shift_id) == len(held) == 3
    assert len(state["awaiting_partner"]) <= 1
    if state["awaiting_partner"]:
        assert state["waitlisted"] == []  # a waiting solo would have completed it
    seats = [m for group in state.values() for p in group for m in p["seats"]]
    assert len(seats) == len(set(seats))
    assert not {p.id for p in leaving} & set(seats)
    # Exactly one waitlist_promoted per promoted person, and only to people who waited.
    answers = zip(people[:14] + arriving, list(first_wave) + responses[len(leaving) :], strict=True)
    waited = {p.id for p, r in answers if r.json()["status"] == "waitlisted"}
    told = await Notification.select(Notification.member).where(
        Notification.kind == "waitlist_promoted"
    )
    counts = Counter(row["member"] for row in told)
    assert set(counts.values()) <= {1} and set(counts) <= waited
    held_seats = {m for p in held for m in p["seats"]}
    assert held_seats & waited <= set(counts)
    for person in people:
        await person.http.aclose()


async def test_one_member_racing_for_two_overlapping_shifts_gets_one_place(app_url):
    (member,) = await gather_people(app_url, 1)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=4)
    morning = await insert_shift(starts_at=start, hours=3, pair_slots=2)
    overlapping = await insert_shift(starts_at=start + timedelta(hours=1), pair_slots=2)
    targets = [morning, overlapping, morning, overlapping, morning]
    responses = await asyncio.gather(
        *[member.send("POST", f"/api/shifts/{s}/placements", json={}) for s in targets]
    )

    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    seats = await PlacementMember.select().where(PlacementMember.member == member.id)
    assert len(seats) == 1
    assert await taken(morning) + await taken(overlapping) == 1
    await member.http.aclose()


async def test_two_people_proposing_to_each_other_at_once_make_one_pair(app_url):
    people = await gather_people(app_url, 12)
    couples = list(zip(people[::2], people[1::2], strict=True))
    responses = await asyncio.gather(
        *[one.send("POST", "/api/pairs", json={"partner": two.username}) for one, two in couples],
        *[two.send("POST", "/api/pairs", json={"partner": one.username}) for one, two in couples],
    )
    assert sorted(r.status_code for r in responses) == [201] * 6 + [409] * 6
    for one, two in couples:
        mine = (await one.send("GET", "/api/pairs")).json()
        theirs = (await two.send("GET", "/api/pairs")).json()
        assert len(mine) == 1 and [p["id"] for p in mine] == [p["id"] for p in theirs]
    for person in people:
        await person.http.aclose()

"""Pay rules under parallel requests, over real connections, on both engines."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from coop.tables import Attendance, PayPeriod, Placement, PlacementMember
from tests.support.crowd import Person, gather_people
from tests.support.people import PASSWORD
from tests.support.rows import insert_shift


async def coordinator_sessions(base_url: str, count: int) -> list[Person]:
    sessions = []
    for _ in range(count):
        person = Person(base_url, "maria")
        login = await person.send(
            "POST", "/api/session", json={"username": "maria", "password": PASSWORD}
        )
        assert login.status_code == 200
        sessions.append(person)
    return sessions


async def test_overlapping_periods_created_at_once_make_exactly_one(app_url):
    sessions = await coordinator_sessions(app_url, 8)
    bodies = [
        {"starts_on": f"2026-06-{day:02d}", "ends_on": f"2026-06-{day + 10:02d}"}
        for day in range(1, 9)
    ]
    responses = await asyncio.gather(
        *(s.send("POST", "/api/pay-periods", json=b) for s, b in zip(sessions, bodies, strict=True))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 7
    assert await PayPeriod.count() == 1
    for session in sessions:
        await session.http.aclose()


async def test_closing_while_people_mark_never_locks_in_unapproved_time(app_url):
    people = await gather_people(app_url, 10)
    [coordinator] = await coordinator_sessions(app_url, 1)
    starts = datetime.now(UTC) - timedelta(hours=30)
    shift_id = await insert_shift(starts_at=starts, pair_slots=5)
    for one, two in zip(people[::2], people[1::2], strict=True):
        placement = Placement(shift=shift_id, status="confirmed")
        await placement.save()
        for person in (one, two):
            await PlacementMember.insert(
                PlacementMember(placement=placement.id, shift=shift_id, member=person.id)
            )
    day = starts.date()
    period = await coordinator.send(
        "POST",
        "/api/pay-periods",
        json={
            "starts_on": (day - timedelta(days=2)).isoformat(),
            "ends_on": (day + timedelta(days=2)).isoformat(),
        },
    )
    period_id = period.json()["id"]
    marks = [
        p.send(
            "POST",
            f"/api/shifts/{shift_id}/attendance",
            json={"records": [{"member_id": p.id, "status": "attended"}]},
        )
        for p in people
    ]
    close = coordinator.send("POST", f"/api/pay-periods/{period_id}/close")
    responses = await asyncio.gather(close, *marks)
    assert {r.status_code for r in responses} <= {200, 409}
    closed = responses[0].status_code == 200
    unapproved = await Attendance.count().where(
        (Attendance.shift == shift_id) & (Attendance.approved == False)  # noqa: E712
    )
    marked = sum(1 for r in responses[1:] if r.status_code == 200)
    assert await Attendance.count().where(Attendance.shift == shift_id) == marked
    if closed:
        assert unapproved == 0 and marked == 0
    for person in [*people, coordinator]:
        await person.http.aclose()


async def test_one_person_marked_many_times_at_once_has_one_record(app_url):
    [sam, jo] = await gather_people(app_url, 2, prefix="s")
    coordinators = await coordinator_sessions(app_url, 4)
    shift_id = await insert_shift(starts_at=datetime.now(UTC) - timedelta(hours=3))
    placement = Placement(shift=shift_id, status="confirmed")
    await placement.save()
    for person in (sam, jo):
        await PlacementMember.insert(
            PlacementMember(placement=placement.id, shift=shift_id, member=person.id)
        )
    url = f"/api/shifts/{shift_id}/attendance"
    statuses = ["attended", "excused", "absent"]
    requests = [
        who.send("POST", url, json={"records": [{"member_id": sam.id, "status": statuses[n % 3]}]})
        for n, who in enumerate([sam, *coordinators] * 3)
    ]
    requests += [
        c.send("POST", f"{url}/approve", json={"member_ids": [sam.id]}) for c in coordinators
    ]
    responses = await asyncio.gather(*requests)
    assert {r.status_code for r in responses} <= {200, 400}, [r.text for r in responses]
    assert await Attendance.count().where(Attendance.shift == shift_id) == 1
    history = (await coordinators[0].send("GET", url)).json()[0]["history"]
    assert len(history) >= 1
    # Each change starts from where the one before it ended: nothing was lost in the rush.
    for earlier, later in itertools.pairwise(history):
        assert later["before"] == earlier["after"]
    for person in [sam, jo, *coordinators]:
        await person.http.aclose()

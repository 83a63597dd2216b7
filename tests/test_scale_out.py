"""Two app processes on one PostgreSQL database: sessions, CSRF and capacity hold across them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from tests.support.people import PASSWORD
from tests.support.served import run_coop, served_app


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out is a PostgreSQL set-up")
    return database_url


@contextmanager
def two_servers(database_url: str, layout: str) -> Iterator[tuple[str, str]]:
    """Two ``coop serve`` on two ports, or one ``coop serve --workers 2`` (one port, twice)."""
    with ExitStack() as stack:
        if layout == "two processes":
            first = stack.enter_context(served_app(database_url))
            second = stack.enter_context(served_app(database_url))
        else:
            first = second = stack.enter_context(served_app(database_url, workers=2))
        yield first, second


def _client(base_url: str, **kwargs) -> httpx.AsyncClient:
    # uvicorn drops idle keep-alive connections after 5 s; ours expire sooner, so a burst never
    # reuses a connection the server is closing at that moment (a client-side race).
    return httpx.AsyncClient(
        base_url=base_url, timeout=60, limits=httpx.Limits(keepalive_expiry=1.0), **kwargs
    )


async def _browser(base_url: str) -> httpx.AsyncClient:
    client = _client(base_url)
    await client.get("/login")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


async def _database_state(database_url: str, shift_id: int) -> dict:
    """What PostgreSQL itself holds for the shift: the counter, the placements, the seats."""
    connection = await asyncpg.connect(database_url)
    try:
        taken = await connection.fetchval("SELECT taken_slots FROM shift WHERE id = $1", shift_id)
        rows = await connection.fetch(
            """SELECT p.id, p.status, count(pm.id) AS seats
               FROM placement p LEFT JOIN placement_member pm ON pm.placement = p.id
               WHERE p.shift = $1 GROUP BY p.id, p.status ORDER BY p.id""",
            shift_id,
        )
    finally:
        await connection.close()
    return {
        "taken_slots": taken,
        "seated": sorted(r["seats"] for r in rows if r["status"] != "waitlisted"),
        "statuses": sorted(r["status"] for r in rows if r["status"] != "waitlisted"),
        "waitlisted": [r["seats"] for r in rows if r["status"] == "waitlisted"],
    }


@pytest.mark.parametrize("layout", ["two processes", "one port, two workers"])
async def test_sign_ups_across_two_processes_never_overbook(postgres_url: str, layout: str) -> None:
    run_coop(
        "create-coordinator",
        "maria",
        "--display-name",
        "Maria",
        database_url=postgres_url,
        env={"COOP_PASSWORD": PASSWORD},
    )
    with two_servers(postgres_url, layout) as (first, second):
        coordinator = await _browser(first)
        response = await coordinator.post(
            "/api/session", json={"username": "maria", "password": PASSWORD}
        )
        assert response.status_code == 200

        # The session cookie from one process works on the other, and so does its CSRF token.
        other = _client(second, cookies=coordinator.cookies)
        other.headers["x-csrftoken"] = coordinator.headers["x-csrftoken"]
        assert (await other.get("/api/me")).json()["username"] == "maria"
        starts = datetime.now(UTC) + timedelta(days=3)
        shift = await other.post(
            "/api/shifts",
            json={
                "title": "Weeding for many",
                "kind": "weeding",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "pair_slots": 3,
                "location": "Bed 1",
            },
        )
        assert shift.status_code == 201, shift.text
        shift_id = shift.json()["id"]

        members = []
        for number in range(16):
            invite = await coordinator.post("/api/invites", json={"role": "participant"})
            browser = await _browser(first if number % 2 else second)
            registered = await browser.post(
                "/api/members",
                json={
                    "invite_code": invite.json()["code"],
                    "username": f"member{number}",
                    "password": PASSWORD,
                    "display_name": f"Member {number}",
                },
            )
            assert registered.status_code == 201, registered.text
            members.append(browser)

        responses = await asyncio.gather(
            *(browser.post(f"/api/shifts/{shift_id}/placements", json={}) for browser in members)
        )
        assert [r.status_code for r in responses] == [201] * len(members)
        statuses = [r.json()["status"] for r in responses]
        # Three pair slots hold six solo members: each of the three who opened a slot read
        # "awaiting_partner" when they signed up, and the three who joined them "confirmed".
        assert statuses.count("awaiting_partner") == 3
        assert statuses.count("confirmed") == 3
        assert statuses.count("waitlisted") == 10
        positions = sorted(
            r.json()["waitlist_position"] for r in responses if r.json()["status"] == "waitlisted"
        )
        assert positions == list(range(1, 11))

        final = (await coordinator.get(f"/api/shifts/{shift_id}")).json()
        assert final["open_slots"] == 0
        assert await _database_state(postgres_url, shift_id) == {
            "taken_slots": 3,
            "seated": [2, 2, 2],
            "statuses": ["confirmed"] * 3,
            "waitlisted": [1] * 10,
        }

        # Two seated members and two in line withdraw at once, through both processes:
        # the line moves up into the freed seats, and the shift is never over capacity.
        seated = [m for m, s in zip(members, statuses, strict=True) if s != "waitlisted"]
        line = sorted(
            (r.json()["waitlist_position"], number)
            for number, r in enumerate(responses)
            if r.json()["status"] == "waitlisted"
        )
        waiting = [members[number] for _position, number in line]  # the last two never move up
        leaving = {**dict.fromkeys(seated[:2]), **dict.fromkeys(waiting[-2:])}
        placement_of = {id(m): r.json()["id"] for m, r in zip(members, responses, strict=True)}
        withdrawals = await asyncio.gather(
            *(m.delete(f"/api/placements/{placement_of[id(m)]}") for m in leaving)
        )
        assert [r.status_code for r in withdrawals] == [204] * 4

        staying = [m for m in members if m not in leaving]
        places = await asyncio.gather(*(m.get("/api/me/placements") for m in staying))
        assert all(p.status_code == 200 for p in places)
        mine = [p.json()[0] for p in places]
        assert sorted(v["status"] for v in mine) == ["confirmed"] * 6 + ["waitlisted"] * 6
        assert sorted(v["waitlist_position"] for v in mine if v["waitlist_position"]) == list(
            range(1, 7)
        )
        assert await _database_state(postgres_url, shift_id) == {
            "taken_slots": 3,
            "seated": [2, 2, 2],
            "statuses": ["confirmed"] * 3,
            "waitlisted": [1] * 6,
        }
        assert (await other.get(f"/api/shifts/{shift_id}")).json()["open_slots"] == 0
        for client in [coordinator, other, *members]:
            await client.aclose()

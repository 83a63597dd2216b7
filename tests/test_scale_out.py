"""Two app processes on one PostgreSQL database: sessions, CSRF and capacity hold across them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from conftest import PASSWORD, run_coop, served_app


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out is a PostgreSQL set-up")
    return database_url


async def _browser(base_url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    await client.get("/login")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


async def test_sign_ups_across_two_processes_never_overbook(postgres_url: str) -> None:
    run_coop(
        "create-coordinator",
        "maria",
        "--display-name",
        "Maria",
        database_url=postgres_url,
        env={"COOP_PASSWORD": PASSWORD},
    )
    with served_app(postgres_url) as first, served_app(postgres_url) as second:
        coordinator = await _browser(first)
        response = await coordinator.post(
            "/api/session", json={"username": "maria", "password": PASSWORD}
        )
        assert response.status_code == 200

        # The session cookie from one process works on the other, and so does its CSRF token.
        other = httpx.AsyncClient(base_url=second, timeout=30, cookies=coordinator.cookies)
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
        # Three pair slots hold six solo members (three completed pairs); ten wait in line.
        assert statuses.count("confirmed") + statuses.count("awaiting_partner") == 6
        assert statuses.count("waitlisted") == 10
        positions = sorted(
            r.json()["waitlist_position"] for r in responses if r.json()["status"] == "waitlisted"
        )
        assert positions == list(range(1, 11))

        final = (await coordinator.get(f"/api/shifts/{shift_id}")).json()
        assert final["open_slots"] == 0
        for client in [coordinator, other, *members]:
            await client.aclose()

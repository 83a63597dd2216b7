"""A garden's scene for the browser tests, set through the JSON API of the served app: people,
pairs, shifts and records (``Garden``), and the scene every page check looks at (``furnish``).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from .harness import COORDINATOR, MEMBER, PASSWORD


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


class Garden:
    """People and records for browser tests, made through the JSON API (the UI flows make their
    own). Each method that acts for someone logs in as them (``as_user``, default the coordinator).
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.coordinator = COORDINATOR[0]

    def _send(
        self, method: str, url: str, payload: dict | None = None, log_in_as: str | None = None
    ) -> httpx.Response:
        """Call the API like the app's own pages would: CSRF header, and a session if asked."""
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            client.get("/login")
            headers = {"x-csrftoken": client.cookies["csrftoken"]}
            if log_in_as:
                session = {"username": log_in_as, "password": PASSWORD}
                response = client.post("/api/session", json=session, headers=headers)
                assert response.status_code == 200, response.text
            return client.request(method, url, json=payload, headers=headers)

    def _post(self, url: str, payload: dict, log_in_as: str | None = None) -> httpx.Response:
        return self._send("POST", url, payload, log_in_as)

    def _ok(self, method: str, url: str, payload: dict | None, as_user: str | None) -> Any:
        response = self._send(method, url, payload, as_user or self.coordinator)
        assert response.status_code in (200, 201), f"{method} {url}: {response.text}"
        return response.json()

    def invite(self, role: str = "participant") -> str:
        response = self._post("/api/invites", {"role": role}, log_in_as=self.coordinator)
        assert response.status_code == 201, response.text
        return response.json()["code"]

    def member(self, name: str = "Sam", role: str = "participant", username: str = "") -> str:
        """Register a new member with a fresh invite; return their (unique) username."""
        username = username or unique(name.lower())
        new_member = {
            "invite_code": self.invite(role),
            "username": username,
            "password": PASSWORD,
            "display_name": name,
        }
        response = self._post("/api/members", new_member)
        assert response.status_code == 201, response.text
        return username

    def pair(self, one: str, other: str) -> int:
        """``one`` proposes, ``other`` accepts: an active pair; returns its id."""
        pair = self._ok("POST", "/api/pairs", {"partner": other}, one)
        self._ok("POST", f"/api/pairs/{pair['id']}/accept", None, other)
        return pair["id"]

    def shift(
        self,
        title: str = "Morning weeding",
        kind: str = "weeding",
        days_ahead: float = 1,
        hours: float = 2,
        pair_slots: int = 2,
    ) -> int:
        """A single shift, planned by the coordinator; returns its id."""
        starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        starts += timedelta(days=days_ahead)
        shift = {
            "title": title,
            "kind": kind,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=hours)).isoformat(),
            "pair_slots": pair_slots,
            "location": "Bed 2",
        }
        return self._ok("POST", "/api/shifts", shift, None)["id"]

    def start_now(self, shift_id: int) -> None:
        """Move a shift so that it began an hour ago (the coordinator's edit)."""
        starts = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        times = {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
        }
        self._ok("PATCH", f"/api/shifts/{shift_id}", times, None)

    def sign_up(self, username: str, shift_id: int, pair_id: int | None = None) -> dict:
        choice = {"pair_id": pair_id} if pair_id else {}
        return self._ok("POST", f"/api/shifts/{shift_id}/placements", choice, username)

    def record(self, what: str, payload: dict, as_user: str | None = None) -> dict:
        """POST /api/<what> (beds, crops, harvests, products, batches, sales); the new record."""
        return self._ok("POST", f"/api/{what}", payload, as_user)


def furnish(garden: Garden) -> dict[str, Any]:
    """What the page checks look at: the member ``sam`` paired with the coordinator, the pair
    on an upcoming shift and on one under way, a crop, a bed, a harvest, a product and a sale."""
    member = garden.member(MEMBER[1], username=MEMBER[0])
    pair = garden.pair(garden.coordinator, member)
    shift = garden.shift("Thursday harvest", kind="harvesting", days_ahead=1, pair_slots=3)
    garden.sign_up(member, shift, pair)
    garden.sign_up(garden.member("Jo"), shift)  # a solo member waiting for a partner
    started = garden.shift("Strawberry picking", kind="harvesting", days_ahead=0.5)
    garden.sign_up(member, started, pair)
    garden.start_now(started)
    crop = garden.record("crops", {"name": "Strawberry", "variety": "Albion"})
    bed = garden.record("beds", {"name": "Bed 1", "size": "4 × 8 ft"})
    today = datetime.now(ZoneInfo(os.environ.get("COOP_TIMEZONE", "America/Chicago")))
    today = today.date().isoformat()
    harvest = {"crop_id": crop["id"], "bed_id": bed["id"], "shift_id": started}
    harvest |= {"harvested_on": today, "quantity": "3.25", "unit": "kg"}
    picked = garden.record("harvests", harvest, as_user=member)
    product = garden.record("products", {"name": "Strawberry-basil pop", "price_cents": 350})
    line = {"crop_id": crop["id"], "quantity": "3.25", "unit": "kg", "harvest_ids": [picked["id"]]}
    batch = {"product_id": product["id"], "made_on": today, "quantity": 120}
    lot = garden.record("batches", {**batch, "produce_used": [line]})["lot_code"]
    sale = {"product_id": product["id"], "sold_on": today, "quantity": 24, "channel": "market"}
    garden.record("sales", {**sale, "lot_code": lot, "payment": "card"})
    # A past pay period (far from any the flows create), for the pay pages.
    period = garden._ok(
        "POST", "/api/pay-periods", {"starts_on": "2025-06-01", "ends_on": "2025-06-14"}, None
    )
    return {"shift": shift, "started": started, "period": period["id"], "lot": lot}

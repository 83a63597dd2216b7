"""Helpers for the seed-to-sale tests: a stocked garden, and shifts inserted directly.

The shift and attendance APIs are built in parallel by other engineers, so tests that need
hours or shift fill insert those rows with Piccolo inside the app's own event loop.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from coop.tables import Attendance, Pair, Placement, PlacementMember, Shift, ShiftKind


async def stock_garden(coordinator: Any) -> dict[str, int]:
    """A bed, two crops and a pop, created through the API as a coordinator would."""
    ids = {}
    for key, url, body in [
        ("bed", "/api/beds", {"name": "North bed", "size": "4 x 1 m"}),
        ("strawberries", "/api/crops", {"name": "Strawberries", "default_unit": "kg"}),
        ("basil", "/api/crops", {"name": "Basil", "variety": "Genovese", "default_unit": "bunch"}),
        ("pop", "/api/products", {"name": "Strawberry-basil pop", "price_cents": 350}),
    ]:
        response = await coordinator.post(url, json=body)
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    return ids


def insert_shift_directly(
    client: Any,
    *,
    starts_at: datetime,
    hours: float = 2,
    kind: str = "harvesting",
    pair_slots: int = 2,
    taken_slots: int = 0,
    status: str = "scheduled",
) -> int:
    """Insert a shift row straight into the database (no shift API needed)."""

    async def insert() -> int:
        kind_id = await ShiftKind.select(ShiftKind.id).where(ShiftKind.slug == kind).first()
        shift = Shift(
            title=f"{kind.capitalize()} shift",
            kind=kind_id["id"],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            pair_slots=pair_slots,
            taken_slots=taken_slots,
            status=status,
        )
        await shift.save()
        return shift.id

    return client.blocking_portal.call(insert)


def insert_attendance_directly(
    client: Any, shift_id: int, member_id: int, status: str, approved: bool = True
) -> None:
    """A coordinator-approved mark by default: only approved time counts as hours."""

    async def insert() -> None:
        await Attendance.insert(
            Attendance(shift=shift_id, member=member_id, status=status, approved=approved)
        )

    client.blocking_portal.call(insert)


def place_pair_directly(client: Any, shift_id: int, member_ids: list[int]) -> int:
    """Make two members an active pair and place them together on a shift; return the pair."""

    async def insert() -> int:
        low, high = sorted(member_ids)
        pair = Pair(member_a=low, member_b=high, proposed_by=low, status="active")
        await pair.save()
        placement = Placement(shift=shift_id, status="confirmed", pair=pair.id)
        await placement.save()
        for member_id in member_ids:
            await PlacementMember.insert(
                PlacementMember(placement=placement.id, shift=shift_id, member=member_id)
            )
        return pair.id

    return client.blocking_portal.call(insert)


def at(day: str, hour: int = 14) -> datetime:
    """A UTC instant on a summer day (14:00 UTC is 9:00 in Madison)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)

"""Rows straight into the database, for scenes the API cannot make (a shift in the past, a
season already worked), and ``in_app``, which runs such work in the app's own event loop.

The app under Litestar's test client runs in another thread with its own loop and engine, so a
query must run there: ``in_app(client, work)``. ``Rows(client)`` is the one way to insert rows.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from coop.members.credentials import new_secret_token
from coop.tables import Attendance, Member, Pair, Placement, PlacementMember, Shift, ShiftKind


def in_app(client: AsyncTestClient, work: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``work(*args, **kwargs)`` (a coroutine function) or await ``work`` (a query) in the
    app's loop, and return the result."""

    async def run() -> Any:
        result = work(*args, **kwargs) if callable(work) else work
        return await result if inspect.isawaitable(result) else result

    return client.blocking_portal.call(run)


HARVEST_SHIFT = {"kind": "harvesting", "title": "Harvesting shift", "location": "", "pair_slots": 2}


def at(day: str, hour: int = 14) -> datetime:
    """A UTC instant on a summer day (14:00 UTC is 9:00 in Madison)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


async def insert_shift(**fields: Any) -> int:
    """Insert a Shift row on the current loop's engine; defaults: a weeding shift in two days."""
    kind = (
        await ShiftKind.select(ShiftKind.id)
        .where(ShiftKind.slug == fields.pop("kind", "weeding"))
        .first()
    )
    starts_at = fields.pop("starts_at", None) or (
        datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    )
    hours = fields.pop("hours", 2)
    values = {
        "title": "Weeding the herb beds",
        "location": "Bed 3",
        "pair_slots": 1,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        **fields,
    }
    shift = Shift(kind=kind["id"], **values)
    await shift.save()
    return shift.id


class Rows:
    """Insert and change rows inside the app's loop, the way the services would leave them.

    ``Rows(client, **shift_defaults)`` sets what every ``shift()`` of a test has in common.
    """

    def __init__(self, client: AsyncTestClient, **shift_defaults: Any) -> None:
        self.client = client
        self.shift_defaults = shift_defaults

    def shift(self, starts_at: datetime | None = None, hours: float = 2, **fields: Any) -> int:
        """A shift (``insert_shift``'s defaults, then this test's), returning its id."""
        values = {**self.shift_defaults, "starts_at": starts_at, "hours": hours, **fields}
        if values.get("ends_at") is None:
            values.pop("ends_at", None)
        return in_app(self.client, insert_shift, **values)

    def change_shift(self, shift_id: int, **values: Any) -> None:
        """Change a shift as an edit does: bump its sequence and updated_at."""
        columns = {getattr(Shift, name): value for name, value in values.items()}
        columns[Shift.sequence] = Shift.sequence + 1
        columns[Shift.updated_at] = datetime.now(UTC)
        in_app(self.client, Shift.update(columns).where(Shift.id == shift_id))

    def move_shift(self, shift_id: int, starts_at: datetime, hours: float = 2) -> None:
        """Let time pass: the shift now starts at ``starts_at`` (not an edit: no new sequence)."""
        times = {Shift.starts_at: starts_at, Shift.ends_at: starts_at + timedelta(hours=hours)}
        in_app(self.client, Shift.update(times).where(Shift.id == shift_id))

    def place(
        self,
        shift_id: int,
        *member_ids: int,
        status: str = "confirmed",
        pair: int | None = None,
        take_slot: bool | None = None,
    ) -> int:
        """Place members on a shift in one slot; the placement id. The slot is taken (the
        shift's ``taken_slots`` counter) unless waitlisted, or as ``take_slot`` says."""

        takes = status != "waitlisted" if take_slot is None else take_slot

        async def insert() -> int:
            placement = Placement(shift=shift_id, status=status, pair=pair)
            await placement.save()
            for member_id in member_ids:
                await PlacementMember.insert(
                    PlacementMember(placement=placement.id, shift=shift_id, member=member_id)
                )
            if takes:
                await Shift.update({Shift.taken_slots: Shift.taken_slots + 1}).where(
                    Shift.id == shift_id
                )
            return placement.id

        return in_app(self.client, insert)

    def pair(self, one: int, two: int, status: str = "active") -> tuple[int, str]:
        """A pair with its calendar token, as the pairs service sets it: (id, token)."""

        async def insert() -> tuple[int, str]:
            token, digest = new_secret_token()
            a, b = sorted((one, two))
            pair = Pair(
                member_a=a,
                member_b=b,
                proposed_by=one,
                status=status,
                calendar_token=token,
                calendar_token_hash=digest,
            )
            await pair.save()
            return pair.id, token

        return in_app(self.client, insert)

    def place_pair(self, shift_id: int, one: int, two: int, take_slot: bool = True) -> int:
        """Make two members an active pair and place them together on a shift; the pair's id."""
        pair_id, _token = self.pair(one, two)
        self.place(shift_id, one, two, pair=pair_id, take_slot=take_slot)
        return pair_id

    def end_pair(self, pair_id: int) -> None:
        in_app(self.client, Pair.update({Pair.status: "ended"}).where(Pair.id == pair_id))

    def attendance(self, shift_id: int, member_id: int, status: str, approved: bool = True) -> None:
        """A mark, coordinator-approved by default: only approved time counts as hours."""
        row = Attendance(shift=shift_id, member=member_id, status=status, approved=approved)
        in_app(self.client, Attendance.insert(row))

    def shift_row(self, shift_id: int) -> dict[str, Any]:
        return in_app(self.client, Shift.select().where(Shift.id == shift_id).first())

    def member_token(self, member_id: int) -> str:
        query = Member.select(Member.calendar_token).where(Member.id == member_id).first()
        return in_app(self.client, query)["calendar_token"]

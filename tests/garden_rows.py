"""Shifts, placements and pairs written straight into the database, for the feed tests.

The shift and pair APIs are built in parallel on other branches; until they land, tests put the
rows there themselves, inside the app's own event loop (its engine, its connections).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from coop.members.credentials import new_secret_token
from coop.tables import Member, Pair, Placement, PlacementMember, Shift, ShiftKind


class GardenRows:
    """Insert and change rows the way the shift and pair services will."""

    def __init__(self, client: AsyncTestClient) -> None:
        self.client = client

    def run(self, work: Any) -> Any:
        return self.client.blocking_portal.call(work)

    def shift(
        self,
        starts_at: datetime,
        hours: float = 2,
        *,
        title: str = "Weeding",
        kind: str = "weeding",
        location: str = "North beds",
        notes: str = "",
        pair_slots: int = 2,
        status: str = "scheduled",
        cancel_reason: str = "",
        ends_at: datetime | None = None,
    ) -> int:
        async def insert() -> int:
            kind_id = await ShiftKind.select(ShiftKind.id).where(ShiftKind.slug == kind).first()
            shift = Shift(
                title=title,
                kind=kind_id["id"],
                starts_at=starts_at,
                ends_at=ends_at or starts_at + timedelta(hours=hours),
                location=location,
                notes=notes,
                pair_slots=pair_slots,
                status=status,
                cancel_reason=cancel_reason,
            )
            await shift.save()
            return shift.id

        return self.run(insert)

    def change_shift(self, shift_id: int, **values: Any) -> None:
        """Change a shift as an edit does: bump its sequence and updated_at."""

        async def update() -> None:
            columns = {getattr(Shift, name): value for name, value in values.items()}
            columns[Shift.sequence] = Shift.sequence + 1
            columns[Shift.updated_at] = datetime.now(UTC)
            await Shift.update(columns).where(Shift.id == shift_id)

        self.run(update)

    def place(
        self, shift_id: int, *member_ids: int, status: str = "confirmed", pair: int | None = None
    ) -> int:
        async def insert() -> int:
            placement = Placement(shift=shift_id, status=status, pair=pair)
            await placement.save()
            for member_id in member_ids:
                await PlacementMember.insert(
                    PlacementMember(placement=placement.id, shift=shift_id, member=member_id)
                )
            if status != "waitlisted":
                await Shift.update({Shift.taken_slots: Shift.taken_slots + 1}).where(
                    Shift.id == shift_id
                )
            return placement.id

        return self.run(insert)

    def pair(self, one: int, two: int, status: str = "active") -> tuple[int, str]:
        """An active pair with its calendar token, as the pairs service sets it."""

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

        return self.run(insert)

    def end_pair(self, pair_id: int) -> None:
        async def update() -> None:
            await Pair.update({Pair.status: "ended"}).where(Pair.id == pair_id)

        self.run(update)

    def shift_row(self, shift_id: int) -> dict[str, Any]:
        async def select() -> dict[str, Any]:
            return await Shift.select().where(Shift.id == shift_id).first()

        return self.run(select)

    def member_token(self, member_id: int) -> str:
        async def select() -> str:
            row = await Member.select(Member.calendar_token).where(Member.id == member_id).first()
            return row["calendar_token"]

        return self.run(select)

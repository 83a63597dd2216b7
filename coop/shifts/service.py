"""Paired shifts: placements, waitlist and the rules that guard them."""

from __future__ import annotations

from coop.tables import Placement, PlacementMember


async def release_member(member_id: int) -> None:
    """Free every place a closing account holds (runs inside the caller's transaction)."""
    placement_ids = (
        await PlacementMember.select(PlacementMember.placement)
        .where(PlacementMember.member == member_id)
        .output(as_list=True)
    )
    await PlacementMember.delete().where(PlacementMember.member == member_id)
    if placement_ids:
        await Placement.delete().where(Placement.id.is_in(placement_ids))

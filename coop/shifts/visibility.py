"""Who may see what of the schedule: rosters' names, contacts, and members-only mode.

Names on a roster are for logged-in members. A contact is shown to the partners of an active
pair, and only when its owner ticked "share with partners"; coordinators see every contact (the
garden needs to reach people). ``COOP_SEASON_FEED_PUBLIC=0`` makes the whole schedule, pages,
JSON and feeds alike, members-only.
"""

from __future__ import annotations

from typing import Any

from coop.settings import Settings
from coop.tables import Member, Pair


def may_see_schedule(settings: Settings, viewer: Member | None) -> bool:
    return settings.season_feed_public or viewer is not None


async def active_partner_ids(member_id: int) -> set[int]:
    rows = await Pair.select(Pair.member_a, Pair.member_b).where(
        ((Pair.member_a == member_id) | (Pair.member_b == member_id)) & (Pair.status == "active")
    )
    return {r["member_b"] if r["member_a"] == member_id else r["member_a"] for r in rows}


async def contacts_for(viewer: Member | None, member_ids: set[int]) -> dict[int, str]:
    """The contacts ``viewer`` may read among ``member_ids``: {member id: contact}."""
    if viewer is None or not member_ids:
        return {}
    if viewer.role != "coordinator":
        member_ids = member_ids & await active_partner_ids(viewer.id)
        if not member_ids:
            return {}
    rows = await Member.select(Member.id, Member.contact, Member.share_contact).where(
        Member.id.is_in(sorted(member_ids)) & (Member.id != viewer.id)
    )
    return {
        row["id"]: row["contact"]
        for row in rows
        if row["contact"] and (row["share_contact"] or viewer.role == "coordinator")
    }


async def roster_for(viewer: Member | None, slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The slots as ``viewer`` may see them: names for members, counts only for visitors, and
    each person's contact where ``viewer`` may read it."""
    if viewer is None:
        return [
            {**slot, "members": [{"id": None, "display_name": ""} for _m in slot["members"]]}
            for slot in slots
        ]
    people = {m["id"] for slot in slots for m in slot["members"]}
    contacts = await contacts_for(viewer, people)
    return [
        {
            **slot,
            "members": [{**m, "contact": contacts.get(m["id"], "")} for m in slot["members"]],
        }
        for slot in slots
    ]

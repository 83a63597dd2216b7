"""What each change tells whom: one function per kind of event, called inside its transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from coop.formatting import when
from coop.i18n import _
from coop.notices.service import Notice, coordinators, tell, tell_everyone_on
from coop.tables import Member, PlacementMember, Shift

LATE_WITHDRAWAL = timedelta(hours=48)


def shift_url(shift_id: int) -> str:
    return f"/shifts/{shift_id}"


async def _names(ids: list[int]) -> dict[int, str]:
    rows = await Member.select(Member.id, Member.display_name).where(Member.id.is_in(ids))
    return {row["id"]: row["display_name"] for row in rows}


async def _people_on(shift_ids: list[int]) -> list[dict]:
    """Everyone with a place on these shifts (held or waiting in line)."""
    return await PlacementMember.select(PlacementMember.shift, PlacementMember.member).where(
        PlacementMember.shift.is_in(shift_ids)
    )


async def shifts_cancelled(shift_ids: list[int], reason: str, zone: ZoneInfo) -> int:
    """shift_cancelled to everyone placed on each shift (one shift or a whole day)."""
    if not shift_ids:
        return 0
    shifts = {
        row["id"]: row
        for row in await Shift.select(Shift.id, Shift.title, Shift.starts_at).where(
            Shift.id.is_in(shift_ids)
        )
    }
    reason = reason.strip()

    def say(shift_id: int) -> str:
        shift = shifts[shift_id]
        values = {"title": shift["title"], "when": when(shift["starts_at"], zone)}
        if reason:
            return _("%(title)s on %(when)s is cancelled: %(reason)s.", reason=reason, **values)
        return _("%(title)s on %(when)s is cancelled.", **values)

    return await tell_everyone_on(sorted(shifts), "shift_cancelled", say)


async def shift_changed(before: dict, after: dict, zone: ZoneInfo) -> int:
    """shift_changed to everyone placed, when the time or place moved."""
    moved = any(before[name] != after[name] for name in ("starts_at", "ends_at", "location"))
    if not moved:
        return 0

    def say() -> str:
        place = after["location"] or _("the garden")
        return _(
            "%(title)s has changed: it is now %(when)s at %(place)s.",
            title=after["title"],
            when=when(after["starts_at"], zone),
            place=place,
        )

    return await tell(
        Notice(
            member_id=row["member"],
            kind="shift_changed",
            dedupe_key=f"shift_changed:{after['id']}:{after['sequence']}:{row['member']}",
            say=say,
            url=shift_url(after["id"]),
        )
        for row in await _people_on([after["id"]])
    )


async def waitlist_promoted(entry_id: int, members: list[int], shift: dict, zone: ZoneInfo) -> int:
    """waitlist_promoted to each person of a waitlist entry that just got a place."""

    def say() -> str:
        return _(
            "A place opened up: you're now signed up for %(title)s on %(when)s.",
            title=shift["title"],
            when=when(shift["starts_at"], zone),
        )

    return await tell(
        Notice(
            member_id=member_id,
            kind="waitlist_promoted",
            dedupe_key=f"waitlist_promoted:{entry_id}:{member_id}",
            say=say,
            url=shift_url(shift["id"]),
        )
        for member_id in members
    )


async def partner_joined(seat_id: int, joiner: int, waiting: list[int], shift: dict, zone) -> int:
    """partner_joined to whoever waited in a slot someone just completed."""
    name = (await _names([joiner])).get(joiner, "")

    def say() -> str:
        return _(
            "%(name)s will be your partner for %(title)s on %(when)s.",
            name=name,
            title=shift["title"],
            when=when(shift["starts_at"], zone),
        )

    return await tell(
        Notice(
            member_id=member_id,
            kind="partner_joined",
            dedupe_key=f"partner_joined:{seat_id}:{member_id}",
            say=say,
            url=shift_url(shift["id"]),
        )
        for member_id in waiting
    )


async def partner_left(
    seat_id: int, leaver: int, remaining: list[int], shift: dict, chosen: bool, zone
) -> int:
    """partner_left to whoever stays; a chosen partner's place waits for their own choice."""
    name = (await _names([leaver])).get(leaver, "")

    def say() -> str:
        values = {"name": name, "title": shift["title"], "when": when(shift["starts_at"], zone)}
        if chosen:
            return _(
                "%(name)s withdrew from %(title)s on %(when)s. Your place is still yours, and "
                "nobody will be put beside you without your say: on the shift's page you can ask "
                "to be matched with anyone, sign up with another partner, or withdraw.",
                **values,
            )
        return _(
            "%(name)s withdrew from %(title)s on %(when)s. Your place is still yours; the next "
            "person who signs up will be your partner.",
            **values,
        )

    return await tell(
        Notice(
            member_id=member_id,
            kind="partner_left",
            dedupe_key=f"partner_left:{seat_id}:{member_id}",
            say=say,
            url=shift_url(shift["id"]),
        )
        for member_id in remaining
    )


async def late_withdrawal(seat_id: int, leaver: int, shift: dict, zone) -> int:
    """coordinator_alert: a withdrawal less than 48 hours before the shift."""
    now = datetime.now(UTC)
    if shift["status"] != "scheduled" or not now < shift["starts_at"] < now + LATE_WITHDRAWAL:
        return 0
    name = (await _names([leaver])).get(leaver, "")

    def say() -> str:
        return _(
            "%(name)s withdrew from %(title)s on %(when)s, less than 48 hours before it starts.",
            name=name,
            title=shift["title"],
            when=when(shift["starts_at"], zone),
        )

    return await tell(
        Notice(
            member_id=coordinator,
            kind="coordinator_alert",
            dedupe_key=f"late_withdrawal:{seat_id}:{coordinator}",
            say=say,
            url=shift_url(shift["id"]),
        )
        for coordinator in await coordinators()
    )


async def pair_proposed(pair_id: int, proposer: int, partner: int) -> int:
    name = (await _names([proposer])).get(proposer, "")

    def say() -> str:
        return _(
            "%(name)s would like to be partners. You can say yes or no on your pairs page.",
            name=name,
        )

    return await tell([Notice(partner, "pair_proposed", f"pair_proposed:{pair_id}", say, "/pairs")])


async def pair_accepted(pair_id: int, accepter: int, proposer: int) -> int:
    name = (await _names([accepter])).get(accepter, "")

    def say() -> str:
        return _("%(name)s said yes: you're partners now.", name=name)

    return await tell(
        [Notice(proposer, "pair_accepted", f"pair_accepted:{pair_id}", say, "/pairs")]
    )

"""Paired shifts: placements, waitlist and the moves between them.

Every change runs in one ``writing()`` transaction under ``lock_placements()``; the slot
counter on the shift is still taken with a conditional UPDATE, so capacity holds even if a
future path forgets the lock. The rules themselves live in ``coop.shifts.rules``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from coop.db import reading, writing
from coop.errors import Conflict, DomainError, NotFound
from coop.i18n import _
from coop.notices import events
from coop.pairs.service import active_partners
from coop.pay import service as pay
from coop.shifts import attendance, rules
from coop.shifts.listing import get_shift
from coop.tables import Member, Pair, Placement, PlacementMember, Shift
from coop.vocabulary import PairStatus, PlacementStatus, ShiftStatus


class ShiftFull(Conflict):
    """No pair slot is free (a sign-up then joins the waitlist instead)."""


async def _take_slot(shift_id: int) -> bool:
    """Claim one pair slot if one is free; PostgreSQL re-checks the WHERE after waiting.

    A new roster is a change, so the same UPDATE moves ``updated_at`` (see _roster_changed).
    """
    rows = (
        await Shift.update(
            {Shift.taken_slots: Shift.taken_slots + 1, Shift.updated_at: datetime.now(UTC)}
        )
        .where((Shift.id == shift_id) & (Shift.taken_slots < Shift.pair_slots))
        .returning(Shift.id)
    )
    return bool(rows)


async def _free_slot(shift_id: int) -> None:
    await Shift.update({Shift.taken_slots: Shift.taken_slots - 1}).where(
        (Shift.id == shift_id) & (Shift.taken_slots > 0)
    )


async def _roster_changed(shift_id: int) -> None:
    """Calendars and pages cache on ``updated_at``: a new roster is a change."""
    await Shift.update({Shift.updated_at: datetime.now(UTC)}).where(Shift.id == shift_id)


async def _new_placement(
    shift_id: int, status: str, member_ids: list[int], pair_id=None, open_to_anyone=True
) -> int:
    now = datetime.now(UTC)
    placement = Placement(
        shift=shift_id,
        status=status,
        pair=pair_id,
        created_at=now,
        updated_at=now,
        open_to_anyone=open_to_anyone,
    )
    await placement.save()
    for member_id in member_ids:
        await PlacementMember.insert(
            PlacementMember(placement=placement.id, shift=shift_id, member=member_id)
        )
    return placement.id


async def _set_status(placement_id: int, status: str, pair_id=None) -> None:
    await Placement.update(
        {Placement.status: status, Placement.pair: pair_id, Placement.updated_at: datetime.now(UTC)}
    ).where(Placement.id == placement_id)


async def _seats(placement_id: int) -> list[int]:
    return (
        await PlacementMember.select(PlacementMember.member)
        .where(PlacementMember.placement == placement_id)
        .order_by(PlacementMember.id)
        .output(as_list=True)
    )


async def _active_partner(pair_id: int, member_id: int) -> int:
    pair = await Pair.select().where(Pair.id == pair_id).first()
    if pair is None or member_id not in (pair["member_a"], pair["member_b"]):
        raise rules.NotPartners(_("You can only sign up together with one of your own partners."))
    if pair["status"] != PairStatus.ACTIVE:
        raise rules.NotPartners(
            _("That pair isn't active, so you can't sign up together. You can sign up on your own.")
        )
    return pair["member_b"] if pair["member_a"] == member_id else pair["member_a"]


async def sign_up(
    shift_id: int, member_id: int, zone: ZoneInfo, pair_id: int | None = None
) -> dict:
    """Place a member (or a pair together): complete, open, or join the waitlist."""
    async with writing():
        await rules.lock_placements()
        shift = await get_shift(shift_id)
        rules.ensure_open(shift)
        members = [member_id]
        if pair_id is not None:
            members.append(await _active_partner(pair_id, member_id))
        await rules.ensure_not_placed(members, shift_id, me=member_id)
        await rules.check_fits(members, shift, zone, me=member_id)
        if pair_id is not None:
            if await _take_slot(shift_id):
                placement_id = await _new_placement(
                    shift_id, PlacementStatus.CONFIRMED, members, pair_id
                )
            else:
                placement_id = await _new_placement(
                    shift_id, PlacementStatus.WAITLISTED, members, pair_id
                )
            return await placement_view(placement_id)
        awaiting = await _oldest_awaiting(shift_id)
        if awaiting is not None:
            waiting = await _seats(awaiting)
            seat = await PlacementMember.insert(
                PlacementMember(placement=awaiting, shift=shift_id, member=member_id)
            ).returning(PlacementMember.id)
            await _set_status(awaiting, PlacementStatus.CONFIRMED)
            await _roster_changed(shift_id)
            await events.partner_joined(seat[0]["id"], member_id, waiting, shift, zone)
            placement_id = awaiting
        elif await _take_slot(shift_id):
            placement_id = await _new_placement(shift_id, PlacementStatus.AWAITING_PARTNER, members)
        else:
            placement_id = await _new_placement(shift_id, PlacementStatus.WAITLISTED, members)
        return await placement_view(placement_id)


async def _oldest_awaiting(shift_id: int) -> int | None:
    """The oldest place waiting for a partner that its holder opened to anyone."""
    row = (
        await Placement.select(Placement.id)
        .where(
            (Placement.shift == shift_id) & (Placement.status == PlacementStatus.AWAITING_PARTNER)
        )
        .where(Placement.open_to_anyone.eq(True))
        .order_by(Placement.created_at)
        .order_by(Placement.id)
        .first()
    )
    return row["id"] if row else None


async def _waiting(shift_id: int) -> list[dict]:
    return (
        await Placement.select(Placement.id, Placement.pair, Placement.open_to_anyone)
        .where((Placement.shift == shift_id) & (Placement.status == PlacementStatus.WAITLISTED))
        .order_by(Placement.id)
    )


async def withdraw(placement_id: int, member_id: int, zone: ZoneInfo) -> None:
    """The caller leaves their place; no reason asked. Freed room goes to the waitlist."""
    async with writing():
        await rules.lock_placements()
        placement = await Placement.select().where(Placement.id == placement_id).first()
        seats = await _seats(placement_id) if placement else []
        if placement is None or member_id not in seats:
            raise NotFound(_("We couldn't find that place. Perhaps you've already withdrawn."))
        shift = await get_shift(placement["shift"])
        if shift["status"] == ShiftStatus.SCHEDULED and shift["starts_at"] <= datetime.now(UTC):
            raise rules.ShiftClosed(
                _("That shift has already started, so its roster stays as it was.")
            )
        await _leave(placement, seats, member_id, shift, zone)
        await _promote(shift, zone)


async def _leave(
    placement: dict, seats: list[int], member_id: int, shift: dict, zone: ZoneInfo
) -> None:
    """Remove one member's seat; the partner keeps the slot (or the place in line).

    A partner chosen together leaves a place that waits for its holder's own choice
    (``open_to_anyone`` false): nobody is seated beside them without their say.
    """
    seat = await (
        PlacementMember.delete()
        .where(
            (PlacementMember.placement == placement["id"]) & (PlacementMember.member == member_id)
        )
        .returning(PlacementMember.id)
    )
    seat_id = seat[0]["id"] if seat else 0
    remaining = [seat for seat in seats if seat != member_id]
    chosen = placement["pair"] is not None or not placement["open_to_anyone"]
    if remaining:
        await events.partner_left(seat_id, member_id, remaining, shift, chosen, zone)
        await Placement.update({Placement.open_to_anyone: not chosen}).where(
            Placement.id == placement["id"]
        )
    if placement["status"] == PlacementStatus.WAITLISTED:
        if remaining:
            await _set_status(placement["id"], PlacementStatus.WAITLISTED)
        else:
            await Placement.delete().where(Placement.id == placement["id"])
        return
    await events.late_withdrawal(seat_id, member_id, shift, zone)
    if remaining:
        await _set_status(placement["id"], PlacementStatus.AWAITING_PARTNER)
    else:
        await Placement.delete().where(Placement.id == placement["id"])
        await _free_slot(placement["shift"])
    await _roster_changed(placement["shift"])


async def _promote(shift: dict, zone: ZoneInfo) -> None:
    """Hand freed room to the first waiting entries that fit, in order of arrival.

    ``shift`` was read in this transaction, under the placement lock: its times and status
    are current (only ``taken_slots`` moves here, and the conditional UPDATE reads that itself).
    """
    if shift["status"] != ShiftStatus.SCHEDULED or shift["starts_at"] <= datetime.now(UTC):
        return
    changed = True
    while changed:
        changed = False
        awaiting = await _oldest_awaiting(shift["id"])
        if awaiting is not None:
            for entry in await _waiting(shift["id"]):
                if not entry["open_to_anyone"]:
                    continue  # left by their partner: they join nobody without saying so
                seats = await _seats(entry["id"])
                if len(seats) == 1 and await rules.fits(seats, shift, zone):
                    waiting = await _seats(awaiting)
                    moved = await (
                        PlacementMember.update({PlacementMember.placement: awaiting})
                        .where(PlacementMember.placement == entry["id"])
                        .returning(PlacementMember.id)
                    )
                    await Placement.delete().where(Placement.id == entry["id"])
                    await _set_status(awaiting, PlacementStatus.CONFIRMED)
                    await events.waitlist_promoted(entry["id"], seats, shift, zone)
                    await events.partner_joined(moved[0]["id"], seats[0], waiting, shift, zone)
                    changed = True
                    break
            if changed:
                await _roster_changed(shift["id"])
                continue
        for entry in await _waiting(shift["id"]):
            seats = await _seats(entry["id"])
            if not await rules.fits(seats, shift, zone):
                continue
            if not await _take_slot(shift["id"]):
                break
            status = (
                PlacementStatus.CONFIRMED if len(seats) == 2 else PlacementStatus.AWAITING_PARTNER
            )
            await _set_status(entry["id"], status, entry["pair"])
            await events.waitlist_promoted(entry["id"], seats, shift, zone)
            changed = True
            break


async def release_member(member_id: int, zone: ZoneInfo) -> None:
    """Withdraw a closing account from upcoming places, so slots and the line move on.

    Runs inside close_account's transaction; ``zone`` is the garden's (the pace rule during
    promotions reads weeks in it).
    """
    async with writing():
        await rules.lock_placements()
        placement_ids = (
            await PlacementMember.select(PlacementMember.placement)
            .where(PlacementMember.member == member_id)
            .output(as_list=True)
        )
        now = datetime.now(UTC)
        for placement_id in placement_ids:
            placement = await Placement.select().where(Placement.id == placement_id).first()
            shift = await get_shift(placement["shift"])
            if shift["starts_at"] <= now:
                continue  # past rosters stay as they were; the seat goes with the account
            await _leave(placement, await _seats(placement_id), member_id, shift, zone)
            await _promote(shift, zone)


# --- reading placements -------------------------------------------------------------------


async def waitlist_position(placement: dict) -> int | None:
    if placement["status"] != PlacementStatus.WAITLISTED:
        return None
    ahead = await Placement.count().where(
        (Placement.shift == placement["shift"])
        & (Placement.status == PlacementStatus.WAITLISTED)
        & (Placement.id <= placement["id"])
    )
    return ahead


async def _seat_rows(placement_id: int) -> list[dict]:
    """The seats of a placement with each member's name, in one query (a join)."""
    return (
        await PlacementMember.select(
            PlacementMember.member,
            PlacementMember.member.display_name.as_alias("display_name"),
        )
        .where(PlacementMember.placement == placement_id)
        .order_by(PlacementMember.id)
    )


async def placement_view(placement_id: int) -> dict:
    placement = await Placement.select().where(Placement.id == placement_id).first()
    if placement is None:
        raise NotFound(_("We couldn't find that place."))
    seats = await _seat_rows(placement_id)
    return {
        "id": placement["id"],
        "shift_id": placement["shift"],
        "status": placement["status"],
        "pair_id": placement["pair"],
        "open_to_anyone": placement["open_to_anyone"],
        "members": [{"id": r["member"], "display_name": r["display_name"] or ""} for r in seats],
        "waitlist_position": await waitlist_position(placement),
    }


async def member_placements(member_id: int, upcoming: bool = True) -> list[dict]:
    """The member's places (soonest shift first), each with its shift."""
    placement_ids = (
        await PlacementMember.select(PlacementMember.placement)
        .where(PlacementMember.member == member_id)
        .output(as_list=True)
    )
    if not placement_ids:
        return []
    query = Placement.select(Placement.id, Placement.shift.starts_at.as_alias("starts_at")).where(
        Placement.id.is_in(placement_ids)
    )
    if upcoming:
        query = query.where(Placement.shift.ends_at > datetime.now(UTC))
    rows = await query.order_by(Placement.shift.starts_at)
    return [await placement_view(row["id"]) for row in rows]


async def shift_placements(shift_id: int) -> list[dict]:
    """The roster and waitlist of one shift, slots first, then the line in order."""
    rows = (
        await Placement.select(Placement.id)
        .where(Placement.shift == shift_id)
        .order_by(Placement.id)
    )
    views = [await placement_view(row["id"]) for row in rows]
    return sorted(
        views,
        key=lambda v: (v["status"] == PlacementStatus.WAITLISTED, v["waitlist_position"] or 0),
    )


async def shift_view(shift_id: int, viewer: Member | None, zone: ZoneInfo) -> dict[str, Any]:
    """A shift as the viewer sees it, read in one transaction: its roster, the viewer's own
    place, the partners they could sign up with, their pair's notes, whom they may mark, and
    whether its pay period is closed (then the marks are shown, not offered for change)."""
    async with reading():
        shift = await get_shift(shift_id)
        roster = await shift_placements(shift_id)
        mine = None
        partners: list[dict] = []
        notes = None
        if viewer is not None:
            mine = next(
                (p for p in roster if any(m["id"] == viewer.id for m in p["members"])), None
            )
            placed = {m["id"] for p in roster for m in p["members"]}
            # Offer "Sign up with ..." only for partners who are not on this shift already.
            partners = [
                p for p in await active_partners(viewer.id) if p["partner_id"] not in placed
            ]
            if mine and mine["status"] == PlacementStatus.CONFIRMED:
                try:
                    notes = await attendance.list_notes(shift_id, viewer.id)
                except DomainError:
                    notes = None
        started = shift["starts_at"] <= datetime.now(UTC)
        live = started and shift["status"] == ShiftStatus.SCHEDULED
        marking = await attendance.markable(shift_id, viewer) if viewer and live else []
        pay_locked = bool(marking) and await pay.is_closed(shift["starts_at"], zone)
    return {
        "shift": shift,
        "roster": roster,
        "mine": mine,
        "partners": partners,
        "notes": notes,
        "started": started,
        "marking": marking,
        "pay_locked": pay_locked,
    }


def describe(view: dict, me: int) -> str:
    """What a person reads after signing up, in plain words."""
    others = [m["display_name"] for m in view["members"] if m["id"] != me]
    if view["status"] == PlacementStatus.WAITLISTED:
        return _(
            "That shift is full. You're on the waitlist, number %(position)s.",
            position=view["waitlist_position"],
        )
    if view["status"] == PlacementStatus.AWAITING_PARTNER and not view["open_to_anyone"]:
        return _(
            "Your place is yours, waiting for a partner. Nobody is put beside you until you "
            "choose: match me with anyone, sign up with another partner, or withdraw."
        )
    if view["status"] == PlacementStatus.AWAITING_PARTNER:
        return _(
            "You're signed up. The next person who signs up will be your partner for this shift."
        )
    if view["pair_id"] is not None and others:
        return _("You and %(name)s are signed up together.", name=others[0])
    if others:
        return _("You're signed up, side by side with %(name)s.", name=others[0])
    return _("You're signed up.")


async def my_shifts(member_id: int) -> list[dict]:
    """The member's upcoming places with their shifts, for the "My shifts" list."""
    views = await member_placements(member_id)
    shifts = {}
    if views:
        rows = await Shift.select().where(Shift.id.is_in([v["shift_id"] for v in views]))
        shifts = {row["id"]: row for row in rows}
    return [{**view, "shift": shifts[view["shift_id"]]} for view in views]


async def fill_open_slots(shift_id: int, zone: ZoneInfo) -> None:
    """Hand pair slots a coordinator just added to the waitlist, in order.

    Call inside ``writing()``, after ``rules.lock_placements()`` was taken before any shift row.
    """
    await _promote(await get_shift(shift_id), zone)


# --- a place whose partner left: the holder chooses ------------------------------------------


async def _my_waiting_place(placement_id: int, member_id: int) -> tuple[dict, dict]:
    placement = await Placement.select().where(Placement.id == placement_id).first()
    if placement is None or member_id not in await _seats(placement_id):
        raise NotFound(_("We couldn't find that place. Perhaps you've already withdrawn."))
    if placement["status"] != PlacementStatus.AWAITING_PARTNER:
        raise Conflict(_("That place isn't waiting for a partner any more."))
    shift = await get_shift(placement["shift"])
    rules.ensure_open(shift)
    return placement, shift


async def open_to_anyone(placement_id: int, member_id: int, zone: ZoneInfo) -> dict:
    """ "Match me with anyone": the waitlist, then solo sign-ups, may complete the place."""
    async with writing():
        await rules.lock_placements()
        placement, shift = await _my_waiting_place(placement_id, member_id)
        if not placement["open_to_anyone"]:
            await Placement.update(
                {Placement.open_to_anyone: True, Placement.updated_at: datetime.now(UTC)}
            ).where(Placement.id == placement_id)
            await _promote(shift, zone)
        return await placement_view(placement_id)


async def choose_partner(placement_id: int, member_id: int, pair_id: int, zone: ZoneInfo) -> dict:
    """ "Sign up with <partner>": an active partner takes the free seat, within their rules."""
    async with writing():
        await rules.lock_placements()
        _placement, shift = await _my_waiting_place(placement_id, member_id)
        partner = await _active_partner(pair_id, member_id)
        await rules.ensure_not_placed([partner], shift["id"], me=member_id)
        await rules.check_fits([partner], shift, zone, me=member_id)
        await PlacementMember.insert(
            PlacementMember(placement=placement_id, shift=shift["id"], member=partner)
        )
        await _set_status(placement_id, PlacementStatus.CONFIRMED, pair_id)
        await _roster_changed(shift["id"])
        return await placement_view(placement_id)

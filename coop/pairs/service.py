"""Pairs by consent: one member proposes, the other accepts, either may end it.

Both partners are equals: ``member_a`` is just the lower id, and every read of a pair answers
the same way for either of them. Someone outside the pair gets "not found", never a hint.
"""

from __future__ import annotations

from datetime import UTC, datetime

from coop.db import UNIQUE_VIOLATIONS, reading, writing
from coop.errors import Conflict, Forbidden, NotFound
from coop.feeds.urls import feed_url
from coop.i18n import _
from coop.members import credentials
from coop.notices import events
from coop.settings import Settings
from coop.tables import Member, Pair, Placement, PlacementMember, Shift, ShiftNote
from coop.vocabulary import OPEN_PAIR, PairStatus, PlacementStatus


class PairExists(Conflict):
    """Two members have at most one open pair."""


class NotYourAnswer(Forbidden):
    """Only the invited partner can accept or decline."""


def calendar_url(settings: Settings, pair: dict) -> str | None:
    if pair["status"] != PairStatus.ACTIVE or not pair["calendar_token"]:
        return None
    return feed_url(settings, "pairs", pair["calendar_token"])


async def _names(ids: list[int]) -> dict[int, str]:
    rows = await Member.select(Member.id, Member.display_name).where(Member.id.is_in(ids))
    return {row["id"]: row["display_name"] for row in rows}


async def view(pair: dict, settings: Settings, me: int) -> dict:
    """The pair as both partners see it; ``partner`` is simply the other one."""
    names = await _names([pair["member_a"], pair["member_b"]])
    partner = pair["member_b"] if pair["member_a"] == me else pair["member_a"]
    return {
        "id": pair["id"],
        "status": pair["status"],
        "members": [
            {"id": pair["member_a"], "display_name": names.get(pair["member_a"], "")},
            {"id": pair["member_b"], "display_name": names.get(pair["member_b"], "")},
        ],
        "calendar_url": calendar_url(settings, pair),
        "partner": {"id": partner, "display_name": names.get(partner, "")},
        "proposed_by_me": pair["proposed_by"] == me,
    }


async def page_views(member_id: int, settings: Settings) -> list[dict]:
    """Every pair of the member as the pairs page shows it; an active one with its shared
    shifts and notes. One transaction, so the page never mixes two moments."""
    async with reading():
        views = []
        for pair in await my_pairs(member_id):
            view_ = await view(pair, settings, member_id)
            if pair["status"] == PairStatus.ACTIVE:
                view_["shifts"] = await shared_shifts(pair)
                view_["notes"] = await pair_notes(pair["id"])
            views.append(view_)
    return views


async def my_pair(pair_id: int, member_id: int) -> dict:
    """The pair if the member is in it; otherwise not found (don't reveal that it exists)."""
    pair = await Pair.select().where(Pair.id == pair_id).first()
    if pair is None or member_id not in (pair["member_a"], pair["member_b"]):
        raise NotFound(_("We couldn't find that pair."))
    return pair


async def propose(member: Member, partner_username: str) -> dict:
    """Ask someone to be partners; nothing happens until they say yes."""
    partner = (
        await Member.select(Member.id, Member.display_name)
        .where(Member.username == partner_username.strip().lower())
        .first()
    )
    if partner is None:
        raise NotFound(
            _(
                "We couldn't find anyone with the username “%(username)s”. "
                "Please check the spelling with them.",
                username=partner_username.strip(),
            ),
            field="partner",
        )
    if partner["id"] == member.id:
        raise Conflict(_("A pair is two people, so you can't pair with yourself."), field="partner")
    a, b = sorted((member.id, partner["id"]))
    async with writing():
        existing = (
            await Pair.select(Pair.status)
            .where((Pair.member_a == a) & (Pair.member_b == b) & Pair.status.is_in(list(OPEN_PAIR)))
            .first()
        )
        if existing is not None:
            raise _exists(existing["status"], partner["display_name"])
        now = datetime.now(UTC)
        pair = Pair(
            member_a=a,
            member_b=b,
            proposed_by=member.id,
            status=PairStatus.PROPOSED,
            created_at=now,
            updated_at=now,
        )
        try:
            await pair.save()
        except UNIQUE_VIOLATIONS as error:
            raise _exists(PairStatus.PROPOSED, partner["display_name"]) from error
        await events.pair_proposed(pair.id, member.id, partner["id"])
    return {"id": pair.id, "status": PairStatus.PROPOSED}


def _exists(status: str, name: str) -> PairExists:
    if status == PairStatus.ACTIVE:
        return PairExists(_("You and %(name)s are already partners.", name=name), field="partner")
    return PairExists(
        _("You and %(name)s already have a pair proposal waiting for an answer.", name=name),
        field="partner",
    )


async def _answer(pair_id: int, member_id: int, new_status: str) -> dict:
    async with writing():
        pair = await my_pair(pair_id, member_id)
        if pair["status"] != PairStatus.PROPOSED:
            raise Conflict(_("This pair isn't waiting for an answer any more."))
        if pair["proposed_by"] == member_id:
            raise NotYourAnswer(
                _(
                    "You proposed this pair, so the answer is your partner's to give. You can "
                    "withdraw the proposal by ending it."
                )
            )
        values = {Pair.status: new_status, Pair.updated_at: datetime.now(UTC)}
        if new_status == PairStatus.ACTIVE:
            token, digest = credentials.new_secret_token()
            values.update({Pair.calendar_token: token, Pair.calendar_token_hash: digest})
        rows = (
            await Pair.update(values)
            .where((Pair.id == pair_id) & (Pair.status == PairStatus.PROPOSED))
            .returning(Pair.id)
        )
        if not rows:
            raise Conflict(_("This pair isn't waiting for an answer any more."))
        if new_status == "active" and pair["proposed_by"] is not None:
            await events.pair_accepted(pair_id, member_id, pair["proposed_by"])
    return {"id": pair_id, "status": new_status}


async def accept(pair_id: int, member_id: int) -> dict:
    """Say yes: the pair becomes active and gets its own calendar link."""
    return await _answer(pair_id, member_id, PairStatus.ACTIVE)


async def decline(pair_id: int, member_id: int) -> dict:
    """Say no, kindly; nobody is told why."""
    return await _answer(pair_id, member_id, PairStatus.DECLINED)


async def end(pair_id: int, member_id: int) -> dict:
    """Either partner may end a pair (or withdraw a proposal) at any time."""
    async with writing():
        pair = await my_pair(pair_id, member_id)
        if pair["status"] not in OPEN_PAIR:
            raise Conflict(_("This pair has already ended."))
        # The shared calendar link stops working with the pair.
        await Pair.update(
            {
                Pair.status: PairStatus.ENDED,
                Pair.calendar_token_hash: None,
                Pair.updated_at: datetime.now(UTC),
            }
        ).where(Pair.id == pair_id)
    return {"id": pair_id, "status": PairStatus.ENDED}


async def my_pairs(member_id: int, limit: int = 100, offset: int = 0) -> list[dict]:
    """Every pair the member is in, open ones first, newest first."""
    rows = await (
        Pair.select()
        .where((Pair.member_a == member_id) | (Pair.member_b == member_id))
        .order_by(Pair.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    rank = {
        PairStatus.PROPOSED: 0,
        PairStatus.ACTIVE: 1,
        PairStatus.ENDED: 2,
        PairStatus.DECLINED: 3,
    }
    return sorted(rows, key=lambda p: rank.get(p["status"], 9))


async def active_partners(member_id: int) -> list[dict]:
    """[{pair_id, partner_id, display_name, calendar_token}], oldest pair first."""
    rows = (
        await Pair.select()
        .where(
            ((Pair.member_a == member_id) | (Pair.member_b == member_id))
            & (Pair.status == PairStatus.ACTIVE)
        )
        .order_by(Pair.id)
    )
    partners = [r["member_b"] if r["member_a"] == member_id else r["member_a"] for r in rows]
    names = await _names(partners) if partners else {}
    return [
        {
            "pair_id": r["id"],
            "partner_id": p,
            "display_name": names.get(p, ""),
            "calendar_token": r["calendar_token"],
        }
        for r, p in zip(rows, partners, strict=True)
    ]


async def shared_shifts(pair: dict, upcoming: bool = True) -> list[dict]:
    """Shifts where both partners sit in the same slot, soonest first."""
    seats = await PlacementMember.select(PlacementMember.placement, PlacementMember.member).where(
        PlacementMember.member.is_in([pair["member_a"], pair["member_b"]])
    )
    by_placement: dict[int, set[int]] = {}
    for seat in seats:
        by_placement.setdefault(seat["placement"], set()).add(seat["member"])
    both = [p for p, members in by_placement.items() if len(members) == 2]
    if not both:
        return []
    shift_ids = (
        await Placement.select(Placement.shift)
        .where(Placement.id.is_in(both) & (Placement.status == PlacementStatus.CONFIRMED))
        .output(as_list=True)
    )
    if not shift_ids:
        return []
    query = Shift.select().where(Shift.id.is_in(shift_ids))
    if upcoming:
        query = query.where(Shift.ends_at > datetime.now(UTC))
    return await query.order_by(Shift.starts_at)


async def pair_notes(pair_id: int, limit: int = 50) -> list[dict]:
    """The pair's private notes, newest first, with the shift each is about."""
    return await (
        ShiftNote.select(
            ShiftNote.id,
            ShiftNote.text,
            ShiftNote.created_at,
            ShiftNote.shift,
            ShiftNote.shift.title.as_alias("shift_title"),
            ShiftNote.shift.starts_at.as_alias("shift_starts_at"),
            ShiftNote.author.display_name.as_alias("author_name"),
        )
        .where(ShiftNote.pair == pair_id)
        .order_by(ShiftNote.id, ascending=False)
        .limit(limit)
    )

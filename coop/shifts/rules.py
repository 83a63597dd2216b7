"""The rules a place on a shift must follow, and the kind refusals when one does not hold.

Kept apart from the placement moves so every path (sign-up, promotion from the waitlist)
asks the same questions: is the shift open, does it overlap, does it keep the member's pace.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from coop import formatting
from coop.db import current_engine
from coop.errors import Conflict, DomainError
from coop.i18n import N_, _, ngettext
from coop.periods import week_bounds
from coop.tables import Member, PlacementMember, Shift
from coop.vocabulary import HELD, ShiftStatus

ORDINALS = [
    N_("first"),
    N_("second"),
    N_("third"),
    N_("fourth"),
    N_("fifth"),
    N_("sixth"),
    N_("seventh"),
    N_("eighth"),
    N_("ninth"),
]
# Every placement change takes this lock on PostgreSQL (SQLite already has one writer):
# the rules span a shift and its members' other shifts, so one lock keeps them simple and
# free of deadlocks; sign-ups arrive at human speed.
PLACEMENT_LOCK_KEY = 73102026  # any fixed number, used for nothing else


class ShiftClosed(Conflict):
    """The shift is cancelled or has started."""


class AlreadyPlaced(Conflict):
    """One place per member per shift."""


class OverlappingShift(Conflict):
    """A member is never in two shifts at once."""


class PaceReached(Conflict):
    """The member's own weekly pace would be passed."""


class NotPartners(DomainError):
    status_code = 403


def ordinal(number: int) -> str:
    if 0 < number <= len(ORDINALS):
        return _(ORDINALS[number - 1])
    return _("number %(number)d", number=number)


async def lock_placements() -> None:
    """Serialise placement changes across app processes on PostgreSQL (no-op on SQLite)."""
    engine = current_engine()
    if engine.engine_type == "postgres":
        await Shift.raw("SELECT pg_advisory_xact_lock({})", PLACEMENT_LOCK_KEY)


def open_slots(shift: dict) -> int:
    """The pair places still free on a shift; a cancelled shift has none."""
    if shift["status"] == ShiftStatus.CANCELLED:
        return 0
    return max(0, shift["pair_slots"] - shift["taken_slots"])


def ensure_open(shift: dict, now: datetime | None = None) -> None:
    """Nobody is placed on a cancelled shift or one that has started."""
    now = now or datetime.now(UTC)
    if shift["status"] == ShiftStatus.CANCELLED:
        if shift.get("cancel_reason"):
            raise ShiftClosed(
                _(
                    "That shift was cancelled (%(reason)s), so nobody can sign up for it.",
                    reason=shift["cancel_reason"],
                )
            )
        raise ShiftClosed(_("That shift was cancelled, so nobody can sign up for it."))
    if shift["starts_at"] <= now:
        raise ShiftClosed(_("That shift has already started, so sign-up is closed."))


async def held_shifts(member_id: int) -> list[dict]:
    """The scheduled shifts where the member holds a place (confirmed or awaiting a partner)."""
    shift = PlacementMember.placement.shift
    return (
        await PlacementMember.select(
            shift.id.as_alias("id"),
            shift.title.as_alias("title"),
            shift.starts_at.as_alias("starts_at"),
            shift.ends_at.as_alias("ends_at"),
            shift.status.as_alias("status"),
        )
        .where(PlacementMember.member == member_id)
        .where(PlacementMember.placement.status.is_in(list(HELD)))
        .where(shift.status == ShiftStatus.SCHEDULED)
    )


async def check_fits(member_ids: list[int], shift: dict, zone: ZoneInfo, me: int) -> None:
    """Raise the first rule the members would break by holding a place in ``shift``."""
    for member_id in member_ids:
        member = (
            await Member.select(Member.display_name, Member.max_shifts_per_week)
            .where(Member.id == member_id)
            .first()
        )
        you = member_id == me
        held = [s for s in await held_shifts(member_id) if s["id"] != shift["id"]]
        for other in held:
            if other["starts_at"] < shift["ends_at"] and other["ends_at"] > shift["starts_at"]:
                when = formatting.when(other["starts_at"], zone)
                if you:
                    message = _(
                        "You already have a shift at that time: %(title)s, %(when)s. "
                        "Nobody can be in two places at once.",
                        title=other["title"],
                        when=when,
                    )
                else:
                    message = _(
                        "%(name)s already has a shift at that time: %(title)s, %(when)s. "
                        "Nobody can be in two places at once.",
                        name=member["display_name"],
                        title=other["title"],
                        when=when,
                    )
                raise OverlappingShift(message)
        pace = member["max_shifts_per_week"]
        if pace:
            start, end = week_bounds(shift["starts_at"], zone)
            count = sum(1 for s in held if start <= s["starts_at"] < end)
            if count + 1 > pace:
                if you:
                    message = ngettext(
                        "You set your pace at %(num)d shift a week, and this would be the "
                        "%(ordinal)s. You can change your pace on your page.",
                        "You set your pace at %(num)d shifts a week, and this would be the "
                        "%(ordinal)s. You can change your pace on your page.",
                        pace,
                        ordinal=ordinal(count + 1),
                    )
                else:
                    message = ngettext(
                        "%(name)s set their pace at %(num)d shift a week, and this would be the "
                        "%(ordinal)s.",
                        "%(name)s set their pace at %(num)d shifts a week, and this would be the "
                        "%(ordinal)s.",
                        pace,
                        name=member["display_name"],
                        ordinal=ordinal(count + 1),
                    )
                raise PaceReached(message)


async def check_move(shift: dict, starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> None:
    """The people holding a place keep every rule when a coordinator moves their shift."""
    holders = await (
        PlacementMember.select(PlacementMember.member)
        .where(PlacementMember.shift == shift["id"])
        .where(PlacementMember.placement.status.is_in(list(HELD)))
    )
    moved = {**shift, "starts_at": starts_at, "ends_at": ends_at}
    await check_fits([row["member"] for row in holders], moved, zone, me=0)


async def fits(member_ids: list[int], shift: dict, zone: ZoneInfo) -> bool:
    """Whether the members could hold a place in ``shift`` right now (for promotions)."""
    try:
        await check_fits(member_ids, shift, zone, me=0)
    except DomainError:
        return False
    return True


async def ensure_not_placed(member_ids: list[int], shift_id: int, me: int) -> None:
    """One place per member per shift (the waitlist counts as a place in line)."""
    for member_id in member_ids:
        if await PlacementMember.exists().where(
            (PlacementMember.shift == shift_id) & (PlacementMember.member == member_id)
        ):
            if member_id == me:
                raise AlreadyPlaced(_("You're already signed up for this shift."))
            name = await Member.select(Member.display_name).where(Member.id == member_id).first()
            raise AlreadyPlaced(
                _(
                    "%(display_name)s is already signed up for this shift, so you can't sign up "
                    "together. You can sign up on your own.",
                    display_name=name["display_name"],
                )
            )

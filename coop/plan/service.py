"""Planning the season: shift kinds, single shifts, series, edits and cancellations.

Pages and API both call these functions, so every planning rule lives here once. Each change a
calendar would show bumps the shift's ``sequence``, so subscribed calendars replace their copy.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coop.db import reading, writing
from coop.errors import Conflict, NotFound
from coop.i18n import _, ngettext
from coop.notices import events
from coop.plan.recurrence import (
    InvalidPlan,
    Occurrence,
    expand_off_the_loop,
    parse_clock,
    parse_moment,
    shift_wall_clock,
    wall_clock,
)
from coop.plan.schemas import KindCreate, SeriesCreate, ShiftCreate, ShiftUpdate
from coop.shifts.listing import get_shift, kinds, shift_query
from coop.shifts.rules import OverlappingShift, PaceReached, check_move, lock_placements
from coop.shifts.service import fill_open_slots
from coop.tables import PlacementMember, Series, Shift, ShiftKind
from coop.vocabulary import ShiftStatus

MAX_SHIFT_LENGTH = timedelta(hours=16)
PLAN_BACK = timedelta(days=366)
PLAN_AHEAD = timedelta(days=3 * 366)
INSERT_CHUNK = 100
# What a calendar shows of a shift: a change to any of these bumps its sequence.
CALENDAR_FIELDS = ("title", "kind", "starts_at", "ends_at", "location", "notes")


class SlotsTaken(Conflict):
    """Fewer pair slots than pairs already placed would leave someone without their place."""


class PlacedPeopleBlockMove(Conflict):
    """New times would put someone placed on the shift in two places, or past their pace."""


# --- kinds -------------------------------------------------------------------------------------


async def add_kind(kind: KindCreate) -> dict[str, Any]:
    """Add a kind of shift; the slug names it in feed links, so it must be new."""
    async with writing():
        added = await (
            ShiftKind.insert(ShiftKind(slug=kind.slug, label=kind.label.strip()))
            .on_conflict(action="DO NOTHING")
            .returning(ShiftKind.id)
        )
    if not added:
        raise Conflict(
            _("There is already a kind of shift called “%(slug)s”.", slug=kind.slug), field="slug"
        )
    return {"id": added[0]["id"], "slug": kind.slug, "label": kind.label.strip()}


async def _kind_id(slug: str, field: str = "kind") -> int:
    kind_id = await ShiftKind.select(ShiftKind.id).where(ShiftKind.slug == slug).first()
    if kind_id is None:
        known = ", ".join(await ShiftKind.select(ShiftKind.slug).output(as_list=True))
        raise InvalidPlan(
            _(
                "We don't know the kind of shift “%(slug)s”. Choose one of: %(known)s.",
                slug=slug,
                known=known,
            ),
            field,
        )
    return kind_id["id"]


# --- checks ------------------------------------------------------------------------------------


def check_times(
    starts: datetime, ends: datetime, start_field: str = "starts_at", end_field: str = "ends_at"
) -> None:
    """Refuse shifts that end before they start, last all day and night, or land in another era."""
    if ends <= starts:
        raise InvalidPlan(_("The shift needs to end after it starts."), end_field)
    if ends - starts > MAX_SHIFT_LENGTH:
        raise InvalidPlan(
            _("A shift can be at most 16 hours long. Please check the times."), end_field
        )
    now = datetime.now(UTC)
    if starts < now - PLAN_BACK or starts > now + PLAN_AHEAD:
        raise InvalidPlan(
            _("That date is more than a year back or three years ahead. Please check the year."),
            start_field,
        )


# --- single shifts -----------------------------------------------------------------------------


async def create_shift(data: ShiftCreate, zone: ZoneInfo) -> dict[str, Any]:
    """Plan one shift; times without an offset are on the garden's clock."""
    starts = parse_moment(data.starts_at, zone, "starts_at")
    ends = parse_moment(data.ends_at, zone, "ends_at")
    check_times(starts, ends)
    async with writing():
        shift = Shift(
            title=data.title.strip(),
            kind=await _kind_id(data.kind),
            starts_at=starts,
            ends_at=ends,
            pair_slots=data.pair_slots,
            location=data.location.strip(),
            notes=data.notes.strip(),
        )
        await shift.save()
        return await get_shift(shift.id)


# --- series ------------------------------------------------------------------------------------


async def preview_series(data: SeriesCreate, zone: ZoneInfo) -> list[Occurrence]:
    """Every shift the series would make, checked but not saved."""
    start_time = parse_clock(data.start_time, "start_time")
    end_time = parse_clock(data.end_time, "end_time")
    await _kind_id(data.kind)
    # The date range is checked before anything is expanded, and expansion stops at the horizon.
    today = datetime.now(zone).date()
    if not today - PLAN_BACK <= data.first_date <= today + PLAN_AHEAD:
        raise InvalidPlan(
            "That date is more than a year back or three years ahead. Please check the year.",
            "first_date",
        )
    horizon = datetime.combine(today + PLAN_AHEAD, time.max)
    occurrences = await expand_off_the_loop(
        data.rrule, data.first_date, start_time, end_time, zone, horizon
    )
    for occurrence in (occurrences[0], occurrences[-1]):
        check_times(occurrence.starts_at, occurrence.ends_at, "first_date", "end_time")
    return occurrences


async def create_series(
    data: SeriesCreate, zone: ZoneInfo, created_by: int | None
) -> tuple[int, list[int]]:
    """Store the RRULE and make one shift per occurrence, all or nothing."""
    occurrences = await preview_series(data, zone)
    async with writing():
        kind_id = await _kind_id(data.kind)
        series = Series(
            title=data.title.strip(),
            kind=kind_id,
            rrule=data.rrule.strip(),
            first_date=data.first_date,
            start_time=parse_clock(data.start_time, "start_time"),
            end_time=parse_clock(data.end_time, "end_time"),
            pair_slots=data.pair_slots,
            location=data.location.strip(),
            notes=data.notes.strip(),
            created_by=created_by,
        )
        await series.save()
        shift_ids: list[int] = []
        for index in range(0, len(occurrences), INSERT_CHUNK):
            rows = [
                Shift(
                    title=series.title,
                    kind=kind_id,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    pair_slots=data.pair_slots,
                    location=series.location,
                    notes=series.notes,
                    series=series.id,
                )
                for occurrence in occurrences[index : index + INSERT_CHUNK]
            ]
            inserted = await Shift.insert(*rows).returning(Shift.id)
            shift_ids.extend(row["id"] for row in inserted)
    return series.id, sorted(shift_ids)


async def get_series(series_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A series and every shift it made, cancelled ones included."""
    async with reading():
        row = await Series.select().where(Series.id == series_id).first()
        if row is None:
            raise NotFound(_("We couldn't find that series."))
        shifts = await shift_query().where(Shift.series == series_id).order_by(Shift.starts_at)
    return row, shifts


# --- edits and cancellations -------------------------------------------------------------------


async def update_shift(shift_id: int, update: ShiftUpdate, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Change one shift, or it and the later shifts of its series; returns the changed shifts.

    Time changes move each later shift on the garden's clock: 9:00 → 10:00 stays 10:00 after a
    daylight-saving change. Pair slots never drop below the pairs already placed; that check is a
    conditional UPDATE, so a sign-up racing with the edit can't slip past it. New times keep the
    people placed within the rules (no overlap, their pace), checked under the placement lock.
    """
    changes = update.changes()
    async with writing():
        if {"pair_slots", "starts_at", "ends_at"} & changes.keys():
            # Placement changes take this lock before any shift row: take it in the same order.
            await lock_placements()
        shift = await get_shift(shift_id)
        if shift["status"] == ShiftStatus.CANCELLED:
            raise Conflict(_("That shift is cancelled, so it stays as it is."))
        targets = [shift]
        if update.scope == "following":
            if shift["series"] is None:
                raise InvalidPlan(
                    _("This shift isn't part of a series; edit just this one."), "scope"
                )
            targets += await (
                shift_query()
                .where(
                    (Shift.series == shift["series"])
                    & (Shift.status == ShiftStatus.SCHEDULED)
                    & (Shift.starts_at > shift["starts_at"])
                )
                .order_by(Shift.starts_at)
            )
        common: dict[str, Any] = {
            name: value.strip() if isinstance(value, str) else value
            for name, value in changes.items()
            if name in ("title", "location", "notes", "pair_slots")
        }
        if "kind" in changes:
            common["kind"] = await _kind_id(changes["kind"])
        start_delta = end_delta = timedelta(0)
        if "starts_at" in changes:
            new_start = parse_moment(changes["starts_at"], zone, "starts_at")
            start_delta = wall_clock(new_start, zone) - wall_clock(shift["starts_at"], zone)
        if "ends_at" in changes:
            new_end = parse_moment(changes["ends_at"], zone, "ends_at")
            end_delta = wall_clock(new_end, zone) - wall_clock(shift["ends_at"], zone)
        now = datetime.now(UTC)
        if not (start_delta or end_delta):
            await _apply(targets, common, now, zone)  # the same values for all: one UPDATE
        else:  # each shift moves by the same wall-clock amount: its own UTC times
            for target in targets:
                values = dict(common)
                if start_delta:
                    values["starts_at"] = shift_wall_clock(target["starts_at"], start_delta, zone)
                if end_delta:
                    values["ends_at"] = shift_wall_clock(target["ends_at"], end_delta, zone)
                starts_at = values.get("starts_at", target["starts_at"])
                ends_at = values.get("ends_at", target["ends_at"])
                check_times(starts_at, ends_at)
                await _keep_placed_within_the_rules(target, starts_at, ends_at, zone)
                await _apply([target], values, now, zone)
        if "pair_slots" in common:
            for target in targets:  # new slots go to the waitlist at once, in order
                await fill_open_slots(target["id"], zone)
        ids = [target["id"] for target in targets]
        changed = await shift_query().where(Shift.id.is_in(ids)).order_by(Shift.starts_at)
        before = {target["id"]: target for target in targets}
        for after in changed:  # people placed hear of a new time or place, in this transaction
            await events.shift_changed(before[after["id"]], after, zone)
        return changed


async def _apply(
    targets: list[dict[str, Any]], values: dict[str, Any], now: datetime, zone: ZoneInfo
) -> None:
    """Write the same changes to ``targets``; bump ``sequence`` where a calendar would see them."""
    seen = {
        target["id"]: any(
            name in values and values[name] != target[name] for name in CALENDAR_FIELDS
        )
        for target in targets
    }
    for visible in (True, False):
        ids = [shift_id for shift_id, changed in seen.items() if changed is visible]
        if not ids:
            continue
        columns: dict[Any, Any] = {Shift._meta.get_column_by_name(k): v for k, v in values.items()}
        columns[Shift.updated_at] = now
        if visible:
            columns[Shift.sequence] = Shift.sequence + 1
        query = Shift.update(columns).where(Shift.id.is_in(ids))
        if "pair_slots" in values:
            query = query.where(Shift.taken_slots <= values["pair_slots"])
        done = {row["id"] for row in await query.returning(Shift.id)}
        if len(done) < len(ids):
            short = next(target for target in targets if target["id"] in set(ids) - done)
            await _refuse_fewer_slots(short, zone)


async def _keep_placed_within_the_rules(
    target: dict[str, Any], starts_at: datetime, ends_at: datetime, zone: ZoneInfo
) -> None:
    """A move must not put someone in two places at once or past their weekly pace."""
    try:
        await check_move(target, starts_at, ends_at, zone)
    except (OverlappingShift, PaceReached) as error:
        local = wall_clock(target["starts_at"], zone)
        raise PlacedPeopleBlockMove(
            _(
                "The shift on %(day)s can't move there. %(message)s",
                day=f"{local:%Y-%m-%d}",
                message=error.message,
            ),
            field="starts_at",
            shift_id=target["id"],
        ) from error


async def _refuse_fewer_slots(target: dict[str, Any], zone: ZoneInfo) -> None:
    taken = (await get_shift(target["id"]))["taken_slots"]
    local = wall_clock(target["starts_at"], zone)
    raise SlotsTaken(
        ngettext(
            "%(num)d pair is already signed up for the shift on %(day)s, so it needs at least "
            "%(num)d pair slot. Nobody loses their place without asking.",
            "%(num)d pairs are already signed up for the shift on %(day)s, so it needs at least "
            "%(num)d pair slots. Nobody loses their place without asking.",
            taken,
            day=f"{local:%Y-%m-%d}",
        ),
        field="pair_slots",
        shift_id=target["id"],
    )


async def cancel_shift(shift_id: int, reason: str, zone: ZoneInfo) -> dict[str, Any]:
    """Cancel one shift; it stays (status "cancelled") so calendars remove it and show why."""
    async with writing():
        shift = await get_shift(shift_id)
        if shift["status"] == ShiftStatus.CANCELLED:
            raise Conflict(_("That shift is already cancelled."))
        await _cancel([shift_id], reason)
        await events.shifts_cancelled([shift_id], reason, zone)
        return await get_shift(shift_id)


async def cancel_day(day: date, reason: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Cancel every scheduled shift starting on ``day`` in the garden's zone ("heat advisory")."""
    starts = datetime.combine(day, time(0), zone).astimezone(UTC)
    ends = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    async with writing():
        ids = await (
            Shift.select(Shift.id)
            .where(Shift.status == ShiftStatus.SCHEDULED)
            .where((Shift.starts_at >= starts) & (Shift.starts_at < ends))
            .output(as_list=True)
        )
        if ids:
            await _cancel(ids, reason)
            await events.shifts_cancelled(ids, reason, zone)
            return await shift_query().where(Shift.id.is_in(ids)).order_by(Shift.starts_at)
    return []


async def _cancel(ids: list[int], reason: str) -> None:
    await Shift.update(
        {
            Shift.status: ShiftStatus.CANCELLED,
            Shift.cancel_reason: reason.strip(),
            Shift.sequence: Shift.sequence + 1,
            Shift.updated_at: datetime.now(UTC),
        }
    ).where(Shift.id.is_in(ids))


async def shift_editor(shift_id: int) -> tuple[dict[str, Any], list[dict], list[dict[str, Any]]]:
    """What a shift's edit page shows, read together: the shift, every kind, its roster."""
    async with reading():
        return await get_shift(shift_id), await kinds(), await roster(shift_id)


async def roster(shift_id: int) -> list[dict[str, Any]]:
    """Who holds each pair slot, then who waits, in order: display names only."""
    rows = await (
        PlacementMember.select(
            PlacementMember.placement,
            PlacementMember.placement.status.as_alias("status"),
            PlacementMember.member.display_name.as_alias("name"),
        )
        .where(PlacementMember.shift == shift_id)
        .order_by(PlacementMember.placement.created_at)
        .order_by(PlacementMember.placement)
        .order_by(PlacementMember.joined_at)
    )
    entries: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = entries.setdefault(row["placement"], {"status": row["status"], "names": []})
        entry["names"].append(row["name"])
    return list(entries.values())


# --- the planner's list ------------------------------------------------------------------------


async def upcoming(limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Shifts not yet over, soonest first, with how many there are in all."""
    now = datetime.now(UTC)
    async with reading():
        rows = await (
            shift_query()
            .where(Shift.ends_at >= now)
            .order_by(Shift.starts_at)
            .order_by(Shift.id)
            .limit(limit)
            .offset(offset)
        )
        total = await Shift.count().where(Shift.ends_at >= now)
    return rows, total

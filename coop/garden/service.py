"""Beds, crops, plantings and harvests: the rules for logging produce, in one place.

Any member may log a harvest or a planting. Against a shift, only someone placed on it
(or a coordinator) may log, and the harvest remembers the pair it came from, so the
season report can follow produce back to the people who picked it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from coop import corrections
from coop.db import reading, writing
from coop.errors import Conflict, DomainError, Forbidden, NotFound
from coop.garden.schemas import (
    BedCreate,
    BedOut,
    CropCreate,
    CropOut,
    HarvestCreate,
    HarvestOut,
    HarvestUpdate,
    PlantingCreate,
    PlantingOut,
)
from coop.i18n import _
from coop.periods import check_record_date, date_bounds
from coop.quantities import UNITS, from_milli, parse_quantity, parse_unit, show, to_milli
from coop.tables import Bed, Crop, Harvest, Member, Pair, PlacementMember, Planting, Shift
from coop.vocabulary import PairStatus, PlacementStatus, Role

LIST_LIMIT = 1000


class UnknownReference(DomainError):
    """The request names a crop, bed, shift or product that is not in the garden."""

    status_code = 422


@dataclass(frozen=True)
class HarvestFilter:
    year: int | None = None
    start: date | None = None
    end: date | None = None
    crop_id: int | None = None
    limit: int = 50
    offset: int = 0


def is_coordinator(member: Member) -> bool:
    return member.role == Role.COORDINATOR


# --- beds and crops ---------------------------------------------------------------------------


async def list_beds(limit: int = LIST_LIMIT, offset: int = 0) -> list[BedOut]:
    rows = await Bed.select().order_by(Bed.name).limit(limit).offset(offset)
    return [BedOut(id=r["id"], name=r["name"], size=r["size"], notes=r["notes"]) for r in rows]


async def create_bed(data: BedCreate) -> BedOut:
    async with writing():
        if await Bed.exists().where(Bed.name == data.name.strip()):
            raise Conflict(_("There is already a bed with that name."), field="name")
        bed = Bed(name=data.name.strip(), size=data.size.strip(), notes=data.notes)
        await bed.save()
    return BedOut(id=bed.id, name=bed.name, size=bed.size, notes=bed.notes)


async def list_crops(limit: int = LIST_LIMIT, offset: int = 0) -> list[CropOut]:
    rows = await Crop.select().order_by(Crop.name, Crop.variety).limit(limit).offset(offset)
    return [
        CropOut(id=r["id"], name=r["name"], variety=r["variety"], default_unit=r["default_unit"])
        for r in rows
    ]


async def create_crop(data: CropCreate) -> CropOut:
    unit = parse_unit(data.default_unit, "default_unit")
    crop = Crop(name=data.name.strip(), variety=data.variety.strip(), default_unit=unit)
    async with writing():
        await crop.save()
    return CropOut(id=crop.id, name=crop.name, variety=crop.variety, default_unit=unit)


# --- references and shifts --------------------------------------------------------------------


async def _require(table: Any, record_id: int | None, field: str, what: str) -> None:
    if record_id is not None and not await table.exists().where(table.id == record_id):
        message = {
            "crop": _("We couldn't find that crop. Please pick one from the list."),
            "bed": _("We couldn't find that bed. Please pick one from the list."),
        }.get(what) or _("We couldn't find that. Please pick one from the list.")
        raise UnknownReference(message, field=field)


async def _shift_pair(member: Member, shift_id: int) -> int | None:
    """Check the logger may log against this shift; return their active pair placed on it."""
    if not await Shift.exists().where(Shift.id == shift_id):
        raise UnknownReference(_("We couldn't find that shift."), field="shift_id")
    seat = await (
        PlacementMember.select(
            PlacementMember.placement,
            PlacementMember.placement.status.as_alias("status"),
            PlacementMember.placement.pair.as_alias("pair"),
        )
        .where((PlacementMember.shift == shift_id) & (PlacementMember.member == member.id))
        .first()
    )
    if seat is None or seat["status"] == PlacementStatus.WAITLISTED:
        if is_coordinator(member):
            return None
        raise Forbidden(
            _("Only the partners placed on this shift, or a coordinator, can log its harvest."),
            field="shift_id",
        )
    pair_id = seat["pair"]
    if pair_id is None:
        partners = await (
            PlacementMember.select(PlacementMember.member)
            .where(
                (PlacementMember.placement == seat["placement"])
                & (PlacementMember.member != member.id)
            )
            .output(as_list=True)
        )
        if not partners:
            return None
        low, high = sorted((member.id, partners[0]))
        found = await (
            Pair.select(Pair.id).where((Pair.member_a == low) & (Pair.member_b == high)).first()
        )
        pair_id = found["id"] if found else None
    if pair_id is None:
        return None
    active = await Pair.exists().where((Pair.id == pair_id) & (Pair.status == PairStatus.ACTIVE))
    return pair_id if active else None


# --- plantings --------------------------------------------------------------------------------


async def list_plantings(filters: HarvestFilter) -> list[PlantingOut]:
    """Plantings, newest first; the same date and crop filters as harvests."""
    start, end = date_bounds(filters.year, filters.start, filters.end)
    where = Planting.id > 0
    if start:
        where &= Planting.planted_on >= start
    if end:
        where &= Planting.planted_on <= end
    if filters.crop_id:
        where &= Planting.crop == filters.crop_id
    rows = await (
        Planting.select()
        .where(where)
        .order_by(Planting.planted_on, ascending=False)
        .limit(min(filters.limit, LIST_LIMIT))
        .offset(filters.offset)
    )
    return [_planting_out(r) for r in rows]


async def create_planting(member: Member, data: PlantingCreate, zone: ZoneInfo) -> PlantingOut:
    check_record_date(data.planted_on, zone, "planted_on")
    async with writing():
        await _require(Crop, data.crop_id, "crop_id", "crop")
        await _require(Bed, data.bed_id, "bed_id", "bed")
        if data.shift_id is not None:
            await _shift_pair(member, data.shift_id)
        planting = Planting(
            crop=data.crop_id,
            bed=data.bed_id,
            shift=data.shift_id,
            planted_on=data.planted_on,
            amount=data.amount,
            notes=data.notes,
            recorded_by=member.id,
        )
        await planting.save()
    return _planting_out(planting.to_dict())


def _planting_out(row: dict) -> PlantingOut:
    return PlantingOut(
        id=row["id"],
        crop_id=row["crop"],
        bed_id=row["bed"],
        shift_id=row["shift"],
        planted_on=row["planted_on"],
        amount=row["amount"],
        notes=row["notes"],
        recorded_by=row["recorded_by"],
    )


# --- harvests ---------------------------------------------------------------------------------

_HARVEST_COLUMNS = (
    Harvest.all_columns(),
    Harvest.crop.name.as_alias("crop_name"),
    Harvest.crop.variety.as_alias("crop_variety"),
    Harvest.bed.name.as_alias("bed_name"),
    Harvest.recorded_by.display_name.as_alias("recorded_by_name"),
)


def _harvest_where(filters: HarvestFilter) -> Any:
    start, end = date_bounds(filters.year, filters.start, filters.end)
    where = Harvest.id > 0
    if start:
        where &= Harvest.harvested_on >= start
    if end:
        where &= Harvest.harvested_on <= end
    if filters.crop_id:
        where &= Harvest.crop == filters.crop_id
    return where


async def list_harvests(filters: HarvestFilter) -> tuple[list[HarvestOut], int]:
    """One page of harvests, newest first, and how many match in all."""
    where = _harvest_where(filters)
    async with reading():
        rows = await (
            Harvest.select(*_HARVEST_COLUMNS)
            .where(where)
            .order_by(Harvest.harvested_on, ascending=False)
            .order_by(Harvest.id, ascending=False)
            .limit(min(filters.limit, LIST_LIMIT))
            .offset(filters.offset)
        )
        total = await Harvest.count().where(where)
        corrected = await corrections.corrected_ids("harvest", [r["id"] for r in rows])
    return [harvest_out(r, r["id"] in corrected) for r in rows], total


async def get_harvest(harvest_id: int) -> HarvestOut:
    async with reading():
        row = await Harvest.select(*_HARVEST_COLUMNS).where(Harvest.id == harvest_id).first()
        if row is None:
            raise NotFound(_("We couldn't find that harvest."))
        corrected = await corrections.corrected_ids("harvest", [harvest_id])
    return harvest_out(row, bool(corrected))


def harvest_out(row: dict, corrected: bool = False) -> HarvestOut:
    crop = row.get("crop_name") or ""
    if row.get("crop_variety"):
        crop = f"{crop} ({row['crop_variety']})"
    return HarvestOut(
        id=row["id"],
        crop_id=row["crop"],
        bed_id=row["bed"],
        shift_id=row["shift"],
        harvested_on=row["harvested_on"],
        quantity=show(from_milli(row["quantity_milli"])),
        unit=row["unit"],
        notes=row["notes"],
        recorded_by=row["recorded_by"],
        pair_id=row["pair"],
        crop=crop,
        bed=row.get("bed_name"),
        recorded_by_name=row.get("recorded_by_name"),
        corrected=corrected,
    )


async def log_harvest(member: Member, data: HarvestCreate, zone: ZoneInfo) -> HarvestOut:
    """Record produce picked; bad amounts, units, dates or references change nothing."""
    quantity = parse_quantity(data.quantity)
    unit = parse_unit(data.unit)
    check_record_date(data.harvested_on, zone, "harvested_on")
    async with writing():
        await _require(Crop, data.crop_id, "crop_id", "crop")
        await _require(Bed, data.bed_id, "bed_id", "bed")
        pair_id = await _shift_pair(member, data.shift_id) if data.shift_id else None
        harvest = Harvest(
            crop=data.crop_id,
            bed=data.bed_id,
            shift=data.shift_id,
            pair=pair_id,
            harvested_on=data.harvested_on,
            quantity_milli=to_milli(quantity),
            unit=unit,
            notes=data.notes,
            recorded_by=member.id,
        )
        await harvest.save()
    return await get_harvest(harvest.id)


def _snapshot(row: dict) -> dict:
    """What a harvest held, in the API's words, for the correction history."""
    return {
        "crop_id": row["crop"],
        "bed_id": row["bed"],
        "harvested_on": row["harvested_on"].isoformat(),
        "quantity": show(from_milli(row["quantity_milli"])),
        "unit": row["unit"],
        "notes": row["notes"],
    }


async def correct_harvest(
    member: Member, harvest_id: int, data: HarvestUpdate, zone: ZoneInfo
) -> HarvestOut:
    """Fix a harvest in place, keeping what it held before (coordinators or its recorder)."""
    changes: dict[Any, Any] = {}
    if data.quantity is not msgspec.UNSET:
        changes[Harvest.quantity_milli] = to_milli(parse_quantity(data.quantity))
    if data.unit is not msgspec.UNSET:
        changes[Harvest.unit] = parse_unit(data.unit)
    if data.harvested_on is not msgspec.UNSET:
        changes[Harvest.harvested_on] = check_record_date(data.harvested_on, zone, "harvested_on")
    if data.notes is not msgspec.UNSET:
        changes[Harvest.notes] = data.notes
    async with writing():
        row = await Harvest.select().where(Harvest.id == harvest_id).first()
        if row is None:
            raise NotFound(_("We couldn't find that harvest."))
        if not is_coordinator(member) and row["recorded_by"] != member.id:
            raise Forbidden(_("Only a coordinator or the person who logged it can correct this."))
        if data.crop_id is not msgspec.UNSET:
            await _require(Crop, data.crop_id, "crop_id", "crop")
            changes[Harvest.crop] = data.crop_id
        if data.bed_id is not msgspec.UNSET:
            await _require(Bed, data.bed_id, "bed_id", "bed")
            changes[Harvest.bed] = data.bed_id
        if not changes:
            raise DomainError(_("Nothing to change: please send at least one field."))
        await corrections.keep_before("harvest", harvest_id, member.id, _snapshot(row))
        await Harvest.update(changes).where(Harvest.id == harvest_id)
    return await get_harvest(harvest_id)


# --- the harvest form on a shift's page -------------------------------------------------------


async def can_log_harvest(member: Member, shift_id: int) -> bool:
    """Whether the shift's page should offer this member the harvest form."""
    try:
        await _shift_pair(member, shift_id)
    except DomainError:
        return False
    return True


async def harvest_form_context(shift_id: int) -> dict[str, Any]:
    """What ``templates/garden/_harvest_form.html`` needs: the shift, crops, beds and units.

    The shifts page includes the partial with this context (plus its own ``csrf_input``).
    """
    async with reading():
        shift = (
            await Shift.select(Shift.id, Shift.title, Shift.starts_at, Shift.location)
            .where(Shift.id == shift_id)
            .first()
        )
        crops = await list_crops()
        beds = await list_beds()
    return {"shift": shift, "crops": crops, "beds": beds, "units": UNITS}

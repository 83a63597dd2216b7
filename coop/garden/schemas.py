"""Request and response shapes for beds, crops, plantings and harvests.

Quantities arrive as decimal strings (numbers are accepted too) and leave as decimal
strings, so no float ever touches an amount of produce.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Short = Annotated[str, msgspec.Meta(max_length=80)]
Notes = Annotated[str, msgspec.Meta(max_length=2000)]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
# Checked for range, places and sign in coop.quantities, with a kinder message than msgspec's.
Amount = Annotated[str, msgspec.Meta(max_length=40)] | int | float
Unit = Annotated[str, msgspec.Meta(max_length=10)]


class BedCreate(msgspec.Struct):
    name: Name
    size: Short = ""
    notes: Notes = ""


class BedOut(msgspec.Struct):
    id: int
    name: str
    size: str
    notes: str


class CropCreate(msgspec.Struct):
    name: Name
    variety: Short = ""
    default_unit: Unit = "kg"


class CropOut(msgspec.Struct):
    id: int
    name: str
    variety: str
    default_unit: str


class PlantingCreate(msgspec.Struct):
    crop_id: Id
    planted_on: date
    bed_id: Id | None = None
    shift_id: Id | None = None
    amount: Short = ""
    notes: Notes = ""


class PlantingOut(msgspec.Struct):
    id: int
    crop_id: int
    bed_id: int | None
    shift_id: int | None
    planted_on: date
    amount: str
    notes: str
    recorded_by: int | None


class HarvestCreate(msgspec.Struct):
    crop_id: Id
    harvested_on: date
    quantity: Amount
    unit: Unit
    bed_id: Id | None = None
    shift_id: Id | None = None
    notes: Notes = ""


class HarvestUpdate(msgspec.Struct, omit_defaults=True):
    """A correction: only the fields sent change; the old values go to the history."""

    crop_id: Id | msgspec.UnsetType = msgspec.UNSET
    bed_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    harvested_on: date | msgspec.UnsetType = msgspec.UNSET
    quantity: Amount | msgspec.UnsetType = msgspec.UNSET
    unit: Unit | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET


class HarvestOut(msgspec.Struct):
    id: int
    crop_id: int
    bed_id: int | None
    shift_id: int | None
    harvested_on: date
    quantity: str
    unit: str
    notes: str
    recorded_by: int | None
    pair_id: int | None = None
    crop: str = ""
    bed: str | None = None
    recorded_by_name: str | None = None
    corrected: bool = False

"""Request and response shapes for shifts, placements, attendance and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from coop.vocabulary import AttendanceStatus, values


class PlacementCreate(msgspec.Struct):
    pair_id: int | None = None


class SeatOut(msgspec.Struct):
    id: int
    display_name: str


class PlacementOut(msgspec.Struct):
    id: int
    shift_id: int
    status: str
    members: list[SeatOut]
    waitlist_position: int | None
    pair_id: int | None = None
    message: str = ""
    open_to_anyone: bool = True


class PartnerChoice(msgspec.Struct, forbid_unknown_fields=True):
    """The active pair whose other partner takes the free seat."""

    pair_id: int


class AttendanceRecord(msgspec.Struct):
    """One person's mark; times default to the shift's (no offset: garden time)."""

    member_id: int
    status: Literal[values(AttendanceStatus)]  # type: ignore[valid-type]
    arrived_at: datetime | None = None
    left_at: datetime | None = None


class AttendanceIn(msgspec.Struct):
    records: Annotated[list[AttendanceRecord], msgspec.Meta(min_length=1, max_length=200)]


class AttendanceChangeOut(msgspec.Struct):
    changed_by: int | None
    changed_by_name: str
    changed_at: datetime
    before: dict | None
    after: dict


class AttendanceView(msgspec.Struct):
    member_id: int | None
    display_name: str
    status: str
    arrived_at: datetime | None
    left_at: datetime | None
    approved: bool
    history: list[AttendanceChangeOut]


class AttendanceOut(msgspec.Struct):
    shift_id: int
    records: list[AttendanceView]


class ApproveIn(msgspec.Struct):
    member_ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=200)]


class NoteIn(msgspec.Struct):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class NoteOut(msgspec.Struct):
    id: int
    shift_id: int
    pair_id: int
    text: str
    author: str
    created_at: datetime

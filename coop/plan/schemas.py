"""Request and response shapes for planning the season (the API's, reused by the forms)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
KindSlug = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Location = Annotated[str, msgspec.Meta(max_length=120)]
Notes = Annotated[str, msgspec.Meta(max_length=2000)]
Reason = Annotated[str, msgspec.Meta(max_length=200)]
# Times are text, so "09:00" and "2027-06-01T09:00" are welcome (msgspec wants seconds).
Moment = Annotated[
    str,
    msgspec.Meta(
        min_length=10,
        max_length=40,
        description="ISO 8601; without an offset it is read on the garden's clock",
        examples=["2027-06-01T09:00", "2027-06-01T09:00:00-05:00"],
    ),
]
ClockTime = Annotated[
    str, msgspec.Meta(min_length=4, max_length=16, description="garden-clock time, like 09:00")
]
# A slot holds one pair; 40 pairs is more than any garden bed has room for.
PairSlots = Annotated[int, msgspec.Meta(ge=1, le=40)]


class KindCreate(msgspec.Struct):
    slug: Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]


class KindOut(msgspec.Struct):
    slug: str
    label: str


class ShiftCreate(msgspec.Struct):
    """One shift; times without an offset are read on the garden's clock."""

    title: Title
    kind: KindSlug
    starts_at: Moment
    ends_at: Moment
    pair_slots: PairSlots
    location: Location = ""
    notes: Notes = ""


class ShiftUpdate(msgspec.Struct, omit_defaults=True):
    """Only the fields sent change; ``scope`` "following" also changes the series' later shifts."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    kind: KindSlug | msgspec.UnsetType = msgspec.UNSET
    starts_at: Moment | msgspec.UnsetType = msgspec.UNSET
    ends_at: Moment | msgspec.UnsetType = msgspec.UNSET
    location: Location | msgspec.UnsetType = msgspec.UNSET
    pair_slots: PairSlots | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET
    scope: Literal["this", "following"] = "this"

    def changes(self) -> dict:
        """The fields that were sent, without ``scope``."""
        return {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if name != "scope" and getattr(self, name) is not msgspec.UNSET
        }


class SeriesCreate(msgspec.Struct):
    """A recurring plan: an RFC 5545 RRULE from ``first_date``, at garden-clock times."""

    title: Title
    kind: KindSlug
    rrule: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    first_date: date
    start_time: ClockTime
    end_time: ClockTime
    pair_slots: PairSlots
    location: Location = ""
    notes: Notes = ""


class SeriesForm(msgspec.Struct):
    """What the /plan series form asks, in people's words; the page turns it into an RRULE."""

    title: Title
    kind: KindSlug
    from_date: date
    to_date: date
    start_time: ClockTime
    end_time: ClockTime
    pair_slots: PairSlots
    days: list[Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]] = []
    location: Location = ""
    notes: Notes = ""


class ShiftForm(msgspec.Struct):
    """The single-shift and edit forms: a date and two clock times."""

    title: Title
    kind: KindSlug
    date: date
    start_time: ClockTime
    end_time: ClockTime
    pair_slots: PairSlots
    location: Location = ""
    notes: Notes = ""


class SeriesCreated(msgspec.Struct):
    id: int
    shift_ids: list[int]


class CancelRequest(msgspec.Struct):
    reason: Reason = ""


class DayCancel(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class ShiftOut(msgspec.Struct):
    id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    location: str
    pair_slots: int
    open_slots: int
    taken_slots: int
    status: str
    cancel_reason: str
    notes: str
    sequence: int
    series_id: int | None
    updated_at: datetime


class DayCancelForm(msgspec.Struct):
    """The /plan "cancel a day" form."""

    day: date
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]

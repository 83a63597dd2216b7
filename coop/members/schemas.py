"""Request and response shapes for accounts."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Role = Literal["participant", "peer_supporter", "coordinator"]
Username = Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=7 * 24 * 60)]
ShiftsPerWeek = Annotated[int, msgspec.Meta(ge=1, le=21)]


class LoginRequest(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(max_length=200)]
    password: Annotated[str, msgspec.Meta(max_length=200)]


class InviteCreate(msgspec.Struct):
    role: Role = "participant"


class InviteCreated(msgspec.Struct):
    code: str
    role: str
    expires_at: str


class MemberCreate(msgspec.Struct):
    invite_code: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    username: Username
    password: Password
    display_name: DisplayName


class MemberUpdate(msgspec.Struct, omit_defaults=True):
    """Only the fields sent are changed; ``null`` clears an optional setting."""

    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    max_shifts_per_week: ShiftsPerWeek | msgspec.UnsetType | None = msgspec.UNSET
    share_contact: bool | msgspec.UnsetType = msgspec.UNSET
    contact: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType | None = msgspec.UNSET
    reminder_minutes: Minutes | msgspec.UnsetType | None = msgspec.UNSET


class MemberOut(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str


class MeOut(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    calendar_url: str
    contact: str
    share_contact: bool
    max_shifts_per_week: int | None
    reminder_minutes: int | None


class CalendarUrl(msgspec.Struct):
    calendar_url: str

"""Request and response shapes for accounts."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from coop.vocabulary import Role, values

# One line of ordinary text: no control characters (NUL breaks PostgreSQL, CR/LF breaks headers
# and feeds) and no bidirectional overrides (they make a name read backwards to others).
PLAIN_LINE = r"^[^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]*$"

RoleName = Literal[values(Role)]  # type: ignore[valid-type]
Username = Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=PLAIN_LINE)]
Contact = Annotated[str, msgspec.Meta(max_length=200, pattern=PLAIN_LINE)]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=7 * 24 * 60)]
Language = Literal["en", "es"]
ShiftsPerWeek = Annotated[int, msgspec.Meta(ge=1, le=21)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")]
NoticeKind = Literal[
    "shift_cancelled",
    "shift_changed",
    "waitlist_promoted",
    "partner_left",
    "partner_joined",
    "pair_proposed",
    "pair_accepted",
    "reminder",
    "coordinator_alert",
]
Clock = Annotated[str, msgspec.Meta(pattern=r"^$|^([01]\d|2[0-3]):[0-5]\d$")]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(max_length=200, pattern=PLAIN_LINE)]
    password: Annotated[str, msgspec.Meta(max_length=200)]


class InviteCreate(msgspec.Struct, forbid_unknown_fields=True):
    role: RoleName = Role.PARTICIPANT.value


class InviteCreated(msgspec.Struct):
    code: str
    role: str
    expires_at: str


class MemberCreate(msgspec.Struct, forbid_unknown_fields=True):
    invite_code: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PLAIN_LINE)]
    username: Username
    password: Password
    display_name: DisplayName


class MemberUpdate(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """Only the fields sent are changed; ``null`` clears an optional setting."""

    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    max_shifts_per_week: ShiftsPerWeek | msgspec.UnsetType | None = msgspec.UNSET
    share_contact: bool | msgspec.UnsetType = msgspec.UNSET
    contact: Contact | msgspec.UnsetType | None = msgspec.UNSET
    reminder_minutes: Minutes | msgspec.UnsetType | None = msgspec.UNSET
    language: Language | msgspec.UnsetType | None = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    email_kinds: Annotated[list[NoticeKind], msgspec.Meta(max_length=20)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    quiet_hours_start: Clock | msgspec.UnsetType | None = msgspec.UNSET
    quiet_hours_end: Clock | msgspec.UnsetType | None = msgspec.UNSET


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
    language: str | None
    email: str = ""
    email_kinds: list[str] = []
    quiet_hours_start: str = ""
    quiet_hours_end: str = ""


class CalendarUrl(msgspec.Struct):
    calendar_url: str


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=200)]
    new_password: Password


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(max_length=200, pattern=PLAIN_LINE)]
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PLAIN_LINE)]
    new_password: Password


class ResetCodeCreated(msgspec.Struct):
    code: str
    member_id: int
    expires_at: str

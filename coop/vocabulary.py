"""The garden's words for states and kinds, defined once for tables, schemas and rules."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PARTICIPANT = "participant"
    PEER_SUPPORTER = "peer_supporter"
    COORDINATOR = "coordinator"


class PairStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"
    DECLINED = "declined"


class ShiftStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class PlacementStatus(StrEnum):
    CONFIRMED = "confirmed"
    AWAITING_PARTNER = "awaiting_partner"
    WAITLISTED = "waitlisted"


class AttendanceStatus(StrEnum):
    ATTENDED = "attended"
    EXCUSED = "excused"
    ABSENT = "absent"


class SaleChannel(StrEnum):
    MARKET = "market"
    CAFE = "café"
    EVENT = "event"
    WHOLESALE = "wholesale"
    ONLINE = "online"


class SalePayment(StrEnum):
    CASH = "cash"
    CARD = "card"
    EBT = "ebt"
    OTHER = "other"


# A place that holds a pair slot (the waitlist holds none).
HELD = (PlacementStatus.CONFIRMED, PlacementStatus.AWAITING_PARTNER)
# A pair that blocks another between the same two people.
OPEN_PAIR = (PairStatus.PROPOSED, PairStatus.ACTIVE)


def values(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    """The plain strings of a vocabulary, for ``Literal`` types and SQL."""
    return tuple(member.value for member in vocabulary)


class NoticeKind(StrEnum):
    """What a notice is about (see docs/NOTICES.md)."""

    SHIFT_CANCELLED = "shift_cancelled"
    SHIFT_CHANGED = "shift_changed"
    WAITLIST_PROMOTED = "waitlist_promoted"
    PARTNER_LEFT = "partner_left"
    PARTNER_JOINED = "partner_joined"
    PAIR_PROPOSED = "pair_proposed"
    PAIR_ACCEPTED = "pair_accepted"
    REMINDER = "reminder"
    COORDINATOR_ALERT = "coordinator_alert"

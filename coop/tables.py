"""Every table of the garden, in one place and one migration stream.

Quantities of produce are stored as integer thousandths of their unit (``quantity_milli``)
and money as integer cents: SQLite keeps ``Numeric`` as a float, and totals must be exact.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.vocabulary import (
    AttendanceStatus,
    NoticeKind,
    PairStatus,
    PlacementStatus,
    Role,
    SaleChannel,
    ShiftStatus,
)

NOTICE_KINDS = tuple(kind.value for kind in NoticeKind)
DEFAULT_SHIFT_KINDS = (
    ("planting", "Planting"),
    ("weeding", "Weeding"),
    ("harvesting", "Harvesting"),
    ("composting", "Composting"),
    ("watering", "Watering"),
    ("other", "Other"),
    ("market", "Market"),
)


class Member(Table):
    """A person with an account: a participant, peer supporter or coordinator."""

    username = Varchar(length=40, unique=True)
    display_name = Varchar(length=60)
    role = Varchar(length=20, default=Role.PARTICIPANT, choices=Role)
    password_hash = Varchar(length=200)
    contact = Varchar(length=200, default="")
    share_contact = Boolean(default=False)
    max_shifts_per_week = Integer(null=True, default=None)
    reminder_minutes = Integer(null=True, default=None)
    calendar_token = Varchar(length=64, default="")
    calendar_token_hash = Varchar(length=64, unique=True, null=True, default=None)
    session_version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    hourly_wage_cents = Integer(default=0)
    language = Varchar(length=8, default="")  # "" follows the browser; else "en" or "es"
    # Notices by e-mail: the address is used for nothing else and shown to nobody.
    email = Varchar(length=254, default="")
    email_kinds = Varchar(length=400, default=",".join(NOTICE_KINDS))
    quiet_hours_start = Varchar(length=5, default="")
    quiet_hours_end = Varchar(length=5, default="")


class Invite(Table):
    """A single-use, expiring code a coordinator hands to a newcomer."""

    code_hash = Varchar(length=64, unique=True)
    role = Varchar(length=20, default=Role.PARTICIPANT, choices=Role)
    created_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    used_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)


class Pair(Table):
    """Two equal partners; ``member_a`` is simply the lower id, never a rank."""

    member_a = ForeignKey(Member, on_delete=OnDelete.cascade, index=True)
    member_b = ForeignKey(Member, on_delete=OnDelete.cascade, index=True)
    proposed_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=20, default=PairStatus.PROPOSED, choices=PairStatus)
    calendar_token = Varchar(length=64, default="")
    calendar_token_hash = Varchar(length=64, unique=True, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ShiftKind(Table):
    """What a shift is for: planting, weeding, ... (coordinators may add more)."""

    slug = Varchar(length=40, unique=True)
    label = Varchar(length=60)


class Series(Table):
    """A recurring plan (RFC 5545 RRULE) that created one shift per occurrence."""

    title = Varchar(length=120)
    kind = ForeignKey(ShiftKind, on_delete=OnDelete.restrict)
    rrule = Text()
    first_date = Date()
    start_time = Time()
    end_time = Time()
    pair_slots = Integer(default=1)
    location = Varchar(length=120, default="")
    notes = Text(default="")
    created_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Shift(Table):
    """A paired work session; ``taken_slots`` counts slots in use, guarding capacity."""

    title = Varchar(length=120)
    kind = ForeignKey(ShiftKind, on_delete=OnDelete.restrict)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    location = Varchar(length=120, default="")
    pair_slots = Integer(default=1)
    taken_slots = Integer(default=0)
    notes = Text(default="")
    status = Varchar(length=20, default=ShiftStatus.SCHEDULED, choices=ShiftStatus)
    cancel_reason = Varchar(length=200, default="")
    sequence = Integer(default=0)
    series = ForeignKey(Series, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Placement(Table):
    """One pair slot of a shift (or a place in its waitlist), held by one or two members."""

    shift = ForeignKey(Shift, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=20, choices=PlacementStatus)
    pair = ForeignKey(Pair, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # False after a partner withdrew: only the one left may say "match me with anyone".
    open_to_anyone = Boolean(default=True)


class PlacementMember(Table):
    """A member's seat in a placement; unique per (shift, member)."""

    placement = ForeignKey(Placement, on_delete=OnDelete.cascade, index=True)
    shift = ForeignKey(Shift, on_delete=OnDelete.cascade)
    member = ForeignKey(Member, on_delete=OnDelete.cascade, index=True)
    joined_at = Timestamptz(default=TimestamptzNow())


class Attendance(Table):
    """Whether a person came to a shift; hours come from it."""

    shift = ForeignKey(Shift, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(Member, null=True, on_delete=OnDelete.set_null, index=True)
    status = Varchar(length=20, choices=AttendanceStatus)
    recorded_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(default=TimestamptzNow())
    arrived_at = Timestamptz(null=True, default=None)
    left_at = Timestamptz(null=True, default=None)
    approved = Boolean(default=False)
    approved_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    approved_at = Timestamptz(null=True, default=None)


class ShiftNote(Table):
    """A short note after a shift, private to the pair who worked it."""

    shift = ForeignKey(Shift, on_delete=OnDelete.cascade, index=True)
    pair = ForeignKey(Pair, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class Bed(Table):
    """A bed or area of the garden."""

    name = Varchar(length=80, unique=True)
    size = Varchar(length=80, default="")
    notes = Text(default="")


class Crop(Table):
    """Something the garden grows."""

    name = Varchar(length=80)
    variety = Varchar(length=80, default="")
    default_unit = Varchar(length=10, default="kg")


class Planting(Table):
    """Seeds or seedlings put in a bed, perhaps during a planting shift."""

    crop = ForeignKey(Crop, on_delete=OnDelete.restrict)
    bed = ForeignKey(Bed, null=True, on_delete=OnDelete.set_null)
    planted_on = Date()
    amount = Varchar(length=80, default="")
    shift = ForeignKey(Shift, null=True, on_delete=OnDelete.set_null)
    notes = Text(default="")
    recorded_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Harvest(Table):
    """Produce picked: ``quantity_milli`` thousandths of ``unit``."""

    crop = ForeignKey(Crop, on_delete=OnDelete.restrict, index=True)
    bed = ForeignKey(Bed, null=True, on_delete=OnDelete.set_null)
    shift = ForeignKey(Shift, null=True, on_delete=OnDelete.set_null)
    pair = ForeignKey(Pair, null=True, on_delete=OnDelete.set_null)
    harvested_on = Date(index=True)
    quantity_milli = Integer()
    unit = Varchar(length=10)
    notes = Text(default="")
    recorded_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Product(Table):
    """Something the garden sells, such as a strawberry-basil pop."""

    name = Varchar(length=80)
    unit = Varchar(length=20, default="pop")
    price_cents = Integer()
    created_at = Timestamptz(default=TimestamptzNow())


class Batch(Table):
    """A production run of a product."""

    product = ForeignKey(Product, on_delete=OnDelete.restrict, index=True)
    made_on = Date(index=True)
    quantity = Integer()
    notes = Text(default="")
    recorded_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    lot_code = Varchar(length=40, null=True, default=None)


class BatchProduce(Table):
    """Produce a batch used: ``quantity_milli`` thousandths of ``unit`` of a crop."""

    batch = ForeignKey(Batch, on_delete=OnDelete.cascade, index=True)
    crop = ForeignKey(Crop, on_delete=OnDelete.restrict)
    quantity_milli = Integer()
    unit = Varchar(length=10)


class Sale(Table):
    """Pops sold; money in integer cents."""

    product = ForeignKey(Product, on_delete=OnDelete.restrict, index=True)
    sold_on = Date(index=True)
    quantity = Integer()
    unit_price_cents = Integer()
    channel = Varchar(length=20, choices=SaleChannel)
    recorded_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    payment = Varchar(length=20, default="other")
    shift = ForeignKey(Shift, null=True, on_delete=OnDelete.set_null)
    lot = ForeignKey(Batch, null=True, on_delete=OnDelete.set_null)
    client_id = Varchar(length=36, null=True, default=None)


class Correction(Table):
    """What a corrected record held before, who changed it and when."""

    record_type = Varchar(length=20)
    record_id = Integer(index=True)
    changed_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz(default=TimestamptzNow())
    before = JSON()


class AttemptCount(Table):
    """Guesses counted per (scope, key, fixed window), before any password is checked, so the
    limit holds under parallel requests and across app processes."""

    scope = Varchar(length=20)
    key = Varchar(length=200)
    window_number = Integer()
    attempts = Integer(default=0)


class ResetCode(Table):
    """A single-use code a coordinator hands to a member who lost their password (hash only)."""

    member = ForeignKey(Member, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64, unique=True)
    created_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class AttendanceChange(Table):
    """One change to one person's attendance on one shift: who, when, before and after."""

    shift = ForeignKey(Shift, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(Member, null=True, on_delete=OnDelete.cascade, index=True)
    changed_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz(default=TimestamptzNow())
    before = JSON(null=True, default=None)
    after = JSON()


class PayPeriod(Table):
    """Dates whose shifts are paid together; closing it locks their attendance."""

    starts_on = Date(index=True)
    ends_on = Date()
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class PayAdjustment(Table):
    """A later correction of someone's paid minutes (plus or minus), with the reason."""

    period = ForeignKey(PayPeriod, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(Member, null=True, on_delete=OnDelete.set_null, index=True)
    minutes = Integer()
    reason = Text()
    recorded_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class BatchHarvest(Table):
    """A harvest a batch's produce line names: what a lot trace follows back to the bed."""

    batch = ForeignKey(Batch, on_delete=OnDelete.cascade, index=True)
    produce = ForeignKey(BatchProduce, on_delete=OnDelete.cascade)
    harvest = ForeignKey(Harvest, on_delete=OnDelete.cascade, index=True)


class StockAdjustment(Table):
    """Pops written off (melted, given away, miscounted): stock = made - sold - written off."""

    product = ForeignKey(Product, on_delete=OnDelete.restrict, index=True)
    quantity = Integer()
    reason = Varchar(length=200)
    adjusted_on = Date()
    recorded_by = ForeignKey(Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Notification(Table):
    """One notice to one member, written in the transaction of the change it reports."""

    member = ForeignKey(Member, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40)
    text = Text()
    url = Varchar(length=300, default="")
    language = Varchar(length=10, default="en")
    dedupe_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
    email_status = Varchar(length=10, default="")  # the outbox index is partial: see migration
    emailed_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    texts = Text(default="")  # JSON {language: text} for a member who follows the browser's


TABLES: list[type[Table]] = [
    Member,
    Invite,
    Pair,
    ShiftKind,
    Series,
    Shift,
    Placement,
    PlacementMember,
    Attendance,
    ShiftNote,
    Bed,
    Crop,
    Planting,
    Harvest,
    Product,
    Batch,
    BatchProduce,
    Sale,
    Correction,
    AttemptCount,
    ResetCode,
    AttendanceChange,
    PayPeriod,
    PayAdjustment,
    BatchHarvest,
    StockAdjustment,
    Notification,
]

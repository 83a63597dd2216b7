"""Request and response shapes for pay periods, adjustments, wages and timesheets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from coop.pay.service import MAX_ADJUSTMENT_MINUTES, MAX_WAGE_CENTS


class PayPeriodCreate(msgspec.Struct):
    starts_on: date
    ends_on: date


class PayPeriodOut(msgspec.Struct):
    id: int
    starts_on: date
    ends_on: date
    closed: bool
    closed_at: datetime | None


class AdjustmentCreate(msgspec.Struct):
    member_id: int
    minutes: Annotated[int, msgspec.Meta(ge=-MAX_ADJUSTMENT_MINUTES, le=MAX_ADJUSTMENT_MINUTES)]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class WageUpdate(msgspec.Struct):
    hourly_wage_cents: Annotated[int, msgspec.Meta(ge=0, le=MAX_WAGE_CENTS)]


class WageOut(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    hourly_wage_cents: int


class TimesheetShift(msgspec.Struct):
    shift_id: int
    title: str
    starts_at: datetime
    minutes: int


class TimesheetAdjustment(msgspec.Struct):
    id: int
    minutes: int
    reason: str


class TimesheetLine(msgspec.Struct):
    member_id: int | None
    display_name: str
    minutes: int
    hourly_wage_cents: int
    gross_cents: int
    shift_minutes: int
    adjustment_minutes: int
    shifts: list[TimesheetShift]
    adjustments: list[TimesheetAdjustment]


class Timesheet(msgspec.Struct):
    id: int
    starts_on: date
    ends_on: date
    closed: bool
    members: list[TimesheetLine]
    total_minutes: int
    total_cents: int


class ShiftAwaiting(msgspec.Struct):
    id: int
    title: str
    starts_at: datetime
    member_ids: list[int]


class PayPeriodDetail(PayPeriodOut):
    needing_approval: list[ShiftAwaiting]

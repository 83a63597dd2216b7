"""Request and response shapes for products, batches and sales (money in integer cents)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

import msgspec

from coop.garden.schemas import Amount, Id, Unit
from coop.vocabulary import SaleChannel, SalePayment, values

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Cents = Annotated[int, msgspec.Meta(ge=0, le=100_000_00)]
Count = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Notes = Annotated[str, msgspec.Meta(max_length=2000)]
Channel = Literal[values(SaleChannel)]  # type: ignore[valid-type]
Payment = Literal[values(SalePayment)]  # type: ignore[valid-type]
LotCode = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class ProductCreate(msgspec.Struct):
    name: Name
    price_cents: Cents
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=20)] = "pop"


class ProductOut(msgspec.Struct):
    id: int
    name: str
    unit: str
    price_cents: int
    stock: str = "0"  # made - sold - written off; may be below zero


class ProduceUsed(msgspec.Struct):
    crop_id: Id
    quantity: Amount
    unit: Unit
    harvest_ids: Annotated[list[Id], msgspec.Meta(max_length=50)] = []


class ProduceUsedOut(msgspec.Struct):
    crop_id: int
    crop: str
    quantity: str
    unit: str
    harvest_ids: list[int] = []


class BatchCreate(msgspec.Struct):
    product_id: Id
    made_on: date
    quantity: Count
    produce_used: Annotated[list[ProduceUsed], msgspec.Meta(max_length=50)] = []
    notes: Notes = ""


class BatchUpdate(msgspec.Struct, omit_defaults=True):
    """A correction: only the fields sent change; produce_used, if sent, replaces the list."""

    product_id: Id | msgspec.UnsetType = msgspec.UNSET
    made_on: date | msgspec.UnsetType = msgspec.UNSET
    quantity: Count | msgspec.UnsetType = msgspec.UNSET
    produce_used: Annotated[list[ProduceUsed], msgspec.Meta(max_length=50)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    notes: Notes | msgspec.UnsetType = msgspec.UNSET


class BatchOut(msgspec.Struct):
    id: int
    product_id: int
    product: str
    made_on: date
    quantity: int
    produce_used: list[ProduceUsedOut]
    notes: str
    recorded_by: int | None
    corrected: bool = False
    lot_code: str | None = None


class SaleCreate(msgspec.Struct):
    """A sale; at the stall the phone sends ``client_id`` so a resend never counts twice."""

    product_id: Id
    quantity: Count
    sold_on: date | None = None  # today in the garden's time zone
    channel: Channel = "market"
    unit_price_cents: Cents | None = None
    payment: Payment = "other"
    shift_id: Id | None = None
    client_id: uuid.UUID | None = None
    lot_code: LotCode | None = None


class SaleUpdate(msgspec.Struct, omit_defaults=True):
    product_id: Id | msgspec.UnsetType = msgspec.UNSET
    sold_on: date | msgspec.UnsetType = msgspec.UNSET
    quantity: Count | msgspec.UnsetType = msgspec.UNSET
    channel: Channel | msgspec.UnsetType = msgspec.UNSET
    unit_price_cents: Cents | msgspec.UnsetType = msgspec.UNSET
    payment: Payment | msgspec.UnsetType = msgspec.UNSET


class SaleOut(msgspec.Struct):
    id: int
    product_id: int
    product: str
    sold_on: date
    quantity: int
    unit_price_cents: int
    total_cents: int
    channel: str
    recorded_by: int | None
    corrected: bool = False
    payment: str = "other"
    shift_id: int | None = None
    lot_code: str | None = None
    client_id: str | None = None


class StockAdjustmentCreate(msgspec.Struct):
    """Pops written off (a negative quantity puts back pops found in a recount)."""

    product_id: Id
    quantity: Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    adjusted_on: date | None = None

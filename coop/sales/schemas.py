"""Request and response shapes for products, batches and sales (money in integer cents)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from coop.garden.schemas import Amount, Id, Unit
from coop.vocabulary import SaleChannel, values

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Cents = Annotated[int, msgspec.Meta(ge=0, le=100_000_00)]
Count = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Notes = Annotated[str, msgspec.Meta(max_length=2000)]
Channel = Literal[values(SaleChannel)]  # type: ignore[valid-type]


class ProductCreate(msgspec.Struct):
    name: Name
    price_cents: Cents
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=20)] = "pop"


class ProductOut(msgspec.Struct):
    id: int
    name: str
    unit: str
    price_cents: int


class ProduceUsed(msgspec.Struct):
    crop_id: Id
    quantity: Amount
    unit: Unit


class ProduceUsedOut(msgspec.Struct):
    crop_id: int
    crop: str
    quantity: str
    unit: str


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


class SaleCreate(msgspec.Struct):
    product_id: Id
    sold_on: date
    quantity: Count
    channel: Channel
    unit_price_cents: Cents | None = None


class SaleUpdate(msgspec.Struct, omit_defaults=True):
    product_id: Id | msgspec.UnsetType = msgspec.UNSET
    sold_on: date | msgspec.UnsetType = msgspec.UNSET
    quantity: Count | msgspec.UnsetType = msgspec.UNSET
    channel: Channel | msgspec.UnsetType = msgspec.UNSET
    unit_price_cents: Cents | msgspec.UnsetType = msgspec.UNSET


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

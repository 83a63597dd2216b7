"""Request and response shapes for pairs."""

from __future__ import annotations

from typing import Annotated

import msgspec


class PairCreate(msgspec.Struct):
    partner: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class PairStatus(msgspec.Struct):
    id: int
    status: str


class PairMember(msgspec.Struct):
    id: int
    display_name: str


class PairOut(msgspec.Struct):
    id: int
    status: str
    members: list[PairMember]
    calendar_url: str | None
    partner: PairMember
    proposed_by_me: bool

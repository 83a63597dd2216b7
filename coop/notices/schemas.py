"""Response shapes for notices."""

from __future__ import annotations

from datetime import datetime

import msgspec


class NotificationOut(msgspec.Struct):
    id: int
    kind: str
    text: str
    url: str
    created_at: datetime
    read_at: datetime | None


class UndeliveredOut(msgspec.Struct):
    id: int
    kind: str
    text: str
    display_name: str
    created_at: datetime
    attempts: int
    last_error: str

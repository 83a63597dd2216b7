"""The query parameters lists share, checked by Litestar before a handler runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from litestar.params import QueryParameter

from coop.errors import DomainError
from coop.periods import FIRST_YEAR, LAST_YEAR
from coop.plan.recurrence import parse_moment

# The query parameters every list takes (``from`` is a Python keyword, hence the names).
# Litestar checks the bounds and answers 400 naming the field; an unbounded offset would reach
# the database as a number no 64-bit column holds, and fail there.
Limit = Annotated[int, QueryParameter(ge=1, le=1000)]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000)]
Year = Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR)]
From = Annotated[date | None, QueryParameter(name="from")]
To = Annotated[date | None, QueryParameter(name="to")]


def moment_query(text: str | None, zone: ZoneInfo, name: str) -> datetime | None:
    """A moment in a query string (``?start=``), read by ``parse_moment``; absent is None.

    A query decodes "+" as a space, so "09:00+02:00" is put back; a bad one is a 400, like any
    query parameter Litestar refuses.
    """
    if not text:
        return None
    try:
        return parse_moment(text.replace(" ", "+"), zone, name)
    except DomainError as error:
        raise DomainError(error.message, field=name) from error

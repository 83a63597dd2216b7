"""The query parameters lists share, checked by Litestar before a handler runs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar.params import QueryParameter

from coop.periods import FIRST_YEAR, LAST_YEAR

# The query parameters every list takes (``from`` is a Python keyword, hence the names).
# Litestar checks the bounds and answers 400 naming the field; an unbounded offset would reach
# the database as a number no 64-bit column holds, and fail there.
Limit = Annotated[int, QueryParameter(ge=1, le=1000)]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000)]
Year = Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR)]
From = Annotated[date | None, QueryParameter(name="from")]
To = Annotated[date | None, QueryParameter(name="to")]

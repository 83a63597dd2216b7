"""One way to page through a long list: previous and next links that keep the chosen filters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

PAGE_SIZE = 50


def page_links(
    path: str, filters: dict[str, Any], offset: int, total: int, size: int = PAGE_SIZE
) -> dict[str, str]:
    """{"previous": ..., "next": ...}, each only when there is such a page."""
    kept = {k: v for k, v in filters.items() if v not in (None, "")}
    links = {}
    if offset > 0:
        links["previous"] = f"{path}?{urlencode({**kept, 'offset': max(offset - size, 0)})}"
    if offset + size < total:
        links["next"] = f"{path}?{urlencode({**kept, 'offset': offset + size})}"
    return links

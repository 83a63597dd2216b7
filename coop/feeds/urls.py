"""The one builder of feed addresses, for pages, the API and the pairs' views."""

from __future__ import annotations

from coop.settings import Settings


def feed_url(settings: Settings, feed: str, name: str = "") -> str:
    """The address of a feed: "season", or "kinds", "members", "pairs" with a slug or token."""
    path = f"{feed}/{name}" if name else feed
    return f"{settings.base_url}/calendar/{path}.ics"

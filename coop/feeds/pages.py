"""The subscribe page, /calendar: links that calendar apps understand, and a QR code for phones.

Subscribing is the whole point of a feed, and most people do it once, on a phone, unsure where
the setting lives; so the page gives each link three ways (a webcal:// link that opens the
calendar app, the plain address to paste, a QR code) and a short how-to per app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import segno
from litestar import Controller, get
from litestar.response import Template

from coop.feeds import service
from coop.feeds.urls import feed_url
from coop.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, current_language, translated
from coop.web.deps import AppSettings, Viewer


@dataclass(frozen=True)
class FeedLink:
    """One feed as the page offers it."""

    title: str
    url: str  # https:// (or http://) address, for Google and for copying
    qr: str = ""  # data: URI of an SVG QR code, for phones

    @property
    def webcal(self) -> str:
        """webcal:// asks the system to open its calendar app and subscribe."""
        return "webcal://" + self.url.split("://", 1)[1]


def in_language(url: str, language: str) -> str:
    """The feed's address in ``language``: English needs no parameter."""
    return url if language == DEFAULT_LANGUAGE else f"{url}?lang={language}"


def qr_code(url: str) -> str:
    """An SVG QR code as a data: URI (the CSP allows data: images, and it needs no route)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _with_qr(title: str, url: str) -> FeedLink:
    link = FeedLink(title, url)
    return FeedLink(title, url, qr_code(link.webcal))


class CalendarPages(Controller):
    include_in_schema = False

    @get("/calendar", name="calendar")
    async def subscribe(self, viewer: Viewer, settings: AppSettings) -> Template:
        """Every feed the viewer may subscribe to, with how-tos."""
        known, pairs = await service.subscriptions(viewer.id if viewer is not None else None)
        show_season = settings.season_feed_public or viewer is not None
        language = current_language()
        season_url = feed_url(settings, "season")
        context: dict[str, Any] = {
            "viewer": viewer,
            "show_season": show_season,
            "season": _with_qr(_("Every shift of the season"), in_language(season_url, language))
            if show_season
            else None,
            "season_languages": [
                {"code": code, "name": name, "url": in_language(season_url, code)}
                for code, name in LANGUAGES.items()
            ],
            "kinds": [
                FeedLink(
                    translated(kind["label"]),
                    in_language(feed_url(settings, "kinds", kind["slug"]), language),
                )
                for kind in known
            ]
            if show_season
            else [],
            "mine": None,
            "pairs": [],
        }
        if viewer is not None:
            context["mine"] = _with_qr(
                _("My shifts"), feed_url(settings, "members", viewer.calendar_token)
            )
            context["pairs"] = [
                _with_qr(
                    _("Shifts with %(name)s", name=pair["display_name"]),
                    in_language(feed_url(settings, "pairs", pair["calendar_token"]), language),
                )
                for pair in pairs
            ]
        return Template("feeds/calendar.html", context=context)

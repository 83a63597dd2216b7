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

from coop.db import reading
from coop.deps import AppSettings, Viewer
from coop.feeds.service import kinds
from coop.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, current_language, translated
from coop.settings import Settings
from coop.tables import Member, Pair


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


def feed_url(settings: Settings, path: str) -> str:
    return f"{settings.base_url}/calendar/{path}.ics"


def member_feed_url(settings: Settings, token: str) -> str:
    return feed_url(settings, f"members/{token}")


def pair_feed_url(settings: Settings, token: str) -> str:
    return feed_url(settings, f"pairs/{token}")


def in_language(url: str, language: str) -> str:
    """The feed's address in ``language``: English needs no parameter."""
    return url if language == DEFAULT_LANGUAGE else f"{url}?lang={language}"


def qr_code(url: str) -> str:
    """An SVG QR code as a data: URI (the CSP allows data: images, and it needs no route)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _with_qr(title: str, url: str) -> FeedLink:
    link = FeedLink(title, url)
    return FeedLink(title, url, qr_code(link.webcal))


async def _active_pairs(member: Member) -> list[dict[str, Any]]:
    """The member's active pairs that have a calendar link, with the partner's name."""
    rows = await Pair.select(
        Pair.id,
        Pair.calendar_token,
        Pair.member_a,
        Pair.member_b,
        Pair.member_a.display_name.as_alias("a_name"),
        Pair.member_b.display_name.as_alias("b_name"),
    ).where(
        ((Pair.member_a == member.id) | (Pair.member_b == member.id))
        & (Pair.status == "active")
        & (Pair.calendar_token != "")
    )
    return [
        {
            "token": row["calendar_token"],
            "partner": row["b_name"] if row["member_a"] == member.id else row["a_name"],
        }
        for row in sorted(rows, key=lambda r: r["id"])
    ]


class CalendarPages(Controller):
    include_in_schema = False

    @get("/calendar")
    async def subscribe(self, viewer: Viewer, settings: AppSettings) -> Template:
        """Every feed the viewer may subscribe to, with how-tos."""
        async with reading():
            known = await kinds()
            pairs = await _active_pairs(viewer) if viewer is not None else []
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
                    in_language(feed_url(settings, f"kinds/{kind['slug']}"), language),
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
                _("My shifts"), member_feed_url(settings, viewer.calendar_token)
            )
            context["pairs"] = [
                _with_qr(
                    _("Shifts with %(name)s", name=pair["partner"]),
                    in_language(pair_feed_url(settings, pair["token"]), language),
                )
                for pair in pairs
            ]
        return Template("feeds/calendar.html", context=context)

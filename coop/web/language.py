"""Which language each request speaks: the member's choice, the switch's cookie, the browser's."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.connection import ASGIConnection
from litestar.middleware import ASGIMiddleware
from litestar.response import Redirect
from litestar.types import ASGIApp, Receive, Scope, Send

from coop.i18n import DEFAULT_LANGUAGE, LANGUAGES, set_language
from coop.members import service as members
from coop.web import sessions
from coop.web.forms import Form
from coop.web.urls import safe_next

COOKIE = "coop_language"
COOKIE_MAX_AGE = 365 * 24 * 3600
_CHOSEN = "coop_language"  # marks a scope whose language is already set


def from_accept_language(header: str) -> str | None:
    """The first language we speak in an ``Accept-Language`` header, by its q weights."""
    offers: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and weight > 0:
            offers.append((-weight, position, language))
    return min(offers)[2] if offers else None


def visitor_language(connection: ASGIConnection) -> str:
    """Without a member's choice: the switch's cookie, else the browser's wish, else English."""
    cookie = connection.cookies.get(COOKIE, "")
    if cookie in LANGUAGES:
        return cookie
    return from_accept_language(connection.headers.get("accept-language", "")) or DEFAULT_LANGUAGE


async def choose_language(connection: ASGIConnection) -> str:
    session = connection.scope.get("session")
    if isinstance(session, dict) and session.get("member_id"):
        member = await sessions.current_member(connection)
        if member is not None and member.language in LANGUAGES:
            return member.language
    return visitor_language(connection)


def ensure_language(connection: ASGIConnection) -> None:
    """For answers that never passed the middleware (an unknown path): speak the visitor's."""
    if not connection.scope.get("state", {}).get(_CHOSEN):
        set_language(visitor_language(connection))


class LanguageMiddleware(ASGIMiddleware):
    """Set the request's language before any handler, guard or error handler speaks."""

    scopes = ("http",)
    exclude_path_pattern = ("^/static/",)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        set_language(await choose_language(connection))
        scope.setdefault("state", {})[_CHOSEN] = True
        await next_app(scope, receive, send)


class LanguageSwitch(Controller):
    include_in_schema = False

    @post("/language", status_code=303)
    async def switch(self, request: Request, data: Form) -> Redirect:
        """Remember the choice in a cookie, and on the member's account when logged in."""
        language = str(data.get("language", ""))
        if language not in LANGUAGES:
            language = DEFAULT_LANGUAGE
        member = await sessions.current_member(request)
        if member is not None:
            await members.update_settings(member, {"language": language})
        response = Redirect(safe_next(request, data.get("next"), "home"), status_code=303)
        response.set_cookie(
            COOKIE,
            language,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

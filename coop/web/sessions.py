"""Sessions, the current member and the guards that keep pages and the API to their people."""

from __future__ import annotations

import hashlib

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware.session.client_side import CookieBackendConfig

from coop.errors import Forbidden
from coop.i18n import _
from coop.settings import Settings
from coop.tables import Member
from coop.vocabulary import Role

SESSION_MAX_AGE = 14 * 24 * 3600


def session_config(settings: Settings) -> CookieBackendConfig:
    """Encrypted cookie sessions: every app process can read them, none keeps state."""
    return CookieBackendConfig(
        secret=hashlib.sha256(settings.secret_key.encode()).digest(),
        key="coop_session",
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


# --- the current member and guards --------------------------------------------------------------

_MEMBER_STATE_KEY = "coop_member"


async def current_member(connection: ASGIConnection) -> Member | None:
    """The logged-in member, loaded once per request; a stale session counts as logged out."""
    state = connection.scope.setdefault("state", {})
    if _MEMBER_STATE_KEY in state:
        return state[_MEMBER_STATE_KEY]
    member = None
    session = connection.scope.get("session") or {}
    member_id = session.get("member_id") if isinstance(session, dict) else None
    if isinstance(member_id, int):
        member = await Member.objects().where(Member.id == member_id).first()
        if member is not None and session.get("key") != _session_key(member):
            member = None
    state[_MEMBER_STATE_KEY] = member
    return member


async def provide_member(request: ASGIConnection) -> Member:
    """Dependency for handlers behind ``requires_member``."""
    member = await current_member(request)
    if member is None:
        raise NotAuthorizedException(_("Please log in first."))
    return member


async def provide_optional_member(request: ASGIConnection) -> Member | None:
    return await current_member(request)


async def requires_member(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if await current_member(connection) is None:
        raise NotAuthorizedException(_("Please log in first."))


async def requires_coordinator(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    member = await current_member(connection)
    if member is None:
        raise NotAuthorizedException(_("Please log in first."))
    if member.role != Role.COORDINATOR:
        raise Forbidden(_("Only coordinators can do that. If you think you should, ask one."))


def _session_key(member: Member) -> str:
    """What a session must match besides the id.

    ``session_version`` changes on "log out everywhere", so every copy of a cookie stops working.
    ``created_at`` tells a closed account from a newcomer given the same row id (SQLite reuses the
    highest id), so an old cookie never opens somebody else's account.
    """
    return f"{member.session_version}:{member.created_at.timestamp():.6f}"


def start_session(connection: ASGIConnection, member: Member) -> None:
    """Replace the whole session at log-in: nothing from before carries over."""
    connection.clear_session()
    connection.set_session({"member_id": member.id, "key": _session_key(member)})
    connection.scope.setdefault("state", {})[_MEMBER_STATE_KEY] = member


def end_session(connection: ASGIConnection) -> None:
    """Forget the member but keep an (empty) session, so a goodbye message can still be flashed."""
    connection.set_session({})
    connection.scope.setdefault("state", {})[_MEMBER_STATE_KEY] = None


def client_address(connection: ASGIConnection) -> str:
    return connection.client.host if connection.client else "unknown"


def ensure_may_see_schedule(settings: Settings, viewer: Member | None) -> None:
    """Members-only mode (COOP_SEASON_FEED_PUBLIC=0): the schedule needs a log-in, pages and
    JSON alike (pages then go to the log-in page)."""
    from coop.shifts.visibility import may_see_schedule

    if not may_see_schedule(settings, viewer):
        raise NotAuthorizedException(_("The garden's schedule is for members. Please log in."))

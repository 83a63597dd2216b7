"""Passwords, sessions, the current member and guards (guess limits: coop.members.throttle)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware.session.client_side import CookieBackendConfig

from coop.errors import Forbidden
from coop.settings import Settings
from coop.tables import Member

# OWASP's minimum for argon2id: about 20 ms a check here, against 116 ms for the defaults.
PASSWORDS = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = PASSWORDS.hash("not a real password")

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


def hash_password(password: str) -> str:
    return PASSWORDS.hash(password)


async def check_password(member: Member | None, password: str) -> bool:
    """Verify in a worker thread; hash a dummy for unknown names so timing reveals nothing."""
    stored = member.password_hash if member is not None and member.password_hash else _DUMMY_HASH

    def verify() -> bool:
        try:
            return PASSWORDS.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    ok = await asyncio.to_thread(verify)
    if ok and member is not None and PASSWORDS.check_needs_rehash(stored):
        new_hash = await asyncio.to_thread(PASSWORDS.hash, password)
        await Member.update({Member.password_hash: new_hash}).where(Member.id == member.id)
    return ok and member is not None


def new_secret_token() -> tuple[str, str]:
    """A 256-bit URL-safe secret and the SHA-256 hash it is looked up by."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
        raise NotAuthorizedException("Please log in first.")
    return member


async def provide_optional_member(request: ASGIConnection) -> Member | None:
    return await current_member(request)


async def requires_member(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if await current_member(connection) is None:
        raise NotAuthorizedException("Please log in first.")


async def requires_coordinator(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    member = await current_member(connection)
    if member is None:
        raise NotAuthorizedException("Please log in first.")
    if member.role != "coordinator":
        raise Forbidden("Only coordinators can do that. If you think you should, ask one.")


def _session_key(member: Member) -> str:
    """What a session must match besides the id.

    ``session_version`` changes on "log out everywhere", so every copy of a cookie stops working.
    ``created_at`` tells a closed account from a newcomer given the same row id (SQLite reuses the
    highest id), so an old cookie never opens somebody else's account.
    """
    return f"{member.session_version}:{member.created_at.timestamp():.6f}"


async def end_every_session(member: Member) -> None:
    """Log the member out on every device: cookies are self-contained, so change what they match."""
    await Member.update({Member.session_version: Member.session_version + 1}).where(
        Member.id == member.id
    )
    member.session_version += 1


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


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(PASSWORDS.hash, password)

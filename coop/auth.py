"""Passwords, sessions, the current member, guards and log-in throttling."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware.session.client_side import CookieBackendConfig

from coop.errors import Forbidden, TooManyAttempts
from coop.i18n import _, ngettext
from coop.settings import Settings
from coop.tables import LoginThrottle, Member

# OWASP's minimum for argon2id: about 20 ms a check here, against 116 ms for the defaults.
PASSWORDS = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = PASSWORDS.hash("not a real password")

MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLE_WINDOW = timedelta(minutes=15)
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


# --- throttling -------------------------------------------------------------------------------


def _throttle_keys(username: str, address: str, kind: str = "user") -> list[tuple[str, int]]:
    """The counters one attempt ticks: its name (a username, or for invites the address) and
    its address. ``kind`` keeps the two name spaces apart, so nobody can lock another
    address's registration by failing to log in as "invite:<address>"."""
    return [
        (f"{kind}:{username.strip().lower()[:100]}", MAX_FAILURES_PER_USERNAME),
        (f"addr:{address}", MAX_FAILURES_PER_ADDRESS),
    ]


async def ensure_not_throttled(username: str, address: str, kind: str = "user") -> None:
    """Refuse with 429 while a username or address has failed too often lately."""
    now = datetime.now(UTC)
    for key, limit in _throttle_keys(username, address, kind):
        row = await LoginThrottle.select().where(LoginThrottle.key == key).first()
        if row is None:
            continue
        window_end = row["window_started_at"] + THROTTLE_WINDOW
        if row["failures"] >= limit and window_end > now:
            wait = int((window_end - now).total_seconds()) + 1
            minutes = max(1, round(wait / 60))
            raise TooManyAttempts(
                ngettext(
                    "That's a lot of tries in a short time. To keep accounts safe, please wait "
                    "about %(num)d minute and try again.",
                    "That's a lot of tries in a short time. To keep accounts safe, please wait "
                    "about %(num)d minutes and try again.",
                    minutes,
                ),
                retry_after=wait,
            )


async def record_failure(username: str, address: str, kind: str = "user") -> None:
    now = datetime.now(UTC)
    for key, _limit in _throttle_keys(username, address, kind):
        row = await LoginThrottle.select().where(LoginThrottle.key == key).first()
        if row is None:
            await LoginThrottle.insert(
                LoginThrottle(key=key, failures=1, window_started_at=now)
            ).on_conflict(action="DO NOTHING")
        elif row["window_started_at"] + THROTTLE_WINDOW <= now:
            await LoginThrottle.update(
                {LoginThrottle.failures: 1, LoginThrottle.window_started_at: now}
            ).where(LoginThrottle.key == key)
        else:
            await LoginThrottle.update({LoginThrottle.failures: LoginThrottle.failures + 1}).where(
                LoginThrottle.key == key
            )


async def clear_failures(username: str) -> None:
    key = _throttle_keys(username, "")[0][0]
    await LoginThrottle.delete().where(LoginThrottle.key == key)


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
    if member.role != "coordinator":
        raise Forbidden(_("Only coordinators can do that. If you think you should, ask one."))


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

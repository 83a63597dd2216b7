"""Passwords, secret tokens and log-in throttling: no web framework, only the tables."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from coop.errors import TooManyAttempts
from coop.i18n import ngettext
from coop.tables import LoginThrottle, Member

# OWASP's minimum for argon2id: about 20 ms a check here, against 116 ms for the defaults.
PASSWORDS = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = PASSWORDS.hash("not a real password")

MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLE_WINDOW = timedelta(minutes=15)


def hash_password(password: str) -> str:
    return PASSWORDS.hash(password)


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(PASSWORDS.hash, password)


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


async def end_every_session(member: Member) -> None:
    """Log the member out on every device: cookies are self-contained, so change what they match."""
    await Member.update({Member.session_version: Member.session_version + 1}).where(
        Member.id == member.id
    )
    member.session_version += 1


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

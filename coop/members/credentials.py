"""Passwords and secret tokens: no web framework, only the tables (guess limits: throttle.py)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from coop.tables import Member

# OWASP's minimum for argon2id: about 20 ms a check here, against 116 ms for the defaults.
PASSWORDS = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = PASSWORDS.hash("not a real password")


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

"""Changing a password, and a way back in: single-use reset codes a coordinator hands over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coop.db import writing
from coop.errors import DomainError, NotFound
from coop.i18n import _
from coop.members import credentials, throttle
from coop.members.service import _invite_code
from coop.tables import Member, ResetCode

RESET_CODE_LIFETIME = timedelta(hours=24)


class ResetCodeNotUsable(DomainError):
    status_code = 400


def _code_hash(code: str) -> str:
    """Read aloud, a code gets typed with or without dashes or spaces, in any case."""
    return credentials.token_hash("".join(code.split()).replace("-", "").upper())


async def change_password(member: Member, current: str, new: str, address: str) -> None:
    """Check the current password (counted like a log-in), store the new one, and end every
    session of the member: the caller starts a fresh one for the device in hand."""
    attempt = await throttle.count_attempt(throttle.login_counters(member.username, address))
    if not await credentials.check_password(member, current):
        raise DomainError(
            _("That isn't your current password. Please try again."), field="current_password"
        )
    await throttle.forgive(attempt, "login")
    new_hash = await credentials.hash_password_async(new)
    await Member.update(
        {Member.password_hash: new_hash, Member.session_version: Member.session_version + 1}
    ).where(Member.id == member.id)
    member.password_hash = new_hash
    member.session_version += 1


async def create_reset_code(
    by: Member, member_id: int | None = None, username: str | None = None
) -> tuple[str, datetime, Member]:
    """A new code for the member with ``member_id`` or ``username`` (any earlier unused code of
    theirs stops working); it is shown once, only its hash is kept."""
    if username is not None:
        query = Member.objects().where(Member.username == username.strip().lower())
    else:
        query = Member.objects().where(Member.id == member_id)
    member = await query.first()
    if member is None:
        raise NotFound(
            _("We couldn't find a member with that username.")
            if username is not None
            else _("We couldn't find that member.")
        )
    code = _invite_code()
    expires_at = datetime.now(UTC) + RESET_CODE_LIFETIME
    async with writing():
        await ResetCode.delete().where(
            (ResetCode.member == member.id) & ResetCode.used_at.is_null()
        )
        await ResetCode.insert(
            ResetCode(
                member=member.id,
                code_hash=_code_hash(code),
                created_by=by.id,
                expires_at=expires_at,
            )
        )
    return code, expires_at, member


async def reset_password(username: str, code: str, new_password: str, address: str) -> Member:
    """Use a reset code (once, within 24 h): a new password, and every session of that member
    ends. Guesses are counted first, like log-ins, per username and per address."""
    attempt = await throttle.count_attempt(throttle.reset_counters(username, address))
    refusal = ResetCodeNotUsable(
        _(
            "That username and reset code don't match, or the code was used or is more than "
            "a day old. Please check them, or ask a coordinator for a new code."
        ),
        field="code",
    )
    new_hash = await credentials.hash_password_async(new_password)  # first: timing reveals no names
    member = await Member.objects().where(Member.username == username.strip().lower()).first()
    if member is None:
        raise refusal
    now = datetime.now(UTC)
    async with writing():
        used = (
            await ResetCode.update({ResetCode.used_at: now})
            .where(
                (ResetCode.code_hash == _code_hash(code))
                & (ResetCode.member == member.id)
                & ResetCode.used_at.is_null()
                & (ResetCode.expires_at > now)
            )
            .returning(ResetCode.id)
        )
        if not used:
            raise refusal
        await Member.update(
            {Member.password_hash: new_hash, Member.session_version: Member.session_version + 1}
        ).where(Member.id == member.id)
    await throttle.forgive(attempt, "reset")
    member.password_hash = new_hash
    member.session_version += 1
    return member

"""Accounts: invites, registration, log-in, settings, export and closing an account."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns import ForeignKey
from piccolo.table import Table

from coop.db import writing
from coop.errors import Conflict, DomainError
from coop.i18n import N_, _
from coop.members import credentials, throttle
from coop.members.schemas import MemberCreate
from coop.tables import TABLES, Invite, Member
from coop.vocabulary import Role

INVITE_LIFETIME = timedelta(days=14)
ROLE_LABELS = {
    Role.PARTICIPANT: N_("participant"),
    Role.PEER_SUPPORTER: N_("peer supporter"),
    Role.COORDINATOR: N_("coordinator"),
}


class BadCredentials(DomainError):
    status_code = 401


class InviteNotUsable(DomainError):
    status_code = 400


def _invite_code() -> str:
    """Easy to read aloud or type on a phone: four groups of four, no look-alike letters."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _i in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


# Characters that print as nothing at all although Unicode calls them letters or symbols:
# Hangul fillers, the blank Braille pattern, and others used to fake an empty name.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5\u2063\u2064")
# Marks, format characters, separators, controls, private use and unassigned: nothing to see
# on their own (a combining mark only shows on a letter that is there anyway).
INVISIBLE_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


def _visible(text: str) -> bool:
    """At least one character that others can actually see."""
    return any(
        char not in INVISIBLE
        and unicodedata.category(char) not in INVISIBLE_CATEGORIES
        and char.isprintable()
        for char in text
    )


def clean_display_name(name: str) -> str:
    """Trim it, and insist on something others can see (not only spaces or invisible marks)."""
    name = name.strip()
    if not _visible(name):
        raise DomainError(
            _("Display name: please use at least one letter, digit or symbol."),
            field="display_name",
        )
    return name


async def create_invite(by: Member, role: str) -> tuple[str, datetime]:
    code = _invite_code()
    expires_at = datetime.now(UTC) + INVITE_LIFETIME
    await Invite.insert(
        Invite(
            code_hash=credentials.token_hash(_normalise_code(code)),
            role=role,
            created_by=by.id,
            expires_at=expires_at,
        )
    )
    return code, expires_at


async def register(data: MemberCreate, address: str) -> Member:
    """Use an invite (once) and create the member it was meant for; code guesses are limited."""
    attempt = await throttle.count_attempt(throttle.invite_counters(address))
    display_name = clean_display_name(data.display_name)
    password_hash = await credentials.hash_password_async(data.password)
    code_hash = credentials.token_hash(_normalise_code(data.invite_code))
    async with writing():
        invite = await Invite.objects().where(Invite.code_hash == code_hash).first()
        now = datetime.now(UTC)
        if invite is None:
            raise InviteNotUsable(
                _(
                    "We don't recognise that invite code. Please check it, or ask a coordinator "
                    "for a new one."
                ),
                field="invite_code",
            )
        if invite.used_at is not None:
            raise InviteNotUsable(
                _(
                    "That invite code has already been used. Please ask a coordinator for a new "
                    "one."
                ),
                field="invite_code",
            )
        if invite.expires_at <= now:
            raise InviteNotUsable(
                _("That invite code has expired. Please ask a coordinator for a new one."),
                field="invite_code",
            )
        if await Member.exists().where(Member.username == data.username.lower()):
            raise Conflict(
                _(
                    "The username “%(username)s” is taken. Please choose another.",
                    username=data.username,
                ),
                field="username",
            )
        token, digest = credentials.new_secret_token()
        member = Member(
            username=data.username.lower(),
            display_name=display_name,
            role=invite.role,
            password_hash=password_hash,
            calendar_token=token,
            calendar_token_hash=digest,
        )
        await member.save()
        await Invite.update({Invite.used_at: now, Invite.used_by: member.id}).where(
            Invite.id == invite.id
        )
    await throttle.forgive(attempt, "invite")
    return member


async def create_member(username: str, display_name: str, password: str, role: str) -> Member:
    """Create a member directly (the first coordinator, the demo season)."""
    if await Member.exists().where(Member.username == username.lower()):
        raise Conflict(_("The username “%(username)s” is taken.", username=username))
    token, digest = credentials.new_secret_token()
    member = Member(
        username=username.lower(),
        display_name=display_name,
        role=role,
        password_hash=await credentials.hash_password_async(password),
        calendar_token=token,
        calendar_token_hash=digest,
    )
    await member.save()
    return member


async def authenticate(username: str, password: str, address: str) -> Member:
    """The member these credentials belong to, or a kind refusal.

    The guess is counted before the password is checked, so parallel guesses can't overtake it.
    """
    attempt = await throttle.count_attempt(throttle.login_counters(username, address))
    member = await Member.objects().where(Member.username == username.strip().lower()).first()
    if not await credentials.check_password(member, password):
        raise BadCredentials(
            _("That username and password don't match. Please try again."), field="password"
        )
    await throttle.forgive(attempt, "login")
    return member


async def update_settings(member: Member, changes: dict[str, Any]) -> Member:
    """Apply only the settings that were sent."""
    allowed = {
        "display_name",
        "max_shifts_per_week",
        "share_contact",
        "contact",
        "reminder_minutes",
        "email",
        "email_kinds",
        "quiet_hours_start",
        "quiet_hours_end",
        "language",
    }
    values = {key: value for key, value in changes.items() if key in allowed}
    for key in ("email", "quiet_hours_start", "quiet_hours_end"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "email_kinds" in values:
        values["email_kinds"] = ",".join(sorted(set(values["email_kinds"] or [])))
    if "language" in values:
        values["language"] = values["language"] or ""  # null: follow the browser again
    if "contact" in values:
        values["contact"] = (values["contact"] or "").strip()
        if values["contact"] and not _visible(values["contact"]):
            raise DomainError(
                _("Contact: please use letters, digits or symbols people can read."),
                field="contact",
            )
    if "display_name" in values:
        values["display_name"] = clean_display_name(values["display_name"])
    if values:
        await Member.update(values).where(Member.id == member.id)
        for key, value in values.items():
            setattr(member, key, value)
    return member


async def regenerate_calendar_token(member: Member) -> str:
    """A new secret link; the old one stops working at once."""
    token, digest = credentials.new_secret_token()
    await Member.update({Member.calendar_token: token, Member.calendar_token_hash: digest}).where(
        Member.id == member.id
    )
    member.calendar_token = token
    return token


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _member_columns(table: type[Table]) -> list[ForeignKey]:
    return [
        c
        for c in table._meta.foreign_key_columns
        if c._foreign_key_meta.resolved_references is Member
    ]


async def export(member: Member) -> dict[str, Any]:
    """Everything stored about the member: their row and every row that points at them."""
    row = await Member.select().where(Member.id == member.id).first()
    row["password_hash"] = "(stored as an argon2id hash; not shown)"
    data: dict[str, Any] = {"member": {k: _plain(v) for k, v in row.items()}}
    for table in TABLES:
        if table is Member:
            continue
        columns = _member_columns(table)
        if not columns:
            continue
        condition = columns[0] == member.id
        for column in columns[1:]:
            condition = condition | (column == member.id)
        rows = await table.select().where(condition)
        if rows:
            data[table._meta.tablename] = [{k: _plain(v) for k, v in r.items()} for r in rows]
    return data


async def close_account(member: Member, zone: ZoneInfo) -> None:
    """Remove the member's personal data; harvest and sales records stay, without the name."""
    from coop.shifts.service import release_member

    async with writing():
        await release_member(member.id, zone)
        await Member.delete().where(Member.id == member.id)

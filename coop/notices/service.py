"""Notices written with the change they report: one per member per event, in their language.

``tell()`` runs inside the caller's transaction (a transactional outbox): a committed change
always has its notices and a rolled-back one has none. The unique ``dedupe_key`` makes a second
write of the same event a no-op, so every event reaches each person once. Nothing is sent here;
the sender (``coop.notices.sender``) drains the outbox afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from coop.errors import NotFound
from coop.i18n import current_language, speaking
from coop.settings import Settings
from coop.tables import Member, Notification

INSERT_CHUNK = 500
PAGE_SIZE = 20


@dataclass(frozen=True)
class Notice:
    """One notice to write: ``say`` is called in the member's language to get its text."""

    member_id: int
    kind: str
    dedupe_key: str
    say: Callable[[], str]
    url: str = ""


@cache
def garden_zone() -> ZoneInfo:
    """The garden's zone for notice texts written where no settings are at hand."""
    return Settings.from_env().zone


def when(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """Saturday 6 June, 9:00 AM, in the current language."""
    local = moment.astimezone(zone or garden_zone())
    return format_datetime(local, "EEEE d MMMM, h:mm a", locale=current_language())


def _language_column():
    """Member.language once the Spanish part is in; English for everyone until then."""
    return Member._meta.get_column_by_name("language") if _has_language() else None


@cache
def _has_language() -> bool:
    return any(column._meta.name == "language" for column in Member._meta.columns)


async def tell(notices: Iterable[Notice]) -> int:
    """Write ``notices`` in the current transaction; returns how many were new."""
    notices = list(notices)
    if not notices:
        return 0
    language = _language_column()
    columns = [Member.id, Member.email, Member.email_kinds]
    if language is not None:
        columns.append(language)
    ids = sorted({notice.member_id for notice in notices})
    people = {}
    for index in range(0, len(ids), INSERT_CHUNK):
        rows = await Member.select(*columns).where(
            Member.id.is_in(ids[index : index + INSERT_CHUNK])
        )
        people.update({row["id"]: row for row in rows})
    now = datetime.now(UTC)
    rows = []
    for notice in notices:
        person = people.get(notice.member_id)
        if person is None:  # the account was closed meanwhile
            continue
        lang = person.get("language") or "en"
        with speaking(lang):
            text = notice.say()
        wants_mail = bool(person["email"]) and notice.kind in person["email_kinds"].split(",")
        rows.append(
            Notification(
                member=notice.member_id,
                kind=notice.kind,
                text=text,
                url=notice.url,
                language=lang,
                dedupe_key=notice.dedupe_key,
                created_at=now,
                email_status="pending" if wants_mail else "",
                next_attempt_at=now if wants_mail else None,
            )
        )
    written = 0
    for index in range(0, len(rows), INSERT_CHUNK):
        inserted = await (
            Notification.insert(*rows[index : index + INSERT_CHUNK])
            .on_conflict(target=Notification.dedupe_key, action="DO NOTHING")
            .returning(Notification.id)
        )
        written += len(inserted)
    return written


async def coordinators() -> list[int]:
    return await Member.select(Member.id).where(Member.role == "coordinator").output(as_list=True)


# --- the inbox --------------------------------------------------------------------------------


async def inbox(member_id: int, unread_only: bool = False, limit: int = PAGE_SIZE, offset: int = 0):
    """The member's notices, newest first."""
    query = Notification.select(
        Notification.id,
        Notification.kind,
        Notification.text,
        Notification.url,
        Notification.created_at,
        Notification.read_at,
    ).where(Notification.member == member_id)
    if unread_only:
        query = query.where(Notification.read_at.is_null())
    return await query.order_by(Notification.id, ascending=False).limit(limit).offset(offset)


async def count(member_id: int, unread_only: bool = False) -> int:
    query = Notification.count().where(Notification.member == member_id)
    if unread_only:
        query = query.where(Notification.read_at.is_null())
    return await query


async def mark_read(notification_id: int, member_id: int) -> None:
    """Mark one of the member's own notices read (someone else's is simply not found)."""
    mine = await Notification.exists().where(
        (Notification.id == notification_id) & (Notification.member == member_id)
    )
    if not mine:
        raise NotFound("We couldn't find that notice.")
    await Notification.update({Notification.read_at: datetime.now(UTC)}).where(
        (Notification.id == notification_id) & Notification.read_at.is_null()
    )


async def mark_all_read(member_id: int) -> None:
    await Notification.update({Notification.read_at: datetime.now(UTC)}).where(
        (Notification.member == member_id) & Notification.read_at.is_null()
    )

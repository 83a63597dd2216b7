"""Notices written with the change they report: one per member per event, in their language.

``tell()`` runs inside the caller's transaction (a transactional outbox): a committed change
always has its notices and a rolled-back one has none. The unique ``dedupe_key`` makes a second
write of the same event a no-op, so every event reaches each person once. Nothing is sent here;
the sender (``coop.notices.sender``) drains the outbox afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from coop.db import writing
from coop.errors import NotFound
from coop.i18n import LANGUAGES, _, current_language, speaking
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


async def tell(notices: Iterable[Notice]) -> int:
    """Write ``notices`` in the current transaction; returns how many were new."""
    notices = list(notices)
    if not notices:
        return 0
    columns = [Member.id, Member.email, Member.email_kinds, Member.language]
    ids = sorted({notice.member_id for notice in notices})
    people = {}
    for index in range(0, len(ids), INSERT_CHUNK):
        rows = await Member.select(*columns).where(
            Member.id.is_in(ids[index : index + INSERT_CHUNK])
        )
        people.update({row["id"]: row for row in rows})
    now = datetime.now(UTC)
    rows: list[tuple] = []
    texts: dict[tuple[int, str], str] = {}  # one rendering per event and language, not per person
    for notice in notices:
        person = people.get(notice.member_id)
        if person is None:  # the account was closed meanwhile
            continue
        chosen = person.get("language") or ""
        lang = chosen or "en"
        key = (id(notice.say), chosen)
        if key not in texts:
            with speaking(lang):
                texts[key] = notice.say()
            if not chosen:  # follows the browser: the inbox shows whichever language reads it
                texts[key, "all"] = _every_language(notice.say)
        wants_mail = bool(person["email"]) and notice.kind in person["email_kinds"].split(",")
        rows.append(
            (
                notice.member_id,
                notice.kind,
                texts[key],
                notice.url,
                lang,
                notice.dedupe_key,
                now,
                "pending" if wants_mail else "",
                now if wants_mail else None,
                texts.get((key, "all"), ""),
            )
        )
    written = 0
    for index in range(0, len(rows), INSERT_CHUNK):
        written += await _insert(rows[index : index + INSERT_CHUNK])
    return written


_COLUMNS = (
    "member, kind, text, url, language, dedupe_key, created_at, email_status, next_attempt_at, "
    "texts"
)


def _every_language(say: Callable[[], str]) -> str:
    """The notice in every language, as JSON, for a member who follows the browser's."""
    rendered = {}
    for language in LANGUAGES:
        with speaking(language):
            rendered[language] = say()
    return json.dumps(rendered, ensure_ascii=False)


def in_reader_language(row: dict) -> dict:
    """The row's ``text`` in the language now spoken, when it was written in every language."""
    texts = row.pop("texts", "")
    if texts:
        row["text"] = json.loads(texts).get(current_language(), row["text"])
    return row


async def _insert(rows: list[tuple]) -> int:
    """One multi-row INSERT; a dedupe key already written is skipped, not an error.

    Plain SQL rather than ``Notification(...)`` objects: building 500 Piccolo rows took longer
    than the whole day cancel they report (see docs/NOTICES.md).
    """
    values = ", ".join(
        "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, NULL, NULL, 0, '')" for _row in rows
    )
    query = (
        f"INSERT INTO notification ({_COLUMNS}, read_at, emailed_at, attempts, last_error) "
        f"VALUES {values} ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
    )
    return len(await Notification.raw(query, *[value for row in rows for value in row]))


async def tell_everyone_on(
    shift_ids: list[int], kind: str, say: Callable[[int], str], key: str | None = None
) -> int:
    """Tell everyone placed on these shifts, in one INSERT ... SELECT: the day-cancel path.

    ``say(shift_id)`` is rendered once per shift and language; the database joins them to each
    person, so a 500-person day cancel moves no rows through Python (see docs/NOTICES.md).
    The dedupe key is ``<key or kind>:<shift>:<member>``.
    """
    if not shift_ids:
        return 0
    texts: list[tuple[int, str, str, str]] = []
    for shift_id in shift_ids:
        every = {}
        for language in LANGUAGES:
            with speaking(language):
                every[language] = say(shift_id)
        everything = json.dumps(every, ensure_ascii=False)
        texts.extend((shift_id, language, text, everything) for language, text in every.items())
    language = "COALESCE(NULLIF(m.language, ''), 'en')"
    # A member who follows the browser gets the text in every language (see in_reader_language).
    every = "CASE WHEN COALESCE(m.language, '') = '' THEN t.texts ELSE '' END"
    postgres = Notification._meta.db.engine_type == "postgres"
    now = "now()" if postgres else "{}"
    table = ", ".join(
        "(CAST({} AS INTEGER), CAST({} AS TEXT), CAST({} AS TEXT), CAST({} AS TEXT))"
        for _text in texts
    )
    wanted = f"m.email <> '' AND (',' || m.email_kinds || ',') LIKE '%,{kind},%'"
    query = (
        f"WITH t (shift, language, text, texts) AS (VALUES {table}) "
        "INSERT INTO notification (member, kind, text, url, language, dedupe_key, created_at, "
        "email_status, next_attempt_at, texts, read_at, emailed_at, attempts, last_error) "
        f"SELECT pm.member, '{kind}', t.text, '/shifts/' || pm.shift, t.language, "
        f"'{key or kind}:' || pm.shift || ':' || pm.member, {now}, "
        f"CASE WHEN {wanted} THEN 'pending' ELSE '' END, "
        f"CASE WHEN {wanted} THEN {now} ELSE NULL END, {every}, NULL, NULL, 0, '' "
        "FROM placement_member pm JOIN member m ON m.id = pm.member "
        f"JOIN t ON t.shift = pm.shift AND t.language = {language} "
        "WHERE 1 = 1 "  # SQLite reads ON CONFLICT after a join as the join's, without a WHERE
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
    )
    moment = [] if postgres else [datetime.now(UTC)]
    args = [value for row in texts for value in row]
    # Parameters in the order they appear: the texts, then the two timestamps (SQLite).
    inserted = await Notification.raw(query, *args, *moment, *moment)
    return len(inserted)


async def coordinators() -> list[int]:
    return await Member.select(Member.id).where(Member.role == "coordinator").output(as_list=True)


# --- the inbox --------------------------------------------------------------------------------


async def inbox(member_id: int, unread_only: bool = False, limit: int = PAGE_SIZE, offset: int = 0):
    """The member's notices, newest first."""
    query = Notification.select(
        Notification.id,
        Notification.kind,
        Notification.text,
        Notification.texts,
        Notification.url,
        Notification.created_at,
        Notification.read_at,
    ).where(Notification.member == member_id)
    if unread_only:
        query = query.where(Notification.read_at.is_null())
    rows = await query.order_by(Notification.id, ascending=False).limit(limit).offset(offset)
    return [in_reader_language(row) for row in rows]


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
        raise NotFound(_("We couldn't find that notice."))
    await Notification.update({Notification.read_at: datetime.now(UTC)}).where(
        (Notification.id == notification_id) & Notification.read_at.is_null()
    )


async def mark_all_read(member_id: int) -> None:
    await Notification.update({Notification.read_at: datetime.now(UTC)}).where(
        (Notification.member == member_id) & Notification.read_at.is_null()
    )


async def stop_mail(member_id: int, kind: str) -> None:
    """Turn off e-mail of one ``kind`` for a member (an unsubscribe link); the inbox keeps it."""
    async with writing():
        row = await Member.select(Member.email_kinds).where(Member.id == member_id).first()
        if row is not None:
            kinds = [k for k in row["email_kinds"].split(",") if k and k != kind]
            await Member.update({Member.email_kinds: ",".join(kinds)}).where(Member.id == member_id)

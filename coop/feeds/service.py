"""Which shifts each of the four feeds shows, read from the database as plain FeedEvents.

Every feed is resolved in two steps: one query for its *version* (the token lookup plus a few
aggregates over exactly the rows and people the feed shows), which tells the cache whether the
feed could have changed; and, only when it did, a *load* of the rows inside one ``reading()``
transaction. Raw SQL keeps the version to one round trip on both engines.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from coop.calendar import FeedEvent
from coop.db import reading
from coop.errors import NotFound
from coop.i18n import N_, _, ngettext, speaking, translated
from coop.members.credentials import token_hash
from coop.pairs.service import active_partners
from coop.settings import Settings
from coop.shifts import listing
from coop.shifts.rules import open_slots
from coop.tables import Shift
from coop.vocabulary import PairStatus, PlacementStatus

WINDOW_BACK = timedelta(days=60)
FEED_GONE = N_(
    "We couldn't find that calendar. The link may be old: a new link replaces the old one. "
    "You'll find your current link on the Calendar page."
)
Fetch = Callable[..., Awaitable[list[dict[str, Any]]]]

# The columns every feed needs from a shift and its kind's label ("s" and "k").
_SHIFT_COLUMNS = (
    "s.id, s.title, s.starts_at, s.ends_at, s.location, s.notes, s.status, s.cancel_reason, "
    "s.sequence, s.created_at, s.updated_at, s.pair_slots, s.taken_slots, k.label AS kind_label"
)
# A shift is in a feed from 60 days back to the end of the planned season; a cancelled one only
# until it is over. Two parameters: the window's start, and now.
_IN_WINDOW = "s.ends_at >= {} AND (s.status <> 'cancelled' OR s.ends_at > {})"
# Aggregates that move whenever a shown shift changes, appears or drops out of the window.
_SHIFT_VERSION = (
    "count(s.id) AS n, sum(s.id) AS ids, max(s.updated_at) AS newest, sum(s.sequence) AS seqs, "
    "sum(s.taken_slots) AS taken, sum(s.pair_slots) AS slots"
)
_PLACE_VERSION = "sum(p.id) AS places, max(p.updated_at) AS placed_at, sum(length(p.status)) AS st"
_MY_PLACES = (
    "FROM placement_member pm JOIN placement p ON p.id = pm.placement "
    "JOIN shift s ON s.id = pm.shift JOIN shift_kind k ON k.id = s.kind "
    "WHERE pm.member = {} AND p.status IN ('confirmed', 'awaiting_partner') AND " + _IN_WINDOW
)
_PAIR_PLACES = (
    "FROM placement p JOIN placement_member pa ON pa.placement = p.id AND pa.member = {} "
    "JOIN placement_member pb ON pb.placement = p.id AND pb.member = {} "
    "JOIN shift s ON s.id = p.shift JOIN shift_kind k ON k.id = s.kind "
    "WHERE p.status = 'confirmed' AND " + _IN_WINDOW
)
_MY_ACTIVE_PAIRS = "FROM pair pr WHERE pr.status = 'active' AND m.id IN (pr.member_a, pr.member_b)"
_PERSON = (
    "CAST(o.id AS TEXT) || ':' || o.display_name || ':' || o.contact || ':' "
    "|| CAST(o.share_contact AS TEXT)"
)


@dataclass(frozen=True)
class FeedContent:
    """What the builder needs besides the events: the calendar's name and the reminder."""

    events: list[FeedEvent]
    name: str
    description: str = ""
    alarm_minutes: int | None = None
    language: str = "en"


@dataclass
class FeedPlan:
    """A resolved feed: its identity and data version (cheap), and how to load it (dear)."""

    key: tuple[Any, ...]
    version: tuple[Any, ...]
    last_modified: datetime | None
    load: Callable[[], Awaitable[FeedContent]]

    async def read(self) -> FeedContent:
        """Load the feed's rows in one transaction (the dear step, after the version said so)."""
        async with reading():
            return await self.load()


def uid_domain(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "garden.invalid"


def _concat(settings: Settings, expression: str) -> str:
    """Join text from many rows: the one aggregate whose name differs between the engines."""
    if settings.is_sqlite:
        return f"group_concat({expression}, '|')"
    return f"string_agg({expression}, '|' ORDER BY {expression})"


def _kinds(settings: Settings) -> str:
    return f"(SELECT {_concat(settings, 'k2.slug || k2.label')} FROM shift_kind k2) AS kinds"


def _utc(value: Any) -> datetime | None:
    """Aggregates come back as text on SQLite and as datetimes on PostgreSQL."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _newest(*values: Any) -> datetime | None:
    moments = [m for m in (_utc(v) for v in values) if m is not None]
    return max(moments) if moments else None


def _window(now: datetime) -> list[datetime]:
    return [now - WINDOW_BACK, now]


async def piccolo_fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run raw SQL through Piccolo (inside the caller's transaction, if any)."""
    return await Shift.raw(sql, *args)


_rows = piccolo_fetch


def _event(row: dict[str, Any], settings: Settings, description: str) -> FeedEvent:
    notes = (row["notes"] or "").strip()
    text = f"{description}\n\n{notes}" if notes and description else (description or notes)
    return FeedEvent(
        shift_id=row["id"],
        title=row["title"],
        kind=translated(row["kind_label"]),
        starts_at=_utc(row["starts_at"]),
        ends_at=_utc(row["ends_at"]),
        location=row["location"] or "",
        status=row["status"],
        cancel_reason=row["cancel_reason"] or "",
        sequence=row["sequence"],
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
        url=f"{settings.base_url}/shifts/{row['id']}",
        description=text,
    )


def join_names(names: Iterable[str]) -> str:
    """Ana and Ben / Ana y Ben."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def open_places(row: dict[str, Any]) -> str:
    return ngettext(
        "Open pair places: %(free)d of %(num)d",
        "Open pair places: %(free)d of %(num)d",
        row["pair_slots"],
        free=open_slots(row),
    )


def _found(rows: list[dict[str, Any]], token: str) -> dict[str, Any]:
    """The row whose token hash matched, if the stored token also matches in constant time."""
    if not rows or not secrets.compare_digest(
        (rows[0]["calendar_token"] or "").encode(), token.encode()
    ):
        raise NotFound(_(FEED_GONE))
    return rows[0]


def _check_token(token: str) -> str:
    if not token or len(token) > 128:
        raise NotFound(_(FEED_GONE))
    return token_hash(token)


async def subscriptions(viewer_id: int | None) -> tuple[list[dict], list[dict]]:
    """What the Calendar page offers: every kind, and the viewer's active pairs with a link."""
    async with reading():
        kinds = await listing.kinds()
        pairs = await active_partners(viewer_id) if viewer_id is not None else []
    return kinds, [pair for pair in pairs if pair["calendar_token"]]


# --- season and kinds -------------------------------------------------------------------------


async def season_plan(
    settings: Settings,
    now: datetime,
    fetch: Fetch,
    kind_slug: str | None = None,
    language: str = "en",
) -> FeedPlan:
    """All shifts (or one kind's) with open places and no names, in ``language`` (?lang=)."""
    only_kind = " AND s.kind = (SELECT id FROM shift_kind WHERE slug = {})" if kind_slug else ""
    kind_args = [kind_slug] if kind_slug else []
    (version,) = await fetch(
        f"SELECT {_SHIFT_VERSION}, {_kinds(settings)}, "
        "(SELECT label FROM shift_kind WHERE slug = {}) AS kind_label "
        f"FROM shift s WHERE {_IN_WINDOW}{only_kind}",
        kind_slug or "",
        *_window(now),
        *kind_args,
    )
    label = version["kind_label"]
    if kind_slug and label is None:
        raise NotFound(_("We couldn't find that kind of shift. The Calendar page lists them all."))

    async def load() -> FeedContent:
        rows = await _rows(
            f"SELECT {_SHIFT_COLUMNS} FROM shift s JOIN shift_kind k ON k.id = s.kind "
            f"WHERE {_IN_WINDOW}{only_kind}",
            *_window(now),
            *kind_args,
        )
        with speaking(language):
            events = [_event(row, settings, open_places(row)) for row in rows]
            if kind_slug:
                name = _("Garden shifts: %(kind)s", kind=translated(label))
                about = _("Every %(kind)s shift", kind=translated(label))
                return FeedContent(events, name, about, language=language)
            return FeedContent(
                events,
                _("Garden shifts"),
                _("Every shift of the season, with open places"),
                language=language,
            )

    return FeedPlan(
        key=("kind", kind_slug, language) if kind_slug else ("season", language),
        version=tuple(version.values()),
        last_modified=_newest(version["newest"]),
        load=load,
    )


# --- one member's places --------------------------------------------------------------------


def personal_description(status: str, partners: list[dict[str, Any]]) -> str:
    if status == PlacementStatus.AWAITING_PARTNER or not partners:
        return _("You're signed up. We're waiting for a partner to join you.")
    names = join_names(p["display_name"] for p in partners)
    lines = [_("With your partner %(names)s.", names=names)]
    lines += [line for p in partners if (line := _contact_line(p["display_name"], p))]
    return "\n".join(lines)


def _contact_line(name: str, person: dict[str, Any]) -> str:
    """A partner's contact, only if they chose to share it; e-mail addresses never leave."""
    contact = (person.get("contact") or "").strip()
    if not person.get("share_contact") or not contact:
        return ""
    if "@" in contact:
        return _("%(name)s shares a contact with you: see the shift page.", name=name)
    return f"{name}: {contact}"


async def member_plan(settings: Settings, now: datetime, fetch: Fetch, token: str) -> FeedPlan:
    """A member's own places (confirmed or awaiting a partner), naming their partner."""
    digest = _check_token(token)
    seats = (
        "FROM placement_member pm1 JOIN placement_member pm2 "
        "ON pm2.placement = pm1.placement AND pm2.member <> pm1.member WHERE pm1.member = m.id"
    )
    rows = await fetch(
        "SELECT m.id, m.display_name, m.reminder_minutes, m.calendar_token, m.language, v.*, "
        f"(SELECT count(pm2.id) {seats}) AS seat_count, (SELECT sum(pm2.id) {seats}) AS seat_ids, "
        f"(SELECT {_concat(settings, _PERSON)} FROM member o WHERE o.id IN "
        f"(SELECT pm2.member {seats})) AS people, {_kinds(settings)}, "
        # Contacts follow active pairs: forming or ending one changes the feed.
        f"(SELECT count(pr.id) {_MY_ACTIVE_PAIRS}) AS pair_count, "
        f"(SELECT sum(pr.id) {_MY_ACTIVE_PAIRS}) AS pair_ids "
        f"FROM member m, (SELECT {_SHIFT_VERSION}, {_PLACE_VERSION} "
        + _MY_PLACES.replace(
            "pm.member = {}", "pm.member = (SELECT id FROM member WHERE calendar_token_hash = {})"
        )
        + ") v WHERE m.calendar_token_hash = {}",
        digest,
        *_window(now),
        digest,
    )
    member = _found(rows, token)

    async def load() -> FeedContent:
        rows = await _rows(
            f"SELECT {_SHIFT_COLUMNS}, p.id AS placement_id, p.status AS place_status "
            + _MY_PLACES,
            member["id"],
            *_window(now),
        )
        partners = await _rows(
            "SELECT pm2.placement, o.display_name, o.contact, o.share_contact, "
            "(SELECT count(pr.id) FROM pair pr WHERE pr.status = 'active' AND "
            "((pr.member_a = pm.member AND pr.member_b = o.id) OR "
            "(pr.member_b = pm.member AND pr.member_a = o.id))) AS partnered "
            "FROM placement_member pm JOIN placement_member pm2 "
            "ON pm2.placement = pm.placement AND pm2.member <> pm.member "
            "JOIN member o ON o.id = pm2.member WHERE pm.member = {} ORDER BY o.id",
            member["id"],
        )
        for person in partners:
            # A contact goes only to partners of an active pair, never to a stranger who
            # happened to complete the same slot.
            person["share_contact"] = person["share_contact"] and person["partnered"] > 0
        by_place: dict[int, list[dict[str, Any]]] = {}
        for person in partners:
            by_place.setdefault(person["placement"], []).append(person)
        language = member["language"] or "en"
        with speaking(language):
            events = [
                _event(
                    row,
                    settings,
                    personal_description(
                        row["place_status"], by_place.get(row["placement_id"], [])
                    ),
                )
                for row in rows
            ]
            return FeedContent(
                events,
                _("My garden shifts"),
                _("Your own shifts at the garden. Keep this link private."),
                member["reminder_minutes"],
                language,
            )

    del member["calendar_token"]
    return FeedPlan(
        key=("member", member["id"]),
        version=tuple(member.values()),
        last_modified=_newest(member["newest"], member["placed_at"]),
        load=load,
    )


# --- one pair's shared shifts ---------------------------------------------------------------


async def pair_plan(
    settings: Settings, now: datetime, fetch: Fetch, token: str, language: str = "en"
) -> FeedPlan:
    """The shifts where both partners of an active pair are placed together, in ``language``:
    each partner's Calendar page gives the link with their own language (?lang=)."""
    digest = _check_token(token)
    partner = "(SELECT {} FROM pair WHERE calendar_token_hash = {{}})"
    rows = await fetch(
        "SELECT pr.id, pr.status, pr.member_a, pr.member_b, pr.calendar_token, v.*, "
        f"(SELECT {_concat(settings, _PERSON)} FROM member o "
        f"WHERE o.id IN (pr.member_a, pr.member_b)) AS people, {_kinds(settings)} "
        f"FROM pair pr, (SELECT {_SHIFT_VERSION}, {_PLACE_VERSION} "
        + _PAIR_PLACES.replace(
            "pa.member = {}", f"pa.member = {partner.format('member_a')}"
        ).replace("pb.member = {}", f"pb.member = {partner.format('member_b')}")
        + ") v WHERE pr.calendar_token_hash = {}",
        digest,
        digest,
        *_window(now),
        digest,
    )
    pair = _found(rows, token)
    if pair["status"] != PairStatus.ACTIVE:
        raise NotFound(_(FEED_GONE))

    async def load() -> FeedContent:
        people = await _rows(
            "SELECT id, display_name, contact, share_contact FROM member WHERE id IN ({}, {}) "
            "ORDER BY id",
            pair["member_a"],
            pair["member_b"],
        )
        rows = await _rows(
            f"SELECT {_SHIFT_COLUMNS} {_PAIR_PLACES}",
            pair["member_a"],
            pair["member_b"],
            *_window(now),
        )
        with speaking(language):
            names = join_names(p["display_name"] for p in people)
            lines = [_("Together: %(names)s.", names=names)]
            lines += [line for p in people if (line := _contact_line(p["display_name"], p))]
            events = [_event(row, settings, "\n".join(lines)) for row in rows]
            return FeedContent(
                events,
                _("Garden shifts: %(names)s", names=names),
                _("The shifts you work side by side. Keep it private."),
                language=language,
            )

    del pair["calendar_token"]
    return FeedPlan(
        key=("pair", pair["id"], language),
        version=tuple(pair.values()),
        last_modified=_newest(pair["newest"], pair["placed_at"]),
        load=load,
    )

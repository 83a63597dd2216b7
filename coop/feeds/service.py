"""Which shifts each of the four feeds shows, read from the database as plain FeedEvents.

Every feed is resolved in two steps, both inside the caller's ``reading()`` transaction: a cheap
*version* (a few aggregates over exactly the rows the feed shows, plus the people it names) that
tells the cache whether the feed could have changed, and the full *load* only when it did.
Raw SQL keeps each step to one or two round trips on both engines.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from coop.auth import token_hash
from coop.calendar import FeedEvent
from coop.errors import NotFound
from coop.settings import Settings
from coop.tables import Shift

WINDOW_BACK = timedelta(days=60)
PLACED = ("confirmed", "awaiting_partner")
FEED_GONE = (
    "We couldn't find that calendar. The link may be old: a new link replaces the old one. "
    "You'll find your current link on the Calendar page."
)

# The columns every feed needs from a shift (and its kind's label), as "s" and "k".
_SHIFT_COLUMNS = (
    "s.id, s.title, s.starts_at, s.ends_at, s.location, s.notes, s.status, s.cancel_reason, "
    "s.sequence, s.created_at, s.updated_at, s.pair_slots, s.taken_slots, k.label AS kind_label"
)
# A shift is in a feed from 60 days back to the end of the planned season; a cancelled one only
# until it is over. Two parameters: the window's start and now.
_IN_WINDOW = "s.ends_at >= {} AND (s.status <> 'cancelled' OR s.ends_at > {})"
# Aggregates that change whenever a shown shift changes, appears or drops out of the window.
_SHIFT_VERSION = (
    "count(s.id) AS n, sum(s.id) AS ids, max(s.updated_at) AS newest, sum(s.sequence) AS seqs, "
    "sum(s.taken_slots) AS taken, sum(s.pair_slots) AS slots"
)


@dataclass(frozen=True)
class FeedContent:
    """What the builder needs besides the events: the calendar's name and the reminder."""

    events: list[FeedEvent]
    name: str
    description: str = ""
    alarm_minutes: int | None = None


@dataclass
class FeedPlan:
    """A resolved feed: its identity and data version (cheap), and how to load it (dear)."""

    key: tuple[Any, ...]
    version: tuple[Any, ...]
    last_modified: datetime | None
    load: Callable[[], Awaitable[FeedContent]]
    shared_cache: bool = True  # season and kind feeds: the same for everyone


def uid_domain(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "garden.invalid"


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


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Shift.raw(sql, *args)


def _event(row: dict[str, Any], settings: Settings, description: str) -> FeedEvent:
    notes = (row["notes"] or "").strip()
    text = f"{description}\n\n{notes}" if notes and description else (description or notes)
    return FeedEvent(
        shift_id=row["id"],
        title=row["title"],
        kind=row["kind_label"] or "",
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


def open_places(row: dict[str, Any]) -> str:
    free = max(0, row["pair_slots"] - row["taken_slots"])
    return f"Open pair places: {free} of {row['pair_slots']}"


# --- season and kinds -------------------------------------------------------------------------


async def kinds() -> list[dict[str, Any]]:
    return await _rows("SELECT id, slug, label FROM shift_kind ORDER BY id")


async def season_plan(settings: Settings, now: datetime, kind_slug: str | None = None) -> FeedPlan:
    """All shifts (or one kind's) with open places and no names."""
    known = await kinds()
    kind = None
    if kind_slug is not None:
        kind = next((k for k in known if k["slug"] == kind_slug), None)
        if kind is None:
            raise NotFound("We couldn't find that kind of shift. The Calendar page lists them all.")
    only_kind = " AND s.kind = {}" if kind else ""
    kind_args = [kind["id"]] if kind else []
    (version,) = await _rows(
        f"SELECT {_SHIFT_VERSION} FROM shift s WHERE {_IN_WINDOW}{only_kind}",
        *_window(now),
        *kind_args,
    )

    async def load() -> FeedContent:
        rows = await _rows(
            f"SELECT {_SHIFT_COLUMNS} FROM shift s JOIN shift_kind k ON k.id = s.kind "
            f"WHERE {_IN_WINDOW}{only_kind}",
            *_window(now),
            *kind_args,
        )
        events = [_event(row, settings, open_places(row)) for row in rows]
        if kind:
            return FeedContent(
                events, f"Garden shifts: {kind['label']}", f"Every {kind['label']} shift"
            )
        return FeedContent(events, "Garden shifts", "Every shift of the season, with open places")

    key = ("kind", kind["slug"]) if kind else ("season",)
    labels = tuple((k["slug"], k["label"]) for k in known)
    return FeedPlan(
        key=key,
        version=(*version.values(), labels, settings.season_feed_public),
        last_modified=_newest(version["newest"]),
        load=load,
    )


# --- one member's places --------------------------------------------------------------------


async def _find_by_token(table: str, columns: str, token: str) -> dict[str, Any]:
    """Look a token up by its indexed hash, then compare the stored token in constant time."""
    if not token or len(token) > 128:
        raise NotFound(FEED_GONE)
    rows = await _rows(
        f"SELECT {columns}, calendar_token FROM {table} WHERE calendar_token_hash = {{}}",
        token_hash(token),
    )
    if not rows or not secrets.compare_digest(
        (rows[0]["calendar_token"] or "").encode(), token.encode()
    ):
        raise NotFound(FEED_GONE)
    return rows[0]


def _contact_line(name: str, person: dict[str, Any]) -> str:
    """A partner's contact, only if they chose to share it; e-mail addresses never leave."""
    contact = (person.get("contact") or "").strip()
    if not person.get("share_contact") or not contact:
        return ""
    if "@" in contact:
        return f"{name} shares a contact with you: see the shift page."
    return f"{name}: {contact}"


def personal_description(status: str, partners: list[dict[str, Any]]) -> str:
    if status == "awaiting_partner" or not partners:
        return "You're signed up. We're waiting for a partner to join you."
    names = " and ".join(p["display_name"] for p in partners)
    lines = [f"With your partner {names}."]
    lines += [line for p in partners if (line := _contact_line(p["display_name"], p))]
    return "\n".join(lines)


async def member_plan(settings: Settings, now: datetime, token: str) -> FeedPlan:
    """A member's own places (confirmed or awaiting a partner), naming their partner."""
    member = await _find_by_token("member", "id, display_name, reminder_minutes", token)
    placed = ", ".join(f"'{status}'" for status in PLACED)
    mine = (
        "FROM placement_member pm JOIN placement p ON p.id = pm.placement "
        "JOIN shift s ON s.id = pm.shift JOIN shift_kind k ON k.id = s.kind "
        f"WHERE pm.member = {{}} AND p.status IN ({placed}) AND {_IN_WINDOW}"
    )
    (version,) = await _rows(
        f"SELECT {_SHIFT_VERSION}, sum(p.id) AS places, max(p.updated_at) AS placed_at, "
        f"sum(length(p.status)) AS statuses {mine}",
        member["id"],
        *_window(now),
    )
    # Everyone who shares a place with the member, as the feed would name them.
    partners = await _rows(
        "SELECT pm2.placement, o.id, o.display_name, o.contact, o.share_contact "
        "FROM placement_member pm JOIN placement_member pm2 "
        "ON pm2.placement = pm.placement AND pm2.member <> pm.member "
        "JOIN member o ON o.id = pm2.member WHERE pm.member = {} ORDER BY pm2.placement, o.id",
        member["id"],
    )

    async def load() -> FeedContent:
        rows = await _rows(
            f"SELECT {_SHIFT_COLUMNS}, p.id AS placement_id, p.status AS place_status {mine}",
            member["id"],
            *_window(now),
        )
        by_place: dict[int, list[dict[str, Any]]] = {}
        for person in partners:
            by_place.setdefault(person["placement"], []).append(person)
        events = [
            _event(
                row,
                settings,
                personal_description(row["place_status"], by_place.get(row["placement_id"], [])),
            )
            for row in rows
        ]
        return FeedContent(
            events,
            "My garden shifts",
            "Your own shifts at the garden. Keep this link private.",
            member["reminder_minutes"],
        )

    people = tuple(
        (p["placement"], p["id"], p["display_name"], p["contact"], bool(p["share_contact"]))
        for p in partners
    )
    return FeedPlan(
        key=("member", member["id"]),
        version=(
            *version.values(),
            member["display_name"],
            member["reminder_minutes"],
            people,
        ),
        last_modified=_newest(version["newest"], version["placed_at"]),
        load=load,
        shared_cache=False,
    )


# --- one pair's shared shifts ---------------------------------------------------------------


async def pair_plan(settings: Settings, now: datetime, token: str) -> FeedPlan:
    """The shifts where both partners of an active pair are placed together."""
    pair = await _find_by_token("pair", "id, status, member_a, member_b", token)
    if pair["status"] != "active":
        raise NotFound(FEED_GONE)
    people = await _rows(
        "SELECT id, display_name, contact, share_contact FROM member WHERE id IN ({}, {}) "
        "ORDER BY id",
        pair["member_a"],
        pair["member_b"],
    )
    together = (
        "FROM placement p JOIN placement_member pa ON pa.placement = p.id AND pa.member = {} "
        "JOIN placement_member pb ON pb.placement = p.id AND pb.member = {} "
        "JOIN shift s ON s.id = p.shift JOIN shift_kind k ON k.id = s.kind "
        f"WHERE p.status = 'confirmed' AND {_IN_WINDOW}"
    )
    args = [pair["member_a"], pair["member_b"], *_window(now)]
    (version,) = await _rows(
        f"SELECT {_SHIFT_VERSION}, sum(p.id) AS places, max(p.updated_at) AS placed_at {together}",
        *args,
    )
    names = " and ".join(p["display_name"] for p in people)

    async def load() -> FeedContent:
        rows = await _rows(f"SELECT {_SHIFT_COLUMNS} {together}", *args)
        lines = [f"Together: {names}."]
        lines += [line for p in people if (line := _contact_line(p["display_name"], p))]
        description = "\n".join(lines)
        events = [_event(row, settings, description) for row in rows]
        return FeedContent(
            events, f"Garden shifts: {names}", "The shifts you work side by side. Keep it private."
        )

    return FeedPlan(
        key=("pair", pair["id"]),
        version=(
            *version.values(),
            tuple(
                (p["id"], p["display_name"], p["contact"], bool(p["share_contact"])) for p in people
            ),
        ),
        last_modified=_newest(version["newest"], version["placed_at"]),
        load=load,
        shared_cache=False,
    )

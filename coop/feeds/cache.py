"""A small per-process cache of built feeds, and the rules for answering 304.

Building a feed with icalendar costs milliseconds per event; reading a feed's data version costs
one or two small queries. So each process keeps the bytes of recently served feeds, keyed on the
feed's identity, and rebuilds only when the version read from the database differs. The cache is
bounded (entries and bytes, least recently used goes first) so memory stays flat.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from coop.calendar import etag_for

MAX_ENTRIES = 1024
MAX_BYTES = 32 * 1024 * 1024
STAMP_SECONDS = 60


@dataclass(frozen=True)
class CachedFeed:
    """The bytes of one feed at one data version, with the validators clients send back."""

    version: tuple[Any, ...]
    body: bytes
    etag: str
    last_modified: datetime | None  # whole seconds, as HTTP dates carry them
    # False when this process served different bytes with the same Last-Modified (a change that
    # left no newer timestamp, or two changes within one second): If-Modified-Since cannot tell
    # those apart, so only If-None-Match may answer 304 then.
    date_is_reliable: bool

    @property
    def last_modified_header(self) -> str | None:
        if self.last_modified is None:
            return None
        return format_datetime(self.last_modified, usegmt=True)


class FeedCache:
    """Feeds by identity; an entry counts only while its data version is still current."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], CachedFeed] = OrderedDict()
        # request identity -> (database change stamp, feed key, version): see `recall`
        self._seen: OrderedDict[tuple[Any, ...], tuple[Any, tuple[Any, ...], tuple[Any, ...]]]
        self._seen = OrderedDict()
        self.building: dict[tuple[Any, Any], asyncio.Future[CachedFeed]] = {}
        self._bytes = 0
        self.hits = 0
        self.builds = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[Any, ...], version: tuple[Any, ...]) -> CachedFeed | None:
        entry = self._entries.get(key)
        if entry is None or entry.version != version:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def recall(self, identity: tuple[Any, ...], stamp: Any) -> CachedFeed | None:
        """The feed served for this request identity, if nothing was written to the database
        since (same stamp): then even the version query can be skipped."""
        seen = self._seen.get(identity)
        if stamp is None or seen is None or seen[0] != stamp:
            return None
        return self.get(seen[1], seen[2])

    def remember(
        self, identity: tuple[Any, ...], stamp: Any, key: tuple[Any, ...], version: tuple[Any, ...]
    ) -> None:
        if stamp is None:
            return
        self._seen[identity] = (stamp, key, version)
        self._seen.move_to_end(identity)
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)

    def put(
        self,
        key: tuple[Any, ...],
        version: tuple[Any, ...],
        body: bytes,
        last_modified: datetime | None,
    ) -> CachedFeed:
        """Remember freshly built bytes, replacing the feed's older version."""
        self.builds += 1
        etag = etag_for(body)
        moment = _whole_seconds(last_modified)
        previous = self._entries.pop(key, None)
        reliable = moment is not None
        if previous is not None:
            self._bytes -= len(previous.body)
            if previous.last_modified == moment and previous.etag != etag:
                reliable = False
            elif previous.last_modified == moment:
                reliable = previous.date_is_reliable
        entry = CachedFeed(version, body, etag, moment, reliable)
        self._entries[key] = entry
        self._bytes += len(body)
        while self._entries and (
            len(self._entries) > self.max_entries or self._bytes > self.max_bytes
        ):
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)
        return entry


def _whole_seconds(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0)


def is_not_modified(
    entry: CachedFeed, if_none_match: str | None, if_modified_since: str | None, now: datetime
) -> bool:
    """RFC 9110: If-None-Match decides when sent; If-Modified-Since only when the date is sure."""
    if if_none_match is not None:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        return "*" in tags or entry.etag in tags or f"W/{entry.etag}" in tags
    if not if_modified_since or entry.last_modified is None or not entry.date_is_reliable:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if since > now:  # a date from the future proves nothing about the client's copy
        return False
    return entry.last_modified <= since


class SqliteVersionReader:
    """Version reads on SQLite through one persistent autocommit connection.

    Piccolo opens a connection (and a worker thread) per query or transaction on SQLite, about a
    millisecond each; a feed poll that ends in a 304 needs only one small read, which a held
    connection answers in tens of microseconds. WAL mode means it never waits for a writer.
    """

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA query_only = 1")
        self.connection.execute("PRAGMA busy_timeout = 2000")

    def stamp(self) -> tuple[int, int]:
        """Changes whenever any other connection commits, and once a minute (feeds have a time
        window: shifts leave it as time passes). Costs microseconds."""
        (data_version,) = self.connection.execute("PRAGMA data_version").fetchone()
        return data_version, int(time.monotonic() // STAMP_SECONDS)

    async def __call__(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """Run Piccolo-style SQL ("{}" placeholders, aware datetimes stored as UTC text)."""
        params = [str(a.astimezone(UTC)) if isinstance(a, datetime) else a for a in args]
        cursor = self.connection.execute(sql.replace("{}", "?"), params)
        return [dict(row) for row in cursor.fetchall()]

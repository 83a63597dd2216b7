"""The four feed routes: resolve the feed, reuse or build its bytes, answer 200 or 304.

Calendar apps poll these every hour or so, mostly for nothing new, so the common answer must be
cheap: a version read, a cache hit, and often a 304 without a body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from coop.calendar import build_feed
from coop.errors import DomainError, NotFound
from coop.feeds import service
from coop.feeds.cache import CachedFeed, FeedCache, SqliteVersionReader, is_not_modified
from coop.i18n import LANGUAGES, _, speaking
from coop.members.credentials import token_hash
from coop.settings import Settings
from coop.web import sessions
from coop.web.deps import AppSettings
from coop.web.errors import error_responses, handle_domain_error

MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8" to text types
MAX_AGE = 300
# Building more events than this moves to a worker thread, so /health and others keep answering.
BUILD_INLINE_EVENTS = 40


FeedLanguage = Annotated[
    str,
    QueryParameter(
        name="lang",
        description="The feed's language: en (the default) or es; anything else is English.",
        max_length=20,
    ),
]


def _feed_language(lang: str) -> str:
    """A subscribed link must keep working: an unknown language is English, not an error."""
    return lang if lang in LANGUAGES else "en"


class MembersOnly(DomainError):
    status_code = 401


def feed_cache(state: State) -> FeedCache:
    """One cache per app (so two apps on two databases in one process never mix feeds)."""
    cache = state.get("feed_cache")
    if cache is None:
        cache = state["feed_cache"] = FeedCache()
    return cache


def version_reader(state: State, settings: Settings) -> service.Fetch:
    """Where versions are read: a held connection on SQLite, Piccolo's pool on PostgreSQL."""
    reader = state.get("feed_version_reader")
    if reader is None:
        reader = service.piccolo_fetch
        if settings.is_sqlite:
            reader = SqliteVersionReader(str(settings.sqlite_path))
        state["feed_version_reader"] = reader
    return reader


def _ics_name(filename: str) -> str:
    """Take "abc.ics" to "abc"; any other name is not a feed."""
    if not filename.endswith(".ics") or len(filename) <= len(".ics"):
        raise NotFound(_(service.FEED_GONE))
    return filename.removesuffix(".ics")


async def serve_feed(
    request: Request,
    settings: Settings,
    identity: tuple[str, ...],
    resolve: Callable[[datetime, service.Fetch], Awaitable[service.FeedPlan]],
    private: bool | None,
) -> Response:
    """Answer with the feed, or with a kind 404/401 that is returned, not raised.

    Returned, because Litestar logs every raised exception with the request path, and a
    feed's path holds its secret token. ``private=None`` means "members-only if so set".
    """
    try:
        if private is None:
            private = await _ensure_may_see_season(request, settings)
        return await _answer(request, settings, identity, resolve, private)
    except DomainError as error:
        return handle_domain_error(request, error)


async def _answer(
    request: Request,
    settings: Settings,
    identity: tuple[str, ...],
    resolve: Callable[[datetime, service.Fetch], Awaitable[service.FeedPlan]],
    private: bool,
) -> Response:
    """Read the version; only when it moved, load the rows (one transaction) and build."""
    cache = feed_cache(request.app.state)
    now = datetime.now(UTC)
    reader = version_reader(request.app.state, settings)
    stamp = reader.stamp() if isinstance(reader, SqliteVersionReader) else None
    entry = cache.recall(identity, stamp)
    if entry is None:
        plan = await resolve(now, reader)
        entry = cache.get(plan.key, plan.version)
        if entry is None:
            entry = await _build_once(cache, plan, settings)
        cache.remember(identity, stamp, plan.key, plan.version)
    headers = {
        "ETag": entry.etag,
        "Cache-Control": f"{'private' if private else 'public'}, max-age={MAX_AGE}",
    }
    if entry.last_modified_header:
        headers["Last-Modified"] = entry.last_modified_header
    if is_not_modified(
        entry,
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        now,
    ):
        return Response(content=b"", status_code=304, headers=headers, media_type=MEDIA_TYPE)
    return Response(content=entry.body, headers=headers, media_type=MEDIA_TYPE)


async def _build_once(cache: FeedCache, plan: service.FeedPlan, settings: Settings) -> CachedFeed:
    """Build a changed feed once, however many requests for it arrive meanwhile."""
    pending = cache.building.get((plan.key, plan.version))
    if pending is None:
        pending = asyncio.ensure_future(_build(cache, plan, settings))
        cache.building[(plan.key, plan.version)] = pending
        pending.add_done_callback(lambda _task: cache.building.pop((plan.key, plan.version), None))
    return await asyncio.shield(pending)


async def _build(cache: FeedCache, plan: service.FeedPlan, settings: Settings) -> CachedFeed:
    """Load the rows in one transaction, then build; rows that change after the version read
    only make the next request rebuild."""
    content = await plan.read()

    def build() -> bytes:
        with speaking(content.language):
            return _build_feed(content, settings)

    if len(content.events) > BUILD_INLINE_EVENTS:
        body = await asyncio.to_thread(build)
    else:
        body = build()
    return cache.put(plan.key, plan.version, body, plan.last_modified)


def _build_feed(content: service.FeedContent, settings: Settings) -> bytes:
    return build_feed(
        content.events,
        name=content.name,
        description=content.description,
        timezone=settings.timezone,
        uid_domain=service.uid_domain(settings),
        alarm_minutes=content.alarm_minutes,
    )


async def _ensure_may_see_season(request: Request, settings: Settings) -> bool:
    """Return whether the answer is private: members-only season feeds need a session."""
    if settings.season_feed_public:
        return False
    if await sessions.current_member(request) is None:
        raise MembersOnly(
            _(
                "The garden's season calendar is for members. Please log in, or use your own "
                "calendar link from the Calendar page."
            )
        )
    return True


class FeedsApi(Controller):
    path = "/calendar"
    tags = ["calendar"]

    @get(
        "/season.ics",
        summary="Every shift of the season, with open places and no names",
        responses=error_responses(401),
    )
    async def season(
        self, request: Request, settings: AppSettings, lang: FeedLanguage = "en"
    ) -> Response:
        language = _feed_language(lang)
        return await serve_feed(
            request,
            settings,
            ("season", language),
            lambda now, fetch: service.season_plan(settings, now, fetch, language=language),
            None,
        )

    @get("/kinds/{filename:str}", summary="One kind of shift, e.g. /calendar/kinds/weeding.ics")
    async def kind(
        self,
        request: Request,
        settings: AppSettings,
        filename: FromPath[str],
        lang: FeedLanguage = "en",
    ) -> Response:
        language = _feed_language(lang)
        return await serve_feed(
            request,
            settings,
            ("kind", filename, language),
            lambda now, fetch: service.season_plan(
                settings, now, fetch, _ics_name(filename), language
            ),
            None,
        )

    @get("/members/{filename:str}", include_in_schema=False)
    async def member(
        self, request: Request, settings: AppSettings, filename: FromPath[str]
    ) -> Response:
        return await serve_feed(
            request,
            settings,
            ("member", token_hash(filename)),
            lambda now, fetch: service.member_plan(settings, now, fetch, _ics_name(filename)),
            True,
        )

    @get("/pairs/{filename:str}", include_in_schema=False)
    async def pair(
        self,
        request: Request,
        settings: AppSettings,
        filename: FromPath[str],
        lang: FeedLanguage = "en",
    ) -> Response:
        language = _feed_language(lang)
        return await serve_feed(
            request,
            settings,
            ("pair", token_hash(filename), language),
            lambda now, fetch: service.pair_plan(
                settings, now, fetch, _ics_name(filename), language
            ),
            True,
        )

"""Build the Litestar app for a given set of settings."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from piccolo.engine.postgres import PostgresEngine

from coop.db import POOL_MAX_SIZE, POOL_MIN_SIZE, bind, enable_wal, engine_for
from coop.feeds.api import FeedsApi
from coop.feeds.pages import CalendarPages
from coop.garden.api import GardenApi
from coop.garden.pages import HarvestPages
from coop.market.api import MarketApi
from coop.market.pages import MarketPages, manifest, service_worker
from coop.members.api import MeApi, MembersApi, RecoveryApi, SessionApi
from coop.members.pages import AccountPages, MePages, RecoveryPages
from coop.notices.api import NotificationsApi, UndeliveredApi
from coop.notices.pages import (
    InboxPages,
    NoticeSettingsPages,
    UndeliveredPages,
    UnsubscribePages,
    count_unread,
)
from coop.notices.sender import Sender
from coop.pairs.api import PairsApi
from coop.pairs.pages import PairsPages
from coop.pay.api import MySeasonApi, PayPeriodsApi, WagesApi
from coop.pay.pages import MySeasonPages, PayPages
from coop.plan.api import KindsApi, PlanApi
from coop.plan.pages import PlanPages
from coop.reports.api import ImpactApi, ReportsApi
from coop.reports.exports import ExportsApi
from coop.reports.pages import ImpactPages, ReportPages
from coop.sales.api import SalesApi
from coop.sales.pages import SalesPages
from coop.settings import Settings
from coop.shifts.api import PlacementsApi, ShiftsApi
from coop.shifts.pages import HomePage, PlacementPages, ShiftPages
from coop.web import sessions
from coop.web.deps import dependencies
from coop.web.errors import EXCEPTION_HANDLERS, document_errors
from coop.web.language import LanguageMiddleware, LanguageSwitch
from coop.web.security import SecurityHeadersMiddleware, refuse_unsafe_requests
from coop.web.templating import configure_environment

ROOT = Path(__file__).resolve().parent.parent
MAX_BODY_BYTES = 1024 * 1024


@get("/health", include_in_schema=False, sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    """The whole app: routes, plugins, templates and middleware for ``settings``."""
    settings = settings or Settings.from_env()
    engine = engine_for(settings)
    bind(engine)

    async def open_database() -> None:
        if settings.is_sqlite:
            enable_wal(str(settings.sqlite_path))
        elif isinstance(engine, PostgresEngine):
            await engine.start_connection_pool(min_size=POOL_MIN_SIZE, max_size=POOL_MAX_SIZE)

    background: dict[str, asyncio.Task] = {}
    stop_sender = asyncio.Event()

    async def start_sender() -> None:
        """``coop serve`` sends notices itself, so ``make run`` needs nothing more."""
        if settings.run_sender:
            stop_sender.clear()
            background["sender"] = asyncio.create_task(Sender(settings).run_forever(stop_sender))

    async def stop_background() -> None:
        stop_sender.set()
        if task := background.pop("sender", None):
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=10)

    async def before_request(request) -> None:
        await refuse_unsafe_requests(request)
        await count_unread(request)

    async def close_database() -> None:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()

    template_config = TemplateConfig(
        directory=ROOT / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=lambda jinja: configure_environment(jinja.engine, settings),
    )
    app = Litestar(
        route_handlers=[
            health,
            SessionApi,
            MembersApi,
            MeApi,
            AccountPages,
            MePages,
            HomePage,
            ShiftsApi,
            PlacementsApi,
            ShiftPages,
            PlacementPages,
            PairsApi,
            PairsPages,
            KindsApi,
            PlanApi,
            PlanPages,
            GardenApi,
            HarvestPages,
            SalesApi,
            SalesPages,
            ReportsApi,
            ExportsApi,
            ReportPages,
            FeedsApi,
            CalendarPages,
            LanguageSwitch,
            MarketApi,
            MarketPages,
            service_worker,
            manifest,
            PayPeriodsApi,
            WagesApi,
            MySeasonApi,
            ImpactApi,
            PayPages,
            MySeasonPages,
            ImpactPages,
            NotificationsApi,
            UndeliveredApi,
            InboxPages,
            NoticeSettingsPages,
            UnsubscribePages,
            UndeliveredPages,
            create_static_files_router(path="/static", directories=[ROOT / "static"]),
            RecoveryApi,
            RecoveryPages,
        ],
        dependencies=dependencies(settings),
        on_startup=[open_database, start_sender],
        on_shutdown=[stop_background, close_database],
        template_config=template_config,
        plugins=[FlashPlugin(config=FlashConfig(template_config=template_config)), HTMXPlugin()],
        middleware=[
            sessions.session_config(settings).middleware,
            SecurityHeadersMiddleware(),
            LanguageMiddleware(),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            # Anchored: "/api/days/healthy/cancel" is no exclusion.
            exclude=["^/health$", "^/calendar/", "^/unsubscribe"],
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=before_request,
        openapi_config=OpenAPIConfig(title="Garden co-op", version="1.0.0"),
        request_max_body_size=MAX_BODY_BYTES,
        # 4xx answers are not worth a traceback; handle_server_error logs every 5xx itself.
        logging_config=LoggingConfig(log_exceptions="debug"),
        debug=settings.debug,
    )
    document_errors(app)
    return app

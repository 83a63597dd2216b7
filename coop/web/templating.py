"""The Jinja environment: filters that show instants on the garden's clock, and gettext."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from coop import formatting, i18n
from coop.settings import Settings


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    """Print the page's own CSRF input as HTML, and nothing else.

    Litestar passes ``csrf_input`` as a plain string, which autoescaping would print as text (the
    forms then fail CSRF in a real browser). Only that very string, the one Litestar put in this
    page's context, is marked safe: a display name or title shaped like it stays text.
    """
    if isinstance(value, str) and value and value is context.get("csrf_input"):
        return Markup(value)
    return value


def configure_environment(env: Environment, settings: Settings) -> None:
    """Register the filters every template may use."""
    zone = settings.zone

    def local(value: datetime) -> datetime:
        return value.astimezone(zone)

    def when(value: datetime) -> str:
        return formatting.when(value, zone)

    def clock(value: datetime) -> str:
        return formatting.clock(value, zone)

    env.finalize = _finalize
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: i18n.translations(i18n.current_language()).gettext(message),
        ngettext=lambda singular, plural, n: i18n.translations(i18n.current_language()).ngettext(
            singular, plural, n
        ),
        newstyle=True,
    )
    env.globals.update(current_language=i18n.current_language)
    env.filters.update(
        local=local, when=when, clock=clock, day=formatting.day, money=formatting.money
    )
    env.globals.update(garden_timezone=settings.timezone, base_url=settings.base_url)
    env.filters.update(hours=formatting.hours_text, pay=formatting.pay_text)
    env.filters.update(
        clock_iso=lambda value: clock(
            value if isinstance(value, datetime) else datetime.fromisoformat(value)
        )
    )

"""The Jinja environment: filters that show instants on the garden's clock, and gettext."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from coop import formatting, i18n, labels
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


def switch_back_to(request: Any) -> str:
    """Where the language switch returns: this page, unless its address is a secret (a feed)."""
    if request is None:
        return "/"
    path = request.url.path
    if path.startswith(("/calendar/", "/api/")):
        return "/"
    return path + (f"?{request.url.query}" if request.url.query else "")


def configure_environment(env: Environment, settings: Settings) -> None:
    """Register the filters every template may use."""
    zone = settings.zone

    def local(value: datetime) -> datetime:
        return value.astimezone(zone)

    def when(value: datetime) -> str:
        """Saturday 6 June, 9:00 am / sábado 6 de junio, 9:00."""
        return formatting.when(value, zone)

    def clock(value: datetime) -> str:
        return formatting.clock(value, zone)

    env.finalize = _finalize
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # {% trans %} text as one line (babel.cfg too)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: i18n.translations(i18n.current_language()).gettext(message),
        ngettext=lambda singular, plural, n: i18n.translations(i18n.current_language()).ngettext(
            singular, plural, n
        ),
        newstyle=True,
    )
    env.globals.update(current_language=i18n.current_language)
    env.filters.update(local=local, when=when, clock=clock, money=formatting.money)
    env.filters.update(
        day=formatting.day,
        long_date=formatting.long_date,
        month_year=formatting.month_year,
        number=formatting.number,
        translated=i18n.translated,
        unit=labels.unit_label,
        field_label=labels.field_label,
        channel=labels.channel_label,
    )
    env.globals.update(languages=i18n.LANGUAGES, switch_back_to=switch_back_to)
    env.globals.update(garden_timezone=settings.timezone, base_url=settings.base_url)
    env.filters.update(hours=formatting.hours_text, pay=formatting.pay_text)
    env.filters.update(
        clock_iso=lambda value: clock(
            value if isinstance(value, datetime) else datetime.fromisoformat(value)
        )
    )
    env.globals.update(email_enabled=settings.email_enabled)

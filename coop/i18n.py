"""Which language this request speaks, and the gettext calls that follow it.

The language lives in a context variable set once per request (by the web layer) or per notice (by
the sender), so rules, templates and feeds can translate without being handed a request. Catalogues
are the ``.po`` files under ``coop/locales``; they are compiled in memory on first use, so nothing
compiled is committed and no build step can be forgotten.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DEFAULT_LANGUAGE = "en"
LANGUAGES = {"en": "English", "es": "Español"}
LOCALES = Path(__file__).resolve().parent / "locales"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    return _language.get()


def set_language(language: str) -> None:
    """Speak ``language`` for the rest of this context (one request, one task)."""
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Speak ``language`` inside the block, e.g. while writing one member's notice."""
    token = _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue for ``language`` (English is the source text itself)."""
    po_file = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def gettext(message: str, /, **values: object) -> str:
    """``message`` in the current language, its ``%(name)s`` placeholders filled from ``values``."""
    text = translations(current_language()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The singular or plural form for ``n`` in the current language; ``%(num)d`` is ``n``."""
    text = translations(current_language()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


_ = gettext


def translated(text: str | None) -> str:
    """Stored text that may be one of our own words (a default kind's label): translate it if so.

    Empty text stays empty (gettext would answer the catalogue's header).
    """
    return gettext(text) if text else ""

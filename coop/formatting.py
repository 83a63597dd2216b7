"""Dates, times, numbers and money in the request's language, always on the garden's clock.

English keeps the garden's own style ("Saturday 6 June, 9:00 am"); other languages use Babel's
patterns for their locale ("sábado 6 de junio, 9:00"). Money is US dollars, written the US way in
every language ("$6,295.00"), since that is how the garden's receipts and bank show it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import NumberFormatError, format_decimal
from babel.numbers import parse_decimal as babel_parse_decimal

from coop.i18n import current_language

# Babel patterns per language; English is written by hand below to keep its am/pm style.
_WHEN = {"es": "EEEE d 'de' MMMM, H:mm"}
_CLOCK = {"es": "H:mm"}
_DAY = {"en": "EEEE d MMMM", "es": "EEEE d 'de' MMMM"}
_DATE = {"en": "d MMMM y", "es": "d 'de' MMMM 'de' y"}


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """9:00 am / 9:00."""
    local = moment.astimezone(zone)
    language = current_language()
    if language in _CLOCK:
        return format_datetime(local, _CLOCK[language], tzinfo=zone, locale=language)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M} {'am' if local.hour < 12 else 'pm'}"


def when(moment: datetime, zone: ZoneInfo) -> str:
    """Saturday 6 June, 9:00 am / sábado 6 de junio, 9:00."""
    local = moment.astimezone(zone)
    language = current_language()
    if language in _WHEN:
        return format_datetime(local, _WHEN[language], tzinfo=zone, locale=language)
    return f"{format_date(local.date(), _DAY['en'], locale='en')}, {clock(local, zone)}"


def day(value: date) -> str:
    """Saturday 6 June / sábado 6 de junio."""
    language = current_language()
    return format_date(value, _DAY.get(language, _DAY["en"]), locale=language)


def long_date(value: date) -> str:
    """6 June 2026 / 6 de junio de 2026."""
    language = current_language()
    return format_date(value, _DATE.get(language, _DATE["en"]), locale=language)


def month_year(value: date) -> str:
    """June 2026 / junio de 2026."""
    language = current_language()
    pattern = "LLLL 'de' y" if language == "es" else "LLLL y"
    return format_date(value, pattern, locale=language)


def number(value: Decimal | float | int | str, places: int = 3) -> str:
    """2.05 / 2,05 — up to ``places`` decimals, no trailing zeros."""
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    pattern = "#,##0." + "#" * places if places else "#,##0"
    return format_decimal(value, format=pattern, locale=current_language())


def money(cents: int) -> str:
    """$6,295.00 in every language ($6,295 when whole)."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}.{rest:02d}" if rest else f"${dollars:,}"


def parse_decimal(text: str) -> Decimal:
    """Read a number as the person typed it: "2,05" in Spanish, "2.05" (or "2,050.5") in English.

    A plain "2.05" is accepted in every language too, since phones often offer only a dot.
    Raises ValueError when it is not a number.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    language = current_language()
    if language != "en" and "," in cleaned:
        try:
            return babel_parse_decimal(cleaned, locale=language, strict=True)
        except NumberFormatError as error:
            raise ValueError(text) from error
    try:
        return Decimal(cleaned.replace(",", "") if language == "en" else cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error


def decimal_dollars(cents: int) -> str:
    """350 -> "3.50": dollars for a spreadsheet or a form field, always with cents."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def hours_text(minutes: int) -> str:
    """Minutes as decimal hours for people and CSV: 150 -> "2.5", 20 -> "0.33"."""
    whole, rest = divmod(abs(minutes), 60)
    hundredths = (rest * 100 + 30) // 60
    if hundredths == 100:
        whole, hundredths = whole + 1, 0
    sign = "-" if minutes < 0 else ""
    text = f"{whole}.{hundredths:02d}".rstrip("0").rstrip(".")
    return sign + text


def pay_text(cents: int) -> str:
    """Money on a pay document, always with cents: 3100 -> "$31.00", -250 -> "-$2.50"."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{rest:02d}"

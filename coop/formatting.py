"""How the garden writes dates, times and money for people: pure, one home for each format.

The Jinja filters (``coop.web.templating``) and the rules' messages both use these, so a page
and a refusal say "Saturday 6 June, 9:00 am" and "$3.50" the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def day(value: date) -> str:
    """Saturday 6 June."""
    return f"{value:%A} {value.day} {value:%B}"


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """9:00 am, on the garden's clock."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M} {'am' if local.hour < 12 else 'pm'}"


def when(moment: datetime, zone: ZoneInfo) -> str:
    """Saturday 6 June, 9:00 am, on the garden's clock."""
    return f"{day(moment.astimezone(zone))}, {clock(moment, zone)}"


def money(cents: int) -> str:
    """350 -> "$3.50"; 6650000 -> "$66,500" (whole dollars drop the cents)."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}.{rest:02d}" if rest else f"${dollars:,}"


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

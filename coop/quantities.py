"""Exact quantities of produce: Decimal in, integer thousandths stored, kg out.

SQLite keeps ``Numeric`` as a float (ten 0.1 kg summed to 0.9999999999999999), so a
quantity is stored as an integer count of thousandths of its unit and totalled with
``Decimal``. Mass units total together in kilograms; count units (bunch, each) apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from coop.errors import DomainError
from coop.formatting import parse_decimal
from coop.i18n import _
from coop.labels import field_label

POUND_KG = Decimal("0.45359237")
KG_PER_UNIT: dict[str, Decimal] = {
    "kg": Decimal(1),
    "g": Decimal("0.001"),
    "lb": POUND_KG,
    "oz": POUND_KG / 16,
}
COUNT_UNITS = ("bunch", "each")
UNITS = (*KG_PER_UNIT, *COUNT_UNITS)
MILLI = Decimal(1000)
# A generous ceiling: no garden picks a million of anything in one go.
MAX_QUANTITY = Decimal(1_000_000)


class BadQuantity(DomainError):
    """A quantity or unit a person could not have meant."""

    status_code = 422


def parse_quantity(value: object, field: str = "quantity") -> Decimal:
    """Read "1.25" (or 1.25) as Decimal, refusing what cannot be a real amount."""
    if isinstance(value, bool) or value is None:
        raise BadQuantity(
            _("%(label)s: please give an amount like 1.5.", label=field_label(field)), field=field
        )
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = parse_decimal(str(value))  # "2,05" too, when the request speaks Spanish
    except ValueError:
        raise BadQuantity(
            _("%(label)s: please give an amount like 1.5.", label=field_label(field)), field=field
        ) from None
    if not amount.is_finite():
        raise BadQuantity(
            _("%(label)s: please give an amount like 1.5.", label=field_label(field)), field=field
        )
    if amount <= 0:
        raise BadQuantity(
            _("%(label)s: please give an amount above zero.", label=field_label(field)), field=field
        )
    if amount > MAX_QUANTITY:
        raise BadQuantity(
            _(
                "%(label)s: that is more than one record can hold; please check the amount (at "
                "most %(most)s).",
                label=field_label(field),
                most=format(MAX_QUANTITY, ","),
            ),
            field=field,
        )
    if amount.as_tuple().exponent < -3:  # type: ignore[operator]
        raise BadQuantity(
            _("%(label)s: please use at most three decimal places.", label=field_label(field)),
            field=field,
        )
    return amount


def parse_unit(value: object, field: str = "unit") -> str:
    """One of kg, g, lb, oz, bunch, each."""
    unit = str(value or "").strip().lower()
    if unit not in UNITS:
        raise BadQuantity(
            _(
                "%(label)s: please pick one of %(units)s.",
                label=field_label(field),
                units=", ".join(UNITS),
            ),
            field=field,
        )
    return unit


def to_milli(amount: Decimal) -> int:
    """Decimal (at most three places) -> integer thousandths."""
    return int(amount * MILLI)


def from_milli(milli: int) -> Decimal:
    """Integer thousandths -> Decimal with three places kept honest."""
    return (Decimal(milli) / MILLI).quantize(Decimal("0.001"))


def show(amount: Decimal) -> str:
    """ "1.500" -> "1.5", "2.000" -> "2": the way a person writes an amount."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def in_kg(milli: int, unit: str) -> Decimal:
    """Exact kilograms for a mass amount (lb and oz convert exactly, by definition)."""
    return Decimal(milli) / MILLI * KG_PER_UNIT[unit]


def is_mass(unit: str) -> bool:
    return unit in KG_PER_UNIT


def totals(amounts: Iterable[tuple[int, str]]) -> dict[str, Decimal]:
    """Sum (milli, unit) pairs: all mass under "kg", each count unit on its own."""
    result: dict[str, Decimal] = defaultdict(Decimal)
    for milli, unit in amounts:
        if is_mass(unit):
            result["kg"] += in_kg(milli, unit)
        else:
            result[unit] += Decimal(milli) / MILLI
    return {unit: _normal(total) for unit, total in result.items()}


def _normal(total: Decimal) -> Decimal:
    """Drop trailing zeros without turning 100 into 1E+2."""
    normal = total.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal

"""Exact amounts of produce: what a person may type, how it is stored, how it totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coop.quantities import (
    BadQuantity,
    from_milli,
    parse_quantity,
    parse_unit,
    show,
    to_milli,
    totals,
)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1.25", Decimal("1.25")), (" 2 ", Decimal(2)), (1.1, Decimal("1.1")), (3, Decimal(3))],
)
def test_an_amount_is_read_exactly(typed, amount):
    read = parse_quantity(typed)
    assert read == amount
    assert isinstance(read, Decimal)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (None, "like 1.5"),
        (True, "like 1.5"),
        ("a bucket", "like 1.5"),
        ("NaN", "like 1.5"),
        ("Infinity", "like 1.5"),
        ("0", "above zero"),
        ("-2", "above zero"),
        ("1000000.001", "at most 1,000,000"),
        ("0.0005", "three decimal places"),
    ],
)
def test_an_amount_nobody_could_mean_is_refused_naming_the_field(typed, says):
    with pytest.raises(BadQuantity) as refused:
        parse_quantity(typed, field="produce_quantity")
    assert refused.value.status_code == 422
    assert refused.value.extra == {"field": "produce_quantity"}
    assert refused.value.message.startswith("Produce quantity: ")
    assert says in refused.value.message


def test_units_forgive_case_and_spaces_and_refuse_the_unknown():
    assert parse_unit(" KG ") == "kg"
    with pytest.raises(BadQuantity, match="kg, g, lb, oz, bunch, each"):
        parse_unit("stone")


def test_thousandths_round_trip():
    assert to_milli(Decimal("1.234")) == 1234
    assert from_milli(1234) == Decimal("1.234")
    assert str(from_milli(1500)) == "1.500"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("1.500", "1.5"), ("2.000", "2"), ("100", "100"), ("0.001", "0.001"), ("0", "0")],
)
def test_an_amount_is_shown_as_a_person_writes_it(amount, shown):
    assert show(Decimal(amount)) == shown


def test_mass_totals_exactly_in_kilograms_and_counts_apart():
    assert totals([(1000, "lb"), (16000, "oz")]) == {"kg": Decimal("0.90718474")}
    assert totals([(100, "kg")] * 10) == {"kg": Decimal(1)}  # never 0.9999999999999999
    mixed = totals([(500_000, "g"), (2000, "bunch"), (1000, "bunch"), (3000, "each")])
    assert mixed == {"kg": Decimal("0.5"), "bunch": Decimal(3), "each": Decimal(3)}
    assert str(totals([(100_000, "kg")])["kg"]) == "100"  # not 1E+2

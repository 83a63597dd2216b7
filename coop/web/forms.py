"""Read HTML forms into the same schemas the API uses, with messages a person understands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.enums import RequestEncodingType
from litestar.params import Body

from coop.errors import DomainError

T = TypeVar("T")

# A posted HTML form, as every page handler takes it.
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"of length >= (\d+)"), "please use at least {0} characters"),
    (re.compile(r"of length <= (\d+)"), "please keep it to {0} characters or fewer"),
    (re.compile(r"matching regex '\^\[\^"), "please use ordinary letters and symbols, on one line"),
    (
        re.compile(r"must match pattern|matching regex"),
        "please use only letters, digits, dots, dashes or _",
    ),
    (
        re.compile(r"unknown field `(\w+)`"),
        "“{0}” is not something we know about; please leave it out",
    ),
    (re.compile(r">= (-?[\d.]+)"), "please give {0} or more"),
    (re.compile(r"<= (-?[\d.]+)"), "please give {0} or less"),
    (re.compile(r"Expected `int\b"), "please give a whole number"),
    (re.compile(r"Expected `(?:float|decimal)"), "please give a number"),
    (re.compile(r"Expected `bool\b"), "please answer yes or no"),
    (re.compile(r"Expected `date\b"), "please give a date like 2026-06-01"),
    (re.compile(r"Expected `(?:datetime)"), "please give a date and time like 2026-06-01T09:00"),
    (re.compile(r"Expected `(?:time)"), "please give a time like 09:00"),
    (re.compile(r"Invalid enum value"), "please pick one of the choices"),
    (re.compile(r"Expected `str\b"), "please give some text"),
]
_FIELD = re.compile(r"at `\$\.?([A-Za-z_][\w]*)")
_MISSING = re.compile(r"missing required field `(\w+)`")


def label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def humanize(message: str, field: str | None = None) -> tuple[str, str | None]:
    """Turn one msgspec message into ("Password: please use at least 10 characters", field)."""
    if missing := _MISSING.search(message):
        name = missing.group(1)
        return f"{label(name)}: please fill this in", name
    if field is None and (found := _FIELD.search(message)):
        field = found.group(1)
    for pattern, text in _RULES:
        if match := pattern.search(message):
            sentence = text.format(*match.groups())
            return (f"{label(field)}: {sentence}" if field else sentence.capitalize()), field
    return (f"{label(field)}: this doesn't look right" if field else "Please check the form"), field


def parse_form(form: Mapping[str, Any], schema: type[T], *, blank_is_none: bool = False) -> T:
    """Convert form text into ``schema``, or raise a DomainError that names the field."""
    values: dict[str, Any] = {}
    known = set(getattr(schema, "__struct_fields__", ()))
    for key, value in form.items():
        if key.startswith("_") or key not in known:
            continue  # a browser may send more (buttons, the CSRF token); only the schema counts
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and "\x00" in text:
            # No person types a NUL, and PostgreSQL cannot store one: stop it here, for every form.
            raise DomainError(f"{label(key)}: please use ordinary letters and symbols.", field=key)
        if text == "":
            if blank_is_none:
                values[key] = None
            continue
        values[key] = text
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as error:
        message, field = humanize(str(error))
        raise DomainError(message + ".", field=field) from error


def refusal(
    error: DomainError,
    prefix: str = "",
    *,
    renames: Mapping[str, str] | None = None,
    field: str | None = None,
) -> dict[str, Any]:
    """What a page shows again after a refusal: the message and the failing field's name.

    Templates read ``error`` and ``error_field`` (``field`` is the macro that draws an input);
    ``prefix`` names one of several forms on a page (``sale`` gives ``sale_error`` and
    ``sale_error_field``); ``renames`` maps a service's field name to the form's own; ``field``
    is the field to point at when the error names none.
    """
    name = error.field or field
    if renames and name in renames:
        name = renames[name]
    key = f"{prefix}_" if prefix else ""
    return {f"{key}error": error.message, f"{key}error_field": name}

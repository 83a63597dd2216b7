"""Read HTML forms into the same schemas the API uses, with messages a person understands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.enums import RequestEncodingType
from litestar.params import Body

from coop.errors import DomainError
from coop.i18n import N_, _, ngettext
from coop.labels import field_label

T = TypeVar("T")

_MIN_LENGTH = re.compile(r"of length >= (\d+)")
_MAX_LENGTH = re.compile(r"of length <= (\d+)")
# A posted HTML form, as every page handler takes it.
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"matching regex '\^\[\^"),
        N_("please use ordinary letters and symbols, on one line"),
    ),
    (
        re.compile(r"must match pattern|matching regex"),
        N_("please use only letters, digits, dots, dashes or _"),
    ),
    (
        re.compile(r"unknown field `(\w+)`"),
        N_("“%(value)s” is not something we know about; please leave it out"),
    ),
    (re.compile(r">= (-?[\d.]+)"), N_("please give %(value)s or more")),
    (re.compile(r"<= (-?[\d.]+)"), N_("please give %(value)s or less")),
    (re.compile(r"Expected `int\b"), N_("please give a whole number")),
    (re.compile(r"Expected `(?:float|decimal)"), N_("please give a number")),
    (re.compile(r"Expected `bool\b"), N_("please answer yes or no")),
    (re.compile(r"Expected `date\b"), N_("please give a date like 2026-06-01")),
    (
        re.compile(r"Expected `(?:datetime)"),
        N_("please give a date and time like 2026-06-01T09:00"),
    ),
    (re.compile(r"Expected `(?:time)"), N_("please give a time like 09:00")),
    (re.compile(r"Invalid enum value"), N_("please pick one of the choices")),
    (re.compile(r"Expected `str\b"), N_("please give some text")),
]
_FIELD = re.compile(r"at `\$\.?([A-Za-z_][\w]*)")
_MISSING = re.compile(r"missing required field `(\w+)`")


def label(field: str) -> str:
    return field_label(field)


def _problem(message: str) -> str | None:
    """What is wrong, in a few words of the request's language ("please give a number")."""
    if match := _MIN_LENGTH.search(message):
        return ngettext(
            "please use at least %(num)d character",
            "please use at least %(num)d characters",
            int(match.group(1)),
        )
    if match := _MAX_LENGTH.search(message):
        return ngettext(
            "please keep it to %(num)d character or fewer",
            "please keep it to %(num)d characters or fewer",
            int(match.group(1)),
        )
    for pattern, text in _RULES:
        if match := pattern.search(message):
            return _(text, value=match.group(1)) if match.groups() else _(text)
    return None


def humanize(message: str, field: str | None = None) -> tuple[str, str | None]:
    """Turn one msgspec message into ("Password: please use at least 10 characters", field)."""
    if missing := _MISSING.search(message):
        name = missing.group(1)
        return _("%(label)s: please fill this in", label=label(name)), name
    if field is None and (found := _FIELD.search(message)):
        field = found.group(1)
    sentence = _problem(message)
    if sentence:
        if field:
            return _("%(label)s: %(problem)s", label=label(field), problem=sentence), field
        return sentence[:1].upper() + sentence[1:], field
    if field:
        return _("%(label)s: this doesn't look right", label=label(field)), field
    return _("Please check the form"), field


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
            raise DomainError(
                _("%(label)s: please use ordinary letters and symbols.", label=label(key)),
                field=key,
            )
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

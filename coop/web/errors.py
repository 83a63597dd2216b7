"""The one place that turns domain errors (and Litestar's own) into kind 4xx answers."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect, Template
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from coop.errors import DomainError, TooManyAttempts
from coop.i18n import N_, _
from coop.web.forms import humanize
from coop.web.language import ensure_language
from coop.web.security import SECURITY_HEADERS, log_safe
from coop.web.sessions import requires_coordinator, requires_member

logger = logging.getLogger("coop")


def wants_json(request: Request) -> bool:
    """API paths and clients that ask for JSON get JSON; people get pages."""
    if request.url.path.startswith("/api/") or request.url.path.startswith("/schema"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _json(
    status_code: int, detail: str, extra: Any = None, headers: dict | None = None
) -> Response:
    return Response(
        {"status_code": status_code, "detail": detail, "extra": extra or {}},
        status_code=status_code,
        media_type=MediaType.JSON,
        # Answers for unknown paths never pass the route middleware: add the headers here too.
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def _page(request: Request, status_code: int, message: str) -> Response:
    # An unknown path has no session (the middleware never ran): the page must not ask for one.
    has_session = "session" in request.scope
    return Template(
        "error.html",
        context={
            "status_code": status_code,
            "message": message,
            "request": request,
            "show_flashes": has_session,
        },
        status_code=status_code,
        headers=SECURITY_HEADERS,
    )


def handle_domain_error(request: Request, error: DomainError) -> Response:
    ensure_language(request)
    headers = (
        {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyAttempts) else None
    )
    if wants_json(request):
        return _json(error.status_code, error.message, error.extra, headers)
    response = _page(request, error.status_code, error.message)
    if headers:
        response.headers.update(headers)
    return response


def describe_validation(error: ValidationException) -> str:
    """Turn msgspec's field messages into one sentence a person understands."""
    problems = []
    for item in error.extra or []:
        if isinstance(item, dict) and item.get("message"):
            key = item.get("key")
            sentence, _field = humanize(str(item["message"]), str(key) if key else None)
            problems.append(sentence)
    if not problems:
        return _("Something in that request was not quite right. Please check it and try again.")
    return _("Please check this: %(problems)s.", problems="; ".join(problems))


KIND_MESSAGES = {
    400: N_("Something in that request was not quite right. Please check it and try again."),
    401: N_("Please log in first."),
    403: N_("That part of the garden's app is not open to your account."),
    404: N_("We couldn't find that page. It may have moved, or the link may be old."),
    405: N_("That action isn't available here."),
    413: N_("That was more than we can take in one go. Please send something smaller."),
    415: N_("Please send JSON, with the header Content-Type: application/json."),
    429: N_("That's a lot of tries in a short time. Please wait a few minutes and try again."),
}
SERVER_ERROR = N_("Something went wrong on our side.")

CSRF_MESSAGE = N_(
    "This form was open too long or came from somewhere else, so nothing was saved. "
    "Please go back, reload the page and try again."
)


def kind_message(status: int) -> str:
    """The kind sentence for ``status``, in the request's language ("" if none)."""
    text = KIND_MESSAGES.get(status)
    return _(text) if text else ""


def handle_http_error(request: Request, error: HTTPException) -> Response:
    ensure_language(request)
    status = error.status_code
    if isinstance(error, NotAuthorizedException) and not wants_json(request):
        return Redirect(f"{request.app.route_reverse('login')}?next={request.url.path}")
    if isinstance(error, ValidationException):
        detail = describe_validation(error)
        extra = error.extra
    elif status == 403 and str(error.detail).startswith("CSRF"):
        detail = _(CSRF_MESSAGE)
        extra = {}
    else:
        # Our own details are translated where they are raised; Litestar's own are English.
        detail = error.detail if error.detail and status != 404 else kind_message(status)
        generic = ("Not Found", "Method Not Allowed", HTTPStatus(status).phrase)
        if status >= 500 or not detail or detail.startswith(generic):
            detail = kind_message(status) or _(SERVER_ERROR)
        extra = error.extra if isinstance(error.extra, dict | list) else {}
    headers = error.headers or None
    if wants_json(request):
        return _json(status, detail, extra, headers)
    response = _page(request, status, detail)
    if headers:
        response.headers.update(headers)
    return response


def handle_server_error(request: Request, error: Exception) -> Response:
    path = log_safe(request.url.path)
    logger.exception("Unhandled error on %s %s", request.method, path, exc_info=error)
    ensure_language(request)
    message = _("Something went wrong on our side. Nothing was changed; please try again.")
    if wants_json(request):
        return _json(HTTP_500_INTERNAL_SERVER_ERROR, message)
    return _page(request, HTTP_500_INTERNAL_SERVER_ERROR, message)


def handle_unstorable_text(request: Request, error: Exception) -> Response:
    """PostgreSQL refuses some characters (NUL) that SQLite keeps: say so, don't answer 500."""
    return handle_domain_error(
        request,
        DomainError(
            _(
                "Something you typed contains an invisible control character we can't store. Please"
                " remove it and try again."
            )
        ),
    )


def handle_value_out_of_range(request: Request, error: Exception) -> Response:
    """An id or number beyond what the database holds (or text too long for a column) is a
    request we can't meet, not a crash: SQLite raises OverflowError, PostgreSQL a DataError."""
    return handle_domain_error(
        request,
        DomainError(
            _(
                "Something in that request is too large or too long for us to store or look up "
                "(perhaps a number or an id). Please check it and try again."
            )
        ),
    )


def handle_unreadable_body(request: Request, error: UnicodeDecodeError) -> Response:
    """Litestar lets a body that is not UTF-8 escape as UnicodeDecodeError: it is a 400."""
    ensure_language(request)
    message = _("We couldn't read that: it isn't UTF-8 text. Please check it and try again.")
    if wants_json(request):
        return _json(400, message)
    return _page(request, 400, message)


EXCEPTION_HANDLERS = {
    UnicodeDecodeError: handle_unreadable_body,
    DomainError: handle_domain_error,
    OverflowError: handle_value_out_of_range,
    asyncpg.DataError: handle_value_out_of_range,
    asyncpg.CharacterNotInRepertoireError: handle_unstorable_text,
    asyncpg.UntranslatableCharacterError: handle_unstorable_text,
    HTTPException: handle_http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_server_error,
}


# --- the error answers, described in the OpenAPI schema ---------------------------------------


class ErrorBody(msgspec.Struct):
    """Litestar's JSON error shape, which every /api error uses."""

    status_code: int
    detail: str
    extra: dict[str, Any] | list[Any]


ERROR_DESCRIPTIONS = {
    400: "The request is not right: a field is missing, malformed or out of range.",
    401: "Not logged in, or the session has ended.",
    403: "Not open to this account, or the CSRF token (x-csrftoken header) is missing.",
    404: "Nothing is there (or it is not yours to see).",
    409: "It clashes with what is already there; `detail` says what.",
    413: "The body is larger than the app takes in one request.",
    415: "The body is not JSON (send Content-Type: application/json).",
    422: "A value breaks one of the garden's rules; `detail` says which, `extra.field` names it.",
    429: "Too many tries lately; wait `Retry-After` seconds.",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def document_errors(app: Litestar) -> None:
    """Give every API operation the 4xx answers its guards, method and path can lead to.

    Added to what a handler names itself (``responses=error_responses(409)``): a guard for
    members gives 401, one for coordinators 403 too; an unsafe method can meet the CSRF check
    (403), the JSON-only rule (415) and the body limit (413); an id in the path can be unknown
    (404). Call before the schema is first built.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            guards = handler.resolve_guards()
            codes = set()
            if requires_member in guards or requires_coordinator in guards:
                codes.add(401)
            if requires_coordinator in guards:
                codes.add(403)
            if handler.http_methods & UNSAFE_METHODS:
                codes.update({403, 413, 415})
            if route.path_parameters:
                codes.add(404)
            handler.responses = {**error_responses(*sorted(codes)), **(handler.responses or {})}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """Document the 4xx answers an API handler can give, so clients and fuzzers know them.

    Every unsafe request can also get 403 (CSRF), so pass it for POST, PATCH and DELETE.
    """
    return {
        code: ResponseSpec(
            data_container=ErrorBody,
            description=ERROR_DESCRIPTIONS[code],
            generate_examples=False,
        )
        for code in codes
    }

"""Security headers on every response, and JSON-only bodies for the API."""

from __future__ import annotations

import re

import msgspec
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from coop.i18n import _

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeadersMiddleware(ASGIMiddleware):
    """Add the headers browsers use to refuse framing, sniffing and foreign scripts."""

    scopes = ("http",)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                # Pages carry CSRF tokens and personal data: never let a cache share them.
                if "cache-control" not in headers and not scope["path"].startswith("/static/"):
                    headers["cache-control"] = "no-store"
            await send(message)

        await next_app(scope, receive, send_with_headers)


# JSON nested deeper than this is no request a person's app makes; msgspec itself stops far
# deeper with a RecursionError, which must be a 400, not a 500.
MAX_JSON_BRACKETS_UNCHECKED = 256


async def require_json_bodies(request: Request) -> None:
    """Refuse an API body that is not JSON (415) before it is read.

    Litestar would parse ``text/plain`` as JSON, and a plain-text POST is the one a foreign page
    may send without asking the browser first; refusing it also keeps wrong clients honest.
    """
    if not request.url.path.startswith("/api/") or request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if has_body and media_type != "application/json":
        raise HTTPException(status_code=415, detail="")
    # PostgreSQL cannot store a NUL character, and no person means one: refuse it for every route.
    if has_body and b"\\u0000" in await request.body():
        raise HTTPException(
            status_code=400,
            detail=_("Something in that request has an invisible NUL character. Please remove it."),
        )
    if has_body:
        _refuse_deep_json(await request.body())


def _refuse_deep_json(body: bytes) -> None:
    """A body nested too deeply to read is a 400 (checked only when it has many brackets)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_BRACKETS_UNCHECKED:
        return
    try:
        msgspec.json.decode(body)
    except RecursionError:
        raise HTTPException(
            status_code=400,
            detail=_("That request is nested too deeply for us to read. Please send it flatter."),
        ) from None
    except msgspec.DecodeError:
        return  # not JSON at all: the handler says so in its own words


async def refuse_unsafe_requests(request: Request) -> None:
    """Checks every request passes before its handler runs."""
    # A NUL can't be in any file name (the static files would crash on it): nothing is there.
    if "\x00" in request.scope["path"]:
        raise HTTPException(status_code=404)
    await require_json_bodies(request)


def log_safe(text: str) -> str:
    """A path for a log line: feed tokens hidden, control characters escaped, so a ``%0a`` in a
    URL can't start a forged line of its own."""
    return redact_feed_tokens(text).encode("unicode_escape").decode("ascii")


_FEED_TOKEN = re.compile(r"(/calendar/(?:members|pairs)/)[^/\s\"?]+")


def redact_feed_tokens(text: str) -> str:
    """Feed links are secrets: keep them out of every log line."""
    return _FEED_TOKEN.sub(r"\1…", text)

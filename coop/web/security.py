"""Security headers on every response, and JSON-only bodies for the API."""

from __future__ import annotations

import re

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


_FEED_TOKEN = re.compile(r"(/calendar/(?:members|pairs)/)[^/\s\"?]+")


def redact_feed_tokens(text: str) -> str:
    """Feed links are secrets: keep them out of every log line."""
    return _FEED_TOKEN.sub(r"\1…", text)

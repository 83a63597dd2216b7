"""A sweep over every unsafe route the app has (whoever wrote it): broken bodies get a 4xx.

test_bad_input.py knows the account routes field by field; this file knows none of them. It
asks the app for its routes, fills path parameters with 1, and sends each one the shapes no
handler can accept. A 5xx anywhere is a bug; so is a change made from a body it could not read.
"""

from __future__ import annotations

import re

import pytest
from litestar.handlers import HTTPRouteHandler

from coop.app import create_app
from coop.settings import Settings
from coop.tables import TABLES, LoginThrottle

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
JSON = {"content-type": "application/json"}
BROKEN = [
    ("broken json", {"content": b'{"a": ', "headers": JSON}),
    ("bad utf-8", {"content": b'{"a": "\xff"}', "headers": JSON}),
    ("a list", {"content": b"[1, 2, 3]", "headers": JSON}),
    ("a NUL", {"content": b'{"name": "a\\u0000", "display_name": "\\u0000"}', "headers": JSON}),
    ("a number", {"content": b"-1e999", "headers": JSON}),
    ("text/plain", {"content": b'{"a": 1}', "headers": {"content-type": "text/plain"}}),
    ("huge", {"content": b'{"a": "' + b"x" * (1024 * 1024) + b'"}', "headers": JSON}),
]
FORMS = [
    ("empty form", {}),
    ("odd form", {"id": "-1", "quantity": "1e999", "date": "2026-02-30", "name": "\x00"}),
]


def unsafe_routes() -> list[tuple[str, str, bool]]:
    """(method, path with ids filled in, takes a body) for every unsafe route of the app."""
    app = create_app(Settings(database_url="sqlite:///unused.sqlite3"))
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            takes_body = "data" in handler.parsed_fn_signature.parameters
            for method in handler.http_methods & UNSAFE:
                path = re.sub(r"\{[^}]+\}", "1", route.path)
                found.add((method, path, takes_body))
    return sorted(found)


ROUTES = unsafe_routes()


async def snapshot(client) -> str:
    async def dump() -> str:
        tables = [t for t in TABLES if t is not LoginThrottle]
        return repr([await table.select().order_by(table.id) for table in tables])

    return client.blocking_portal.call(dump)


@pytest.mark.parametrize("method,path,takes_body", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
async def test_broken_bodies_get_a_4xx_everywhere(garden, client, method, path, takes_body):
    coordinator = await garden.first_coordinator()
    before = await snapshot(client)
    problems = []
    shapes = BROKEN if path.startswith("/api/") else []
    for label, kwargs in shapes:
        response = await coordinator.request(method, path, **kwargs)
        if (takes_body and not 400 <= response.status_code < 500) or response.status_code >= 500:
            problems.append(f"{label}: {response.status_code} {response.text[:200]}")
    if takes_body and not path.startswith("/api/") and method == "POST":
        for label, form in FORMS:
            response = await coordinator.form(path, form, follow_redirects=False)
            if response.status_code >= 500:
                problems.append(f"{label}: {response.status_code} {response.text[:200]}")
    assert not problems, "\n".join(problems)
    if takes_body and path.startswith("/api/"):
        assert await snapshot(client) == before


def test_the_sweep_sees_the_routes():
    paths = {path for _, path, _ in ROUTES}
    assert {"/api/session", "/api/members", "/api/invites", "/api/me", "/me/settings"} <= paths
    assert len(ROUTES) >= 10

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
from coop.tables import TABLES, AttemptCount
from tests.support.rows import in_app

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
        tables = [t for t in TABLES if t is not AttemptCount]
        return repr([await table.select().order_by(table.id) for table in tables])

    return in_app(client, dump)


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


# --- reading routes: numbers no database column can hold --------------------------------------

HUGE = str(2**70)  # beyond a 64-bit integer: SQLite and PostgreSQL both overflow on it


def is_integer(field) -> bool:
    """An ``int`` or ``int | None`` parameter (not a bool, which is an int to Python)."""
    types = [field, *field.inner_types] if field.is_optional else [field]
    return any(t.is_subclass_of(int) and not t.is_subclass_of(bool) for t in types)


def reading_routes() -> list[tuple[str, list[str]]]:
    """(path with every id set to HUGE, its integer query parameters) for every GET route."""
    app = create_app(Settings(database_url="sqlite:///unused.sqlite3"))
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or "GET" not in handler.http_methods:
                continue
            numbers = [
                field.name
                if field.kwarg_definition is None or not field.kwarg_definition.query
                else field.kwarg_definition.query
                for name, field in handler.parsed_fn_signature.parameters.items()
                if name not in route.path_parameters and is_integer(field)
            ]
            found[re.sub(r"\{[^}]+:int\}", HUGE, route.path)] = numbers
    return sorted((path, numbers) for path, numbers in found.items() if "{" not in path)


READING = reading_routes()


@pytest.mark.parametrize("path,numbers", READING, ids=[path for path, _ in READING])
async def test_numbers_too_big_for_the_database_get_a_4xx(garden, path, numbers):
    """Found by schemathesis: ``/api/pairs?offset=`` beyond 64 bits reached SQLite: a 500."""
    coordinator = await garden.first_coordinator()
    problems = []
    # One parameter at a time, so a refused ``limit`` cannot hide a broken ``offset``.
    for params in [{}] + [{name: HUGE} for name in numbers]:
        response = await coordinator.get(path, params=params)
        # Pages may fall back kindly (``/?week=`` huge shows this week); the API and ids may not.
        strict = HUGE in path or (params and path.startswith("/api/"))
        if response.status_code >= 500 or (strict and response.status_code not in (400, 404)):
            problems.append(f"{params}: {response.status_code} {response.text[:200]}")
    assert not problems, "\n".join(problems)


HUGE_IDS = sorted(
    {(method, path.replace("/1", f"/{HUGE}")) for method, path, _ in ROUTES if "/1" in path}
)


@pytest.mark.parametrize("method,path", HUGE_IDS, ids=[f"{m} {p}" for m, p in HUGE_IDS])
async def test_changing_something_with_an_id_too_big_gets_a_4xx(garden, method, path):
    coordinator = await garden.first_coordinator()
    if path.startswith("/api/"):
        response = await coordinator.request(method, path, json={})
    else:
        response = await coordinator.form(path, {}, follow_redirects=False)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])


def test_the_reading_sweep_sees_the_numbers():
    by_path = dict(READING)
    assert {"limit", "offset"} <= set(by_path["/api/pairs"])
    assert "year" in by_path["/api/reports/season"]
    assert f"/api/shifts/{HUGE}" in by_path

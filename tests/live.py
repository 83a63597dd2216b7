"""A person using a served app (``served_app``) over real HTTP: cookies, CSRF and all."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
import pytest

DEMO_PASSWORD = "garden-demo-2026"


class LiveUser:
    """One browser's worth of cookies against a running server."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.http.get("/login")  # hands out the csrftoken cookie

    @property
    def csrf_token(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def log_in(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        return self.post("/api/session", json={"username": username, "password": password})

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"x-csrftoken": self.csrf_token, **kwargs.pop("headers", {})}
        return self.http.post(url, headers=headers, **kwargs)

    def close(self) -> None:
        self.http.close()


def postgres_server() -> str:
    """The PostgreSQL server tests may create databases on (skip without one, fail on CI)."""
    url = os.environ.get("COOP_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("CI is set but COOP_TEST_POSTGRES_URL is not: the PostgreSQL half must run.")
    if not url:
        pytest.skip("COOP_TEST_POSTGRES_URL is not set")
    return url


def _admin(server: str, sql: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(server)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


@contextmanager
def new_postgres_database(prefix: str = "coop_move") -> Iterator[str]:
    """A brand-new, empty PostgreSQL database (not migrated), dropped afterwards."""
    server = postgres_server()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_integrity(path: str) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]

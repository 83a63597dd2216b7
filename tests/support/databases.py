"""Throw-away PostgreSQL databases for the suite, emptying one between tests, and reading a
served app's database from outside it."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import pytest

from coop.tables import DEFAULT_SHIFT_KINDS, TABLES


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


async def reset_postgres(url: str) -> None:
    """Empty every table of a migrated database, keeping the default shift kinds."""
    names = ", ".join(f'"{table._meta.tablename}"' for table in TABLES)
    kinds = ", ".join(f"('{slug}', '{label}')" for slug, label in DEFAULT_SHIFT_KINDS)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        await connection.execute(f"INSERT INTO shift_kind (slug, label) VALUES {kinds}")
    finally:
        await connection.close()


async def fetch_rows(database_url: str, query: str) -> list[tuple]:
    """``query``'s rows, read straight from a served app's database on either engine."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return connection.execute(query).fetchall()
    connection = await asyncpg.connect(database_url)
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()

"""The database engine: SQLite by default, PostgreSQL to scale out, and safe write transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from coop.settings import Settings
from coop.tables import TABLES, Member

# Several app processes share PostgreSQL: keep each pool modest (see README, "Scaling out").
POOL_MAX_SIZE = 10
POOL_MIN_SIZE = 2
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# What either engine raises when a write breaks a UNIQUE constraint.
UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)

# One writer at a time per database file and event loop (asyncio locks belong to a loop).
_write_locks: dict[tuple[str, int], asyncio.Lock] = {}


class CoopSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, with one thread hop per query inside a transaction, not four.

    Piccolo runs ``PRAGMA foreign_keys = 1`` before every query in a transaction, then the query,
    then a separate fetch and cursor close: each a round trip to aiosqlite's thread that waits for
    the event loop. Inside ``writing()`` those hops are spent holding the write lock, so every
    queued sign-up waits for them. The pragma is a no-op inside a transaction (SQLite ignores it
    there) and already ran when the connection was opened, so foreign keys stay enforced.
    """

    async def _run_in_existing_connection(
        self, connection, query, args=None, query_type="generic", table=None
    ):
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        return list(await connection.execute_fetchall(query, args or []))

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        """A query outside a transaction: its own connection, as Piccolo does, with fewer hops."""
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING
            return await super()._run_in_new_connection(query, args, query_type, table)
        async with aiosqlite.connect(**self.connection_kwargs) as connection:
            await connection.execute("PRAGMA foreign_keys = 1")
            connection.row_factory = dict_factory
            rows = list(await connection.execute_fetchall(query, args or []))
            if connection.in_transaction:  # a write began Python's implicit transaction
                await connection.commit()
            return rows


def engine_for(settings: Settings) -> Engine:
    """Build the engine that ``settings.database_url`` names."""
    if settings.is_sqlite:
        return CoopSQLiteEngine(path=str(settings.sqlite_path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    return PostgresEngine(config={"dsn": settings.database_url}, extensions=())


def bind(engine: Engine) -> None:
    """Point every table at ``engine`` (the app may be built for any database)."""
    for table in TABLES:
        table._meta.db = engine


def current_engine() -> Engine:
    return Member._meta.db


def enable_wal(path: str) -> None:
    """WAL is a property of the file: set it once, so readers never wait for a writer."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


@asynccontextmanager
async def writing() -> AsyncIterator[None]:
    """A transaction for reads that lead to writes, serialised so invariants hold.

    On SQLite: one writer per process at a time (``asyncio.Lock``) and BEGIN IMMEDIATE, so a
    read-then-write never fails with "database is locked". On PostgreSQL: a plain transaction;
    the services guard capacity with conditional updates, which PostgreSQL re-checks under
    READ COMMITTED.
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        if engine.transaction_exists():
            yield
            return
        key = (engine.path, id(asyncio.get_running_loop()))
        lock = _write_locks.setdefault(key, asyncio.Lock())
        async with lock, engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


@asynccontextmanager
async def reading() -> AsyncIterator[None]:
    """Group the reads of one page in one transaction: one connection instead of many."""
    engine = current_engine()
    async with engine.transaction():
        yield

"""Every migration, applied to an empty database of each engine, builds exactly coop/tables.py."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager

from coop.piccolo_app import APP_CONFIG
from coop.tables import TABLES
from tests.support.databases import new_postgres_database
from tests.support.served import run_coop

UNIQUE_INDEXES = {
    "placement_member_shift_member": ("placement_member", ["shift", "member"]),
    "attendance_shift_member": ("attendance", ["shift", "member"]),
    "pair_open_partners": ("pair", ["member_a", "member_b"]),
    "attempt_count_scope_key_window": ("attempt_count", ["scope", "key", "window_number"]),
    "sale_client_id": ("sale", ["client_id"]),
    "batch_lot_code": ("batch", ["lot_code"]),
}


def expected_columns() -> dict[str, dict[str, bool]]:
    """{table: {column: nullable}} as coop/tables.py declares them."""
    return {
        table._meta.tablename: {
            column._meta.db_column_name: bool(column._meta.null) for column in table._meta.columns
        }
        for table in TABLES
    }


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new, empty database (not the suite's migrated template)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with new_postgres_database("coop_migrations") as url:
        yield url


def live_schema(url: str) -> tuple[dict[str, dict[str, bool]], dict[str, tuple[str, list[str]]]]:
    """({table: {column: nullable}}, {unique index: (table, columns)}) read from the database."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name != 'migration'"
                )
            ]
            columns, uniques = {}, {}
            for table in names:
                info = connection.execute(f"PRAGMA table_info('{table}')").fetchall()
                columns[table] = {row[1]: not row[3] and not row[5] for row in info}
                for index in connection.execute(f"PRAGMA index_list('{table}')").fetchall():
                    if index[2]:
                        cols = connection.execute(f"PRAGMA index_info('{index[1]}')").fetchall()
                        uniques[index[1]] = (table, [c[2] for c in cols])
            return columns, uniques
        finally:
            connection.close()

    async def read() -> tuple[dict, dict]:
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch(
                "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name != 'migration'"
            )
            columns: dict[str, dict[str, bool]] = {}
            for row in rows:
                columns.setdefault(row["table_name"], {})[row["column_name"]] = (
                    row["is_nullable"] == "YES"
                )
            indexes = await connection.fetch(
                "SELECT i.relname AS name, t.relname AS table, "
                "array_agg(a.attname ORDER BY k.ordinality) AS columns "
                "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_class t ON t.oid = x.indrelid "
                "JOIN unnest(x.indkey) WITH ORDINALITY AS k(attnum, ordinality) ON true "
                "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
                "WHERE x.indisunique GROUP BY i.relname, t.relname"
            )
            return columns, {r["name"]: (r["table"], list(r["columns"])) for r in indexes}
        finally:
            await connection.close()

    return asyncio.run(read())


async def test_the_migrations_describe_the_tables_exactly():
    """Piccolo's own differ, fed every migration, finds nothing left to migrate."""
    statements = await AutoMigrationManager().get_alter_statements(app_config=APP_CONFIG)
    assert [s for alter in statements for s in alter.statements] == []


def test_every_migration_on_an_empty_database_builds_the_tables(empty_database):
    result = run_coop("migrate", database_url=empty_database)
    assert result.stdout.strip().splitlines()[-1] == "The database is up to date."
    columns, uniques = live_schema(empty_database)
    expected = expected_columns()
    assert sorted(columns) == sorted(expected)
    for table, wanted in expected.items():
        # The primary key is NOT NULL in the database whatever Piccolo's flag says.
        wanted = {**wanted, "id": False}
        assert columns[table] == wanted, table
    for name, (table, cols) in UNIQUE_INDEXES.items():
        assert uniques[name] == (table, cols)
    for table in TABLES:
        for column in table._meta.columns:
            if column._meta.unique:
                assert (table._meta.tablename, [column._meta.db_column_name]) in uniques.values()


def test_migrate_is_safe_to_run_again(empty_database):
    run_coop("migrate", database_url=empty_database)
    first = live_schema(empty_database)
    again = run_coop("migrate", database_url=empty_database)
    assert again.returncode == 0
    assert again.stdout.strip().splitlines()[-1] == "The database is up to date."
    assert live_schema(empty_database) == first
    # The default shift kinds went in once, not twice.
    if empty_database.startswith("sqlite:///"):
        with sqlite3.connect(empty_database.removeprefix("sqlite:///")) as connection:
            kinds = connection.execute("SELECT count(*) FROM shift_kind").fetchone()[0]
    else:

        async def count() -> int:
            connection = await asyncpg.connect(empty_database)
            try:
                return await connection.fetchval("SELECT count(*) FROM shift_kind")
            finally:
                await connection.close()

        kinds = asyncio.run(count())
    assert kinds == 7  # the six first-season kinds and market

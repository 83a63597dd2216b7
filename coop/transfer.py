"""Move a whole garden between databases: one engine-neutral file out, the same rows back in.

A garden starts on SQLite and may outgrow it; ``dump`` writes every table (in foreign-key order)
as JSON lines, and ``load`` fills an empty migrated database of either engine with the same rows,
primary keys and all, so logins, placements, harvests and sales survive the move.

The file (optionally gzipped, when its name ends in ``.gz``) is:

    {"format": "coop-dump", "version": 1, "migrations": [...], "tables": {"member": 12, ...}, ...}
    {"table": "member", "columns": ["id", "username", ...], "rows": 12}
    [1, "maria", ...]                       <- one JSON array per row, in the columns' order
    ...
    {"end": true, "rows": 1234}

Dates and times are ISO 8601 strings (timestamps in UTC), JSON columns stay JSON.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO, Any

from piccolo.apps.migrations.tables import Migration
from piccolo.columns import JSON, Column, Date, Time, Timestamp, Timestamptz
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from coop.db import current_engine, reading, writing
from coop.tables import DEFAULT_SHIFT_KINDS, TABLES, ShiftKind

FORMAT = "coop-dump"
FORMAT_VERSION = 1
PAGE_SIZE = 1000
Progress = Callable[[str], None]


class TransferError(Exception):
    """A dump or load cannot go ahead; the message says why and what to do."""


def in_dependency_order(tables: list[type[Table]] = TABLES) -> list[type[Table]]:
    """Tables ordered so every row's foreign keys point at rows loaded before it."""
    ordered: list[type[Table]] = []
    remaining = list(tables)
    while remaining:
        ready = [
            table
            for table in remaining
            if all(
                fk._foreign_key_meta.resolved_references in ordered
                or fk._foreign_key_meta.resolved_references is table
                for fk in table._meta.foreign_key_columns
            )
        ]
        if not ready:  # a cycle: keep the declared order for what is left
            ready = remaining[:1]
        ordered.extend(ready)
        remaining = [table for table in remaining if table not in ready]
    return ordered


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- values in and out ------------------------------------------------------------------------


def _to_file(column: Column, value: Any) -> Any:
    """One database value as a JSON value: ISO strings for times, parsed JSON for JSON."""
    if value is None:
        return None
    if isinstance(column, JSON):
        return json.loads(value) if isinstance(value, str) else value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _from_file(column: Column, value: Any) -> Any:
    """The reverse of ``_to_file``, typed for the column it goes into."""
    if value is None:
        return None
    if isinstance(column, JSON):
        return json.dumps(value)
    if isinstance(column, Timestamptz | Timestamp):
        return datetime.fromisoformat(value)
    if isinstance(column, Date):
        return date.fromisoformat(value)
    if isinstance(column, Time):
        return time.fromisoformat(value)
    return value


@contextmanager
def _open(path: Path, mode: str, gzipped: bool | None = None) -> Iterator[IO[str]]:
    if gzipped or (gzipped is None and path.suffix == ".gz"):
        with gzip.open(path, mode + "t", encoding="utf-8") as file:
            yield file
    else:
        with path.open(mode, encoding="utf-8") as file:
            yield file


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- reading the database ---------------------------------------------------------------------


async def applied_migrations() -> list[str]:
    """The names of the migrations this database has run, oldest first."""
    Migration._meta.db = current_engine()
    rows = await Migration.select(Migration.name).where(Migration.app_name == "coop")
    return sorted(row["name"] for row in rows)


async def _rows(table: type[Table]) -> AsyncIterator[list[Any]]:
    """Every row of ``table`` in primary-key order, a page at a time (memory stays flat)."""
    columns = table._meta.columns
    last_id = None
    while True:
        query = table.select(*columns).order_by(table._meta.primary_key).limit(PAGE_SIZE)
        if last_id is not None:
            query = query.where(table._meta.primary_key > last_id)
        page = await query
        for row in page:
            yield [_to_file(column, row[column._meta.name]) for column in columns]
        if len(page) < PAGE_SIZE:
            return
        last_id = page[-1][table._meta.primary_key._meta.name]


async def dump(path: Path, progress: Progress = _stderr) -> int:
    """Write the whole database to ``path``; return the number of rows written."""
    tables = in_dependency_order()
    async with reading():
        if _is_postgres():
            # One snapshot for every table, so the file is consistent while the app writes.
            await ShiftKind.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        counts = {table._meta.tablename: await table.count() for table in tables}
        total = sum(counts.values())
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "written_at": datetime.now(UTC).isoformat(),
            "source_engine": "postgresql" if _is_postgres() else "sqlite",
            "migrations": await applied_migrations(),
            "tables": counts,
        }
        written = 0
        partial = path.with_name(path.name + ".partial")  # never leave half a dump under FILE
        with _open(partial, "w", gzipped=path.suffix == ".gz") as file:
            file.write(_line(header))
            for table in tables:
                name = table._meta.tablename
                columns = [column._meta.name for column in table._meta.columns]
                file.write(_line({"table": name, "columns": columns, "rows": counts[name]}))
                async for row in _rows(table):
                    file.write(_line(row))
                    written += 1
                progress(_progress_line("Wrote", name, counts[name], written, total))
            file.write(_line({"end": True, "rows": written}))
    partial.rename(path)
    return written


def _is_postgres() -> bool:
    return isinstance(current_engine(), PostgresEngine)


def _progress_line(verb: str, table: str, rows: int, done: int, total: int) -> str:
    percent = 100 if total == 0 else round(100 * done / total)
    return f"{verb} {table:<16} {rows:>8} rows   {percent:>3}%"


# --- reading a dump ---------------------------------------------------------------------------


def read_header(path: Path) -> dict[str, Any]:
    """The first line of a dump, checked to be one we can read."""
    try:
        with _open(path, "r") as file:
            header = json.loads(file.readline() or "null")
    except (OSError, ValueError) as error:
        raise TransferError(f"{path} is not a garden dump we can read ({error}).") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise TransferError(f"{path} is not a garden dump (made by `coop dump`).")
    if header.get("version") != FORMAT_VERSION:
        raise TransferError(
            f"{path} is a dump of format version {header.get('version')}; this version of the "
            f"app reads version {FORMAT_VERSION}. Load it with the version that wrote it."
        )
    return header


def read_tables(path: Path) -> Iterator[tuple[str, list[str], Iterator[list[Any]]]]:
    """Each table in the dump: its name, its columns, and its rows as they stream past."""
    read_header(path)
    with _open(path, "r") as file:
        file.readline()
        line = file.readline()
        while line:
            block = json.loads(line)
            if block.get("end"):
                return
            if "table" not in block:
                raise TransferError(f"{path} is damaged: expected a table, found {line[:60]!r}.")

            def rows(count: int = block["rows"]) -> Iterator[list[Any]]:
                for _ in range(count):
                    row_line = file.readline()
                    if not row_line:
                        raise TransferError(f"{path} ends early: it was cut short.")
                    yield json.loads(row_line)

            yield block["table"], block["columns"], rows()
            line = file.readline()
    raise TransferError(f"{path} ends early: it was cut short (no end marker).")


# --- filling a database -----------------------------------------------------------------------


def _only_default_kinds(rows: list[dict[str, Any]]) -> bool:
    return {(row["slug"], row["label"]) for row in rows} <= set(DEFAULT_SHIFT_KINDS)


async def ensure_empty() -> None:
    """Refuse to load over a garden: only the shift kinds that migrations add may be there."""
    for table in TABLES:
        if table is ShiftKind:
            if _only_default_kinds(await ShiftKind.select(ShiftKind.slug, ShiftKind.label)):
                continue
        elif not await table.count():
            continue
        raise TransferError(
            f"This database already holds a garden (the {table._meta.tablename} table has rows), "
            "so nothing was loaded. Please create a new, empty database and load into that."
        )


def _check_migrations(header: dict[str, Any], here: list[str]) -> None:
    unknown = sorted(set(header.get("migrations", [])) - set(here))
    if unknown:
        raise TransferError(
            "The dump comes from a newer version of the app (it has migrations this one "
            f"does not know: {', '.join(unknown)}). Upgrade the app, then load it."
        )


async def load(path: Path, progress: Progress = _stderr) -> int:
    """Fill this empty, migrated database from ``path`` in one transaction; return rows loaded."""
    header = read_header(path)
    _check_migrations(header, await applied_migrations())
    by_name = {table._meta.tablename: table for table in TABLES}
    total = sum(header.get("tables", {}).values())
    loaded = 0
    async with writing():
        await ensure_empty()
        await ShiftKind.delete(force=True)  # the migration's defaults; the dump has the real ones
        for name, names, rows in read_tables(path):
            table = by_name.get(name)
            if table is None:
                raise TransferError(f"The dump has a table this app does not know: {name}.")
            columns = [table._meta.get_column_by_name(column) for column in names]
            count = 0
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(tuple(map(_from_file, columns, row)))
                if len(batch) == PAGE_SIZE:
                    count += await _insert_many(table, columns, batch)
                    batch = []
            if batch:
                count += await _insert_many(table, columns, batch)
            loaded += count
            progress(_progress_line("Loaded", name, count, loaded, total))
        if _is_postgres():
            await _reset_sequences()
    return loaded


async def _insert_many(table: type[Table], columns: list[Column], rows: list[tuple]) -> int:
    """Insert rows through the transaction's own connection: Piccolo objects cost ~1 ms a row.

    The drivers adapt the values the same way Piccolo does (its SQLite adapters are global).
    """
    connection = current_engine().current_transaction.get().connection
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    if _is_postgres():
        marks = ", ".join(f"${number}" for number in range(1, len(columns) + 1))
    else:
        marks = ", ".join("?" for _ in columns)
    await connection.executemany(
        f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})', rows
    )
    return len(rows)


async def _reset_sequences() -> None:
    """Point each id sequence past the loaded rows, so the next insert gets a fresh id."""
    for table in TABLES:
        name = table._meta.tablename
        key = table._meta.primary_key._meta.db_column_name
        await table.raw(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{key}'), "
            f'COALESCE((SELECT MAX("{key}") FROM "{name}"), 0) + 1, false)'
        )


# --- an online copy of a SQLite file ----------------------------------------------------------


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy a live SQLite database page by page with SQLite's own backup API; return its pages.

    The copy is one consistent snapshot even while the app writes (in WAL mode readers never
    block writers), unlike copying the file, which can catch a half-written page or miss the WAL.
    """
    import sqlite3

    if not source.exists():
        raise TransferError(f"There is no database at {source}.")
    if target.exists():
        raise TransferError(
            f"{target} already exists; choose a new name so nothing is overwritten."
        )
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as origin:
        copy = sqlite3.connect(partial)
        try:
            origin.backup(copy)  # all pages in one step: one snapshot
            (check,) = copy.execute("PRAGMA integrity_check").fetchone()
            (pages,) = copy.execute("PRAGMA page_count").fetchone()
        finally:
            copy.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise TransferError(f"The copy failed SQLite's integrity check ({check}); try again.")
    partial.rename(target)
    return pages

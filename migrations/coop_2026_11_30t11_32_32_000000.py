"""One counter row per (scope, key, window): what INSERT ... ON CONFLICT DO UPDATE increments.

A raw ``CREATE UNIQUE INDEX`` works on both engines (Piccolo's ``Unique`` does not on SQLite); it
is its own migration because a migration's raw statements run before its tables are made.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T11:32:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique attempt counters"

FORWARDS = [
    "CREATE UNIQUE INDEX attempt_count_scope_key_window "
    "ON attempt_count (scope, key, window_number)",
]
BACKWARDS = ["DROP INDEX attempt_count_scope_key_window"]


class RawSQL(Table):
    """Only a handle for running raw statements on the migration's engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def run_forwards():
        for statement in FORWARDS:
            await RawSQL.raw(statement)

    async def run_backwards():
        for statement in BACKWARDS:
            await RawSQL.raw(statement)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager

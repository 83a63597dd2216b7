"""Each member's language: "" follows the browser, else "en" or "es"."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T11:31:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "Member language"

FORWARDS = ["ALTER TABLE member ADD COLUMN language VARCHAR(8) NOT NULL DEFAULT ''"]
BACKWARDS = ["ALTER TABLE member DROP COLUMN language"]


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

"""The outbox index: only e-mail waiting to go, so writing inbox-only notices stays cheap."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T11:58:57:000000"
VERSION = "1.38.0"
DESCRIPTION = "A partial index for the notices' outbox"

FORWARDS = [
    "CREATE INDEX notification_outbox ON notification (next_attempt_at) "
    "WHERE email_status = 'pending'",
]
BACKWARDS = ["DROP INDEX notification_outbox"]


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

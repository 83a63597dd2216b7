"""Market day: the market shift kind, one sale per client_id, one batch per lot code.

Raw statements run before a manager's own operations, so these live in their own migration,
after the one that adds the columns. ``CREATE UNIQUE INDEX`` works on both engines (Piccolo's
``Unique`` constraint does not on SQLite).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T11:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Market day: market shift kind, idempotent sales, lot codes"

FORWARDS = [
    # A phone that sends the same sale twice (no signal, then signal) records it once.
    "CREATE UNIQUE INDEX sale_client_id ON sale (client_id)",
    # Batches made before lot codes get one from their id, so every lot can be traced.
    "UPDATE batch SET lot_code = 'LOT-' || CAST(id AS TEXT) WHERE lot_code IS NULL",
    "CREATE UNIQUE INDEX batch_lot_code ON batch (lot_code)",
    "CREATE INDEX sale_shift ON sale (shift)",
    "CREATE INDEX sale_lot ON sale (lot)",
    "INSERT INTO shift_kind (slug, label) SELECT 'market', 'Market' "
    "WHERE NOT EXISTS (SELECT 1 FROM shift_kind WHERE slug = 'market')",
]
BACKWARDS = [
    "DROP INDEX sale_lot",
    "DROP INDEX sale_shift",
    "DROP INDEX batch_lot_code",
    "DROP INDEX sale_client_id",
]


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

"""Rules the database itself enforces, and the default shift kinds.

Composite unique indexes are raw ``CREATE UNIQUE INDEX`` statements: Piccolo's ``Unique``
constraint uses ``ALTER TABLE ... ADD CONSTRAINT``, which SQLite rejects.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique rules and the default shift kinds"

FORWARDS = [
    # A member holds at most one place in a shift.
    "CREATE UNIQUE INDEX placement_member_shift_member ON placement_member (shift, member)",
    # One attendance record per person and shift.
    "CREATE UNIQUE INDEX attendance_shift_member ON attendance (shift, member)",
    # Two members have at most one open (proposed or active) pair.
    "CREATE UNIQUE INDEX pair_open_partners ON pair (member_a, member_b) "
    "WHERE status IN ('proposed', 'active')",
    "CREATE INDEX shift_status_starts_at ON shift (status, starts_at)",
    "INSERT INTO shift_kind (slug, label) VALUES ('planting', 'Planting'), ('weeding', 'Weeding'), "
    "('harvesting', 'Harvesting'), ('composting', 'Composting'), ('watering', 'Watering'), "
    "('other', 'Other')",
]
BACKWARDS = [
    "DELETE FROM shift_kind WHERE slug IN "
    "('planting', 'weeding', 'harvesting', 'composting', 'watering', 'other')",
    "DROP INDEX shift_status_starts_at",
    "DROP INDEX pair_open_partners",
    "DROP INDEX attendance_shift_member",
    "DROP INDEX placement_member_shift_member",
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

"""The old failed-log-in counter: every attempt is now counted in attempt_count, before checking."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T13:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Drop login_throttle (replaced by attempt_count)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)
    manager.drop_table(class_name="LoginThrottle", tablename="login_throttle")
    return manager

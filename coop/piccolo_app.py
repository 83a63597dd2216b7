"""The one Piccolo app: every table, migrations in the top-level ``migrations/`` folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from coop.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="coop",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)

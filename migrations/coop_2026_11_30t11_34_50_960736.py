"""The status and role columns name their vocabulary (coop.vocabulary): no change in SQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-11-30T11:34:50:960736"
VERSION = "1.38.0"
DESCRIPTION = "Status and role columns take their choices from coop.vocabulary"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Member",
        tablename="member",
        column_name="role",
        db_column_name="role",
        params={
            "choices": Enum(
                "Role",
                {
                    "PARTICIPANT": "participant",
                    "PEER_SUPPORTER": "peer_supporter",
                    "COORDINATOR": "coordinator",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Invite",
        tablename="invite",
        column_name="role",
        db_column_name="role",
        params={
            "choices": Enum(
                "Role",
                {
                    "PARTICIPANT": "participant",
                    "PEER_SUPPORTER": "peer_supporter",
                    "COORDINATOR": "coordinator",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Pair",
        tablename="pair",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "PairStatus",
                {
                    "PROPOSED": "proposed",
                    "ACTIVE": "active",
                    "ENDED": "ended",
                    "DECLINED": "declined",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Shift",
        tablename="shift",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "ShiftStatus",
                {"SCHEDULED": "scheduled", "CANCELLED": "cancelled"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Placement",
        tablename="placement",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "PlacementStatus",
                {
                    "CONFIRMED": "confirmed",
                    "AWAITING_PARTNER": "awaiting_partner",
                    "WAITLISTED": "waitlisted",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Attendance",
        tablename="attendance",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "AttendanceStatus",
                {
                    "ATTENDED": "attended",
                    "EXCUSED": "excused",
                    "ABSENT": "absent",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Sale",
        tablename="sale",
        column_name="channel",
        db_column_name="channel",
        params={
            "choices": Enum(
                "SaleChannel",
                {
                    "MARKET": "market",
                    "CAFE": "café",
                    "EVENT": "event",
                    "WHOLESALE": "wholesale",
                    "ONLINE": "online",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager

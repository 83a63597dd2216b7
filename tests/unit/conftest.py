"""Keep the fast layer fast: a unit test that asks for a database or an app fails at collection."""

from __future__ import annotations

import pytest

SLOW_FIXTURES = {"database_url", "settings", "client", "garden", "sqlite_template"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/unit/" not in item.path.as_posix():
            continue
        slow = SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
        if slow:
            raise pytest.UsageError(
                f"{item.nodeid} uses {', '.join(sorted(slow))}: tests/unit is for the pure "
                "modules; put a test that needs the app or a database beside the others in tests/."
            )

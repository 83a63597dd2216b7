"""Fixtures: a fresh real database for every test (a copied SQLite file, and PostgreSQL when
available), the app in Litestar's test client, the people of a test, and a served app
(``app_url``) for tests over real connections.

Migrations run once per engine per test run (with the real ``coop migrate`` command); each test
then gets its own copy of the migrated SQLite file, or a truncated PostgreSQL database.
What tests import lives in ``tests/support`` (never import this file).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from coop.app import create_app
from coop.db import bind, engine_for
from coop.members import service as members
from coop.settings import Settings
from tests.support.databases import new_postgres_database, reset_postgres
from tests.support.mail import Mailbox, smtp_server
from tests.support.people import PASSWORD, Garden
from tests.support.served import TEST_SECRET_KEY, run_coop, served_app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "coop.sqlite3"
    run_coop("migrate", database_url=f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test run, migrated, dropped afterwards."""
    with new_postgres_database("coop_test") as url:
        run_coop("migrate", database_url=url)
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database of each engine."""
    if request.param == "sqlite":
        path = tmp_path / "coop.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    asyncio.run(reset_postgres(url))
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        timezone="America/Chicago",
        base_url="http://testserver.local",
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    app = create_app(settings)
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def garden(client: AsyncTestClient, settings: Settings) -> Garden:
    return Garden(client, settings)


@pytest.fixture
async def app_url(database_url: str) -> AsyncIterator[str]:
    """A served app with the first coordinator; tables bound here too, to read the truth.

    On PostgreSQL two app processes serve, so the serialisation must hold across processes.
    """
    bind(engine_for(Settings(database_url=database_url)))
    await members.create_member("maria", "Maria", PASSWORD, role="coordinator")
    workers = 1 if database_url.startswith("sqlite") else 2
    with served_app(database_url, workers=workers) as base_url:
        yield base_url


@pytest.fixture
def smtp() -> Iterator[tuple[str, Mailbox]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for this test: its URL and what it received."""
    with smtp_server() as server:
        yield server

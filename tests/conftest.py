"""A fresh real database for every test: a copied SQLite file, and PostgreSQL when available.

Migrations run once per engine per test run (with the real ``coop migrate`` command); each test
then gets its own copy of the migrated SQLite file, or a truncated PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from coop.app import create_app
from coop.settings import Settings
from coop.tables import DEFAULT_SHIFT_KINDS, TABLES

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long garden password"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def run_coop(*args: str, database_url: str, **kwargs: Any) -> subprocess.CompletedProcess:
    """Run the real ``coop`` command against ``database_url``."""
    env = {**os.environ, "COOP_DATABASE_URL": database_url, "PICCOLO_CONF": "coop.piccolo_conf"}
    env.update(kwargs.pop("env", {}))
    return subprocess.run(
        [sys.executable, "-m", "coop.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=kwargs.pop("check", True),
        **kwargs,
    )


# --- databases --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "coop.sqlite3"
    run_coop("migrate", database_url=f"sqlite:///{path}")
    return path


def postgres_server() -> str:
    """The PostgreSQL server tests may create databases on (skip without one, fail on CI)."""
    url = os.environ.get("COOP_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("CI is set but COOP_TEST_POSTGRES_URL is not: the PostgreSQL half must run.")
    if not url:
        pytest.skip("COOP_TEST_POSTGRES_URL is not set")
    return url


def _admin(server: str, sql: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(server)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


@contextmanager
def new_postgres_database(prefix: str = "coop_move") -> Iterator[str]:
    """A brand-new, empty PostgreSQL database (not migrated), dropped afterwards."""
    server = postgres_server()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test run, migrated, dropped afterwards."""
    with new_postgres_database("coop_test") as url:
        run_coop("migrate", database_url=url)
        yield url


async def _reset_postgres(url: str) -> None:
    names = ", ".join(f'"{table._meta.tablename}"' for table in TABLES)
    kinds = ", ".join(f"('{slug}', '{label}')" for slug, label in DEFAULT_SHIFT_KINDS)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        await connection.execute(f"INSERT INTO shift_kind (slug, label) VALUES {kinds}")
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database of each engine."""
    if request.param == "sqlite":
        path = tmp_path / "coop.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    asyncio.run(_reset_postgres(url))
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-for-the-garden",
        timezone="America/Chicago",
        base_url="http://testserver.local",
    )


# --- the app and its users --------------------------------------------------------------------


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    app = create_app(settings)
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


class User:
    """One person's browser session: their own cookies, CSRF header on unsafe requests."""

    def __init__(self, client: AsyncTestClient, username: str = "", member: dict | None = None):
        self.client = client
        self.cookies = httpx.Cookies()
        self.username = username
        self.member = member or {}

    @property
    def id(self) -> int:
        return self.member["id"]

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies = self.cookies
        headers = dict(kwargs.pop("headers", {}) or {})
        if method.upper() not in SAFE_METHODS:
            if "csrftoken" not in self.client.cookies:
                await self.client.get("/login")
            headers.setdefault("x-csrftoken", self.client.cookies.get("csrftoken", ""))
        response = await self.client.request(method, url, headers=headers, **kwargs)
        self.cookies = httpx.Cookies(self.client.cookies)
        return response

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)

    async def form(self, url: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """Submit an HTML form the way a browser does (CSRF token as a form field)."""
        self.client.cookies = self.cookies
        if "csrftoken" not in self.client.cookies:
            await self.client.get("/login")
        data = {"_csrf_token": self.client.cookies.get("csrftoken", ""), **data}
        response = await self.client.post(url, data=data, **kwargs)
        self.cookies = httpx.Cookies(self.client.cookies)
        return response

    async def log_in(self, password: str = PASSWORD) -> httpx.Response:
        response = await self.post(
            "/api/session", json={"username": self.username, "password": password}
        )
        if response.status_code == 200:
            self.member = response.json()
        return response


class Garden:
    """Builds people for a test: the first coordinator, and members invited by them."""

    def __init__(self, client: AsyncTestClient, settings: Settings):
        self.client = client
        self.settings = settings
        self.coordinator: User | None = None

    def anonymous(self) -> User:
        return User(self.client)

    async def first_coordinator(self, username: str = "maria", name: str = "Maria") -> User:
        if self.coordinator is None:
            await _create_member_in_app_loop(self.client, username, name)
            self.coordinator = User(self.client, username)
            assert (await self.coordinator.log_in()).status_code == 200
        return self.coordinator

    async def invite(self, role: str = "participant") -> str:
        coordinator = await self.first_coordinator()
        response = await coordinator.post("/api/invites", json={"role": role})
        assert response.status_code == 201, response.text
        return response.json()["code"]

    async def member(
        self, username: str, name: str | None = None, role: str = "participant"
    ) -> User:
        code = await self.invite(role)
        user = User(self.client, username)
        response = await user.post(
            "/api/members",
            json={
                "invite_code": code,
                "username": username,
                "password": PASSWORD,
                "display_name": name or username.capitalize(),
            },
        )
        assert response.status_code == 201, response.text
        user.member = response.json()
        return user


async def _create_member_in_app_loop(client: AsyncTestClient, username: str, name: str) -> None:
    """Create the first coordinator inside the app's own event loop (as the CLI would)."""
    from coop.members import service

    async def create() -> None:
        await service.create_member(username, name, PASSWORD, role="coordinator")

    client.blocking_portal.call(create)


@pytest.fixture
async def garden(client: AsyncTestClient, settings: Settings) -> Garden:
    return Garden(client, settings)


# --- a served app, for tests that need real connections ---------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(
    database_url: str, workers: int = 1, port: int | None = None, env: dict | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``coop serve`` in a subprocess; yield its base URL and the process."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "COOP_DATABASE_URL": database_url,
        "COOP_SECRET_KEY": "test-secret-key-for-the-garden",
        "COOP_BASE_URL": base_url,
        **(env or {}),
    }
    command = [sys.executable, "-m", "coop.cli", "serve", "--port", str(port)]
    # The server's log goes to a file, not a pipe nobody reads (a full pipe would stall it).
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"coop serve did not start: {log.read().decode()}")
                time.sleep(0.1)
            yield base_url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def served_app(
    database_url: str, workers: int = 1, port: int | None = None, env: dict | None = None
) -> Iterator[str]:
    """Run ``coop serve`` in a subprocess and yield its base URL."""
    with serving(database_url, workers, port, env) as (base_url, _process):
        yield base_url


# --- shifts for tests, straight into the database ----------------------------------------------


async def insert_shift(**fields: Any) -> int:
    """Insert a Shift row on the current loop's engine; defaults: a weeding shift in two days."""
    from datetime import UTC, datetime, timedelta

    from coop.tables import Shift, ShiftKind

    kind = (
        await ShiftKind.select(ShiftKind.id)
        .where(ShiftKind.slug == fields.pop("kind", "weeding"))
        .first()
    )
    starts_at = fields.pop("starts_at", None) or (
        datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    )
    hours = fields.pop("hours", 2)
    values = {
        "title": "Weeding the herb beds",
        "location": "Bed 3",
        "pair_slots": 1,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        **fields,
    }
    shift = Shift(kind=kind["id"], **values)
    await shift.save()
    return shift.id


async def add_shift(client: AsyncTestClient, **fields: Any) -> int:
    """Create a shift inside the app's own loop (as the planner will), returning its id."""

    async def create() -> int:
        return await insert_shift(**fields)

    return client.blocking_portal.call(create)


async def in_app(client: AsyncTestClient, work: Any) -> Any:
    """Run ``await work()`` inside the app's loop: to move a shift into the past, or look."""
    return client.blocking_portal.call(work)

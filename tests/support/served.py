"""The real `coop` command, a served app (`coop serve` in a subprocess), a person using it."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "garden-demo-2026"
TEST_SECRET_KEY = "test-secret-key-for-the-garden"


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
        "COOP_SECRET_KEY": TEST_SECRET_KEY,
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


class LiveUser:
    """One browser's worth of cookies against a running server: cookies, CSRF and all."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.http.get("/login")  # hands out the csrftoken cookie

    @property
    def csrf_token(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def log_in(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        return self.post("/api/session", json={"username": username, "password": password})

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"x-csrftoken": self.csrf_token, **kwargs.pop("headers", {})}
        return self.http.post(url, headers=headers, **kwargs)

    def close(self) -> None:
        self.http.close()


def sqlite_integrity(path: str) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]

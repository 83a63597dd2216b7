"""Crash safety: kill the server mid-stream of writes; every write it acknowledged survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from conftest import ROOT, free_port, run_coop
from live import LiveUser, sqlite_integrity

PASSWORD = "a long garden password"
WRITERS = 4
ACKS_BEFORE_THE_CRASH = 60


@contextmanager
def server(database_url: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """``coop serve`` as one process we can kill ourselves (``--workers 1`` runs in-process)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "COOP_DATABASE_URL": database_url,
        "COOP_SECRET_KEY": "test-secret-key-for-the-garden",
        "COOP_BASE_URL": base_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "coop.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def test_every_acknowledged_write_survives_a_sigkill(database_url):
    run_coop(
        "create-coordinator",
        "maria",
        "--display-name",
        "Maria",
        database_url=database_url,
        env={"COOP_PASSWORD": PASSWORD},
    )
    acknowledged: list[str] = []
    lock = threading.Lock()

    with server(database_url) as (process, base_url):
        coordinators = [LiveUser(base_url) for _ in range(WRITERS)]
        for maria in coordinators:
            assert maria.log_in("maria", PASSWORD).status_code == 200

        def stream_invites(maria: LiveUser) -> None:
            while True:
                try:
                    response = maria.post("/api/invites", json={"role": "participant"})
                except httpx.HTTPError:
                    return  # the server is gone; this write was never acknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(response.json()["code"])

        writers = [threading.Thread(target=stream_invites, args=(m,)) for m in coordinators]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < ACKS_BEFORE_THE_CRASH and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # no shutdown, no flush, mid-request
        process.wait()
        for writer in writers:
            writer.join()

    assert len(acknowledged) >= ACKS_BEFORE_THE_CRASH
    if database_url.startswith("sqlite:///"):
        assert sqlite_integrity(database_url.removeprefix("sqlite:///")) == "ok"

    with server(database_url) as (_, base_url):
        for number, code in enumerate(acknowledged):
            newcomer = LiveUser(base_url)
            joined = newcomer.post(
                "/api/members",
                json={
                    "invite_code": code,
                    "username": f"newcomer{number}",
                    "password": PASSWORD,
                    "display_name": f"Newcomer {number}",
                },
            )
            assert joined.status_code == 201, f"acknowledged invite {code} was lost: {joined.text}"
            newcomer.close()
    if database_url.startswith("sqlite:///"):
        assert sqlite_integrity(database_url.removeprefix("sqlite:///")) == "ok"

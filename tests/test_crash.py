"""Crash safety: kill the server mid-stream of writes; every write it acknowledged survives."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx

from tests.support.served import LiveUser, run_coop, serving, sqlite_integrity

PASSWORD = "a long garden password"
WRITERS = 4
ACKS_BEFORE_THE_CRASH = 60


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

    with serving(database_url) as (base_url, process):
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

    with serving(database_url) as (base_url, _process):
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

"""Safety costs: refused guesses and hostile repeat rules, as ratios to /health in the same run.

One `coop serve` on a temporary SQLite file. Measured: log-in attempts refused by the throttle
(counted in the database, no argon2) against /health; a series preview whose rule never matches
(FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) against an ordinary weekly one; and /health's latency while
such previews run. Goals: refusals at least 0.1 of /health, the hostile preview at most 30× the
ordinary one, /health at most 10× slower meanwhile (before the fix: 2.4 s, about 1,000×).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.feeds import free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long bench password"
SERIES = {
    "title": "Weeding",
    "kind": "weeding",
    "first_date": "",
    "start_time": "09:00",
    "end_time": "11:00",
    "pair_slots": 1,
    "location": "Bed 1",
}
NEVER = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1"
GOALS = {"refused_login": 0.1}


async def timed(call) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def throughput(call, seconds: float = 1.5, connections: int = 4) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await call()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return done / (time.perf_counter() - started)


async def measure(base: str) -> dict:
    from datetime import date, timedelta

    SERIES["first_date"] = (date.today() + timedelta(days=30)).isoformat()
    async with httpx.AsyncClient(base_url=base, timeout=60) as maria:
        await maria.get("/login")
        maria.headers["x-csrftoken"] = maria.cookies["csrftoken"]
        login = await maria.post("/api/session", json={"username": "maria", "password": PASSWORD})
        assert login.status_code == 200, login.text

        async def health() -> None:
            assert (await maria.get("/health")).status_code == 200

        async def refused() -> None:
            body = {"username": "someone", "password": "a guess"}
            assert (await maria.post("/api/session", json=body)).status_code in {401, 429}

        def preview(rule: str):
            async def call() -> None:
                body = {**SERIES, "rrule": rule}
                response = await maria.post("/api/series/preview", json=body)
                assert response.status_code in {200, 422}, response.text

            return call

        health_rate = await throughput(health)
        refused_rate = await throughput(refused)
        ordinary = statistics.median(
            [await timed(preview("FREQ=WEEKLY;COUNT=4")) for _ in range(9)]
        )
        hostile = statistics.median([await timed(preview(NEVER)) for _ in range(9)])
        alone = statistics.median([await timed(health) for _ in range(20)])
        during = []
        for _ in range(5):
            running = asyncio.ensure_future(preview(NEVER)())
            await asyncio.sleep(0.005)
            during.append(await timed(health))
            await running
    return {
        "health_per_s": round(health_rate),
        "refused_login_per_s": round(refused_rate),
        "refused_login": round(refused_rate / health_rate, 2),
        "hostile_preview_vs_ordinary": round(hostile / ordinary, 1),
        "health_during_hostile_vs_alone": round(statistics.median(during) / alone, 1),
    }


def main() -> bool:
    with tempfile.TemporaryDirectory(prefix="coop-bench-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        env = {
            **os.environ,
            "COOP_DATABASE_URL": database_url,
            "COOP_PASSWORD": PASSWORD,
            "PICCOLO_CONF": "coop.piccolo_conf",
        }
        subprocess.run(
            [
                sys.executable,
                "-m",
                "coop.cli",
                "create-coordinator",
                "maria",
                "--display-name",
                "Maria",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = start_server(database_url, port)
        try:
            results = asyncio.run(measure(f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=10)
    for name, value in results.items():
        print(f"{name:<34}{value:>10}")
    ok = results["refused_login"] >= GOALS["refused_login"]
    ok &= results["hostile_preview_vs_ordinary"] <= 30
    ok &= results["health_during_hostile_vs_alone"] <= 10
    print("goals: refused >= 0.1 of /health, hostile <= 30x, /health during <= 10x:", ok)
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

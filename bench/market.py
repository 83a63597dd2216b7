"""Market sales: sales/s through POST /api/sales at the stall's pace and in a burst of 200.

One `coop serve` process on a temporary SQLite file (or PostgreSQL when COOP_BENCH_POSTGRES_URL
names an empty, migrated database). "The stall's pace" is one phone sending its sales one after
another on one connection (each answer awaited), compared with /health the same way. "A burst" is
200 sales queued offline on several phones arriving at once (20 connections), compared with 200
/health requests sent the same way; then the same 200 again (every phone resends), which must
leave exactly 200 sales. Every figure is a ratio to /health measured just before it.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.feeds import free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "market.json"
PASSWORD = "a long bench password"
ROUNDS = 5
STALL_SALES = 60  # per round, one after another
BURST = 200
CONNECTIONS = 20
# A sale is a durable write (a commit that reaches the disk); /health touches nothing at all.
GOALS = {"stall_pace": 0.05, "burst": 0.10, "burst_resent": 0.10}


def coop(*args: str, database_url: str) -> None:
    env = {
        **os.environ,
        "COOP_DATABASE_URL": database_url,
        "COOP_PASSWORD": PASSWORD,
        "PICCOLO_CONF": "coop.piccolo_conf",
    }
    subprocess.run(
        [sys.executable, "-m", "coop.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def sale(product_id: int) -> dict:
    return {
        "product_id": product_id,
        "quantity": 1,
        "payment": "cash",
        "client_id": str(uuid.uuid4()),
    }


async def one_by_one(client: httpx.AsyncClient, requests: list) -> float:
    """Requests/s when each waits for the one before (a phone emptying its queue)."""
    started = time.perf_counter()
    for method, path, body in requests:
        response = await client.request(method, path, json=body)
        assert response.status_code in (200, 201), response.text
    return len(requests) / (time.perf_counter() - started)


async def all_at_once(client: httpx.AsyncClient, requests: list) -> float:
    """Requests/s when all are sent at once over CONNECTIONS connections."""
    started = time.perf_counter()
    answers = await asyncio.gather(*(client.request(m, p, json=b) for m, p, b in requests))
    elapsed = time.perf_counter() - started
    assert all(a.status_code in (200, 201) for a in answers), {a.status_code for a in answers}
    return len(requests) / elapsed


async def measure(base: str) -> dict:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await client.get("/login")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        login = {"username": "maria", "password": PASSWORD}
        assert (await client.post("/api/session", json=login)).status_code == 200
        product = await client.post("/api/products", json={"name": "Pop", "price_cents": 350})
        pop = product.json()["id"]
        health = [("GET", "/health", None)]
        rounds = []
        recorded = 0
        for _ in range(ROUNDS):
            figures = {}
            figures["stall_pace/health"] = await one_by_one(client, health * STALL_SALES)
            figures["stall_pace"] = await one_by_one(
                client, [("POST", "/api/sales", sale(pop)) for _ in range(STALL_SALES)]
            )
            queued = [("POST", "/api/sales", sale(pop)) for _ in range(BURST)]
            figures["burst/health"] = await all_at_once(client, health * BURST)
            figures["burst"] = await all_at_once(client, queued)
            figures["burst_resent/health"] = await all_at_once(client, health * BURST)
            figures["burst_resent"] = await all_at_once(client, queued)
            recorded += STALL_SALES + BURST
            rounds.append(figures)
        total = await client.get("/api/products?limit=1000")
    names = ("stall_pace", "burst", "burst_resent")
    return {
        "rates": {n: statistics.median(r[n] for r in rounds) for n in names},
        "health": {n: statistics.median(r[f"{n}/health"] for r in rounds) for n in names},
        "ratios": {n: statistics.median(r[n] / r[f"{n}/health"] for r in rounds) for n in names},
        "expected_sales": recorded,
        "stock": next(p["stock"] for p in total.json() if p["id"] == pop),
        "rounds": rounds,
    }


def report(results: dict) -> bool:
    print(f"{'measurement':<16}{'sales/s':>10}{'/health/s':>11}{'ratio':>8}{'goal':>12}")
    ok = True
    for name, value in results["rates"].items():
        ratio, goal = results["ratios"][name], GOALS[name]
        ok &= ratio >= goal
        mark = f">={goal}" + (" ok" if ratio >= goal else " MISSED")
        print(f"{name:<16}{value:>10.0f}{results['health'][name]:>11.0f}{ratio:>8.2f}{mark:>12}")
    exact = results["stock"] == str(-results["expected_sales"])
    print(
        f"sales recorded: stock {results['stock']} for {results['expected_sales']} sold "
        f"(resends counted once: {'yes' if exact else 'NO'})"
    )
    return ok and exact


def main() -> bool:
    with tempfile.TemporaryDirectory(prefix="coop-bench-") as folder:
        database_url = os.environ.get("COOP_BENCH_POSTGRES_URL") or (
            f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        )
        coop("migrate", database_url=database_url)
        coop("create-coordinator", "maria", "--display-name", "Maria", database_url=database_url)
        port = free_port()
        server = start_server(database_url, port)
        try:
            results = asyncio.run(measure(f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=10)
    ok = report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

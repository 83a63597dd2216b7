"""Spanish costs nothing noticeable: pages and feeds in both languages, as ratios to /health.

One `coop serve` process on a temporary SQLite file with the demo season. Each round measures
/health, then the same page in English and in Spanish (Accept-Language), the season feed built
fresh in both languages, and the login page for a visitor whose switch cookie says Español.
Goal: every Spanish figure at least 0.9 of its English twin (same run, same rounds).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.feeds import ROOT, free_port, rate, start_server

RESULTS = Path(__file__).parent / "results" / "language.json"
ROUNDS = 6
GOAL = 0.9
ENGLISH = {"accept-language": "en-US,en;q=0.9"}
SPANISH = {"accept-language": "es-MX,es;q=0.9"}


async def measure(base: str) -> dict:
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        runs = {
            "home_en": lambda: rate(client, "/", ENGLISH),
            "home_es": lambda: rate(client, "/", SPANISH),
            "calendar_en": lambda: rate(client, "/calendar", ENGLISH),
            "calendar_es": lambda: rate(client, "/calendar", SPANISH),
            "season_feed_en": lambda: rate(client, "/calendar/season.ics"),
            "season_feed_es": lambda: rate(client, "/calendar/season.ics?lang=es"),
            "login_en": lambda: rate(client, "/login", {"cookie": "coop_language=en"}),
            "login_es": lambda: rate(client, "/login", {"cookie": "coop_language=es"}),
        }
        rounds = []
        for _ in range(ROUNDS):
            figures = {"health": await rate(client, "/health")}
            for name, run in runs.items():
                figures[name] = await run()
            rounds.append(figures)
    ratios = {
        name: statistics.median(r[name] / r["health"] for r in rounds) for name in ["health", *runs]
    }
    spanish_vs_english = {
        name.removesuffix("_es"): statistics.median(
            r[name] / r[name.removesuffix("_es") + "_en"] for r in rounds
        )
        for name in runs
        if name.endswith("_es")
    }
    return {"ratios_to_health": ratios, "spanish_vs_english": spanish_vs_english}


def report(results: dict) -> bool:
    ok = True
    print(f"{'page':<16}{'en / health':>12}{'es / health':>12}{'es / en':>10}{'goal':>10}")
    ratios = results["ratios_to_health"]
    for name, value in results["spanish_vs_english"].items():
        good = value >= GOAL
        ok &= good
        mark = f">={GOAL}" + (" ok" if good else " MISSED")
        print(
            f"{name:<16}{ratios[name + '_en']:>12.2f}{ratios[name + '_es']:>12.2f}"
            f"{value:>10.2f}{mark:>10}"
        )
    return ok


def main() -> bool:
    with tempfile.TemporaryDirectory(prefix="coop-bench-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        env = {**os.environ, "COOP_DATABASE_URL": database_url, "PICCOLO_CONF": "coop.piccolo_conf"}
        for command in (["migrate"], ["demo"]):
            subprocess.run(
                [sys.executable, "-m", "coop.cli", *command],
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
    ok = report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

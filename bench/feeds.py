"""Calendar feeds: requests/s against /health on one served app, and memory over 10,000 requests.

One `coop serve` process on a temporary SQLite file holding a full season (about 500 shifts; one
member with a place in every fourth of them). Goals from issue 4: the personal feed at least
0.5 of /health, 304 answers at least 0.8, memory growth under 10 % over 10,000 feed requests.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "feeds.json"
SHIFTS = 500
CONNECTIONS = 4
ROUNDS = 8
COUNT = 600  # requests per measurement, at most
SECONDS = 1.5  # time per measurement, at most
FRESH_COUNT = 200
MEMORY_REQUESTS = 10_000
GOALS = {"personal_cached": 0.5, "personal_304": 0.8, "season_304": 0.8}


# --- a full season ----------------------------------------------------------------------------


async def load_season(database_url: str) -> dict[str, object]:
    """Fill the database: two members, a pair, ~500 shifts, one member in every fourth."""
    from coop.db import bind, engine_for, writing
    from coop.members import credentials
    from coop.members.service import create_member
    from coop.settings import Settings
    from coop.tables import Pair, Placement, PlacementMember, Shift, ShiftKind

    settings = Settings(database_url=database_url)
    bind(engine_for(settings))
    sam = await create_member("sam", "Sam", "a long bench password", "participant")
    jo = await create_member("jo", "Jo", "a long bench password", "participant")
    await jo.update_self({"contact": "555-0100", "share_contact": True})
    token, digest = credentials.new_secret_token()
    pair = Pair(
        member_a=sam.id,
        member_b=jo.id,
        status="active",
        calendar_token=token,
        calendar_token_hash=digest,
    )
    await pair.save()
    kinds = [row["id"] for row in await ShiftKind.select(ShiftKind.id)]
    start = datetime.now(UTC).replace(hour=14, minute=0, second=0, microsecond=0)
    start -= timedelta(days=50)
    async with writing():
        shifts = [
            Shift(
                title=f"Season shift {n}",
                kind=kinds[n % len(kinds)],
                starts_at=start + timedelta(hours=9 * n),
                ends_at=start + timedelta(hours=9 * n + 2),
                location=f"Bed {n % 7}",
                notes="Bring gloves, water; and a hat." if n % 3 == 0 else "",
                pair_slots=3,
                taken_slots=1 if n % 4 == 0 else 0,
            )
            for n in range(SHIFTS)
        ]
        await Shift.insert(*shifts)
        ids = await Shift.select(Shift.id).order_by(Shift.id).output(as_list=True)
        for shift_id in ids[::4]:
            placement = Placement(shift=shift_id, status="confirmed", pair=pair.id)
            await placement.save()
            for member in (sam, jo):
                await PlacementMember.insert(
                    PlacementMember(placement=placement.id, shift=shift_id, member=member.id)
                )
    return {"member_token": sam.calendar_token, "member_id": sam.id, "places": len(ids[::4])}


async def version_against_build(database_url: str, token: str, rounds: int = 30) -> dict:
    """Time the cheap version read against loading and building the same personal feed."""
    from coop.calendar import build_feed
    from coop.feeds import service
    from coop.feeds.cache import SqliteVersionReader
    from coop.settings import Settings

    settings = Settings(database_url=database_url)
    fetch = SqliteVersionReader(str(settings.sqlite_path))
    now = datetime.now(UTC)
    started = time.perf_counter()
    for _ in range(rounds):
        await service.member_plan(settings, now, fetch, token)
    version_ms = (time.perf_counter() - started) * 1000 / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        await service.member_plan(settings, now, service.piccolo_fetch, token)
    piccolo_ms = (time.perf_counter() - started) * 1000 / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        plan = await service.member_plan(settings, now, fetch, token)
        content = await plan.read()
        build_feed(
            content.events,
            name=content.name,
            timezone=settings.timezone,
            uid_domain="bench.local",
            alarm_minutes=content.alarm_minutes,
        )
    build_ms = (time.perf_counter() - started) * 1000 / rounds
    return {
        "version_ms": round(version_ms, 3),
        "version_via_piccolo_ms": round(piccolo_ms, 3),
        "load_and_build_ms": round(build_ms, 3),
    }


# --- the served app ---------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "COOP_DATABASE_URL": database_url,
        "COOP_BASE_URL": f"http://127.0.0.1:{port}",
        "PICCOLO_CONF": "coop.piccolo_conf",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "coop.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("coop serve did not start")


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (no psutil needed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def rate(
    client: httpx.AsyncClient,
    path: str,
    headers: dict | None = None,
    expect: int = 200,
    count: int = COUNT,
    seconds: float = SECONDS,
    connections: int = CONNECTIONS,
    before_each=None,
) -> float:
    """Requests per second over a few connections, bounded by count and time."""
    done = 0
    deadline = time.perf_counter() + seconds
    busy = 0.0

    async def worker() -> None:
        nonlocal done, busy
        while done < count and time.perf_counter() < deadline:
            done += 1
            if before_each is not None:
                before_each()
            started = time.perf_counter()
            response = await client.get(path, headers=headers)
            busy += time.perf_counter() - started
            if response.status_code != expect:
                raise RuntimeError(f"{path} answered {response.status_code}, not {expect}")

    for _ in range(5):  # warm up
        await client.get(path, headers=headers)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    if before_each is not None:  # time only the requests, not the writes between them
        return done * connections / busy
    return done / (time.perf_counter() - started)


async def measure(base: str, db_path: Path, token: str, member_id: int, pid: int) -> dict:
    personal = f"/calendar/members/{token}.ics"
    season = "/calendar/season.ics"
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("PRAGMA synchronous=NORMAL")
    flips = iter(range(10**9))

    def change_member() -> None:  # a new data version for the personal feed
        writer.execute(
            "UPDATE member SET reminder_minutes = ? WHERE id = ?", (30 + next(flips) % 2, member_id)
        )

    def change_shift() -> None:  # a new data version for the season feed
        writer.execute("UPDATE shift SET updated_at = ? WHERE id = 1", (str(datetime.now(UTC)),))

    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        etags = {path: (await client.get(path)).headers["etag"] for path in (personal, season)}
        runs = {
            "health": lambda: rate(client, "/health"),
            "personal_cached": lambda: rate(client, personal),
            "personal_304": lambda: rate(client, personal, {"if-none-match": etags[personal]}, 304),
            "season_cached": lambda: rate(client, season),
            "season_304": lambda: rate(client, season, {"if-none-match": etags[season]}, 304),
        }
        # The machine is shared: measure in short rounds and compare each figure with a /health
        # measured just before it, so a busy moment does not land on one figure only.
        rounds: list[dict[str, float]] = []
        for _ in range(ROUNDS):
            figures: dict[str, float] = {}
            for name, run in runs.items():
                if name != "health":
                    figures[f"{name}/health"] = await runs["health"]()
                    figures[name] = await run()
            figures["health"] = statistics.mean(
                v for k, v in figures.items() if k.endswith("/health")
            )
            rounds.append(figures)
        single = {
            "health_one_connection": await rate(client, "/health", connections=1),
            "personal_fresh": await rate(
                client, personal, count=FRESH_COUNT, connections=1, before_each=change_member
            ),
            "season_fresh": await rate(
                client, season, count=30, seconds=20, connections=1, before_each=change_shift
            ),
        }
        change_member()
        await client.get(personal)
        etags = {path: (await client.get(path)).headers["etag"] for path in (personal, season)}
        before = rss_kib(pid)
        plan = [
            (personal, None),
            (season, None),
            (personal, {"if-none-match": etags[personal]}),
        ]
        for start in range(0, MEMORY_REQUESTS, 100):
            path, headers = plan[(start // 100) % len(plan)]
            await asyncio.gather(*(client.get(path, headers=headers) for _ in range(100)))
        after = rss_kib(pid)
    writer.close()
    rates = {name: statistics.median(r[name] for r in rounds) for name in runs}
    ratios = {
        name: statistics.median(r[name] / r.get(f"{name}/health", r["health"]) for r in rounds)
        for name in runs
    }
    rates.update(single)
    for name, value in single.items():
        ratios[name] = value / single["health_one_connection"]
    return {
        "rates": rates,
        "ratios": ratios,
        "rounds": rounds,
        "rss_before_kib": before,
        "rss_after_kib": after,
    }


def report(results: dict) -> bool:
    rates, ratios = results["rates"], results["ratios"]
    print(f"{'measurement':<24}{'requests/s':>12}{'ratio to /health':>18}{'goal':>12}")
    ok = True
    for name, value in rates.items():
        goal = GOALS.get(name)
        mark = ""
        if goal is not None:
            mark = f">={goal}" + (" ok" if ratios[name] >= goal else " MISSED")
            ok &= ratios[name] >= goal
        print(f"{name:<24}{value:>12.0f}{ratios[name]:>18.2f}{mark:>12}")
    growth = results["rss_after_kib"] / results["rss_before_kib"] - 1
    print(
        f"server RSS {results['rss_before_kib'] / 1024:.1f} MiB before, "
        f"{results['rss_after_kib'] / 1024:.1f} MiB after {MEMORY_REQUESTS:,} feed requests "
        f"({growth:+.1%}, goal < +10%)"
    )
    v = results["version_vs_build"]
    print(
        f"personal feed, in process: version read {v['version_ms']} ms "
        f"({v['version_via_piccolo_ms']} ms through Piccolo), "
        f"load and build {v['load_and_build_ms']} ms ({results['places']} places)"
    )
    results["memory_growth"] = round(growth, 4)
    return ok and growth < 0.10


def main() -> bool:
    with tempfile.TemporaryDirectory(prefix="coop-bench-") as folder:
        db_path = Path(folder) / "bench.sqlite3"
        database_url = f"sqlite:///{db_path}"
        env = {**os.environ, "COOP_DATABASE_URL": database_url, "PICCOLO_CONF": "coop.piccolo_conf"}
        subprocess.run(
            [sys.executable, "-m", "coop.cli", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        season = asyncio.run(load_season(database_url))
        token = str(season["member_token"])
        comparison = asyncio.run(version_against_build(database_url, token))
        port = free_port()
        server = start_server(database_url, port)
        try:
            results = asyncio.run(
                measure(
                    f"http://127.0.0.1:{port}", db_path, token, int(season["member_id"]), server.pid
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    results.update(
        shifts=SHIFTS,
        places=season["places"],
        version_vs_build=comparison,
        connections=CONNECTIONS,
        measured_at=datetime.now(UTC).isoformat(),
    )
    ok = report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"Written to {RESULTS.relative_to(ROOT)}")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

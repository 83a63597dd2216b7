"""Notices: a 500-person day cancel with and without its notices, and the sender's e-mail rate.

For each engine (SQLite, and PostgreSQL when reachable) the same day cancel runs several times
with its notices written in the transaction and several times without (the notice writer
replaced by a no-op here, in the benchmark only); the goal is the cancel with notices at most
2x slower. Then the sender mails every notice to a local aiosmtpd server; its rate is reported
next to /health requests per second measured in the same run, in the same process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient
from piccolo.engine.postgres import PostgresEngine

from coop.app import create_app
from coop.db import bind, engine_for, writing
from coop.notices import events
from coop.notices.sender import Sender
from coop.notices.service import when
from coop.plan import service as plan
from coop.settings import Settings
from coop.tables import Member, Notification, Placement, PlacementMember, Shift, ShiftKind
from tests.support.databases import new_postgres_database
from tests.support.served import free_port, run_coop

RESULTS = Path(__file__).resolve().parent / "results"
ZONE = ZoneInfo("America/Chicago")
PEOPLE = 500
SHIFTS_A_DAY = 25  # 10 pair slots each: 20 people a shift, 500 a day
GOAL = 2.0
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


async def furnish_day(day: date, member_ids: list[int], kind_id: int) -> None:
    """SHIFTS_A_DAY full shifts on ``day``, every member placed once."""
    per_shift = len(member_ids) // SHIFTS_A_DAY
    for number in range(SHIFTS_A_DAY):
        starts = datetime.combine(day, clock(6), ZONE).astimezone(UTC) + timedelta(
            minutes=20 * number
        )
        shift = Shift(
            title=f"Bench shift {number}",
            kind=kind_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            pair_slots=per_shift // 2,
            taken_slots=per_shift // 2,
        )
        await shift.save()
        people = member_ids[number * per_shift : (number + 1) * per_shift]
        for index in range(0, len(people), 2):
            placement = Placement(shift=shift.id, status="confirmed")
            await placement.save()
            await PlacementMember.insert(
                *[
                    PlacementMember(placement=placement.id, shift=shift.id, member=m)
                    for m in people[index : index + 2]
                ]
            )


@contextmanager
def smtp_sink():
    """A real SMTP server (aiosmtpd) in its own process that accepts and discards mail."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f":{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "aiosmtpd did not start"
                time.sleep(0.05)
        yield f"smtp://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


async def measure(settings: Settings, rounds: int) -> dict:
    engine = engine_for(settings)
    bind(engine)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=4)
    try:
        async with writing():
            rows = [
                Member(
                    username=f"bench{n:04d}",
                    display_name=f"Bench {n}",
                    password_hash="-",
                    email=f"bench{n:04d}@example.org",
                )
                for n in range(PEOPLE)
            ]
            member_ids = [r["id"] for r in await Member.insert(*rows).returning(Member.id)]
        kind_id = (await ShiftKind.select(ShiftKind.id).first())["id"]
        first = datetime.now(ZONE).date() + timedelta(days=10)
        days = [first + timedelta(days=n) for n in range(2 * rounds)]
        for day in days:
            async with writing():
                await furnish_day(day, member_ids, kind_id)

        when(
            datetime.now(UTC), ZONE
        )  # babel loads its locale data once per process: not per cancel
        real = events.shifts_cancelled

        async def silent(*_args, **_kwargs) -> int:
            return 0

        timings: dict[str, list[float]] = {"with": [], "without": []}
        for index, day in enumerate(days):
            label = "with" if index % 2 else "without"
            events.shifts_cancelled = real if label == "with" else silent
            try:
                started = time.perf_counter()
                cancelled = await plan.cancel_day(day, "heat advisory", ZONE)
                timings[label].append(time.perf_counter() - started)
            finally:
                events.shifts_cancelled = real
            assert len(cancelled) == SHIFTS_A_DAY
        written = await Notification.count()
        assert written == PEOPLE * rounds, written
        # Each "with" ran right after a "without": compare in pairs, so a busy moment on a
        # shared machine slows both halves of a pair, not one side of the comparison.
        pairs = [w / wo for w, wo in zip(timings["with"], timings["without"], strict=True)]
        with_notices = statistics.median(timings["with"])
        without = statistics.median(timings["without"])

        with smtp_sink() as smtp_url:
            sender = Sender(
                Settings(
                    database_url=settings.database_url,
                    smtp_url=smtp_url,
                    mail_from="garden@example.org",
                ),
                batch=100,
            )
            started = time.perf_counter()
            sent = await sender.run_once()
            mail_seconds = time.perf_counter() - started
            assert sent == written
            assert await Notification.count().where(Notification.email_status == "sent") == sent
        return {
            "cancel_without_notices_ms": round(without * 1000, 1),
            "cancel_with_notices_ms": round(with_notices * 1000, 1),
            "ratio": round(statistics.median(pairs), 2),
            "ratio_of_fastest": round(min(timings["with"]) / min(timings["without"]), 2),
            "notices_per_second_in_cancel": round(PEOPLE / with_notices),
            "emails_per_second": round(sent / mail_seconds),
        }
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()


async def health_rate(settings: Settings, seconds: float = 2.0) -> float:
    """/health requests per second through Litestar's test client, in this process."""
    async with AsyncTestClient(create_app(settings)) as client:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            assert (await client.get("/health")).status_code == 200
            count += 1
        return count / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv or [])
    results = {}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        urls = {"sqlite": f"sqlite:///{folder / 'bench.sqlite3'}"}
        if not args.no_postgres:
            os.environ.setdefault("COOP_TEST_POSTGRES_URL", PG_SERVER)
            try:
                urls["postgres"] = stack.enter_context(new_postgres_database("coop_bench"))
            except Exception as error:  # no server: report SQLite alone
                print(f"PostgreSQL skipped: {error}")
        for label, url in urls.items():
            run_coop("migrate", database_url=url)
            settings = Settings(database_url=url)
            result = asyncio.run(measure(settings, args.rounds))
            health = asyncio.run(health_rate(settings))
            result["health_rps"] = round(health)
            result["emails_per_health_request"] = round(result["emails_per_second"] / health, 3)
            results[label] = result
            print(f"{label}: {json.dumps(result)}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "notices.json").write_text(json.dumps(results, indent=2))
    met = all(r["ratio"] <= GOAL for r in results.values())
    print(f"Goal (cancel with notices at most {GOAL}x slower): {'met' if met else 'MISSED'}")
    return met


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)

"""Timesheets: a pay period of 60 members and 2,000 approved attended shifts, against /health.

One `coop serve` process on a temporary SQLite file. The period's timesheet is read as JSON,
as CSV and as the printable page (one sheet per person), each over one connection, in short
rounds that alternate with /health so a shared machine slows both alike; each figure is the
median ratio of its requests/s to /health's in the same round. The goal (from issue 13): the
JSON timesheet at least 1/50 of /health, i.e. a coordinator never waits for it.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bench.feeds import free_port, rate, start_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "timesheet.json"
MEMBERS = 60
ATTENDED = 2_000
PER_SHIFT = 2  # a pair
DAYS = 60
ROUNDS = 5
GOALS = {"timesheet_json": 0.02, "timesheet_csv": 0.02, "timesheet_page": 0.01}
PASSWORD = "a long bench password"


async def load_period(database_url: str) -> int:
    """60 members with wages, 1,000 past shifts of a pair each (2,000 approved records), and
    one pay period holding them all; returns the period's id."""
    from coop.db import bind, engine_for, writing
    from coop.members.service import create_member
    from coop.settings import Settings
    from coop.tables import Attendance, Member, PayPeriod, Shift, ShiftKind

    settings = Settings(database_url=database_url)
    bind(engine_for(settings))
    await create_member("maria", "Maria", PASSWORD, "coordinator")
    first_day = date(2026, 6, 1)
    async with writing():
        ids = []
        for n in range(MEMBERS):
            row = await Member.insert(
                Member(
                    username=f"m{n:02d}",
                    display_name=f"Member {n:02d}",
                    password_hash="x",
                    hourly_wage_cents=1500 + 7 * n,
                )
            ).returning(Member.id)
            ids.append(row[0]["id"])
        kinds = [row["id"] for row in await ShiftKind.select(ShiftKind.id)]
        shifts = ATTENDED // PER_SHIFT
        start = datetime(2026, 6, 1, 14, tzinfo=UTC)
        rows = [
            Shift(
                title=f"Season shift {n}",
                kind=kinds[n % len(kinds)],
                starts_at=start + timedelta(days=n % DAYS, minutes=7 * (n // DAYS)),
                ends_at=start + timedelta(days=n % DAYS, minutes=7 * (n // DAYS) + 135),
                pair_slots=1,
            )
            for n in range(shifts)
        ]
        await Shift.insert(*rows)
        shift_ids = await Shift.select(Shift.id).order_by(Shift.id).output(as_list=True)
        marks = []
        for n, shift_id in enumerate(shift_ids):
            for seat in range(PER_SHIFT):
                member = ids[(2 * n + seat) % MEMBERS]
                begins = start + timedelta(days=n % DAYS, minutes=7 * (n // DAYS) + seat * 3)
                marks.append(
                    Attendance(
                        shift=shift_id,
                        member=member,
                        status="attended",
                        arrived_at=begins,
                        left_at=begins + timedelta(minutes=113 + n % 17),
                        approved=True,
                    )
                )
        await Attendance.insert(*marks)
        period = await PayPeriod.insert(
            PayPeriod(starts_on=first_day, ends_on=first_day + timedelta(days=DAYS))
        ).returning(PayPeriod.id)
    return period[0]["id"]


async def measure(base: str, period_id: int) -> dict:
    paths = {
        "timesheet_json": f"/api/pay-periods/{period_id}/timesheet",
        "timesheet_csv": f"/api/pay-periods/{period_id}/timesheet.csv",
        "timesheet_page": f"/pay-periods/{period_id}/timesheet",
    }
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.get("/login")
        token = client.cookies["csrftoken"]
        login = await client.post(
            "/api/session",
            json={"username": "maria", "password": PASSWORD},
            headers={"x-csrftoken": token},
        )
        assert login.status_code == 200, login.text
        sheet = (await client.get(paths["timesheet_json"])).json()
        assert len(sheet["members"]) == MEMBERS
        assert sum(len(m["shifts"]) for m in sheet["members"]) == ATTENDED
        rounds = []
        for _ in range(ROUNDS):
            figures = {"health": await rate(client, "/health", connections=1, count=400)}
            for name, path in paths.items():
                figures[name] = await rate(client, path, connections=1, count=40, seconds=3)
            rounds.append(figures)
    rates = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    ratios = {name: statistics.median(r[name] / r["health"] for r in rounds) for name in paths}
    return {
        "rates": rates,
        "ratios": ratios,
        "total_cents": sheet["total_cents"],
        "total_minutes": sheet["total_minutes"],
    }


def report(results: dict) -> bool:
    rates, ratios = results["rates"], results["ratios"]
    print(f"{'measurement':<18}{'requests/s':>12}{'ratio to /health':>18}{'goal':>12}")
    print(f"{'health':<18}{rates['health']:>12.0f}")
    ok = True
    for name, goal in GOALS.items():
        met = ratios[name] >= goal
        ok &= met
        mark = f">={goal}" + (" ok" if met else " MISSED")
        print(f"{name:<18}{rates[name]:>12.1f}{ratios[name]:>18.4f}{mark:>12}")
    return ok


def main() -> bool:
    with tempfile.TemporaryDirectory(prefix="coop-bench-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        env = {**os.environ, "COOP_DATABASE_URL": database_url, "PICCOLO_CONF": "coop.piccolo_conf"}
        subprocess.run(
            [sys.executable, "-m", "coop.cli", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        period_id = asyncio.run(load_period(database_url))
        port = free_port()
        server = start_server(database_url, port)
        try:
            results = asyncio.run(measure(f"http://127.0.0.1:{port}", period_id))
        finally:
            server.terminate()
            server.wait(timeout=10)
    results.update(
        members=MEMBERS,
        attended=ATTENDED,
        measured_at=datetime.now(UTC).isoformat(),
    )
    ok = report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"Written to {RESULTS.relative_to(ROOT)}")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

"""The ``coop`` command, run for real: the first coordinator, the demo season, serving."""

from __future__ import annotations

import httpx

from coop.tables import Batch, Bed, Crop, Harvest, Member, Pair, Sale, Shift
from tests.support.people import User
from tests.support.rows import in_app
from tests.support.served import run_coop, served_app

COORDINATOR_PASSWORD = "a very long coordinator password"


def create(database_url: str, username: str = "maria", password: str = COORDINATOR_PASSWORD):
    return run_coop(
        "create-coordinator",
        username,
        "--display-name",
        "Maria",
        database_url=database_url,
        env={"COOP_PASSWORD": password},
        check=False,
    )


async def test_create_coordinator_makes_someone_who_can_log_in_and_invite(database_url, client):
    result = create(database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "Coordinator maria (Maria) is ready. Log in at /login."
    )
    maria = User(client, "maria")
    response = await maria.log_in(COORDINATOR_PASSWORD)
    assert response.status_code == 200
    assert response.json()["role"] == "coordinator"
    assert (await maria.post("/api/invites", json={"role": "participant"})).status_code == 201


async def test_create_coordinator_refuses_a_taken_name_kindly(database_url):
    assert create(database_url).returncode == 0
    again = create(database_url, "MARIA")
    assert again.returncode == 1
    assert again.stderr.strip() == "The username “MARIA” is taken."
    assert "Traceback" not in again.stderr


async def test_create_coordinator_wants_a_long_password(database_url):
    result = create(database_url, password="short")
    assert result.returncode == 2
    assert result.stderr.strip() == "Please choose a password of at least 10 characters."


async def test_demo_loads_a_believable_season_once(database_url, client):
    result = run_coop("demo", database_url=database_url)
    assert "Loaded the demo season. Log in as maria" in result.stdout

    async def counts() -> dict[str, int]:
        return {
            "members": await Member.count(),
            "coordinators": await Member.count().where(Member.role == "coordinator"),
            "active pairs": await Pair.count().where(Pair.status == "active"),
            "beds": await Bed.count(),
            "crops": await Crop.count(),
            "shifts": await Shift.count(),
            "weeding shifts": await Shift.count().where(Shift.kind.slug == "weeding"),
            "harvests": await Harvest.count(),
            "batches": await Batch.count(),
            "sales": await Sale.count(),
            "batches without a lot code": await Batch.count().where(Batch.lot_code.is_null()),
        }

    season = in_app(client, counts)
    assert season["members"] == 12
    assert season["coordinators"] >= 1
    assert season["active pairs"] >= 3
    assert season["beds"] >= 3
    assert season["crops"] >= 4
    assert season["shifts"] >= 50
    assert season["weeding shifts"] >= 10
    assert min(season["harvests"], season["batches"], season["sales"]) >= 5
    assert season["batches without a lot code"] == 0

    maria = User(client, "maria")
    assert (await maria.log_in("garden-demo-2026")).status_code == 200

    again = run_coop("demo", database_url=database_url, check=False)
    assert again.returncode == 1
    assert "already has members" in again.stdout
    quietly = run_coop("demo", "--if-empty", database_url=database_url, check=False)
    assert quietly.returncode == 0
    assert in_app(client, Member.count) == 12


def test_serve_answers(database_url):
    with served_app(database_url) as base_url:
        assert httpx.get(f"{base_url}/health").json() == {"status": "ok"}
        page = httpx.get(f"{base_url}/login")
        assert page.status_code == 200
        assert "<h1>Log in</h1>" in page.text
        assert page.headers["x-frame-options"] == "DENY"


def test_sessions_and_throttling_hold_across_app_processes(database_url):
    """Two app processes: a session from one works on the other; failures count in both."""
    assert create(database_url).returncode == 0
    fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection, so any process answers
    with served_app(database_url, workers=2) as base_url, httpx.Client(limits=fresh) as browser:
        browser.get(f"{base_url}/login")
        csrf = {"x-csrftoken": browser.cookies["csrftoken"]}
        login = {"username": "maria", "password": COORDINATOR_PASSWORD}
        assert browser.post(f"{base_url}/api/session", json=login, headers=csrf).status_code == 200
        answers = {browser.get(f"{base_url}/api/me").status_code for _ in range(20)}
        assert answers == {200}

        wrong = {"username": "maria", "password": "not the password"}
        codes = [
            browser.post(f"{base_url}/api/session", json=wrong, headers=csrf).status_code
            for _ in range(6)
        ]
        assert codes == [401] * 5 + [429]

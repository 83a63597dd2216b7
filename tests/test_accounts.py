"""Accounts over HTTP: log in and out, settings, invites, registration, export, closing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from coop.tables import Crop, Harvest, Invite, Member, Product, Sale
from tests.support.people import PASSWORD, User
from tests.support.rows import in_app

# --- the session API -----------------------------------------------------------------------------


async def test_log_in_and_out(garden, client):
    await garden.member("jo", "Jo")
    jo = User(client, "jo")
    response = await jo.log_in()
    assert response.status_code == 200
    assert response.json() == {
        "id": jo.id,
        "username": "jo",
        "display_name": "Jo",
        "role": "participant",
    }
    assert (await jo.get("/api/me")).status_code == 200

    assert (await jo.delete("/api/session")).status_code == 204
    response = await jo.get("/api/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "Please log in first."


async def test_usernames_are_not_case_sensitive_at_log_in(garden, client):
    await garden.member("jo", "Jo")
    response = await User(client, "  JO ").log_in()
    assert response.status_code == 200
    assert response.json()["username"] == "jo"


@pytest.mark.parametrize("username,password", [("jo", "wrong password!"), ("nobody", PASSWORD)])
async def test_bad_credentials_are_refused_kindly(garden, client, username, password):
    await garden.member("jo", "Jo")
    response = await User(client, username).log_in(password)
    assert response.status_code == 401
    assert response.json()["detail"] == "That username and password don't match. Please try again."


# --- my settings ----------------------------------------------------------------------------------


async def test_me_shows_my_settings(garden, settings):
    jo = await garden.member("jo", "Jo")
    body = (await jo.get("/api/me")).json()
    assert body["username"] == "jo"
    assert body["display_name"] == "Jo"
    assert body["role"] == "participant"
    assert body["calendar_url"].startswith(f"{settings.base_url}/calendar/members/")
    assert body["calendar_url"].endswith(".ics")
    assert body["max_shifts_per_week"] is None
    assert body["reminder_minutes"] is None
    assert body["share_contact"] is False


@pytest.mark.parametrize(
    "field,value",
    [
        ("display_name", "Jo B."),
        ("max_shifts_per_week", 2),
        ("share_contact", True),
        ("contact", "555-0100"),
        ("reminder_minutes", 90),
    ],
)
async def test_each_setting_can_be_changed(garden, client, field, value):
    jo = await garden.member("jo", "Jo")
    response = await jo.patch("/api/me", json={field: value})
    assert response.status_code == 200, response.text
    assert response.json()[field] == value
    # Stored, not just echoed: a fresh log-in sees it.
    again = User(client, "jo")
    await again.log_in()
    assert (await again.get("/api/me")).json()[field] == value


async def test_only_the_fields_sent_change(garden):
    jo = await garden.member("jo", "Jo")
    await jo.patch("/api/me", json={"max_shifts_per_week": 3, "contact": "jo@example.org"})
    body = (await jo.patch("/api/me", json={"reminder_minutes": 30})).json()
    assert (body["max_shifts_per_week"], body["contact"], body["reminder_minutes"]) == (
        3,
        "jo@example.org",
        30,
    )


@pytest.mark.parametrize("field", ["max_shifts_per_week", "reminder_minutes", "contact"])
async def test_null_clears_an_optional_setting(garden, field):
    jo = await garden.member("jo", "Jo")
    start = {"max_shifts_per_week": 2, "reminder_minutes": 60, "contact": "555-0100"}[field]
    await jo.patch("/api/me", json={field: start})
    response = await jo.patch("/api/me", json={field: None})
    assert response.status_code == 200, response.text
    assert response.json()[field] == ("" if field == "contact" else None)


@pytest.mark.parametrize(
    "field,value",
    [
        ("display_name", ""),
        ("display_name", "   "),
        ("display_name", None),
        ("display_name", "x" * 61),
        ("max_shifts_per_week", 0),
        ("max_shifts_per_week", 22),
        ("max_shifts_per_week", "two"),
        ("share_contact", "yes please"),
        ("share_contact", None),
        ("contact", "x" * 201),
        ("reminder_minutes", -5),
        ("reminder_minutes", 10_081),
        ("reminder_minutes", 1.5),
    ],
)
async def test_bad_settings_are_refused_and_name_the_field(garden, field, value):
    jo = await garden.member("jo", "Jo")
    before = (await jo.get("/api/me")).json()
    response = await jo.patch("/api/me", json={field: value})
    assert response.status_code == 400, response.text
    body = response.json()
    assert field.replace("_", " ") in body["detail"].lower()
    assert field in str(body["extra"])
    assert (await jo.get("/api/me")).json() == before


async def test_a_new_calendar_link_replaces_the_old_one(garden):
    jo = await garden.member("jo", "Jo")
    old = (await jo.get("/api/me")).json()["calendar_url"]
    response = await jo.post("/api/me/calendar-token")
    assert response.status_code == 200
    new = response.json()["calendar_url"]
    assert new != old
    assert new.startswith(old.rsplit("/", 1)[0] + "/")
    assert (await jo.get("/api/me")).json()["calendar_url"] == new


# --- invites and registration ---------------------------------------------------------------------


async def test_only_coordinators_invite(garden):
    jo = await garden.member("jo", "Jo")
    response = await jo.post("/api/invites", json={"role": "participant"})
    assert response.status_code == 403
    assert "coordinator" in response.json()["detail"]


@pytest.mark.parametrize("role", ["participant", "peer_supporter", "coordinator"])
async def test_an_invite_carries_its_role(garden, client, role):
    code = await garden.invite(role)
    assert len(code) == 19
    newcomer = User(client, "robin")
    response = await newcomer.post(
        "/api/members",
        json={
            "invite_code": code,
            "username": "robin",
            "password": PASSWORD,
            "display_name": "Robin",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["role"] == role
    assert (await newcomer.get("/api/me")).json()["role"] == role


async def test_invite_codes_forgive_case_and_spaces(garden, client):
    code = await garden.invite()
    response = await User(client).post(
        "/api/members",
        json={
            "invite_code": f" {code.lower()} ",
            "username": "robin",
            "password": PASSWORD,
            "display_name": "Robin",
        },
    )
    assert response.status_code == 201, response.text


def registration(code: str, username: str = "robin", password: str = PASSWORD) -> dict:
    return {
        "invite_code": code,
        "username": username,
        "password": password,
        "display_name": "Robin",
    }


async def count_members(client) -> int:
    return in_app(client, Member.count)


async def test_an_invite_works_once(garden, client):
    code = await garden.invite()
    assert (await User(client).post("/api/members", json=registration(code))).status_code == 201
    response = await User(client).post("/api/members", json=registration(code, "robin2"))
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "That invite code has already been used. Please ask a coordinator for a new one."
    )
    assert response.json()["extra"] == {"field": "invite_code"}
    assert await count_members(client) == 2


async def test_an_expired_invite_is_refused(garden, client):
    code = await garden.invite()

    async def expire() -> None:
        await Invite.update({Invite.expires_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
            Invite.id > 0
        )

    in_app(client, expire)
    response = await User(client).post("/api/members", json=registration(code))
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "That invite code has expired. Please ask a coordinator for a new one."
    )
    assert await count_members(client) == 1


async def test_an_unknown_invite_is_refused(garden, client):
    await garden.first_coordinator()
    response = await User(client).post("/api/members", json=registration("AAAA-BBBB-CCCC-DDDD"))
    assert response.status_code == 400
    assert "don't recognise that invite code" in response.json()["detail"]
    assert await count_members(client) == 1


@pytest.mark.parametrize("taken", ["jo", "JO", "Jo"])
async def test_a_taken_username_is_refused_whatever_its_case(garden, client, taken):
    await garden.member("jo", "Jo")
    code = await garden.invite()
    response = await User(client).post("/api/members", json=registration(code, taken))
    assert response.status_code == 409
    assert response.json()["detail"] == f"The username “{taken}” is taken. Please choose another."
    assert response.json()["extra"] == {"field": "username"}
    # The invite is still good for someone else.
    assert (await User(client).post("/api/members", json=registration(code))).status_code == 201


async def test_a_short_password_is_refused(garden, client):
    code = await garden.invite()
    response = await User(client).post("/api/members", json=registration(code, password="short"))
    assert response.status_code == 400
    assert "password" in response.json()["detail"].lower()
    assert "password" in str(response.json()["extra"])
    assert await count_members(client) == 1


# --- data rights ----------------------------------------------------------------------------------


async def test_export_holds_my_data_and_nobody_elses(garden):
    jo = await garden.member("jo", "Jo")
    await garden.member("sam", "Samwise Gamgee")
    await jo.patch("/api/me", json={"contact": "jo@example.org", "reminder_minutes": 45})
    response = await jo.get("/api/me/export")
    assert response.status_code == 200
    export = response.json()
    assert export["member"]["username"] == "jo"
    assert export["member"]["display_name"] == "Jo"
    assert export["member"]["contact"] == "jo@example.org"
    assert export["member"]["reminder_minutes"] == 45
    assert "$argon2" not in response.text
    assert "Samwise" not in response.text
    assert "sam" not in response.text.replace("same", "")
    assert "maria" not in response.text.lower()


async def test_closing_an_account_removes_personal_data_and_keeps_records(garden, client):
    coordinator = await garden.first_coordinator()
    jo = await garden.member("jo", "Jo")
    await jo.patch("/api/me", json={"contact": "jo@example.org"})

    async def record() -> None:
        crop = await Crop.objects().create(name="Strawberry")
        await Harvest.insert(
            Harvest(
                crop=crop.id,
                harvested_on=date(2026, 7, 1),
                quantity_milli=2500,
                unit="kg",
                recorded_by=jo.id,
            )
        )
        product = await Product.objects().create(name="Strawberry-basil pop", price_cents=350)
        await Sale.insert(
            Sale(
                product=product.id,
                sold_on=date(2026, 7, 4),
                quantity=12,
                unit_price_cents=350,
                channel="market",
                recorded_by=jo.id,
            )
        )

    in_app(client, record)
    response = await jo.delete("/api/me")
    assert response.status_code == 204

    async def look() -> tuple:
        return (
            await Member.select(Member.username).output(as_list=True),
            await Harvest.select(Harvest.quantity_milli, Harvest.recorded_by),
            await Sale.select(Sale.quantity, Sale.recorded_by),
        )

    usernames, harvests, sales = in_app(client, look)
    assert usernames == ["maria"]
    assert harvests == [{"quantity_milli": 2500, "recorded_by": None}]
    assert sales == [{"quantity": 12, "recorded_by": None}]
    assert (await jo.get("/api/me")).status_code == 401
    assert (await User(client, "jo").log_in()).status_code == 401
    assert (await coordinator.get("/api/me")).status_code == 200

"""The account pages, used like a browser: log in and out, register, my settings, closing."""

from __future__ import annotations

import pytest

from coop.tables import Member
from tests.support.people import PASSWORD, User
from tests.support.rows import in_app


def registration(code: str, username: str = "robin", password: str = PASSWORD) -> dict:
    return {
        "invite_code": code,
        "username": username,
        "password": password,
        "display_name": "Robin",
    }


async def count_members(client) -> int:
    return in_app(client, Member.count)


# --- the pages ------------------------------------------------------------------------------------


async def test_log_in_page_logs_in_and_out(garden, client):
    await garden.member("jo", "Jo")
    jo = User(client, "jo")
    page = await jo.get("/login")
    assert page.status_code == 200
    assert '<label for="username">Username</label>' in page.text
    response = await jo.form(
        "/login", {"username": "jo", "password": PASSWORD, "next": "/me"}, follow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/me"
    me = await jo.get("/me")
    assert me.status_code == 200
    assert "Hello, Jo" in me.text
    assert "Welcome back, Jo." in me.text

    response = await jo.form("/logout", {}, follow_redirects=False)
    assert response.status_code == 302
    assert "You&#39;re logged out" in (await jo.get("/")).text
    response = await jo.get("/me", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login")


async def test_log_in_page_keeps_the_username_never_the_password(garden, client):
    await garden.member("jo", "Jo")
    jo = User(client)
    response = await jo.form("/login", {"username": "jo", "password": "not-my-password"})
    assert response.status_code == 401
    assert "That username and password don&#39;t match" in response.text
    assert 'value="jo"' in response.text
    assert "not-my-password" not in response.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
async def test_log_in_never_sends_people_off_site(garden, client, target):
    await garden.member("jo", "Jo")
    response = await User(client).form(
        "/login", {"username": "jo", "password": PASSWORD, "next": target}, follow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/me"


async def test_register_page_creates_an_account(garden, client):
    code = await garden.invite("peer_supporter")
    robin = User(client)
    page = await robin.get(f"/register?code={code}")
    assert f'value="{code}"' in page.text
    response = await robin.form("/register", registration(code), follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/me"
    me = await robin.get("/me")
    assert "Hello, Robin" in me.text
    assert (await robin.get("/api/me")).json()["role"] == "peer_supporter"


@pytest.mark.parametrize(
    "change,status,message,field",
    [
        ({"password": "too-short"}, 400, "Password: please use at least 10 characters", "password"),
        ({"username": "r o b"}, 400, "Username: please use only letters", "username"),
        ({"invite_code": "NOPE-NOPE-NOPE-NOPE"}, 400, "recognise that invite code", "invite_code"),
        ({"username": "maria"}, 409, "is taken", "username"),
        ({"display_name": ""}, 400, "Display name: please fill this in", "display_name"),
    ],
)
async def test_register_page_explains_what_is_wrong(garden, client, change, status, message, field):
    code = await garden.invite()
    typed = {**registration(code, password="secret-typed-pw"), "display_name": "Robin Q"}
    typed.update(change)
    response = await User(client).form("/register", typed)
    assert response.status_code == status
    assert message.replace("'", "&#39;") in response.text
    assert f'id="{field}-error"' in response.text
    for name in ("invite_code", "username", "display_name"):
        if typed[name]:
            assert f'value="{typed[name]}"' in response.text
    assert typed["password"] not in response.text
    assert await count_members(client) == 1


async def test_me_page_saves_settings(garden):
    jo = await garden.member("jo", "Jo")
    response = await jo.form(
        "/me/settings",
        {
            "display_name": "Jo B.",
            "contact": "555-0100",
            "share_contact": "on",
            "max_shifts_per_week": "2",
            "reminder_minutes": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 302
    page = await jo.get("/me")
    assert "Your settings are saved." in page.text
    body = (await jo.get("/api/me")).json()
    assert body["display_name"] == "Jo B."
    assert body["contact"] == "555-0100"
    assert body["share_contact"] is True
    assert body["max_shifts_per_week"] == 2
    assert body["reminder_minutes"] is None


async def test_me_page_explains_bad_settings_and_keeps_them(garden):
    jo = await garden.member("jo", "Jo")
    before = (await jo.get("/api/me")).json()
    response = await jo.form(
        "/me/settings",
        {"display_name": "Jo B.", "contact": "555-0100", "max_shifts_per_week": "lots"},
    )
    assert response.status_code == 400
    assert "Max shifts per week: please give a whole number" in response.text
    assert 'value="lots"' in response.text
    assert 'value="Jo B."' in response.text
    assert (await jo.get("/api/me")).json() == before


async def test_me_page_invites_and_closes(garden, client):
    coordinator = await garden.first_coordinator()
    response = await coordinator.form("/me/invites", {"role": "peer_supporter"})
    assert response.status_code == 201
    assert "invite code for a new peer supporter" in response.text
    jo = await garden.member("jo", "Jo")
    response = await jo.form("/me/close", {"confirm": "not jo"})
    assert response.status_code == 400
    assert "type your username exactly" in response.text
    response = await jo.form("/me/close", {"confirm": "jo"}, follow_redirects=False)
    assert response.status_code == 302
    assert "Your account is closed" in (await jo.get("/")).text
    assert await count_members(client) == 1

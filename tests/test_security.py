"""Safety over HTTP: guards, CSRF, throttling, password storage, sessions, cookies, headers."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from coop.app import create_app
from coop.settings import DEV_SECRET_KEY, Settings, SettingsError
from coop.tables import TABLES, AttemptCount, Member
from tests.support.people import PASSWORD, User
from tests.support.rows import in_app

# --- guards ---------------------------------------------------------------------------------------

COORDINATOR_ONLY = [
    ("POST", "/api/invites", {"role": "participant"}),
    ("POST", "/api/invites", {"role": "coordinator"}),
]


@pytest.mark.parametrize("method,url,body", COORDINATOR_ONLY)
@pytest.mark.parametrize("role", ["participant", "peer_supporter"])
async def test_coordinator_routes_refuse_other_roles(garden, method, url, body, role):
    someone = await garden.member("sam", role=role)
    response = await someone.request(method, url, json=body)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only coordinators can do that. If you think you should, ask one."
    )


@pytest.mark.parametrize("method,url,body", COORDINATOR_ONLY)
async def test_coordinator_routes_ask_strangers_to_log_in(garden, method, url, body):
    response = await garden.anonymous().request(method, url, json=body)
    assert response.status_code == 401
    assert response.json()["detail"] == "Please log in first."


async def test_the_invite_page_is_for_coordinators(garden):
    sam = await garden.member("sam", role="peer_supporter")
    response = await sam.form("/me/invites", {"role": "coordinator"})
    assert response.status_code == 403
    assert "Only coordinators can do that" in response.text


# --- CSRF -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "not-the-right-token"])
async def test_api_changes_need_the_csrf_token(garden, client, token):
    jo = await garden.member("jo", "Jo")
    headers = {} if token is None else {"x-csrftoken": token}
    client.cookies = jo.cookies
    response = await client.patch("/api/me", json={"display_name": "Mallory"}, headers=headers)
    assert response.status_code == 403
    assert (await jo.get("/api/me")).json()["display_name"] == "Jo"


async def test_a_form_without_its_token_gets_a_kind_page(garden, client):
    jo = await garden.member("jo", "Jo")
    client.cookies = jo.cookies
    response = await client.post("/me/settings", data={"display_name": "Mallory"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "reload the page" in response.text
    assert (await jo.get("/api/me")).json()["display_name"] == "Jo"


async def test_a_token_from_another_browser_is_refused(garden, client):
    jo = await garden.member("jo", "Jo")
    mallory = User(client)
    await mallory.get("/login")
    client.cookies = jo.cookies
    response = await client.patch(
        "/api/me",
        json={"display_name": "Mallory"},
        headers={"x-csrftoken": mallory.cookies.get("csrftoken")},
    )
    assert response.status_code == 403
    assert (await jo.get("/api/me")).json()["display_name"] == "Jo"


# --- throttling -----------------------------------------------------------------------------------


async def test_five_failures_for_one_username_lock_it_for_a_while(garden, client):
    await garden.member("jo", "Jo")
    jo = User(client, "jo")
    for _ in range(5):
        assert (await jo.log_in("wrong password")).status_code == 401
    response = await jo.log_in(PASSWORD)
    assert response.status_code == 429
    # Counted in fixed 15-minute windows: the wait is what is left of this one.
    assert 0 < int(response.headers["retry-after"]) <= 15 * 60
    assert re.fullmatch(
        "That's a lot of tries in a short time. To keep accounts safe, please wait about "
        r"\d+ minutes? and try again.",
        response.json()["detail"],
    )
    assert (await jo.get("/api/me")).status_code == 401

    async def counters() -> list:
        return await AttemptCount.select(
            AttemptCount.scope, AttemptCount.key, AttemptCount.attempts
        ).order_by(AttemptCount.scope, AttemptCount.key)

    # Every try counts, the refused one too; Maria's log-in (to invite Jo) and Jo's registration
    # were successes: they clear their names' counts and give their own ticks back.
    assert in_app(client, counters) == [
        {"scope": "address", "key": "testclient", "attempts": 6},
        {"scope": "invite", "key": "testclient", "attempts": 0},
        {"scope": "login", "key": "jo", "attempts": 6},
        {"scope": "login", "key": "maria", "attempts": 0},
    ]


async def test_the_login_page_says_so_too(garden, client):
    await garden.member("jo", "Jo")
    for _ in range(5):
        await User(client).form("/login", {"username": "JO", "password": "wrong password"})
    response = await User(client).form("/login", {"username": "jo", "password": PASSWORD})
    assert response.status_code == 429
    assert "please wait about" in response.text
    assert int(response.headers["retry-after"]) > 0


async def test_a_success_clears_the_username_count(garden, client):
    await garden.member("jo", "Jo")
    jo = User(client, "jo")
    for _ in range(4):
        await jo.log_in("wrong password")
    assert (await jo.log_in()).status_code == 200
    for _ in range(4):
        assert (await jo.log_in("wrong password")).status_code == 401
    assert (await jo.log_in()).status_code == 200


async def test_log_ins_that_succeed_never_lock_a_shared_computer(garden, client):
    await garden.member("jo", "Jo")
    for _ in range(30):
        assert (await User(client, "jo").log_in()).status_code == 200
    for number in range(20):
        assert (await User(client, f"guess{number}").log_in("wrong")).status_code == 401
    assert (await User(client, "jo").log_in()).status_code == 429


async def test_wrong_invite_codes_lock_registration_for_a_while(garden, client):
    await garden.first_coordinator()
    code = await garden.invite()
    body = {"username": "robin", "password": PASSWORD, "display_name": "Robin"}
    for _ in range(5):
        wrong = await User(client).post("/api/members", json={**body, "invite_code": "WRONG"})
        assert wrong.status_code == 400
    response = await User(client).post("/api/members", json={**body, "invite_code": code})
    assert response.status_code == 429
    assert "retry-after" in response.headers


async def test_a_login_name_cannot_lock_someone_elses_registration(garden, client):
    await garden.first_coordinator()
    code = await garden.invite()
    for _ in range(5):
        assert (await User(client, "invite:testclient").log_in("nope")).status_code == 401
    body = {"username": "robin", "password": PASSWORD, "display_name": "Robin"}
    response = await User(client).post("/api/members", json={**body, "invite_code": code})
    assert response.status_code == 201


async def test_twenty_failures_from_one_address_lock_it(garden, client):
    await garden.member("jo", "Jo")
    for number in range(20):
        assert (await User(client, f"guess{number}").log_in("wrong")).status_code == 401
    response = await User(client, "jo").log_in()
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0


# --- stored passwords -----------------------------------------------------------------------------


async def test_passwords_are_argon2id_and_never_stored_in_plain_text(garden, client):
    await garden.member("jo", "Jo")
    await User(client, "jo").log_in("a wrong guess at it")
    await garden.anonymous().post("/api/members", json={"invite_code": "x", "password": PASSWORD})

    async def everything() -> tuple[list, str]:
        hashes = await Member.select(Member.password_hash).output(as_list=True)
        rows = [await table.select() for table in TABLES]
        return hashes, repr(rows)

    hashes, dump = in_app(client, everything)
    assert len(hashes) == 2
    assert all(value.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for value in hashes)
    assert PASSWORD not in dump
    assert "a wrong guess at it" not in dump


# --- sessions -------------------------------------------------------------------------------------


async def test_logging_in_replaces_the_session_cookie(garden, client):
    await garden.member("jo", "Jo")
    jo = User(client, "jo")
    await jo.log_in()
    await jo.form("/logout", {}, follow_redirects=False)
    before = jo.cookies.get("coop_session")
    assert before  # the goodbye message lives in a session cookie
    await jo.log_in()
    after = jo.cookies.get("coop_session")
    assert after and after != before

    stranger = User(client)
    stranger.cookies.set("coop_session", before, domain="testserver.local")
    assert (await stranger.get("/api/me")).status_code == 401


async def test_a_copied_session_stops_working_when_the_account_closes(garden, client):
    jo = await garden.member("jo", "Jo")
    copy = User(client)
    copy.cookies = jo.cookies
    assert (await copy.get("/api/me")).status_code == 200
    assert (await jo.delete("/api/me")).status_code == 204
    assert (await copy.get("/api/me")).status_code == 401
    # Even when a newcomer is given the same row id (SQLite reuses the highest).
    newcomer = await garden.member("robin", "Robin")
    response = await copy.get("/api/me")
    assert response.status_code == 401, f"old cookie reads {response.text} (robin is {newcomer.id})"


async def test_log_out_everywhere_ends_every_copy_of_the_session(garden, client):
    jo = await garden.member("jo", "Jo")
    phone = User(client, "jo")
    await phone.log_in()
    copy = User(client)
    copy.cookies = jo.cookies
    response = await jo.form("/me/logout-everywhere", {})
    assert response.status_code == 200
    assert "logged out everywhere" in response.text
    for device in (jo, phone, copy):
        assert (await device.get("/api/me")).status_code == 401
    assert (await jo.log_in()).status_code == 200


def set_cookie(response, name: str) -> str:
    return next(v for v in response.headers.get_list("set-cookie") if v.startswith(f"{name}="))


async def test_session_cookies_are_http_only_and_same_site(garden, client):
    await garden.member("jo", "Jo")
    response = await User(client, "jo").log_in()
    cookie = set_cookie(response, "coop_session").lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie
    page = await User(client).get("/login")
    assert "samesite=lax" in set_cookie(page, "csrftoken").lower()


async def test_cookies_are_secure_behind_https(settings):
    app = create_app(replace(settings, base_url="https://garden.example"))
    async with AsyncTestClient(app, base_url="https://garden.example") as client:
        page = await client.get("/login")
        assert "; secure" in set_cookie(page, "csrftoken").lower()
        response = await User(client).form("/logout", {}, follow_redirects=False)
        assert "; secure" in set_cookie(response, "coop_session").lower()


# --- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,status",
    [
        ("/login", 200),
        ("/health", 200),
        ("/api/me", 401),
        ("/no/such/page", 404),
        ("/api/no/such/thing", 404),
        ("/static/no-such-file.css", 404),
        ("/me", 302),
    ],
)
async def test_every_answer_carries_the_security_headers(client, url, status):
    response = await client.get(url, follow_redirects=False)
    assert response.status_code == status
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_error_answers_carry_the_headers_too(garden, client):
    jo = await garden.member("jo", "Jo")
    for response in (
        await jo.patch("/api/me", json={"max_shifts_per_week": "lots"}),
        await jo.post("/api/invites", json={}),
        await jo.request("PUT", "/api/me"),
        await jo.form("/me/settings", {"display_name": ""}),
    ):
        assert response.status_code in (400, 403, 405)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'self'" in response.headers["content-security-policy"]


# --- settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "short"])
def test_https_needs_a_real_secret_key(key):
    with pytest.raises(SettingsError, match="COOP_SECRET_KEY"):
        Settings.from_env({"COOP_BASE_URL": "https://garden.example", "COOP_SECRET_KEY": key})


def test_settings_name_what_is_wrong():
    with pytest.raises(SettingsError, match="COOP_TIMEZONE"):
        Settings.from_env({"COOP_TIMEZONE": "Mars/Olympus"})
    with pytest.raises(SettingsError, match="COOP_DATABASE_URL"):
        Settings.from_env({"COOP_DATABASE_URL": "mysql://x"})
    settings = Settings.from_env(
        {"COOP_BASE_URL": "https://garden.example/", "COOP_SECRET_KEY": "k" * 40}
    )
    assert settings.base_url == "https://garden.example"
    assert settings.secure_cookies

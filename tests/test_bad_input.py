"""Bad input of every shape gets a kind 4xx and changes nothing, on every POST and PATCH.

Each test sends dozens of broken requests to one endpoint, then compares every table with a
snapshot taken before. Failed log-ins are counted on purpose (``attempt_count``), so that table
is left out of the comparison.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from coop.tables import TABLES, AttemptCount
from tests.support.people import PASSWORD, User
from tests.support.rows import in_app

HUGE = "x" * (1024 * 1024 + 10)
# Text no field should keep: control characters, bidi overrides, only invisible marks.
BAD_TEXT = ["\x00", "jo\x00hn", "\u202egnp.exe", "\u200b", "\ud800x", "\x1b[31m", "a\r\nb: 1"]
WRONG_TYPES: list[Any] = [123, -1, 10**30, 1.5e308, True, [], {}, ["a"], {"a": 1}]
BAD_NUMBERS: list[Any] = [-1, 0, 22, 2**31, 2**63, -(2**63) - 1, 1.5, "two", "NaN", "1e308"]
BAD_CHOICES = ["boss", "", "COORDINATOR", " participant", *BAD_TEXT]


def as_json(body: Any) -> dict[str, Any]:
    """Request kwargs for a JSON body; escaped, so even a lone surrogate can be sent."""
    return {"content": json.dumps(body), "headers": {"content-type": "application/json"}}


def bad_values(kind: str) -> list[Any]:
    if kind == "text":
        return [HUGE, "y" * 5000, *BAD_TEXT]
    if kind == "password":
        return [HUGE, "y" * 5000, "short", ""]
    if kind == "number":
        return BAD_NUMBERS
    return BAD_CHOICES


def bad_bodies(
    valid: dict[str, Any], fuzz: dict[str, str], optional: set[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every shape of broken JSON request built around one valid body: (label, request kwargs)."""
    raw = {"content-type": "application/json"}
    yield "broken json", {"content": b'{"a": ', "headers": raw}
    yield "not json", {"content": b"hello", "headers": raw}
    yield "bad utf-8", {"content": b'{"a": "\xff"}', "headers": raw}
    yield "huge body", {"content": HUGE, "headers": raw}
    yield "text/plain", {"content": json.dumps(valid), "headers": {"content-type": "text/plain"}}
    yield "no content type", {"content": json.dumps(valid), "headers": {"content-type": ""}}
    yield "form encoded", {"data": {k: str(v) for k, v in valid.items()}}
    for shape in (None, [], "text", 7, [valid]):
        yield f"body {shape!r}", as_json(shape)
    yield "extra field", as_json({**valid, "is_admin": True})
    for name, kind in fuzz.items():
        if name not in optional:
            yield f"missing {name}", as_json({k: v for k, v in valid.items() if k != name})
            yield f"{name}=null", as_json({**valid, name: None})
        wrong = [w for w in WRONG_TYPES if type(w) is not type(valid[name])]
        for value in [*wrong, *bad_values(kind)]:
            yield f"{name}={value!r:.40}", as_json({**valid, name: value})


def bad_forms(
    valid: dict[str, str], fuzz: dict[str, str], optional: set[str]
) -> Iterator[tuple[str, dict[str, str]]]:
    for name, kind in fuzz.items():
        if name not in optional:
            yield f"missing {name}", {k: v for k, v in valid.items() if k != name}
            yield f"{name} blank", {**valid, name: "   "}
        for value in bad_values(kind):
            if isinstance(value, str) and value.strip() in {"", "participant"}:
                continue  # forms trim what people type, and a blank choice takes the default
            if isinstance(value, str) and "\ud800" not in value:
                yield f"{name}={value!r:.40}", {**valid, name: value}
            elif not isinstance(value, str):
                yield f"{name}={value!r:.40}", {**valid, name: str(value)}


async def snapshot(client) -> str:
    async def dump() -> str:
        tables = [t for t in TABLES if t is not AttemptCount]
        return repr([await table.select().order_by(table.id) for table in tables])

    return in_app(client, dump)


def check(problems: list[str], label: str, response) -> None:
    if response.status_code >= 500 or response.status_code < 400:
        problems.append(f"{label}: {response.status_code} {response.text[:300]}")
    elif response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        if not body.get("detail") or body.get("status_code") != response.status_code:
            problems.append(f"{label}: no kind detail in {body}")
    elif "<h1>" not in response.text:
        problems.append(f"{label}: {response.status_code} is not a page")


async def person(garden, who: str) -> User:
    coordinator = await garden.first_coordinator()
    jo = await garden.member("jo", "Jo")
    return {"coordinator": coordinator, "jo": jo, "anonymous": garden.anonymous()}[who]


async def registration(garden) -> dict[str, str]:
    code = await garden.invite()
    return {"invite_code": code, "username": "robin", "password": PASSWORD, "display_name": "Rob"}


SETTINGS = {"display_name": "Jo", "max_shifts_per_week": 2, "contact": "x"}
API_CASES = [
    (
        "POST",
        "/api/session",
        "anonymous",
        {"username": "jo", "password": PASSWORD},
        {"username": "text", "password": "text"},
        set(),
    ),
    (
        "POST",
        "/api/invites",
        "coordinator",
        {"role": "peer_supporter"},
        {"role": "choice"},
        {"role"},
    ),
    (
        "PATCH",
        "/api/me",
        "jo",
        SETTINGS,
        {"display_name": "text", "max_shifts_per_week": "number", "contact": "text"},
        set(SETTINGS),
    ),
    (
        "POST",
        "/api/members",
        "anonymous",
        None,
        {"invite_code": "text", "username": "text", "password": "password", "display_name": "text"},
        set(),
    ),
]


@pytest.mark.parametrize(
    "method,url,who,valid,fuzz,optional", API_CASES, ids=[c[1] for c in API_CASES]
)
async def test_the_api_refuses_bad_input_kindly(
    garden, client, method, url, who, valid, fuzz, optional
):
    user = await person(garden, who)
    valid = valid or await registration(garden)
    before = await snapshot(client)
    problems: list[str] = []
    for label, kwargs in bad_bodies(valid, fuzz, optional):
        check(problems, label, await user.request(method, url, **kwargs))
    assert not problems, "\n".join(problems)
    assert await snapshot(client) == before


FORM_CASES = [
    (
        "/login",
        "anonymous",
        {"username": "jo", "password": PASSWORD, "next": "/me"},
        {"username": "text", "password": "text"},
        set(),
    ),
    (
        "/register",
        "anonymous",
        None,
        {"invite_code": "text", "username": "text", "password": "password", "display_name": "text"},
        set(),
    ),
    (
        "/me/settings",
        "jo",
        {"display_name": "Jo", "max_shifts_per_week": "2", "contact": "x"},
        {"display_name": "text", "max_shifts_per_week": "number", "contact": "text"},
        {"max_shifts_per_week", "contact"},
    ),
    ("/me/invites", "coordinator", {"role": "peer_supporter"}, {"role": "choice"}, {"role"}),
    ("/me/close", "jo", {"confirm": "jo"}, {"confirm": "text"}, set()),
]


@pytest.mark.parametrize("url,who,valid,fuzz,optional", FORM_CASES, ids=[c[0] for c in FORM_CASES])
async def test_the_pages_refuse_bad_forms_kindly(garden, client, url, who, valid, fuzz, optional):
    user = await person(garden, who)
    valid = valid or await registration(garden)
    before = await snapshot(client)
    problems: list[str] = []
    for label, form in bad_forms(valid, fuzz, optional):
        check(problems, label, await user.form(url, form, follow_redirects=False))
    assert not problems, "\n".join(problems)
    assert await snapshot(client) == before


async def test_a_form_cannot_choose_its_own_role(garden, client):
    form = {**await registration(garden), "role": "coordinator"}
    robin = User(client)
    await robin.form("/register", form)
    assert (await robin.get("/api/me")).json()["role"] == "participant"


async def test_markup_in_a_name_is_shown_as_text(garden):
    jo = await garden.member("jo", "Jo")
    response = await jo.patch("/api/me", json={"display_name": "<b>Jo</b> ' OR 1=1 --"})
    assert response.status_code == 200
    page = await jo.get("/me")
    assert "Hello, &lt;b&gt;Jo&lt;/b&gt; &#39; OR 1=1 --" in page.text


async def test_unknown_pages_get_a_kind_page(client):
    response = await client.get("/no/such/page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "We couldn&#39;t find that page. It may have moved, or the link may be old." in (
        response.text
    )
    assert '<a href="/">' in response.text


async def test_unknown_api_paths_get_json(client):
    response = await client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {
        "status_code": 404,
        "detail": "We couldn't find that page. It may have moved, or the link may be old.",
        "extra": {},
    }


async def test_the_wrong_method_gets_405(garden):
    jo = await garden.member("jo", "Jo")
    response = await jo.request("PUT", "/api/me", json={"display_name": "Mallory"})
    assert response.status_code == 405
    assert response.json()["detail"] == "That action isn't available here."
    assert (await jo.get("/api/me")).json()["display_name"] == "Jo"
    page = await jo.request("PUT", "/login")
    assert page.status_code == 405
    assert "That action isn" in page.text

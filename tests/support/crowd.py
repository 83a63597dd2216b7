"""Many people at once over real connections: each ``Person`` is one browser (its own cookies
and CSRF header) against a served app, for tests that fire requests together with ``gather``."""

from __future__ import annotations

import httpx

from .people import PASSWORD


class Person:
    """One member's own browser: cookies, CSRF header, JSON."""

    def __init__(self, base_url: str, username: str):
        self.username = username
        # uvicorn closes idle keep-alive connections after 5 s; drop ours sooner, so a burst
        # never reuses a connection the server is closing at that moment (a client-side race).
        self.http = httpx.AsyncClient(
            base_url=base_url, timeout=60, limits=httpx.Limits(keepalive_expiry=1.0)
        )
        self.id = 0

    async def send(self, method: str, url: str, **kwargs) -> httpx.Response:
        if "csrftoken" not in self.http.cookies:
            await self.http.get("/login")
        headers = {"x-csrftoken": self.http.cookies.get("csrftoken", "")}
        return await self.http.request(method, url, headers=headers, **kwargs)


async def gather_people(base_url: str, count: int, prefix: str = "m") -> list[Person]:
    """The coordinator invites ``count`` people, who register (and so log in) over HTTP."""
    coordinator = Person(base_url, "maria")
    login = await coordinator.send(
        "POST", "/api/session", json={"username": "maria", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    people = []
    for number in range(count):
        code = await coordinator.send("POST", "/api/invites", json={"role": "participant"})
        person = Person(base_url, f"{prefix}{number:02d}")
        response = await person.send(
            "POST",
            "/api/members",
            json={
                "invite_code": code.json()["code"],
                "username": person.username,
                "password": PASSWORD,
                "display_name": f"Member {prefix}{number:02d}",
            },
        )
        assert response.status_code == 201, response.text
        person.id = response.json()["id"]
        people.append(person)
    await coordinator.http.aclose()
    return people

"""The people of a test: each one's session in Litestar's test client, invited as a garden does."""

from __future__ import annotations

from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from coop.members import service as members
from coop.settings import Settings

from .rows import in_app

PASSWORD = "a long garden password"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class User:
    """One person's browser session: their own cookies, CSRF header on unsafe requests."""

    def __init__(self, client: AsyncTestClient, username: str = "", member: dict | None = None):
        self.client = client
        self.cookies = httpx.Cookies()
        self.username = username
        self.member = member or {}

    @property
    def id(self) -> int:
        return self.member["id"]

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies = self.cookies
        headers = dict(kwargs.pop("headers", {}) or {})
        if method.upper() not in SAFE_METHODS:
            if "csrftoken" not in self.client.cookies:
                await self.client.get("/login")
            headers.setdefault("x-csrftoken", self.client.cookies.get("csrftoken", ""))
        response = await self.client.request(method, url, headers=headers, **kwargs)
        self.cookies = httpx.Cookies(self.client.cookies)
        return response

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)

    async def form(self, url: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """Submit an HTML form the way a browser does (CSRF token as a form field)."""
        self.client.cookies = self.cookies
        if "csrftoken" not in self.client.cookies:
            await self.client.get("/login")
        data = {"_csrf_token": self.client.cookies.get("csrftoken", ""), **data}
        response = await self.client.post(url, data=data, **kwargs)
        self.cookies = httpx.Cookies(self.client.cookies)
        return response

    async def log_in(self, password: str = PASSWORD) -> httpx.Response:
        response = await self.post(
            "/api/session", json={"username": self.username, "password": password}
        )
        if response.status_code == 200:
            self.member = response.json()
        return response


class Garden:
    """Builds people for a test: the first coordinator, and members invited by them."""

    def __init__(self, client: AsyncTestClient, settings: Settings):
        self.client = client
        self.settings = settings
        self.coordinator: User | None = None

    def anonymous(self) -> User:
        return User(self.client)

    async def first_coordinator(self, username: str = "maria", name: str = "Maria") -> User:
        if self.coordinator is None:
            # As the CLI does, inside the app's own event loop.
            in_app(self.client, members.create_member, username, name, PASSWORD, "coordinator")
            self.coordinator = User(self.client, username)
            assert (await self.coordinator.log_in()).status_code == 200
        return self.coordinator

    async def invite(self, role: str = "participant") -> str:
        coordinator = await self.first_coordinator()
        response = await coordinator.post("/api/invites", json={"role": role})
        assert response.status_code == 201, response.text
        return response.json()["code"]

    async def member(
        self, username: str, name: str | None = None, role: str = "participant"
    ) -> User:
        code = await self.invite(role)
        user = User(self.client, username)
        response = await user.post(
            "/api/members",
            json={
                "invite_code": code,
                "username": username,
                "password": PASSWORD,
                "display_name": name or username.capitalize(),
            },
        )
        assert response.status_code == 201, response.text
        user.member = response.json()
        return user


async def stock_garden(coordinator: User) -> dict[str, int]:
    """A bed, two crops and a pop, created through the API as a coordinator would."""
    ids = {}
    for key, url, body in [
        ("bed", "/api/beds", {"name": "North bed", "size": "4 x 1 m"}),
        ("strawberries", "/api/crops", {"name": "Strawberries", "default_unit": "kg"}),
        ("basil", "/api/crops", {"name": "Basil", "variety": "Genovese", "default_unit": "bunch"}),
        ("pop", "/api/products", {"name": "Strawberry-basil pop", "price_cents": 350}),
    ]:
        response = await coordinator.post(url, json=body)
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    return ids

"""A person using a served app (``served_app``) over real HTTP: cookies, CSRF and all."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx

DEMO_PASSWORD = "garden-demo-2026"


class LiveUser:
    """One browser's worth of cookies against a running server."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.http.get("/login")  # hands out the csrftoken cookie

    @property
    def csrf_token(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def log_in(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        return self.post("/api/session", json={"username": username, "password": password})

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"x-csrftoken": self.csrf_token, **kwargs.pop("headers", {})}
        return self.http.post(url, headers=headers, **kwargs)

    def close(self) -> None:
        self.http.close()


def sqlite_integrity(path: str) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]

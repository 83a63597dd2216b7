"""Parallel password guesses against the served app: the limit holds across app processes.

Each guess is counted in the database before argon2 runs, so forty simultaneous guesses for one
username let at most five through, and forty from one address at most twenty, on SQLite (one
process) and on PostgreSQL (two processes behind one "load balancer": alternating ports).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx

from tests.support.databases import fetch_rows
from tests.support.people import PASSWORD
from tests.support.served import run_coop, served_app

GUESSES = 40


@contextmanager
def servers(database_url: str) -> Iterator[list[str]]:
    """Two ``coop serve`` processes on PostgreSQL; one on SQLite (a file is one server's)."""
    with ExitStack() as stack:
        count = 1 if database_url.startswith("sqlite") else 2
        yield [stack.enter_context(served_app(database_url)) for _ in range(count)]


async def _counters(database_url: str) -> dict[tuple[str, str], int]:
    rows = await fetch_rows(database_url, "SELECT scope, key, attempts FROM attempt_count")
    return {(scope, key): attempts for scope, key, attempts in rows}


async def _guess(base_url: str, username: str, password: str) -> int:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as browser:
        await browser.get("/login")  # the CSRF cookie; a GET is never counted
        response = await browser.post(
            "/api/session",
            json={"username": username, "password": password},
            headers={"x-csrftoken": browser.cookies["csrftoken"]},
        )
        return response.status_code


async def _all_at_once(urls: list[str], guesses: list[tuple[str, str]]) -> list[int]:
    return await asyncio.gather(
        *(
            _guess(urls[number % len(urls)], username, password)
            for number, (username, password) in enumerate(guesses)
        )
    )


async def test_forty_parallel_guesses_for_one_name_let_five_through(database_url):
    run_coop(
        "create-coordinator",
        "maria",
        "--display-name",
        "Maria",
        database_url=database_url,
        env={"COOP_PASSWORD": PASSWORD},
    )
    guesses = [("maria", f"wrong guess {n}") for n in range(GUESSES - 1)] + [("maria", PASSWORD)]
    with servers(database_url) as urls:
        codes = await _all_at_once(urls, guesses)
        checked = [code for code in codes if code != 429]
        assert len(checked) <= 5, codes
        assert set(checked) <= {200, 401}
        assert codes.count(429) >= GUESSES - 5
        # Every guess was counted, on one row per counter, whichever process took it.
        counters = await _counters(database_url)
        # A success gives its own tick back to the address: only failures stay counted.
        assert counters[("address", "127.0.0.1")] == GUESSES - codes.count(200)
        if codes[-1] != 200:  # the right password last: refused like the rest, counted too
            assert counters[("login", "maria")] == GUESSES
            assert await _guess(urls[0], "maria", PASSWORD) == 429


async def test_forty_parallel_guesses_from_one_address_let_twenty_through(database_url):
    guesses = [(f"someone{n}", "a wrong guess") for n in range(GUESSES)]
    with servers(database_url) as urls:
        codes = await _all_at_once(urls, guesses)
        assert sorted(codes) == [401] * 20 + [429] * 20
        assert (await _counters(database_url))[("address", "127.0.0.1")] == GUESSES

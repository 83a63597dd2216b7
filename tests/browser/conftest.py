"""Fixtures for the browser tests: one served app and one Chromium for the whole package.

The app is the real ``coop serve`` on 127.0.0.1 over a migrated SQLite file (browser tests prove
the pages, the engines are proven by the rest of the suite). It starts with one coordinator,
``maria``; tests add people with unique usernames, so they never step on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from .harness import (
    COORDINATOR,
    DESKTOP,
    PHONE,
    launch,
    log_in,
    served_garden,
)
from .scene import Garden, furnish, unique  # noqa: F401 (unique: for tests written before scene.py)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_garden(tmp_path_factory.mktemp("browser")) as base_url:
        yield base_url


@pytest.fixture(scope="package")
def page_ids(app_url: str) -> dict[str, int]:
    """The served garden, furnished once for the page checks; ids for PageSpec paths."""
    return furnish(Garden(app_url))


def _keep_error(errors: list[str], page: Page, message: ConsoleMessage) -> None:
    """Console errors, except the browser's note that a page answered 4xx (forms, 404 page)."""
    expected = "Failed to load resource: the server responded with a status of 4"
    if message.type == "error" and not message.text.startswith(expected):
        errors.append(f"{page.url}: {message.text}")


@pytest.fixture
def garden(app_url: str) -> Garden:
    return Garden(app_url)


@pytest.fixture
def open_page(browser: Browser, app_url: str) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (its own cookies). Options go to ``new_context``:
    ``open_page(viewport=PHONE)``, ``open_page(java_script_enabled=False)``.

    Console errors (a CSP refusal, a failing script) fail the test.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def opener(**options: Any) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=app_url, accept_downloads=True, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: _keep_error(errors, page, message))
        return page

    yield opener
    for context in contexts:
        context.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


@pytest.fixture
def phone(open_page: Callable[..., Page]) -> Page:
    return open_page(viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def as_coordinator(app_url: str) -> Callable[[Page], Page]:
    def logged_in(page: Page) -> Page:
        log_in(page, app_url, COORDINATOR[0])
        return page

    return logged_in

"""Pictures of the main pages for the README: `make screenshots`.

Serves the app over a fresh SQLite file with the demo season, logs in as the demo coordinator
(maria) and a demo member (sam), and saves a PNG of the viewport of every page in
``harness.PAGES`` marked ``photo`` at phone and desktop width into docs/screenshots/
(``<name>-phone.png``, ``<name>-desktop.png``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

from coop import demo

from .harness import DESKTOP, MEMBER, PAGES, PHONE, ROOT, launch, log_in, served_garden

OUT = ROOT / "docs" / "screenshots"
SIZES = {"phone": PHONE, "desktop": DESKTOP}
SPANISH = ("shift", "calendar")  # also photographed in Spanish, on a phone: <name>-es-phone.png


def demo_ids(base_url: str) -> dict[str, int]:
    """The demo member's next shift with a partner, for ``/shifts/{shift}``."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        client.get("/login")
        headers = {"x-csrftoken": client.cookies["csrftoken"]}
        session = {"username": MEMBER[0], "password": demo.PASSWORD}
        client.post("/api/session", json=session, headers=headers).raise_for_status()
        places = client.get("/api/me/placements").json()
    confirmed = [place for place in places if place["status"] == "confirmed"]
    return {"shift": (confirmed or places)[0]["shift_id"]}


def photograph(browser: Browser, base_url: str, out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    ids = demo_ids(base_url)
    saved = []
    for size, viewport in SIZES.items():
        phone = size == "phone"
        options = {"viewport": viewport, "is_mobile": phone, "has_touch": phone}
        contexts = {
            who: browser.new_context(base_url=base_url, **options)
            for who in ("anyone", "member", "coordinator")
        }
        log_in(contexts["coordinator"].new_page(), base_url, demo.COORDINATOR, demo.PASSWORD)
        log_in(contexts["member"].new_page(), base_url, MEMBER[0], demo.PASSWORD)
        for spec in PAGES:
            if not spec.photo:
                continue
            page = contexts[spec.who].new_page()
            page.goto(spec.url(ids))
            page.wait_for_load_state("networkidle")
            path = out / f"{spec.name}-{size}.png"
            page.screenshot(path=path, animations="disabled", caret="hide")
            page.close()
            saved.append(path)
        for context in contexts.values():
            context.close()
    return saved


def photograph_spanish(browser: Browser, base_url: str, out: Path = OUT) -> list[Path]:
    """The member's pages in SPANISH, as a phone set to Spanish (Accept-Language) shows them."""
    out.mkdir(parents=True, exist_ok=True)
    ids = demo_ids(base_url)
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "es-ES"}
    context = browser.new_context(base_url=base_url, **options)
    page = context.new_page()
    page.goto("/login")
    page.locator("#username").fill(MEMBER[0])
    page.locator("#password").fill(demo.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/me")
    saved = []
    for spec in PAGES:
        if spec.name in SPANISH:
            page.goto(spec.url(ids))
            page.wait_for_load_state("networkidle")
            path = out / f"{spec.name}-es-phone.png"
            page.screenshot(path=path, animations="disabled", caret="hide")
            saved.append(path)
    context.close()
    return saved


def main() -> int:
    with (
        tempfile.TemporaryDirectory() as directory,
        served_garden(Path(directory), demo=True) as base_url,
        sync_playwright() as playwright,
    ):
        browser = launch(playwright)
        try:
            saved = photograph(browser, base_url) + photograph_spanish(browser, base_url)
        finally:
            browser.close()
    for path in saved:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

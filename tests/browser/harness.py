"""What the browser tests and the screenshots share: Chromium, a served app, page checks.

Everything here uses Playwright's sync API. Nothing downloads a browser: we drive Debian's
Chromium at /usr/bin/chromium (``make browser`` installs it with apt-get when it is missing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright

from tests.support.people import PASSWORD
from tests.support.served import run_coop, served_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MIN_TAP = 44  # px: the smallest comfortable tap target (WCAG 2.5.5)
COORDINATOR = ("maria", "Maria")  # the first coordinator, as in the demo season
MEMBER = ("sam", "Sam")  # a member paired with maria on the page checks' shifts (sam in the demo)


@dataclass(frozen=True)
class PageSpec:
    """A page people see: its name (for screenshots), path, and who opens it.

    The path may name records the served garden holds: ``/shifts/{shift}`` (an upcoming shift
    with a pair on it), ``/shifts/{started}`` (a shift under way: attendance, notes, harvest form).
    """

    name: str
    path: str
    who: str  # "anyone" (logged out), "member" (a participant), "coordinator"
    status: int = 200
    photo: bool = False  # shown in the README by `make screenshots`

    def url(self, ids: dict[str, Any]) -> str:
        return self.path.format(**ids)


# Every main page of the contract, logged out and logged in as a participant and as a
# coordinator, in the order the README shows the photographed ones. Add a page here and it is
# checked for accessibility and phone layout, and (photo=True) photographed by `make screenshots`.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "/", "anyone", photo=True),
    PageSpec("shift", "/shifts/{shift}", "member", photo=True),
    PageSpec("me", "/me", "member", photo=True),
    PageSpec("pairs", "/pairs", "member", photo=True),
    PageSpec("calendar", "/calendar", "member", photo=True),
    PageSpec("plan", "/plan", "coordinator", photo=True),
    PageSpec("harvests", "/harvests", "coordinator", photo=True),
    PageSpec("sales", "/sales", "coordinator", photo=True),
    PageSpec("reports", "/reports", "coordinator", photo=True),
    PageSpec("login", "/login", "anyone", photo=True),
    PageSpec("register", "/register", "anyone", photo=True),
    # logged out
    PageSpec("shift-logged-out", "/shifts/{shift}", "anyone"),
    PageSpec("calendar-logged-out", "/calendar", "anyone"),
    PageSpec("not-found", "/no-such-page", "anyone", status=404),
    # a participant
    PageSpec("home-member", "/", "member"),
    PageSpec("shift-started-member", "/shifts/{started}", "member"),
    PageSpec("harvests-member", "/harvests", "member"),
    PageSpec("plan-member", "/plan", "member", status=403),
    # a coordinator
    PageSpec("home-coordinator", "/", "coordinator"),
    PageSpec("shift-coordinator", "/shifts/{shift}", "coordinator"),
    PageSpec("shift-started-coordinator", "/shifts/{started}", "coordinator"),
    PageSpec("me-coordinator", "/me", "coordinator"),
    PageSpec("pairs-coordinator", "/pairs", "coordinator"),
    PageSpec("calendar-coordinator", "/calendar", "coordinator"),
    PageSpec("not-found-coordinator", "/no-such-page", "coordinator", status=404),
    PageSpec("reset", "/reset", "anyone"),
    # paid work
    PageSpec("my-season", "/me/season", "member"),
    PageSpec("work-letter", "/me/season/letter", "member"),
    PageSpec("pay-periods-member", "/pay-periods", "member", status=403),
    PageSpec("pay-periods", "/pay-periods", "coordinator"),
    PageSpec("pay-period", "/pay-periods/{period}", "coordinator"),
    PageSpec("timesheet", "/pay-periods/{period}/timesheet", "coordinator"),
    PageSpec("impact", "/reports/impact", "coordinator"),
    PageSpec("my-season-coordinator", "/me/season", "coordinator"),
    # market day
    PageSpec("market", "/market", "coordinator", photo=True),
    PageSpec("market-not-on-a-market-shift", "/market", "member", status=403),
    PageSpec("lot", "/lots/{lot}", "coordinator"),
    PageSpec("lot-label", "/lots/{lot}/label", "coordinator"),
    # notices
    PageSpec("inbox", "/inbox", "member"),
    PageSpec("inbox-coordinator", "/inbox", "coordinator"),
    PageSpec("undelivered", "/plan/undelivered", "coordinator"),
)


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with no background traffic."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@contextmanager
def served_garden(directory: Path, demo: bool = False) -> Iterator[str]:
    """Serve the app on 127.0.0.1 over a fresh SQLite file; yield its base URL.

    The database gets the first coordinator (``maria``, password ``PASSWORD``), or with
    ``demo=True`` the whole demo season (``maria`` / ``garden-demo-2026``).
    """
    path = directory / "browser.sqlite3"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    run_coop("migrate", database_url=url)
    if demo:
        run_coop("demo", database_url=url)
    else:
        username, name = COORDINATOR
        run_coop(
            "create-coordinator",
            username,
            "--display-name",
            name,
            database_url=url,
            env={"COOP_PASSWORD": PASSWORD},
        )
    with served_app(url) as base_url:
        yield base_url


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person does."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/me")


def create_invite(page: Page, base_url: str, role: str = "Participant") -> str:
    """The coordinator makes an invite code on /me and reads it off the page."""
    log_in(page, base_url, COORDINATOR[0])
    page.get_by_label("Their role").select_option(label=role)
    page.get_by_role("button", name="Create an invite code").click()
    invite = page.locator("section[aria-labelledby=invite-heading] [role=status] strong")
    invite.wait_for()
    return invite.inner_text()


def fill_register_form(page: Page, code: str, username: str, name: str) -> None:
    """Fill /register as a newcomer does (the password is PASSWORD) and send it."""
    page.goto("/register")
    page.get_by_label("Invite code").fill(code)
    page.get_by_label("Username (for logging in)").fill(username)
    page.get_by_label("Display name (what others see)").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()


# --- checks -------------------------------------------------------------------------------------


def assert_accessible(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Run axe-core on the page; fail on any violation of the given impacts, listing them.

    The app's CSP forbids inline scripts, so axe is evaluated through the DevTools protocol
    (which CSP does not govern) instead of being added as a <script>.
    """
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make vendor` (npm install at the root)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    bad = [v for v in results if v["impact"] in impacts]
    assert not bad, f"axe-core on {page.url}:\n" + json.dumps(bad, indent=2)


def assert_no_sideways_scroll(page: Page) -> None:
    """The page fits the viewport's width: nothing makes it scroll sideways."""
    widths = page.evaluate(
        """() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth,
           wide: [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right
                          > document.documentElement.clientWidth + 1)
             .slice(0, 5).map(e => e.outerHTML.slice(0, 120))})"""
    )
    # On an emulated phone the browser may zoom out to fit wide content (innerWidth grows), so
    # the screen's own width is the limit.
    limit = min(widths["inner"], (page.viewport_size or {}).get("width", widths["inner"]))
    assert widths["scroll"] <= limit, f"{page.url} scrolls sideways past {limit}px: {widths}"


def assert_tap_targets(page: Page, minimum: int = MIN_TAP) -> None:
    """Buttons, nav links and form controls are at least ``minimum`` px tall."""
    small = page.evaluate(
        """(minimum) => [...document.querySelectorAll(
              'button, [type=submit], [role=button], nav a, label:has(> [type=checkbox]), ' +
              'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, summary')]
            .filter(e => e.offsetParent !== null)
            .map(e => ({what: e.outerHTML.slice(0, 100),
                        height: Math.round(e.getBoundingClientRect().height * 10) / 10}))
            .filter(t => t.height < minimum)""",
        minimum,
    )
    assert not small, f"tap targets under {minimum}px on {page.url}: {small}"


def assert_tables_reflow(page: Page) -> None:
    """Every table fits the viewport without scrolling inside itself."""
    wide = page.evaluate(
        """() => [...document.querySelectorAll('table')]
            .filter(t => t.scrollWidth > t.clientWidth + 1
                         || t.getBoundingClientRect().right > window.innerWidth + 1)
            .map(t => t.outerHTML.slice(0, 120))"""
    )
    assert not wide, f"tables wider than the phone on {page.url}: {wide}"
    # A stacked row shows each value under its column's name; without it "3" and "$1.50" mean
    # nothing. Every body cell (bar a row-wide "nothing yet") names its column header.
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('table')].flatMap(table => {
            const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
            return [...table.querySelectorAll('tbody tr')].flatMap(row =>
              [...row.children].filter(cell => cell.tagName === 'TD' && cell.colSpan === 1)
                .filter(cell => cell.dataset.label !== heads[cell.cellIndex])
                .map(cell => `${heads[cell.cellIndex]}: ${cell.outerHTML.slice(0, 80)}`));
          })"""
    )
    assert not unlabelled, (
        f"table cells without their column's data-label on {page.url}: {unlabelled}"
    )


def assert_fits_phone(page: Page) -> None:
    """All the phone checks at once: no sideways scroll, tables reflow, comfortable taps."""
    assert_no_sideways_scroll(page)
    assert_tables_reflow(page)
    assert_tap_targets(page)


def focused(page: Page) -> dict:
    """What has the keyboard focus, and whether the focus ring is visible."""
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
          return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
                  text: (e.innerText || e.value || '').trim().slice(0, 60),
                  href: e.getAttribute('href'),
                  visible: e.matches(':focus-visible') && s.outlineStyle !== 'none'
                           && parseFloat(s.outlineWidth) >= 2}; }"""
    )

"""A coordinator's end of a pay period in Chromium: approve, close, print the timesheets."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .harness import COORDINATOR, assert_accessible, log_in
from .scene import Garden, unique

ZONE = ZoneInfo(os.environ.get("COOP_TIMEZONE", "America/Chicago"))
PRINTS = Path(os.environ.get("COOP_PRINTS", "/tmp/coop-prints"))


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF: its page objects (``/Type /Page``, not the ``/Pages`` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_a_coordinator_approves_closes_and_prints_timesheets(open_page, app_url, garden: Garden):
    # Names of their own: the shared garden may already hold another "Sam" or "Jo".
    sam_name, jo_name = unique("Sam"), unique("Jo")
    sam, jo = garden.member(sam_name), garden.member(jo_name)
    pair = garden.pair(sam, jo)
    title = unique("Bean picking")
    shift = garden.shift(title, kind="harvesting", days_ahead=3)
    garden.sign_up(sam, shift, pair)
    garden.start_now(shift)  # began an hour ago, ends in an hour
    ids = {who: garden._ok("GET", "/api/me", None, who)["id"] for who in (sam, jo)}
    for who, member_id in ids.items():
        garden._ok(
            "POST",
            f"/api/shifts/{shift}/attendance",
            {"records": [{"member_id": member_id, "status": "attended"}]},
            who,
        )

    page = open_page()
    log_in(page, app_url, COORDINATOR[0])
    page.get_by_role("link", name="Pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay periods")
    assert_accessible(page)
    # Wages first: Sam earns $15.50 an hour, Jo $16.25 (each picked by id, shown by name).
    for who, name, wage in ((sam, sam_name, "15.50"), (jo, jo_name, "16.25")):
        wages = page.locator("#wages")
        member = wages.get_by_label("Member")
        member.select_option(value=str(ids[who]))
        expect(member.locator("option:checked")).to_have_text(name)
        wages.get_by_label("Hourly wage in dollars").fill(wage)
        wages.get_by_role("button", name="Save the wage").click()
        expect(page.get_by_role("status")).to_contain_text("hourly wage is saved")

    today = datetime.now(ZONE).date()
    page.get_by_label("First day").fill((today - timedelta(days=6)).isoformat())
    page.get_by_label("Last day").fill((today + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Create the pay period").click()
    expect(page.get_by_role("status")).to_have_text("The pay period is ready.")
    waiting = page.locator("section[aria-labelledby=approval-heading]")
    expect(waiting).to_contain_text(title)
    assert_accessible(page)

    # The week's marked time, approved from the period's page.
    ours = waiting.locator("form.approve-shift").filter(has_text=title)
    expect(ours).to_contain_text(sam_name)
    expect(ours).to_contain_text(jo_name)
    ours.get_by_role("button", name="Approve this shift's time").click()
    expect(page.get_by_role("status")).to_have_text("Approved. That time will be paid.")
    expect(waiting).to_contain_text("Nothing waits for approval.")
    totals = page.locator("section[aria-labelledby=totals-heading] tfoot")
    expect(totals).to_contain_text("$63.50")  # 2 h × $15.50 + 2 h × $16.25 (whole shift)
    page.get_by_role("button", name="Close the pay period").click()
    expect(page.get_by_role("status")).to_contain_text("The pay period is closed.")
    expect(page.get_by_role("button", name="Close the pay period")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Print timesheets").click()
    sheets = page.locator("section.sheet")
    expect(sheets).to_have_count(2)
    expect(sheets.get_by_role("heading", level=2)).to_have_text(sorted([sam_name, jo_name]))
    assert_accessible(page)
    expect(page.locator("section.sheet").first).to_contain_text("Signature of")
    pdf = page.pdf(format="Letter", print_background=True)
    assert pdf_pages(pdf) == 2  # one sheet per person
    PRINTS.mkdir(parents=True, exist_ok=True)
    (PRINTS / "timesheets.pdf").write_bytes(pdf)
    # What the printout shows, as a picture to look at: print media, menus gone.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.screenshot(path=str(PRINTS / "timesheets-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # The closed period locks the shift's attendance: the page says to use an adjustment.
    jo_page = open_page()
    log_in(jo_page, app_url, jo)
    jo_page.goto(f"/shifts/{shift}")
    attendance = jo_page.locator("section[aria-labelledby=attendance-heading]")
    expect(attendance).to_contain_text("add an adjustment in an open pay period")
    expect(attendance.get_by_role("button", name="Save attendance")).to_have_count(0)
    # Jo sees Jo's own record, approved, and its history; never Sam's.
    expect(attendance).to_contain_text("came")
    expect(attendance).to_contain_text("(approved)")
    expect(attendance).to_contain_text(jo_name)
    expect(attendance).not_to_contain_text(sam_name)
    attendance.get_by_text("2 changes").click()
    assert_accessible(jo_page)
    attendance.screenshot(path=str(PRINTS / "attendance-jo.png"))

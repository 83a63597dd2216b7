"""A newcomer joins the garden in a real browser: invited, registers, sets a pace, leaves.

Each flow runs with JavaScript on and off (every page must work without it), and the log-in and
register flows once more with the keyboard alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .harness import PASSWORD, create_invite, fill_register_form, focused
from .scene import Garden, unique

JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@JAVASCRIPT
def test_a_newcomer_registers_with_an_invite_code(open_page, app_url, javascript, tmp_path):
    coordinator = open_page(java_script_enabled=javascript)
    code = create_invite(coordinator, app_url)
    assert len(code) == 19 and code.count("-") == 3
    expect(coordinator.get_by_role("status").last).to_contain_text(
        "Here is the invite code for a new participant"
    )

    newcomer = open_page(java_script_enabled=javascript)
    username = unique("robin")
    fill_register_form(newcomer, "ABCD-EFGH-JKLM-NPQR", username, "Robin")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Join the garden")

    # A kind message next to the field, tied to it; what they typed is still there.
    code_field = newcomer.get_by_label("Invite code")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_have_accessible_description(
        "We don't recognise that invite code. Please check it, or ask a coordinator for a new one."
    )
    expect(newcomer.locator("#invite_code + #invite_code-error")).to_be_visible()
    expect(code_field).to_have_value("ABCD-EFGH-JKLM-NPQR")
    expect(newcomer.get_by_label("Username (for logging in)")).to_have_value(username)
    expect(newcomer.get_by_label("Display name (what others see)")).to_have_value("Robin")
    expect(newcomer.get_by_label("Password")).to_have_value("")

    code_field.fill(code.lower())  # typed on a phone: case does not matter
    newcomer.get_by_label("Password").fill(PASSWORD)
    newcomer.get_by_role("button", name="Create my account").click()
    expect(newcomer).to_have_url(f"{app_url}/me")
    expect(newcomer.get_by_role("status").first).to_have_text("Welcome to the garden, Robin!")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Hello, Robin")
    menu = newcomer.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Me")).to_have_attribute("aria-current", "page")
    expect(menu.get_by_role("link", name="Plan")).to_have_count(0)  # for coordinators
    # Only coordinators invite people.
    expect(newcomer.get_by_role("button", name="Create an invite code")).to_have_count(0)

    change_pace_download_and_log_out(newcomer, app_url, username, tmp_path)


def change_pace_download_and_log_out(page: Page, app_url: str, username: str, tmp: Path) -> None:
    pace = page.get_by_label("My pace: at most this many shifts a week")
    pace.fill("30")
    page.get_by_role("button", name="Save my settings").click()
    expect(pace).to_have_attribute("aria-invalid", "true")
    expect(pace).to_have_value("30")
    expect(page.locator("#max_shifts_per_week-error")).to_be_visible()

    pace.fill("2")
    page.get_by_role("button", name="Save my settings").click()
    expect(page).to_have_url(f"{app_url}/me")
    expect(page.get_by_role("status").first).to_have_text("Your settings are saved.")
    expect(pace).to_have_value("2")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download everything stored about me (JSON)").click()
    download = download_info.value
    assert download.suggested_filename == "my-garden-data.json"
    saved = tmp / "my-garden-data.json"
    download.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["member"]["username"] == username
    assert data["member"]["max_shifts_per_week"] == 2
    assert "argon2id" in data["member"]["password_hash"]

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{app_url}/")
    expect(page.get_by_role("status").first).to_have_text(
        "You're logged out. See you in the garden."
    )
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/me")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


@JAVASCRIPT
def test_a_wrong_password_is_refused_kindly(open_page, garden: Garden, javascript):
    username = garden.member("Kim")
    page = open_page(java_script_enabled=javascript)
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Kim")


def tab_to(page: Page) -> dict:
    page.keyboard.press("Tab")
    now = focused(page)
    assert now["visible"], f"the keyboard focus is not visible on {now}"
    return now


def skip_to_main(page: Page) -> None:
    """The skip link is the first tab stop, and Enter moves the focus to the main content."""
    first = tab_to(page)
    assert (first["tag"], first["text"]) == ("a", "Skip to main content")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"


def test_log_in_and_register_with_the_keyboard_alone(open_page, garden: Garden, app_url):
    code = garden.invite()
    page = open_page()
    page.goto("/register")
    skip_to_main(page)
    username = unique("ash")
    for name, value in [
        ("invite_code", code),
        ("username", username),
        ("display_name", "Ash"),
        ("password", PASSWORD),
    ]:
        assert tab_to(page)["name"] == name
        page.keyboard.type(value)
    assert tab_to(page)["text"] == "Create my account"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ash")

    # Log out with the keyboard: the button is in the main navigation.
    page.get_by_role("button", name="Log out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.goto("/login")
    skip_to_main(page)
    assert tab_to(page)["name"] == "username"
    page.keyboard.type(username)
    assert tab_to(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{app_url}/me")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ash")


def test_the_404_page_helps_people_back(page: Page, app_url: str, as_coordinator: Callable):
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that")
    page.get_by_role("link", name="Back to the shifts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming shifts")

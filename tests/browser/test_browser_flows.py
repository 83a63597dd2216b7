"""The garden's main flows in a real browser, as new people do them.

Each flow runs with JavaScript on (htmx updates the shift page and the filter in place: a marker
on ``window`` proves no full navigation happened) and off (the plain forms post and redirect).
People and shifts the flow is not about are made quickly through the JSON API.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from .harness import COORDINATOR, create_invite, fill_register_form, focused, log_in
from .scene import Garden, unique

JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
ROBIN_AND_JO = re.compile(r"^(Robin and Jo|Jo and Robin)$")  # in the order they joined
ZONE = ZoneInfo(os.environ.get("COOP_TIMEZONE", "America/Chicago"))


def today() -> date:
    return datetime.now(ZONE).date()


def status(page: Page):
    return page.get_by_role("status").first


def mark(page: Page, javascript: bool) -> None:
    """Leave a marker on this document: it survives an htmx swap, not a page load."""
    if javascript:
        page.evaluate("() => { window.gardenMarker = 'still here'; }")


def assert_in_place(page: Page, javascript: bool) -> None:
    """With JavaScript, htmx changed the page in place; without, the form posted normally."""
    if javascript:
        assert page.evaluate("() => window.gardenMarker") == "still here"


def opened(open_page, app_url: str, username: str, javascript: bool) -> Page:
    page = open_page(java_script_enabled=javascript)
    log_in(page, app_url, username)
    return page


def my_shift(page: Page, title: str):
    """The entry for a shift in "My shifts" on /me."""
    page.goto("/me")
    return page.locator("#my-shifts-heading + ul > li").filter(has_text=title)


# --- a coordinator invites people and plans the season ---------------------------------------


@JAVASCRIPT
def test_a_coordinator_invites_people_and_plans_a_weekly_series(open_page, app_url, javascript):
    page = open_page(java_script_enabled=javascript)
    code = create_invite(page, app_url, role="Peer supporter")
    assert len(code) == 19
    expect(status(page).last).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan the season")
    first, last = today() + timedelta(days=14), today() + timedelta(days=41)
    expected = [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() in (1, 3)  # Tuesdays and Thursdays
    ]
    title = unique("Tuesday and Thursday weeding")
    series = page.locator("form[action='/plan/series']")
    series.get_by_label("Title").fill(title)
    series.get_by_label("Kind of work").select_option(label="Weeding")
    series.get_by_label("Tuesday").check()
    series.get_by_label("Thursday").check()
    series.get_by_label("From (time)").fill("09:00")
    series.get_by_label("Until (time)").fill("11:00")
    series.get_by_label("First day").fill(first.isoformat())
    series.get_by_label("Last day").fill(last.isoformat())
    series.get_by_label("Pair slots (how many pairs can come)").fill("3")
    series.get_by_label("Where (a bed or area)").fill("Bed 3")
    series.get_by_role("button", name="Preview the dates").click()

    preview = page.locator(".preview")
    expect(preview.get_by_role("heading")).to_have_text(f"{len(expected)} shifts will be planned")
    expect(preview.locator("li")).to_have_count(len(expected))
    expect(preview.locator("li").first).to_contain_text(f"{expected[0].day} {expected[0]:%B}")
    expect(preview.locator("li").first).to_contain_text("9:00")
    # What was typed stays in the form for the second step.
    expect(series.get_by_label("Title")).to_have_value(title)
    expect(series.get_by_label("Thursday")).to_be_checked()

    series.get_by_role("button", name="Create the series").click()
    expect(page).to_have_url(f"{app_url}/plan")
    expect(status(page)).to_have_text(f"The series is planned: {len(expected)} shifts.")

    # Everyone sees the new shifts on the week they fall in.
    weeks = (expected[0] - (today() - timedelta(days=today().weekday()))).days // 7
    page.goto(f"/?week={weeks}")
    expect(page.get_by_role("link", name=title).first).to_be_visible()


# --- a newcomer pairs up, and the pair signs up together ---------------------------------------


@JAVASCRIPT
def test_a_newcomer_pairs_up_and_the_pair_signs_up_together(
    open_page, app_url, garden: Garden, javascript
):
    partner = garden.member("Jo")
    shift = garden.shift(unique("Bean planting"), kind="planting", days_ahead=2)
    title = shift_title(garden, shift)

    newcomer = open_page(java_script_enabled=javascript)
    fill_register_form(newcomer, garden.invite(), unique("robin"), "Robin")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Hello, Robin")

    newcomer.get_by_role("navigation", name="Main").get_by_role("link", name="Pairs").click()
    newcomer.get_by_label("Their username").fill(partner)
    newcomer.get_by_role("button", name="Propose a pair").click()
    expect(status(newcomer)).to_have_text(
        "Your proposal is sent. The pair forms when they say yes."
    )
    expect(newcomer.locator("section[aria-labelledby=asked-heading]")).to_contain_text(
        "You asked Jo."
    )

    jo = opened(open_page, app_url, partner, javascript)
    jo.goto("/pairs")
    asked = jo.locator("section[aria-labelledby=answer-heading] li")
    expect(asked).to_contain_text("Robin would like to be partners.")
    asked.get_by_role("button", name="Accept").click()
    expect(status(jo)).to_have_text("You're partners now. You can sign up for shifts together.")
    expect(jo.get_by_role("heading", level=3)).to_have_text(ROBIN_AND_JO)

    newcomer.goto(f"/shifts/{shift}")
    expect(newcomer.get_by_role("button", name="Sign up", exact=True)).to_be_visible()
    mark(newcomer, javascript)
    newcomer.get_by_role("button", name="Sign up with Jo").click()
    expect(status(newcomer)).to_have_text("You and Jo are signed up together.")
    assert_in_place(newcomer, javascript)
    expect(newcomer.get_by_text("You're signed up, side by side with Jo.")).to_be_visible()
    expect(newcomer.locator("section[aria-labelledby=roster-heading] li")).to_have_text(
        ROBIN_AND_JO
    )
    expect(newcomer.get_by_text("1 of 2 pair places open.")).to_be_visible()

    expect(my_shift(jo, title)).to_contain_text("Confirmed, with Robin")
    jo.goto("/pairs")
    ours = jo.locator("section[aria-labelledby=active-heading] article")
    expect(ours.get_by_role("link", name=title)).to_be_visible()


def shift_title(garden: Garden, shift_id: int) -> str:
    return garden._ok("GET", f"/api/shifts/{shift_id}", None, None)["title"]


# --- solo members are matched ------------------------------------------------------------------


@JAVASCRIPT
def test_a_solo_member_signs_up_and_is_matched_with_the_next(
    open_page, app_url, garden: Garden, javascript
):
    shift = garden.shift(unique("Compost turning"), kind="composting", days_ahead=3)
    title = shift_title(garden, shift)
    first, second = garden.member("Lee"), garden.member("Nia")

    lee = opened(open_page, app_url, first, javascript)
    lee.goto(f"/shifts/{shift}")
    mark(lee, javascript)
    lee.get_by_role("button", name="Sign up", exact=True).click()
    expect(status(lee)).to_have_text(
        "You're signed up. The next person who signs up will be your partner for this shift."
    )
    assert_in_place(lee, javascript)
    expect(lee.locator("section[aria-labelledby=roster-heading] li")).to_have_text(
        "Lee (waiting for a partner)"
    )
    expect(my_shift(lee, title)).to_contain_text("Signed up, waiting for a partner")

    nia = opened(open_page, app_url, second, javascript)
    nia.goto(f"/shifts/{shift}")
    expect(nia.get_by_text("Lee (waiting for a partner)")).to_be_visible()
    nia.get_by_role("button", name="Sign up", exact=True).click()
    expect(status(nia)).to_have_text("You're signed up, side by side with Lee.")
    expect(nia.locator("section[aria-labelledby=roster-heading] li")).to_have_text("Lee and Nia")

    expect(my_shift(lee, title)).to_contain_text("Confirmed, with Nia")


# --- withdrawing moves the waitlist ------------------------------------------------------------


@JAVASCRIPT
def test_someone_withdraws_and_the_waitlist_moves(open_page, app_url, garden: Garden, javascript):
    shift = garden.shift(unique("Watering"), kind="watering", days_ahead=4, pair_slots=1)
    title = shift_title(garden, shift)
    rosa, tom = garden.member("Rosa"), garden.member("Tom")
    garden.sign_up(rosa, shift, garden.pair(rosa, tom))
    waiting = garden.member("Ana")

    ana = opened(open_page, app_url, waiting, javascript)
    ana.goto(f"/shifts/{shift}")
    expect(ana.get_by_text("0 of 1 pair place open.")).to_be_visible()
    ana.get_by_role("button", name="Sign up", exact=True).click()
    expect(status(ana)).to_have_text("That shift is full. You're on the waitlist, number 1.")
    expect(my_shift(ana, title)).to_contain_text("On the waitlist, number 1")

    page = opened(open_page, app_url, rosa, javascript)
    page.goto(f"/shifts/{shift}")
    expect(page.get_by_text("You're signed up, side by side with Tom.")).to_be_visible()
    mark(page, javascript)
    page.get_by_role("button", name="Withdraw").click()
    expect(status(page)).to_have_text("You've withdrawn. Thanks for letting the garden know.")
    assert_in_place(page, javascript)
    expect(page).to_have_url(f"{app_url}/shifts/{shift}")
    # Tom keeps the place, and nobody is seated beside him until he chooses (consent first).
    roster = page.locator("section[aria-labelledby=roster-heading] li")
    expect(roster).to_have_text("Tom (waiting for a partner)")
    expect(my_shift(ana, title)).to_contain_text("On the waitlist, number 1")

    # Tom reads why in his inbox, then picks "Match me with anyone" on the shift's page.
    him = opened(open_page, app_url, tom, javascript)
    him.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Inbox \(\d+ new\)$")
    ).click()
    expect(him.get_by_text("Rosa withdrew from")).to_be_visible()
    him.get_by_role("link", name="Open").first.click()
    expect(him).to_have_url(f"{app_url}/shifts/{shift}")
    expect(him.get_by_role("button", name="Withdraw")).to_be_visible()
    mark(him, javascript)
    him.get_by_role("button", name="Match me with anyone").click()
    expect(status(him)).to_contain_text("side by side with Ana")
    assert_in_place(him, javascript)
    expect(him.locator("section[aria-labelledby=roster-heading] li")).to_have_text("Tom and Ana")
    expect(my_shift(ana, title)).to_contain_text("Confirmed, with Tom")


@JAVASCRIPT
def test_a_partner_left_picks_another_partner(open_page, app_url, garden: Garden, javascript):
    shift = garden.shift(unique("Composting"), kind="composting", days_ahead=5, pair_slots=1)
    rosa, tom, lee = garden.member("Rosa"), garden.member("Tom"), garden.member("Lee")
    garden.sign_up(rosa, shift, garden.pair(rosa, tom))
    garden.pair(tom, lee)
    stranger = garden.member("Kim")
    garden.sign_up(stranger, shift)  # waits in line; never seated beside Tom unasked
    mine = garden._ok("GET", "/api/me/placements", None, rosa)
    garden._send("DELETE", f"/api/placements/{mine[0]['id']}", None, rosa)

    him = opened(open_page, app_url, tom, javascript)
    him.goto(f"/shifts/{shift}")
    expect(him.get_by_text("Your partner withdrew.")).to_be_visible()
    mark(him, javascript)
    him.get_by_role("button", name="Sign up with Lee").click()
    expect(status(him)).to_have_text("You and Lee are signed up together.")
    assert_in_place(him, javascript)
    expect(him.locator("section[aria-labelledby=roster-heading] li")).to_have_text("Tom and Lee")


# --- the calendar --------------------------------------------------------------------------------


@JAVASCRIPT
def test_a_member_finds_the_webcal_link_and_the_qr_code(
    open_page, app_url, garden: Garden, javascript
):
    page = opened(open_page, app_url, garden.member("Kai"), javascript)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subscribe to the calendar")
    mine = page.locator("article[aria-labelledby=mine-title]")
    subscribe = mine.get_by_role("button", name="Subscribe in my calendar app")
    expect(subscribe).to_have_attribute("href", _webcal(app_url))
    address = mine.get_by_label("The address (keep it private")
    expect(address).to_have_value(_https_feed(app_url))
    qr = mine.get_by_role("img", name="QR code for")
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    assert qr.bounding_box()["width"] >= 150  # big enough for a phone's camera
    # The address in the field is the live feed of this member's shifts.
    feed = page.request.get(address.input_value())
    assert feed.status == 200 and feed.text().startswith("BEGIN:VCALENDAR")


def _webcal(app_url: str):
    host = app_url.split("://", 1)[1]
    return re.compile(rf"^webcal://{re.escape(host)}/calendar/\S+\.ics$")


def _https_feed(app_url: str):
    return re.compile(rf"^{re.escape(app_url)}/calendar/\S+\.ics$")


# --- harvest from the shift page --------------------------------------------------------------


@JAVASCRIPT
def test_a_partner_logs_a_harvest_from_the_shift_page(
    open_page, app_url, garden: Garden, javascript
):
    crop = unique("Strawberries")
    garden.record("crops", {"name": crop, "variety": "Albion", "default_unit": "kg"})
    bed = unique("Bed")
    garden.record("beds", {"name": bed})
    shift = garden.shift(unique("Strawberry picking"), kind="harvesting", days_ahead=5)
    sam, jo = garden.member("Sam"), garden.member("Jo")
    garden.sign_up(sam, shift, garden.pair(sam, jo))
    garden.start_now(shift)  # the shift is under way

    page = opened(open_page, app_url, sam, javascript)
    page.goto(f"/shifts/{shift}")
    form = page.locator("section[aria-labelledby=harvest-heading]")
    expect(form.get_by_role("heading")).to_have_text("Log what you picked")
    expect(page.get_by_role("button", name="Withdraw")).to_have_count(0)  # it has started
    started_on = (datetime.now(ZONE) - timedelta(hours=1)).date()
    expect(form.get_by_label("Date picked")).to_have_value(started_on.isoformat())
    form.get_by_label("Crop").select_option(label=f"{crop} (Albion)")
    form.get_by_label("Bed (optional)").select_option(label=bed)
    form.get_by_label("How much").fill("2.5")
    form.get_by_label("Unit").select_option("kg")
    form.get_by_label("Notes (optional)").fill("First flush, very sweet")
    form.get_by_role("button", name="Log this harvest").click()
    expect(page).to_have_url(f"{app_url}/shifts/{shift}")
    expect(status(page)).to_have_text("Thank you! The harvest is logged.")

    page.goto("/harvests")
    row = page.locator("tr").filter(has_text=crop)
    expect(row).to_contain_text("2.5")
    expect(row).to_contain_text(bed)

    # Someone not on the shift sees no harvest form there.
    other = opened(open_page, app_url, garden.member("Kim"), javascript)
    other.goto(f"/shifts/{shift}")
    expect(other.get_by_role("heading", name="Log what you picked")).to_have_count(0)
    expect(other.get_by_text("Sam and Jo")).to_be_visible()


# --- a sale, and the season's report -------------------------------------------------------------


@JAVASCRIPT
def test_the_coordinator_records_a_sale_and_opens_the_reports(
    open_page, app_url, garden: Garden, javascript
):
    product = unique("Strawberry-basil pop")
    garden.record("products", {"name": product, "price_cents": 350, "unit": "pop"})
    page = opened(open_page, app_url, COORDINATOR[0], javascript)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sales").click()
    sale = page.locator("form[action='/sales'][method=post]")
    sale.get_by_label("Product").select_option(label=f"{product} ($3.50)")
    sale.get_by_label("Date sold").fill(today().isoformat())
    sale.get_by_label("How many").fill("12")
    sale.get_by_label("Where").select_option("market")
    sale.get_by_role("button", name="Record this sale").click()
    expect(status(page)).to_have_text("The sale is recorded.")
    row = page.locator("section[aria-labelledby=list-heading] tr").filter(has_text=product)
    expect(row.first).to_contain_text("$42")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Seed to sale, {today().year}")
    charts = page.locator("figure.chart img")
    assert charts.count() >= 2
    for chart in charts.all():
        assert chart.get_attribute("alt"), "every chart has a text alternative"
        picture = page.request.get(chart.get_attribute("src") or "")
        assert picture.status == 200
        assert picture.headers["content-type"].startswith("image/svg+xml")
    if javascript:
        assert charts.first.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator("table").first).to_be_visible()
    assert page.locator("table th").count() >= 2
    expect(page.locator("main")).to_contain_text(product)


# --- the sign-up flow with the keyboard alone ---------------------------------------------


def tab(page: Page, key: str = "Tab") -> dict:
    page.keyboard.press(key)
    now = focused(page)
    assert now["visible"], f"the keyboard focus is not visible on {now}"
    return now


@JAVASCRIPT
def test_a_pair_signs_up_and_withdraws_with_the_keyboard_alone(
    open_page, app_url, garden: Garden, javascript
):
    shift = garden.shift(unique("Herb spiral weeding"), days_ahead=6)
    ash, mo = garden.member("Ash"), garden.member("Mo")
    garden.pair(ash, mo)
    page = opened(open_page, app_url, ash, javascript)
    page.goto(f"/shifts/{shift}")
    mark(page, javascript)

    def skip_to_main() -> None:
        assert tab(page)["text"] == "Skip to main content"
        page.keyboard.press("Enter")
        assert focused(page)["id"] == "main"

    skip_to_main()
    assert tab(page)["text"] == "Sign up"
    assert tab(page)["text"] == "Sign up with Mo"
    assert tab(page, "Shift+Tab")["text"] == "Sign up"
    assert tab(page)["text"] == "Sign up with Mo"
    page.keyboard.press("Space")
    expect(status(page)).to_have_text("You and Mo are signed up together.")
    assert_in_place(page, javascript)
    if javascript:  # the focus moves to the news, not back to the top of the page
        expect(status(page)).to_be_focused()
    else:  # a new page: the skip link is the first stop again
        skip_to_main()
    assert tab(page)["text"] == "Withdraw"
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("You've withdrawn. Thanks for letting the garden know.")
    if javascript:
        expect(status(page)).to_be_focused()
    else:
        skip_to_main()
    assert tab(page)["text"] == "Sign up"
    assert_in_place(page, javascript)
    # Mo keeps the place, waiting for a partner.
    expect(page.locator("section[aria-labelledby=roster-heading] li")).to_have_text(
        "Mo (waiting for a partner)"
    )


# --- the kind filter on the home page ------------------------------------------------------------


@JAVASCRIPT
def test_the_kind_filter_narrows_the_week(open_page, app_url, garden: Garden, javascript):
    days_ahead = 8 + 7 * 20  # a week of its own, far from the other tests' shifts
    picking = unique("Rhubarb picking")
    weeding = unique("Path weeding")
    garden.shift(picking, kind="harvesting", days_ahead=days_ahead)
    garden.shift(weeding, kind="weeding", days_ahead=days_ahead)
    starts = datetime.now(ZONE) + timedelta(days=days_ahead)
    week = (starts.date() - (today() - timedelta(days=today().weekday()))).days // 7

    page = open_page(java_script_enabled=javascript)
    page.goto(f"/?week={week}")
    expect(page.get_by_role("link", name=picking)).to_be_visible()
    expect(page.get_by_role("link", name=weeding)).to_be_visible()
    mark(page, javascript)
    page.get_by_label("Kind of shift").select_option(label="Harvesting")
    if not javascript:
        page.get_by_role("button", name="Show these shifts").click()
    expect(page.get_by_role("link", name=weeding)).to_have_count(0)
    expect(page.get_by_role("link", name=picking)).to_be_visible()
    expect(page).to_have_url(f"{app_url}/?week={week}&kind=harvesting")
    assert_in_place(page, javascript)
    # The week links keep the filter.
    expect(page.get_by_role("link", name="Next week")).to_have_attribute(
        "href", f"/?week={week + 1}&kind=harvesting"
    )
    # Back shows every kind again (htmx keeps no copy of the page: the browser reloads it).
    page.go_back()
    expect(page).to_have_url(f"{app_url}/?week={week}")
    expect(page.get_by_role("link", name=weeding)).to_be_visible()
    if javascript:
        assert not local_storage(page), "htmx keeps no copies of pages on a shared phone"


def local_storage(page: Page) -> dict:
    return page.evaluate("() => Object.fromEntries(Object.entries(localStorage))")


@JAVASCRIPT
def test_a_refusal_is_shown_in_place_next_to_the_buttons(
    open_page, app_url, garden: Garden, javascript
):
    """The shift is cancelled while the page is open: the kind refusal replaces the buttons."""
    shift = garden.shift(unique("Seed sorting"), kind="other", days_ahead=9)
    page = opened(open_page, app_url, garden.member("Ben"), javascript)
    page.goto(f"/shifts/{shift}")
    garden._ok("POST", f"/api/shifts/{shift}/cancel", {"reason": "heat advisory"}, None)
    mark(page, javascript)
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "That shift was cancelled (heat advisory), so nobody can sign up for it."
    )
    assert_in_place(page, javascript)
    expect(page.get_by_text("This shift is cancelled: heat advisory.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign up", exact=True)).to_have_count(0)

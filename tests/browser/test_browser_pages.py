"""Every main page, logged out and logged in: axe-core finds nothing serious, phones fit.

The pages come from ``harness.PAGES``; add a page there and it is checked here too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .harness import (
    COORDINATOR,
    MEMBER,
    PAGES,
    PHONE,
    PageSpec,
    assert_accessible,
    assert_fits_phone,
    assert_tables_reflow,
    log_in,
)


def visit(open_page: Callable[..., Page], app_url: str, spec: PageSpec, ids, **options) -> Page:
    page = open_page(**options)
    if spec.who != "anyone":
        log_in(page, app_url, COORDINATOR[0] if spec.who == "coordinator" else MEMBER[0])
    response = page.goto(spec.url(ids))
    assert response is not None and response.status == spec.status, spec
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert page.title().endswith(" · Garden co-op") and "<" not in page.title(), page.title()
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_every_page_is_accessible(open_page, app_url, page_ids, spec: PageSpec, scheme: str):
    page = visit(open_page, app_url, spec, page_ids, color_scheme=scheme)
    assert_accessible(page)


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_every_page_fits_a_phone(open_page, app_url, page_ids, spec: PageSpec):
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    page = visit(open_page, app_url, spec, page_ids, **phone)
    assert_fits_phone(page)
    assert_accessible(page)  # contrast and targets also on the phone layout


def test_forms_with_errors_are_accessible(page: Page):
    """A wrong invite code: the error is announced, tied to its field, and passes axe."""
    page.goto("/register")
    page.get_by_label("Invite code").fill("nope")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_contain_text("Username: please fill this in")
    assert_accessible(page)


def test_wide_tables_reflow_on_a_phone(phone: Page):
    """Tables stack their cells on a phone (labels from data-label), instead of overflowing."""
    phone.goto("/")
    phone.evaluate(
        """() => {
          const heads = ['Shift', 'When', 'Where', 'Pairs', 'Waitlist', 'Harvest', 'Notes'];
          const table = document.createElement('table');
          table.innerHTML = '<caption>Week</caption><thead><tr>' +
            heads.map(h => `<th scope="col">${h}</th>`).join('') + '</tr></thead><tbody>' +
            [1, 2, 3].map(() => '<tr>' + heads.map(h =>
              `<td data-label="${h}">A long cell for ${h} with several words in it</td>`
            ).join('') + '</tr>').join('') + '</tbody>';
          document.querySelector('main').append(table);
        }"""
    )
    assert_tables_reflow(phone)
    assert_fits_phone(phone)
    phone.evaluate("() => document.querySelector('main table td').removeAttribute('data-label')")
    with pytest.raises(AssertionError, match="without their column's data-label"):
        assert_tables_reflow(phone)


def test_the_checks_catch_what_they_promise(phone: Page):
    """A control with no label, grey-on-white text and a wide box fail the helpers."""
    phone.goto("/login")
    phone.evaluate(
        """() => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend',
            '<input type="text" name="nameless"><p class="probe">faint words</p>' +
            '<div class="probe-wide">wide</div>');
          main.querySelector('.probe').style.color = '#ddd';
          main.querySelector('.probe-wide').style.width = '900px';
        }"""
    )
    with pytest.raises(
        AssertionError, match=r"label[\s\S]*color-contrast|color-contrast[\s\S]*label"
    ):
        assert_accessible(phone)
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_fits_phone(phone)


def test_htmx_is_ready_under_the_csp(page: Page, app_url: str):
    """htmx loads on every page without a CSP refusal, and its requests carry the CSRF token."""
    log_in(page, app_url, COORDINATOR[0])
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("() => htmx.config.allowEval") is False
    link = page.locator("section[aria-labelledby=calendar-heading] code")
    before = link.inner_text()
    status = page.evaluate(
        """() => new Promise(resolve => {
          document.body.addEventListener('htmx:afterRequest',
            event => resolve(event.detail.xhr.status), {once: true});
          htmx.ajax('POST', '/me/calendar-token', {source: document.body, swap: 'none'});
        })"""
    )
    assert status == 200  # the redirect to /me, followed: the CSRF check passed
    page.reload()
    assert link.inner_text() != before

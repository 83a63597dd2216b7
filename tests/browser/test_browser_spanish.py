"""Spanish in Chromium: every page of harness.PAGES speaks only Spanish, passes axe with
<html lang="es">, and a Spanish-speaking member can switch, sign up, be refused kindly, and
subscribe to a calendar that speaks Spanish too."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.icsparsers import read_strict

from .harness import (
    COORDINATOR,
    DESKTOP,
    MEMBER,
    PAGES,
    PASSWORD,
    PageSpec,
    assert_accessible,
    log_in,
    served_garden,
)
from .scene import Garden, furnish, unique

SPANISH_BROWSER = {"locale": "es-ES"}  # Chromium then sends Accept-Language: es-ES

# Names, not sentences: the app's name, the garden's own records from the page checks'
# furnishing (typed by people), and products and places people call by their names.
ALLOWED = [
    "Garden co-op",
    "Thursday harvest",
    "Strawberry picking",
    "Strawberry-basil pop",
    "Strawberry",
    "strawberry",
    "Albion",
    "Bed 1",
    "Bed 2",
    "4 × 8 ft",
    "America/Chicago",
    "Google Calendar",
    "Apple",
    "Outlook",
    "Thunderbird",
    "iPhone",
    "iPad",
    "Mac",
    "Windows",
    "Google",
    "ABCD-EFGH-JKLM-NPQR",
    "seed-saving",
    "PATCH",
]
# Words that are English and not Spanish: one of them left on a Spanish page is a sentence
# someone forgot to wrap (or to translate).
ENGLISH = set(
    re.findall(
        r"\S+",
        """the and of to you your is are was were with for this that these please shift shifts
    sign log logged on at up yet my our we it its be can will from or by an what who when where
    how here there all any every only new old save add edit cancel cancelled week day days open
    pair pairs partner partners harvest harvests sale sales crop crops bed beds calendar link
    settings page back next previous find none nobody waiting waitlist places place name
    username password report season hours amount date notes note more than before after about
    each made sold kind kinds change show download subscribe address copy phone skip main
    content out account data devices register join code invite role hello welcome yes not
    don't can't isn't we're you're it's couldn't found sorry picked logged weeding harvesting
    planting watering composting other market event wholesale online bunch came excused
    withdraw accept decline propose confirmed signed full first last share contact reminder
    minutes pace reports sales income week""",
    )
)


@pytest.fixture(scope="module")
def spanish_garden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """A garden of its own, holding only the page checks' records: other tests' English
    records (a shift called "Watering") would read as untranslated text."""
    with served_garden(tmp_path_factory.mktemp("spanish")) as base_url:
        yield base_url, furnish(Garden(base_url))


@pytest.fixture
def open_page(browser: Browser, spanish_garden) -> Iterator[Callable[..., Page]]:
    """Like conftest's open_page, on the Spanish garden; console errors fail the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def opener(**options: Any) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=spanish_garden[0], **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda m: (
                errors.append(m.text) if m.type == "error" and "status of 4" not in m.text else None
            ),
        )
        return page

    yield opener
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.fixture
def garden(spanish_garden) -> Garden:
    return Garden(spanish_garden[0])


@pytest.fixture
def page_ids(spanish_garden) -> dict:
    return spanish_garden[1]


@pytest.fixture
def app_url(spanish_garden) -> str:
    return spanish_garden[0]


def english_words(page: Page) -> list[str]:
    """English words a person would read on the page: text, title and labelling attributes."""
    text = page.evaluate(
        """() => [document.title, document.body.innerText,
            ...[...document.querySelectorAll(
                '[aria-label], [alt], [title], [placeholder], [data-label]')]
              .flatMap(e => ['aria-label', 'alt', 'title', 'placeholder', 'data-label']
                .map(a => e.getAttribute(a) || ''))].join('\\n')"""
    )
    text = re.sub(r"\S+://\S+|(?<!\w)/[\w./?=&%-]+", " ", text)  # addresses and paths
    for name in ALLOWED:
        text = text.replace(name, " ")
    words = re.findall(r"[A-Za-z][A-Za-z']*", text)
    return sorted({w for w in words if w.lower() in ENGLISH})


def log_in_spanish(page: Page, username: str) -> None:
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").last.click()
    page.wait_for_url(re.compile(r"/me$"))


def visit_in_spanish(open_page: Callable[..., Page], spec: PageSpec, ids) -> Page:
    page = open_page(**SPANISH_BROWSER)
    if spec.who != "anyone":
        log_in_spanish(page, COORDINATOR[0] if spec.who == "coordinator" else MEMBER[0])
    response = page.goto(spec.url(ids))
    assert response is not None and response.status == spec.status, spec
    assert page.get_attribute("html", "lang") == "es"
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    return page


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_every_page_speaks_only_spanish(open_page, page_ids, spec: PageSpec):
    page = visit_in_spanish(open_page, spec, page_ids)
    assert english_words(page) == [], f"English left on {spec.path}"
    assert_accessible(page)


def test_the_english_finder_finds_english(open_page, page_ids):
    """The finder is not blind: the same page in English is full of English words."""
    page = open_page(locale="en-US")
    page.goto("/login")
    assert {"Log", "in", "Password"} & set(english_words(page))


def test_a_spanish_members_day(open_page, garden, app_url):
    username = garden.member("Lucía", username=unique("lucia"))
    first = garden.shift("Riego de la tarde", kind="watering", days_ahead=3, hours=2)
    clash = garden.shift("Compost al mismo tiempo", kind="composting", days_ahead=3, hours=2)
    page = open_page(locale="en-US")
    log_in(page, app_url, username)

    # The switch, on every page: English to Español, and the choice stays on her account.
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Lucía")

    page.goto(f"/shifts/{first}")
    page.get_by_role("button", name="Inscribirme", exact=True).click()
    expect(page.locator("#shift-places [role=status]")).to_contain_text("Te inscribiste.")

    page.goto(f"/shifts/{clash}")
    page.get_by_role("button", name="Inscribirme", exact=True).click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("Ya tienes un turno a esa hora: Riego de la tarde")
    expect(refusal).to_contain_text("Nadie puede estar en dos lugares a la vez.")
    assert english_words(page) == []

    page.get_by_role("link", name="Calendario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suscríbete al calendario")
    assert_accessible(page)
    feed_url = page.locator("#mine-url").input_value()
    body = httpx.get(feed_url, timeout=10).content
    feed = read_strict(body)
    assert "X-WR-CALNAME:Mis turnos del huerto" in body.decode()
    [event] = [e for e in feed.events if e.summary == "Riego de la tarde"]
    assert event.description.startswith("Ya tienes tu lugar. Esperamos a que alguien se una")
    assert event.categories == ["Riego"]

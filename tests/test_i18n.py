"""Spanish, completely: the catalogue is whole, and every face of the app speaks the language.

The language is the member's own choice, else the switch's cookie, else Accept-Language, else
English; API refusals, flashes, pages and feeds all follow it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coop import catalogues, formatting
from coop.i18n import LANGUAGES, speaking
from coop.web.language import from_accept_language
from coop.web.urls import is_local_path
from tests.support.icsparsers import read_strict
from tests.support.rows import Rows

ZONE = ZoneInfo("America/Chicago")
SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


# --- the catalogue --------------------------------------------------------------------------


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_sentence_has_a_finished_translation(language: str) -> None:
    gaps = catalogues.gaps(language)
    assert gaps == {"untranslated": [], "fuzzy": [], "missing": []}, (
        "Run `make messages` and translate what it lists (see docs/LANGUAGES.md)."
    )


def test_the_template_catalogue_matches_the_code() -> None:
    in_pot = {catalogues._msgid(m.id) for m in catalogues.read(catalogues.POT) if m.id}
    in_code = catalogues.extracted()
    assert in_code - in_pot == set(), "New sentences: run `make messages` and translate them."
    assert in_pot - in_code == set(), "Sentences gone from the code: run `make messages`."


def test_translations_keep_every_placeholder() -> None:
    import re

    for message in catalogues.catalogue("es"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for text in strings:
            # A singular may say "un turno" instead of "%(num)d turno"; nothing else may drop.
            assert set(re.findall(r"%\(\w+\)[sd]", text)) | {"%(num)d"} >= wanted, message.id


def test_plural_forms_follow_the_number_in_both_languages() -> None:
    from coop.i18n import ngettext

    singular = "%(open)s of %(num)s pair place open."
    plural = "%(open)s of %(num)s pair places open."
    expected = {
        ("en", 1): "1 of 1 pair place open.",
        ("en", 2): "1 of 2 pair places open.",
        ("es", 1): "1 de 1 lugar para parejas libre.",
        ("es", 2): "1 de 2 lugares para parejas libres.",
    }
    for (language, slots), text in expected.items():
        with speaking(language):
            assert ngettext(singular, plural, slots, open=1) == text


# --- choosing the language ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("es-MX,es;q=0.9,en;q=0.5", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-CA,fr;q=0.9,es;q=0.5", "es"),
        ("de, en;q=0.1, es;q=0.3", "es"),
        ("es;q=0, en", "en"),
        ("fr", None),
        ("", None),
        ("es;q=nonsense, en;q=0.2", "en"),
    ],
)
def test_accept_language_picks_the_best_language_we_speak(header: str, language: str | None):
    assert from_accept_language(header) == language


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/shifts/3?week=2", "/shifts/3?week=2"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        (None, "/"),
    ],
)
def test_the_switch_goes_back_only_to_a_local_path(target, expected):
    assert (target if is_local_path(target) else "/") == expected


async def test_an_api_refusal_speaks_spanish_with_accept_language(client, garden):
    anonymous = garden.anonymous()
    refused = await anonymous.get("/api/me", headers=SPANISH)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Primero inicia sesión, por favor."
    english = await anonymous.get("/api/me")
    assert english.json()["detail"] == "Please log in first."
    # Unknown paths never pass the route middleware, and still answer in Spanish.
    lost = await anonymous.get("/api/no-such-thing", headers=SPANISH)
    assert lost.status_code == 404
    assert lost.json()["detail"].startswith("No encontramos esa página.")
    lost_page = await anonymous.get("/no-such-page", headers={**SPANISH, "Accept": "text/html"})
    assert '<html lang="es">' in lost_page.text and "No encontramos esa página" in lost_page.text


async def test_a_validation_refusal_names_the_field_in_spanish(client, garden):
    ana = await garden.member("ana")
    refused = await ana.patch("/api/me", json={"display_name": ""}, headers=SPANISH)
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "Revisa esto, por favor: Nombre visible: usa al menos 1 carácter."
    )


async def test_the_members_language_wins_over_the_browser(client, garden):
    ana = await garden.member("ana")
    assert (await ana.get("/api/me")).json()["language"] is None
    chosen = await ana.patch("/api/me", json={"language": "es"})
    assert chosen.status_code == 200 and chosen.json()["language"] == "es"
    english_browser = {"Accept-Language": "en-US"}
    refused = await ana.post("/api/shifts/999999/placements", json={}, headers=english_browser)
    assert refused.status_code == 404
    assert refused.json()["detail"] == "No encontramos ese turno. Puede que se haya quitado."
    page = await ana.get("/me", headers=english_browser)
    assert '<html lang="es">' in page.text
    # null gives the choice back to the browser.
    back = await ana.patch("/api/me", json={"language": None})
    assert back.json()["language"] is None
    page = await ana.get("/me", headers=english_browser)
    assert '<html lang="en">' in page.text


async def test_an_unknown_language_is_a_kind_refusal_that_changes_nothing(client, garden):
    ana = await garden.member("ana")
    await ana.patch("/api/me", json={"language": "es"})
    refused = await ana.patch("/api/me", json={"language": "fr"})
    assert refused.status_code == 400
    assert "Idioma" in refused.json()["detail"]
    assert (await ana.get("/api/me")).json()["language"] == "es"


async def test_the_switch_remembers_a_visitors_choice_in_a_cookie(client, garden):
    visitor = garden.anonymous()
    switched = await visitor.form(
        "/language", {"language": "es", "next": "/calendar"}, follow_redirects=False
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/calendar"
    assert visitor.cookies.get("coop_language") == "es"
    page = await visitor.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in page.text
    # Off-site targets go home instead.
    away = await visitor.form(
        "/language", {"language": "en", "next": "//evil.example/"}, follow_redirects=False
    )
    assert away.headers["location"] == "/"
    assert '<html lang="en">' in (await visitor.get("/login", headers=SPANISH)).text


async def test_the_switch_needs_the_csrf_token(client, garden):
    visitor = garden.anonymous()
    await visitor.get("/login")
    visitor.client.cookies = visitor.cookies
    refused = await client.post("/language", data={"language": "es", "next": "/"})
    assert refused.status_code == 403
    assert "coop_language" not in refused.headers.get("set-cookie", "")


async def test_the_switch_saves_a_members_choice_on_their_account(client, garden):
    ana = await garden.member("ana")
    await ana.form("/language", {"language": "es", "next": "/me"}, follow_redirects=False)
    assert (await ana.get("/api/me")).json()["language"] == "es"
    await ana.form("/language", {"language": "en", "next": "/me"}, follow_redirects=False)
    assert (await ana.get("/api/me")).json()["language"] == "en"


async def test_the_settings_form_sets_the_language(client, garden):
    ana = await garden.member("ana")
    saved = await ana.form(
        "/me/settings",
        {"display_name": "Ana", "language": "es"},
        follow_redirects=False,
    )
    assert saved.status_code in (302, 303)
    assert (await ana.get("/api/me")).json()["language"] == "es"
    page = await ana.get("/me")
    assert "Tu configuración está guardada." in page.text


# --- feeds ----------------------------------------------------------------------------------


def _soon(days: int, hour: int = 9) -> datetime:
    day = (datetime.now(UTC) + timedelta(days=days)).astimezone(ZONE).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC)


async def test_the_personal_feed_speaks_the_members_language(client, garden):
    rows = Rows(client, title="Weeding", location="North beds", pair_slots=2)
    ana = await garden.member("ana")
    ben = await garden.member("ben")
    weeding = rows.shift(_soon(3), title="Deshierbe del norte")
    cancelled = rows.shift(_soon(4), title="Riego", status="cancelled", cancel_reason="Calor")
    rows.place(weeding, ana.id, ben.id)
    rows.place(cancelled, ana.id)
    url = (await ana.get("/api/me")).json()["calendar_url"].removeprefix("http://testserver.local")

    english = read_strict((await client.get(url)).content)
    assert english.prodid and any(e.summary == "Cancelled: Riego" for e in english.events)

    await ana.patch("/api/me", json={"language": "es"})
    body = (await client.get(url)).content
    feed = read_strict(body)
    events = {e.summary: e for e in feed.events}
    assert events["Cancelado: Riego"].description.startswith("Cancelado: Calor")
    assert events["Deshierbe del norte"].description.startswith("Con tu pareja: Ben.")
    assert "X-WR-CALNAME:Mis turnos del huerto" in body.decode()


async def test_season_and_kind_feeds_take_lang(client, garden):
    rows = Rows(client, title="Weeding", location="North beds", pair_slots=2)
    await garden.first_coordinator()
    rows.shift(_soon(3), title="Morning weeding", pair_slots=2)
    coordinator = garden.coordinator
    season_es = (await coordinator.get("/calendar/season.ics?lang=es")).content
    feed = read_strict(season_es)
    assert feed.events[0].description.startswith("Lugares para parejas libres: 2 de 2")
    assert "X-WR-CALNAME:Turnos del huerto" in season_es.decode()
    season_en = (await coordinator.get("/calendar/season.ics")).content
    assert read_strict(season_en).events[0].description.startswith("Open pair places: 2 of 2")
    kind_es = (await coordinator.get("/calendar/kinds/weeding.ics?lang=es")).content
    assert "X-WR-CALNAME:Turnos del huerto: Deshierbe" in kind_es.decode()
    assert read_strict(kind_es).events[0].categories == ["Deshierbe"]
    # An unknown language keeps a subscribed link working: English.
    other = (await coordinator.get("/calendar/season.ics?lang=xx")).content
    assert b"Open pair places" in other


async def test_the_subscribe_page_offers_both_languages(client, garden):
    ana = await garden.member("ana")
    await ana.patch("/api/me", json={"language": "es"})
    page = (await ana.get("/calendar")).text
    assert "/calendar/season.ics?lang=es" in page
    assert "/calendar/kinds/weeding.ics?lang=es" in page
    assert 'value="http://testserver.local/calendar/season.ics"' in page or (
        'href="http://testserver.local/calendar/season.ics"' in page
    )


# --- formatting -----------------------------------------------------------------------------


def test_dates_numbers_and_money_follow_the_language() -> None:
    moment = datetime(2026, 6, 6, 14, 0, tzinfo=UTC)  # 9:00 in Chicago
    with speaking("en"):
        assert formatting.when(moment, ZONE) == "Saturday 6 June, 9:00 am"
        assert formatting.number(Decimal("2.05")) == "2.05"
        assert formatting.money(629500) == "$6,295"
        assert formatting.money(629550) == "$6,295.50"
        assert formatting.parse_decimal("1,234.5") == Decimal("1234.5")
    with speaking("es"):
        assert formatting.when(moment, ZONE) == "sábado 6 de junio, 9:00"
        assert formatting.number(Decimal("2.05")) == "2,05"
        assert formatting.money(629550) == "$6,295.50"
        assert formatting.parse_decimal("2,05") == Decimal("2.05")
        assert formatting.parse_decimal("2.05") == Decimal("2.05")
        with pytest.raises(ValueError):
            formatting.parse_decimal("dos")


async def test_a_spanish_harvest_form_takes_a_decimal_comma(client, garden):
    rows = Rows(client, title="Weeding", location="North beds", pair_slots=2)
    maria = await garden.first_coordinator()
    await maria.patch("/api/me", json={"language": "es"})
    crops = (await maria.get("/api/crops")).json()
    if not crops:
        created = await maria.post("/api/crops", json={"name": "Tomate"})
        assert created.status_code == 201, created.text
        crops = [created.json()]
    shift_id = rows.shift(_soon(-1))
    del shift_id
    day = datetime.now(ZONE).date().isoformat()
    logged = await maria.form(
        "/harvests",
        {"crop_id": crops[0]["id"], "quantity": "2,05", "unit": "kg", "harvested_on": day},
        follow_redirects=False,
    )
    assert logged.status_code in (302, 303), logged.text[:2000]
    harvests = (await maria.get("/api/harvests")).json()
    assert [h["quantity"] for h in harvests] == ["2.05"]

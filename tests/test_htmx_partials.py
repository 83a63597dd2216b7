"""htmx requests get just the part of the page that changes; plain requests get the whole page.

The browser tests prove the swap in Chromium; these prove the answers on both engines.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.rows import Rows

HTMX = {"HX-Request": "true"}


async def test_sign_up_and_withdraw_answer_htmx_with_the_places_part(client, garden):
    shift_id = Rows(client).shift(title="Mulching", pair_slots=1)
    ana, ben = await garden.member("ana"), await garden.member("ben")

    signed = await ana.form(f"/shifts/{shift_id}/sign-up", {}, headers=HTMX)
    assert signed.status_code == 200
    assert signed.text.lstrip().startswith('<div id="shift-places">')
    assert "<html" not in signed.text and "<nav" not in signed.text
    assert "The next person who signs up will be your partner" in signed.text
    assert 'role="status" tabindex="-1" autofocus' in signed.text
    assert 'hx-post="/placements/' in signed.text

    full = await ben.form(f"/shifts/{shift_id}/sign-up", {})  # no htmx: redirect, whole page
    assert "<html" in full.text and "You're signed up, side by side with Ana" in full.text

    place = next(p for p in (await ana.get("/api/me/placements")).json())
    gone = await ana.form(
        f"/placements/{place['id']}/withdraw",
        {"next": f"/shifts/{shift_id}", "shift_id": str(shift_id)},
        headers=HTMX,
    )
    assert gone.status_code == 200 and "<html" not in gone.text
    assert "withdrawn. Thanks for letting the garden know." in gone.text
    assert "Ben (waiting for a partner)" in gone.text
    assert ">Sign up</button>" in gone.text
    # The message was given in place: it does not wait in the session for the next page.
    assert "withdrawn. Thanks" not in (await ana.get("/me")).text


async def test_a_refusal_comes_back_in_place_with_its_status(client, garden):
    shift_id = Rows(client).shift(title="Early watering", pair_slots=1)
    coordinator = await garden.first_coordinator()
    cancelled = await coordinator.post(f"/api/shifts/{shift_id}/cancel", json={"reason": "hail"})
    assert cancelled.status_code == 200
    ana = await garden.member("ana")
    refused = await ana.form(f"/shifts/{shift_id}/sign-up", {}, headers=HTMX)
    assert refused.status_code == 409
    assert "<html" not in refused.text
    assert 'role="alert"' in refused.text and "That shift was cancelled (hail)" in refused.text


async def test_the_kind_filter_answers_htmx_with_the_week_alone(client, garden):
    soon = datetime.now(UTC) + timedelta(hours=2)
    Rows(client).shift(title="Turning compost", starts_at=soon, kind="composting")
    Rows(client).shift(title="Weeding paths", starts_at=soon)
    visitor = garden.anonymous()

    part = await visitor.get("/?week=0&kind=composting", headers=HTMX)
    assert part.text.lstrip().startswith('<div id="shift-weeks">')
    assert "Turning compost" in part.text and "Weeding paths" not in part.text
    # htmx restoring history asks for the whole page.
    restore = {**HTMX, "HX-History-Restore-Request": "true"}
    whole = await visitor.get("/?week=0&kind=composting", headers=restore)
    assert "<html" in whole.text and 'hx-get="/"' in whole.text

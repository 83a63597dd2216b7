"""The shift pages as a new member uses them: no JavaScript, plain forms, kind messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.rows import Rows


async def test_the_week_ahead_with_open_places_and_kind_filter(client, garden):
    soon = datetime.now(UTC) + timedelta(hours=2)
    Rows(client).shift(title="Weeding the herbs", starts_at=soon, pair_slots=3)
    Rows(client).shift(title="Compost turning", starts_at=soon, kind="composting")
    Rows(client).shift(title="Later harvest", starts_at=soon + timedelta(days=8))
    visitor = garden.anonymous()

    page = await visitor.get("/")
    assert page.status_code == 200
    assert "Weeding the herbs" in page.text and "Compost turning" in page.text
    assert "3 of 3 pair places open" in page.text
    assert "Later harvest" not in page.text
    assert 'href="/?week=1"' in page.text

    filtered = await visitor.get("/?kind=composting")
    assert "Compost turning" in filtered.text and "Weeding the herbs" not in filtered.text
    later = await visitor.get("/?week=1")
    assert "Later harvest" in later.text or "Later harvest" in (await visitor.get("/?week=2")).text


async def test_sign_up_withdraw_and_my_shifts_without_javascript(client, garden):
    shift_id = Rows(client).shift(title="Watering the seedlings", pair_slots=1)
    ana, ben, cai = [await garden.member(n) for n in ("ana", "ben", "cai")]

    page = await ana.get(f"/shifts/{shift_id}")
    assert f'action="/shifts/{shift_id}/sign-up"' in page.text
    assert '<input type="hidden" name="_csrf_token"' in page.text  # a real browser's form works
    assert ">Sign up</button>" in page.text
    signed = await ana.form(f"/shifts/{shift_id}/sign-up", {})
    assert "The next person who signs up will be your partner" in signed.text
    assert ">Withdraw</button>" in signed.text

    await ben.form(f"/shifts/{shift_id}/sign-up", {})
    full = await cai.form(f"/shifts/{shift_id}/sign-up", {})
    assert "That shift is full. You&#39;re on the waitlist, number 1." in full.text

    roster = await cai.get(f"/shifts/{shift_id}")
    assert "Ana and Ben" in roster.text

    me = await cai.get("/me")
    assert "My shifts" in me.text
    assert "On the waitlist, number 1" in me.text
    me = await ana.get("/me")
    assert "Confirmed, with Ben" in me.text

    place = (await ana.get("/api/me/placements")).json()[0]
    left = await ana.form(f"/placements/{place['id']}/withdraw", {"next": f"/shifts/{shift_id}"})
    assert "You&#39;ve withdrawn." in left.text
    assert "Ben and Cai" in (await ana.get(f"/shifts/{shift_id}")).text


async def test_sign_up_with_a_partner_button_and_kind_errors(client, garden):
    shift_id = Rows(client).shift(title="Bean planting", pair_slots=2)
    sam, jo = await garden.member("sam", "Sam"), await garden.member("jo", "Jo")
    pair_id = (await sam.post("/api/pairs", json={"partner": "jo"})).json()["id"]
    await jo.post(f"/api/pairs/{pair_id}/accept")

    page = await sam.get(f"/shifts/{shift_id}")
    assert "Sign up with Jo</button>" in page.text
    together = await sam.form(f"/shifts/{shift_id}/sign-up", {"pair_id": str(pair_id)})
    assert "You and Jo are signed up together." in together.text

    other = Rows(client).shift(title="Overlapping")
    refused = await jo.form(f"/shifts/{other}/sign-up", {})
    assert refused.status_code == 409
    assert "You already have a shift at that time: Bean planting" in refused.text
    assert "<h1>Overlapping</h1>" in refused.text

    anonymous = garden.anonymous()
    assert "Log in</a> to sign up" in (await anonymous.get(f"/shifts/{shift_id}")).text
    assert (await anonymous.get("/shifts/999999")).status_code == 404


async def test_no_sign_up_with_a_partner_who_is_already_on_the_shift(garden, client):
    sam = await garden.member("sam", "Sam")
    jo = await garden.member("jo", "Jo")
    nia = await garden.member("nia", "Nia")
    for partner in (jo, nia):
        proposed = await sam.post("/api/pairs", json={"partner": partner.username})
        assert (await partner.post(f"/api/pairs/{proposed.json()['id']}/accept")).status_code == 200
    shift_id = Rows(client).shift(pair_slots=2)
    placed = await sam.post(f"/api/shifts/{shift_id}/placements", json={})
    assert placed.status_code == 201
    assert (await nia.post(f"/api/shifts/{shift_id}/placements", json={})).status_code == 201

    page = await jo.get(f"/shifts/{shift_id}")
    assert page.status_code == 200
    assert "Sign up with Sam" not in page.text  # Sam already has a place here
    assert ">Sign up<" in page.text

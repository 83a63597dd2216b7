"""Pairs by consent: propose, accept or decline, end; both partners see the same pair."""

from __future__ import annotations

from tests.support.rows import Rows


async def propose(one, two):
    return await one.post("/api/pairs", json={"partner": two.username})


async def test_a_pair_forms_only_when_the_invited_partner_accepts(client, garden, settings):
    sam, jo = await garden.member("sam", "Sam"), await garden.member("jo", "Jo")
    response = await propose(jo, sam)
    assert response.status_code == 201
    pair_id = response.json()["id"]
    assert response.json() == {"id": pair_id, "status": "proposed"}

    own_answer = await jo.post(f"/api/pairs/{pair_id}/accept")
    assert own_answer.status_code == 403
    assert "the answer is your partner's to give" in own_answer.json()["detail"]

    accepted = await sam.post(f"/api/pairs/{pair_id}/accept")
    assert accepted.status_code == 200
    assert accepted.json() == {"id": pair_id, "status": "active"}

    seen_by_sam = (await sam.get(f"/api/pairs/{pair_id}")).json()
    seen_by_jo = (await jo.get(f"/api/pairs/{pair_id}")).json()
    shared = {"id", "status", "members", "calendar_url"}
    assert {k: seen_by_sam[k] for k in shared} == {k: seen_by_jo[k] for k in shared}
    assert seen_by_sam["status"] == "active"
    # member_a is simply the lower id: Sam registered first.
    assert [m["display_name"] for m in seen_by_sam["members"]] == ["Sam", "Jo"]
    assert seen_by_sam["calendar_url"].startswith(f"{settings.base_url}/calendar/pairs/")
    assert seen_by_sam["calendar_url"].endswith(".ics")
    assert len(seen_by_sam["calendar_url"].rsplit("/", 1)[1]) > 40


async def test_others_cannot_see_or_change_a_pair(client, garden):
    sam, jo, kim = [await garden.member(n) for n in ("sam", "jo", "kim")]
    pair_id = (await propose(sam, jo)).json()["id"]
    for action in ("accept", "decline", "end"):
        response = await kim.post(f"/api/pairs/{pair_id}/{action}")
        assert response.status_code == 404
    missing = await kim.get(f"/api/pairs/{pair_id}")
    nothing = await kim.get("/api/pairs/999999")
    assert missing.status_code == nothing.status_code == 404
    assert missing.json()["detail"] == nothing.json()["detail"]
    assert (await garden.anonymous().get(f"/api/pairs/{pair_id}")).status_code == 401


async def test_declining_is_kind_and_final(client, garden):
    sam, jo = await garden.member("sam"), await garden.member("jo")
    pair_id = (await propose(sam, jo)).json()["id"]
    declined = await jo.post(f"/api/pairs/{pair_id}/decline")
    assert declined.json() == {"id": pair_id, "status": "declined"}
    again = await jo.post(f"/api/pairs/{pair_id}/accept")
    assert again.status_code == 409
    assert again.json()["detail"] == "This pair isn't waiting for an answer any more."
    assert (await sam.get(f"/api/pairs/{pair_id}")).json()["calendar_url"] is None
    # After a no, a new proposal is possible.
    assert (await propose(sam, jo)).status_code == 201


async def test_no_pairing_with_yourself_or_twice(client, garden):
    sam, jo = await garden.member("sam", "Sam"), await garden.member("jo", "Jo")
    self_pair = await sam.post("/api/pairs", json={"partner": "sam"})
    assert self_pair.status_code == 409
    assert self_pair.json()["detail"] == "A pair is two people, so you can't pair with yourself."

    pair_id = (await propose(sam, jo)).json()["id"]
    for one, two in ((sam, jo), (jo, sam)):
        twice = await propose(one, two)
        assert twice.status_code == 409
        assert "already have a pair proposal waiting" in twice.json()["detail"]
    await jo.post(f"/api/pairs/{pair_id}/accept")
    active = await propose(jo, sam)
    assert active.status_code == 409
    assert active.json()["detail"] == "You and Sam are already partners."

    unknown = await sam.post("/api/pairs", json={"partner": "nobody"})
    assert unknown.status_code == 404
    assert "couldn't find anyone with the username “nobody”" in unknown.json()["detail"]


async def test_either_partner_may_end_a_pair(client, garden):
    sam, jo = await garden.member("sam"), await garden.member("jo")
    for ender in (sam, jo):
        pair_id = (await propose(sam, jo)).json()["id"]
        await jo.post(f"/api/pairs/{pair_id}/accept")
        ended = await ender.post(f"/api/pairs/{pair_id}/end")
        assert ended.json() == {"id": pair_id, "status": "ended"}
        assert (await sam.get(f"/api/pairs/{pair_id}")).json()["calendar_url"] is None
    assert (await jo.post(f"/api/pairs/{pair_id}/end")).status_code == 409


async def test_a_peer_supporter_may_have_several_partners(client, garden):
    lee = await garden.member("lee", "Lee", role="peer_supporter")
    others = [await garden.member(n) for n in ("ana", "ben", "cai")]
    for other in others:
        pair_id = (await propose(lee, other)).json()["id"]
        await other.post(f"/api/pairs/{pair_id}/accept")
    mine = (await lee.get("/api/pairs")).json()
    assert [p["status"] for p in mine] == ["active"] * 3
    assert sorted(p["partner"]["display_name"] for p in mine) == ["Ana", "Ben", "Cai"]
    assert len((await lee.get("/api/pairs?limit=2")).json()) == 2


async def test_the_pairs_page_without_javascript(client, garden):
    sam, jo = await garden.member("sam", "Sam"), await garden.member("jo", "Jo")
    page = await jo.form("/pairs", {"partner": "sam"})
    assert page.status_code == 200  # followed the redirect
    assert "Your proposal is sent" in page.text
    assert "You asked Sam." in page.text

    invited = await sam.get("/pairs")
    assert '<input type="hidden" name="_csrf_token"' in invited.text
    assert "Jo would like to be partners." in invited.text
    pair_id = (await sam.get("/api/pairs")).json()[0]["id"]
    assert f'action="/pairs/{pair_id}/accept"' in invited.text
    accepted = await sam.form(f"/pairs/{pair_id}/accept", {})
    assert "You&#39;re partners now." in accepted.text

    shift_id = Rows(client).shift(title="Strawberry picking", pair_slots=2)
    await sam.post(f"/api/shifts/{shift_id}/placements", json={"pair_id": pair_id})
    for person in (sam, jo):
        page = await person.get("/pairs")
        assert "Sam and Jo" in page.text
        assert "Strawberry picking" in page.text
        assert "End this pair" in page.text

    mistake = await sam.form("/pairs", {"partner": "sam"})
    assert mistake.status_code == 409
    assert "you can&#39;t pair with yourself" in mistake.text
    assert 'value="sam"' in mistake.text

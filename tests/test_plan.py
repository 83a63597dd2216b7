"""Planning single shifts, kinds, edits and cancellations, over HTTP as a coordinator would."""

from __future__ import annotations

import re

import pytest

from coop.tables import Series, Shift
from tests.support.rows import Rows, in_app

WEEDING = {
    "title": "Tuesday weeding",
    "kind": "weeding",
    "starts_at": "2027-06-01T09:00",
    "ends_at": "2027-06-01T11:00",
    "pair_slots": 3,
    "location": "Beds 1–3",
}


def count_shifts(client) -> int:
    return in_app(client, Shift.count())


def count_series(client) -> int:
    return in_app(client, Series.count())


async def plan_shift(coordinator, **changes) -> dict:
    response = await coordinator.post("/api/shifts", json={**WEEDING, **changes})
    assert response.status_code == 201, response.text
    return response.json()


def edit_form(**changes: str) -> dict[str, str]:
    """The /plan/shifts/{id} form as the WEEDING shift fills it, with ``changes``."""
    return {
        "title": "Tuesday weeding",
        "kind": "weeding",
        "date": "2027-06-01",
        "start_time": "09:00",
        "end_time": "11:00",
        "pair_slots": "3",
        "location": "Beds 1–3",
        "notes": "",
        **changes,
    }


# --- who may plan --------------------------------------------------------------------------------

GUARDED = [
    ("POST", "/api/kinds", {"slug": "seed-saving", "label": "Seed saving"}),
    ("POST", "/api/shifts", WEEDING),
    ("PATCH", "/api/shifts/1", {"title": "Mine now"}),
    ("POST", "/api/shifts/1/cancel", {"reason": "because"}),
    ("POST", "/api/days/2027-06-01/cancel", {"reason": "heat advisory"}),
    (
        "POST",
        "/api/series",
        {
            "title": "Weeding",
            "kind": "weeding",
            "rrule": "FREQ=WEEKLY;COUNT=3",
            "first_date": "2027-06-01",
            "start_time": "09:00",
            "end_time": "11:00",
            "pair_slots": 2,
            "location": "Bed 1",
        },
    ),
]


@pytest.mark.parametrize("role", ["participant", "peer_supporter", "anonymous"])
@pytest.mark.parametrize(
    ("method", "url", "body"), GUARDED, ids=[f"{m} {u}" for m, u, _ in GUARDED]
)
async def test_only_coordinators_plan(garden, client, role, method, url, body):
    coordinator = await garden.first_coordinator()
    shift = await plan_shift(coordinator)
    assert shift["id"] == 1
    if role == "anonymous":
        user, expected = garden.anonymous(), 401
    else:
        user, expected = await garden.member("jo", "Jo", role=role), 403

    response = await user.request(method, url, json=body)

    assert response.status_code == expected, response.text
    if expected == 403:
        assert response.json()["detail"].startswith("Only coordinators can do that.")
    assert count_shifts(client) == 1
    assert count_series(client) == 0
    kinds = (await user.get("/api/kinds")).json()
    assert "seed-saving" not in [kind["slug"] for kind in kinds]
    unchanged = in_app(client, Shift.select().where(Shift.id == 1).first())
    assert (unchanged["title"], unchanged["status"], unchanged["sequence"]) == (
        "Tuesday weeding",
        "scheduled",
        0,
    )


PAGE_FORMS = [
    ("/plan/series", {"title": "Mine", "kind": "weeding", "days": ["TU"], "action": "create"}),
    ("/plan/shifts", {"title": "Mine", "kind": "weeding", "date": "2027-06-02"}),
    ("/plan/kinds", {"slug": "mine", "label": "Mine"}),
    ("/plan/days/cancel", {"day": "2027-06-01", "reason": "Mine"}),
    ("/plan/shifts/1", {"title": "Mine"}),
    ("/plan/shifts/1/cancel", {"reason": "Mine"}),
]


@pytest.mark.parametrize("path", ["/plan", "/plan/shifts/1"] + [url for url, _ in PAGE_FORMS])
@pytest.mark.parametrize("role", ["participant", "peer_supporter"])
async def test_planner_pages_are_for_coordinators(garden, client, role, path):
    coordinator = await garden.first_coordinator()
    await plan_shift(coordinator)
    member = await garden.member("sam", "Sam", role=role)
    form = dict(PAGE_FORMS).get(path)

    response = await (member.form(path, form) if form else member.get(path))
    anonymous = garden.anonymous()
    as_anonymous = await (anonymous.form(path, form) if form else anonymous.get(path))

    assert response.status_code == 403
    assert "Only coordinators can do that" in response.text
    assert as_anonymous.url.path == "/login"
    assert "next=" in str(as_anonymous.url)
    assert count_shifts(client) == 1
    shift = in_app(client, Shift.select().where(Shift.id == 1).first())
    assert (shift["title"], shift["status"], shift["sequence"]) == (
        "Tuesday weeding",
        "scheduled",
        0,
    )
    kinds = (await member.get("/api/kinds")).json()
    assert "mine" not in [kind["slug"] for kind in kinds]


# --- kinds ---------------------------------------------------------------------------------------


async def test_the_default_kinds_exist_and_coordinators_add_more(garden):
    coordinator = await garden.first_coordinator()
    kinds = (await garden.anonymous().get("/api/kinds")).json()
    assert [k["slug"] for k in kinds] == [
        "planting",
        "weeding",
        "harvesting",
        "composting",
        "watering",
        "other",
        "market",
    ]

    added = await coordinator.post(
        "/api/kinds", json={"slug": "seed-saving", "label": "Seed saving"}
    )
    again = await coordinator.post("/api/kinds", json={"slug": "seed-saving", "label": "Seeds"})
    shouty = await coordinator.post("/api/kinds", json={"slug": "Seed Saving!", "label": "Seeds"})

    assert added.status_code == 201, added.text
    assert added.json() == {"slug": "seed-saving", "label": "Seed saving"}
    assert again.status_code == 409
    assert "already a kind of shift called “seed-saving”" in again.json()["detail"]
    assert shouty.status_code == 400
    kinds = (await coordinator.get("/api/kinds")).json()
    assert kinds[-1] == {"slug": "seed-saving", "label": "Seed saving"}
    assert len(kinds) == 8
    shift = await plan_shift(coordinator, kind="seed-saving")
    assert shift["kind"] == "seed-saving"


# --- single shifts -------------------------------------------------------------------------------


async def test_a_single_shift_is_read_on_the_garden_clock_and_stored_in_utc(garden):
    coordinator = await garden.first_coordinator()

    summer = await plan_shift(coordinator)
    winter = await plan_shift(coordinator, starts_at="2027-01-12T09:00", ends_at="2027-01-12T11:30")
    with_offset = await plan_shift(
        coordinator, starts_at="2027-06-01T09:00:00+02:00", ends_at="2027-06-01T10:00:00Z"
    )

    assert summer == {
        "id": summer["id"],
        "title": "Tuesday weeding",
        "kind": "weeding",
        "starts_at": "2027-06-01T14:00:00Z",
        "ends_at": "2027-06-01T16:00:00Z",
        "location": "Beds 1–3",
        "pair_slots": 3,
        "open_slots": 3,
        "taken_slots": 0,
        "status": "scheduled",
        "cancel_reason": "",
        "notes": "",
        "sequence": 0,
        "series_id": None,
        "updated_at": summer["updated_at"],
    }
    assert (winter["starts_at"], winter["ends_at"]) == (
        "2027-01-12T15:00:00Z",
        "2027-01-12T17:30:00Z",
    )
    assert (with_offset["starts_at"], with_offset["ends_at"]) == (
        "2027-06-01T07:00:00Z",
        "2027-06-01T10:00:00Z",
    )


BAD_SHIFTS = [
    ({"ends_at": "2027-06-01T08:00"}, 422, "The shift needs to end after it starts."),
    ({"ends_at": "2027-06-01T09:00"}, 422, "The shift needs to end after it starts."),
    ({"ends_at": "2027-06-02T09:00"}, 422, "A shift can be at most 16 hours long."),
    ({"pair_slots": 0}, 400, "pair_slots"),
    ({"pair_slots": 1000}, 400, "pair_slots"),
    ({"pair_slots": "three"}, 400, "pair_slots"),
    ({"title": ""}, 400, "title"),
    ({"title": "x" * 121}, 400, "title"),
    ({"kind": "dancing"}, 422, "We don't know the kind of shift “dancing”."),
    ({"starts_at": "1900-06-01T09:00", "ends_at": "1900-06-01T11:00"}, 422, "check the year"),
    ({"starts_at": "9999-06-01T09:00", "ends_at": "9999-06-01T11:00"}, 422, "check the year"),
    ({"starts_at": "2027-02-30T09:00"}, 422, "please give a date and time like"),
    ({"starts_at": "tomorrow morning"}, 422, "please give a date and time like"),
    ({"starts_at": "2027-03-14T02:30", "ends_at": "2027-03-14T04:00"}, 422, "clocks jump"),
    ({"location": "x" * 121}, 400, "location"),
    ({"title": None}, 400, "title"),
]


@pytest.mark.parametrize(("change", "status", "message"), BAD_SHIFTS)
async def test_bad_shift_input_is_refused_kindly_and_changes_nothing(
    garden, client, change, status, message
):
    coordinator = await garden.first_coordinator()
    await plan_shift(coordinator)

    response = await coordinator.post("/api/shifts", json={**WEEDING, **change})

    assert response.status_code == status, response.text
    answer = response.json()
    assert message in answer["detail"] or message in str(answer["extra"])
    assert count_shifts(client) == 1


async def test_a_shift_needs_every_field(garden, client):
    coordinator = await garden.first_coordinator()
    body = {k: v for k, v in WEEDING.items() if k != "ends_at"}
    response = await coordinator.post("/api/shifts", json=body)
    assert response.status_code == 400
    assert "ends_at" in str(response.json()["extra"])
    assert count_shifts(client) == 0


# --- edits and the sequence a calendar reads -----------------------------------------------------


async def test_every_change_a_calendar_shows_bumps_the_sequence(garden):
    coordinator = await garden.first_coordinator()
    shift = await plan_shift(coordinator)
    url = f"/api/shifts/{shift['id']}"

    async def edit(**body):
        response = await coordinator.patch(url, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    renamed = await edit(title="Weeding and mulching")
    same = await edit(title="Weeding and mulching")
    more_room = await edit(pair_slots=5)
    moved = await edit(starts_at="2027-06-01T10:00", ends_at="2027-06-01T12:00")
    elsewhere = await edit(location="Herb spiral")
    other_kind = await edit(kind="watering")
    noted = await edit(notes="Bring gloves")

    assert renamed["sequence"] == 1
    assert renamed["updated_at"] > shift["updated_at"]
    assert same["sequence"] == 1
    assert (more_room["sequence"], more_room["pair_slots"], more_room["open_slots"]) == (1, 5, 5)
    assert (moved["sequence"], moved["starts_at"], moved["ends_at"]) == (
        2,
        "2027-06-01T15:00:00Z",
        "2027-06-01T17:00:00Z",
    )
    assert (elsewhere["sequence"], elsewhere["location"]) == (3, "Herb spiral")
    assert (other_kind["sequence"], other_kind["kind"]) == (4, "watering")
    assert (noted["sequence"], noted["notes"]) == (5, "Bring gloves")
    assert noted["series_id"] is None


async def test_bad_edits_change_nothing(garden, client):
    coordinator = await garden.first_coordinator()
    shift = await plan_shift(coordinator)
    url = f"/api/shifts/{shift['id']}"

    refusals = [
        ({"ends_at": "2027-06-01T08:00"}, 422, "end after it starts"),
        ({"pair_slots": 0}, 400, "pair_slots"),
        ({"kind": "dancing"}, 422, "We don't know the kind"),
        ({"title": "Moved", "scope": "following"}, 422, "isn't part of a series"),
        ({"scope": "everything"}, 400, "scope"),
        ({"starts_at": "some day soon"}, 422, "please give a date and time"),
    ]
    for body, status, message in refusals:
        response = await coordinator.patch(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert message in response.json()["detail"] or message in str(response.json()["extra"])
    missing = await coordinator.patch("/api/shifts/999", json={"title": "Ghost"})
    assert missing.status_code == 404

    after = in_app(client, Shift.select().where(Shift.id == shift["id"]).first())
    assert (after["title"], after["kind"], after["pair_slots"], after["sequence"]) == (
        "Tuesday weeding",
        2,
        3,
        0,
    )


async def test_pair_slots_never_drop_below_the_pairs_placed(garden, client):
    coordinator = await garden.first_coordinator()
    shift = await plan_shift(coordinator, pair_slots=3)
    # Two pairs are placed (the placements service keeps this counter; here we set it).
    in_app(client, Shift.update({Shift.taken_slots: 2}).where(Shift.id == shift["id"]))

    too_few = await coordinator.patch(f"/api/shifts/{shift['id']}", json={"pair_slots": 1})
    just_enough = await coordinator.patch(f"/api/shifts/{shift['id']}", json={"pair_slots": 2})

    assert too_few.status_code == 409
    assert too_few.json()["detail"].startswith("2 pairs are already signed up")
    assert "at least 2 pair slots" in too_few.json()["detail"]
    assert just_enough.status_code == 200
    assert (just_enough.json()["pair_slots"], just_enough.json()["open_slots"]) == (2, 0)


# --- cancelling ----------------------------------------------------------------------------------


async def test_a_move_keeps_the_people_placed_within_the_rules(garden, client):
    """Moving a shift must not put a placed member in two places at once, or past their pace."""
    coordinator = await garden.first_coordinator()
    morning = await plan_shift(coordinator, title="Morning weeding")
    afternoon = await plan_shift(
        coordinator,
        title="Afternoon watering",
        starts_at="2027-06-01T13:00",
        ends_at="2027-06-01T15:00",
    )
    next_week = await plan_shift(
        coordinator, starts_at="2027-06-08T09:00", ends_at="2027-06-08T11:00"
    )
    ana = await garden.member("ana", "Ana")
    for shift in (morning, afternoon, next_week):
        placed = await ana.post(f"/api/shifts/{shift['id']}/placements", json={})
        assert placed.status_code == 201, placed.text
    assert (await ana.patch("/api/me", json={"max_shifts_per_week": 2})).status_code == 200

    overlapping = await coordinator.patch(
        f"/api/shifts/{afternoon['id']}", json={"starts_at": "2027-06-01T10:00"}
    )
    past_her_pace = await coordinator.patch(
        f"/api/shifts/{next_week['id']}",
        json={"starts_at": "2027-06-03T09:00", "ends_at": "2027-06-03T11:00"},
    )

    assert overlapping.status_code == 409
    assert overlapping.json()["detail"] == (
        "The shift on 2027-06-01 can't move there. Ana already has a shift at that time: "
        "Morning weeding, Tuesday 1 June, 9:00 am. Nobody can be in two places at once."
    )
    assert overlapping.json()["extra"]["field"] == "starts_at"
    assert past_her_pace.status_code == 409
    assert past_her_pace.json()["detail"] == (
        "The shift on 2027-06-08 can't move there. "
        "Ana set their pace at 2 shifts a week, and this would be the third."
    )
    unchanged = in_app(
        client, Shift.select(Shift.starts_at, Shift.sequence).where(Shift.id != morning["id"])
    )
    assert [row["sequence"] for row in unchanged] == [0, 0]
    # The edit page says the same next to the start time, and keeps what was typed.
    form = edit_form(title="Afternoon watering", start_time="10:00", end_time="15:00")
    page = await coordinator.form(f"/plan/shifts/{afternoon['id']}", form)
    assert page.status_code == 409
    assert 'aria-describedby="edit-start_time-error"' in page.text
    assert "Ana already has a shift at that time" in page.text
    assert 'value="10:00"' in page.text
    # Right after the morning shift ends is no overlap; the move goes through.
    touching = await coordinator.patch(
        f"/api/shifts/{afternoon['id']}",
        json={"starts_at": "2027-06-01T11:00", "ends_at": "2027-06-01T13:00"},
    )
    assert touching.status_code == 200, touching.text
    assert touching.json()["sequence"] == 1


async def test_cancel_one_shift_with_a_reason(garden):
    coordinator = await garden.first_coordinator()
    shift = await plan_shift(coordinator)

    cancelled = await coordinator.post(
        f"/api/shifts/{shift['id']}/cancel", json={"reason": "The beds are flooded"}
    )
    again = await coordinator.post(f"/api/shifts/{shift['id']}/cancel", json={})
    edit = await coordinator.patch(f"/api/shifts/{shift['id']}", json={"title": "Back on"})

    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["status"], body["cancel_reason"], body["sequence"], body["open_slots"]) == (
        "cancelled",
        "The beds are flooded",
        1,
        0,
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "That shift is already cancelled."
    assert edit.status_code == 409
    no_reason = await plan_shift(coordinator)
    quiet = await coordinator.post(f"/api/shifts/{no_reason['id']}/cancel", json={})
    assert (quiet.json()["status"], quiet.json()["cancel_reason"]) == ("cancelled", "")


async def test_cancel_a_whole_day_on_the_garden_clock(garden):
    coordinator = await garden.first_coordinator()
    # 14 July 2027 in Chicago runs from 05:00 UTC on the 14th to 05:00 UTC on the 15th.
    morning = await plan_shift(
        coordinator, starts_at="2027-07-14T07:00", ends_at="2027-07-14T09:00"
    )
    evening = await plan_shift(
        coordinator, starts_at="2027-07-14T21:00", ends_at="2027-07-14T23:00"
    )
    day_before_late = await plan_shift(
        coordinator, starts_at="2027-07-13T23:00", ends_at="2027-07-13T23:30"
    )
    next_day = await plan_shift(
        coordinator, starts_at="2027-07-15T09:00", ends_at="2027-07-15T11:00"
    )
    already = await plan_shift(
        coordinator, starts_at="2027-07-14T12:00", ends_at="2027-07-14T13:00"
    )
    await coordinator.post(f"/api/shifts/{already['id']}/cancel", json={"reason": "rain"})

    response = await coordinator.post(
        "/api/days/2027-07-14/cancel", json={"reason": "Heat advisory: stay cool"}
    )

    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert [s["id"] for s in cancelled] == [morning["id"], evening["id"]]
    assert {(s["status"], s["cancel_reason"], s["sequence"]) for s in cancelled} == {
        ("cancelled", "Heat advisory: stay cool", 1)
    }
    assert evening["starts_at"] == "2027-07-15T02:00:00Z"  # still the 14th in the garden
    for untouched in (day_before_late, next_day):
        same = await coordinator.patch(f"/api/shifts/{untouched['id']}", json={})
        assert (same.json()["status"], same.json()["sequence"]) == ("scheduled", 0)

    nothing = await coordinator.post("/api/days/2027-07-20/cancel", json={"reason": "storm"})
    assert (nothing.status_code, nothing.json()) == (200, [])
    no_reason = await coordinator.post("/api/days/2027-07-15/cancel", json={"reason": ""})
    bad_day = await coordinator.post("/api/days/2027-13-40/cancel", json={"reason": "storm"})
    assert no_reason.status_code == 400
    assert bad_day.status_code == 422
    assert bad_day.json()["detail"] == "Please give the day as a date like 2027-07-14."
    still = await coordinator.patch(f"/api/shifts/{next_day['id']}", json={})
    assert still.json()["status"] == "scheduled"


# --- the planner page, as a coordinator uses it --------------------------------------------------


async def test_plan_a_single_shift_and_a_kind_with_the_forms(garden, client):
    coordinator = await garden.first_coordinator()
    page = await coordinator.get("/plan")
    assert page.status_code == 200
    assert '<input type="hidden" name="_csrf_token"' in page.text
    assert "Plan the season" in page.text

    kind = await coordinator.form("/plan/kinds", {"label": "Seed saving", "slug": "Seed-Saving"})
    assert kind.status_code == 200
    assert "“Seed saving” shifts can now be planned." in kind.text
    assert '<option value="seed-saving">Seed saving</option>' in kind.text

    typed = {
        "title": "Saving basil seed",
        "kind": "seed-saving",
        "date": "2027-08-03",
        "start_time": "10:00",
        "end_time": "09:00",
        "pair_slots": "2",
        "location": "Herb spiral",
    }
    refused = await coordinator.form("/plan/shifts", typed)
    assert refused.status_code == 422
    assert 'id="shift-end_time-error" class="field-error">The shift needs to end' in refused.text
    assert 'value="Saving basil seed"' in refused.text
    assert '<option value="seed-saving" selected>' in refused.text
    assert count_shifts(client) == 0

    planned = await coordinator.form("/plan/shifts", {**typed, "end_time": "12:00"})
    assert planned.status_code == 200
    assert "“Saving basil seed” is planned." in planned.text
    assert "Tuesday 3 August, 10:00 am to 12:00 pm" in planned.text
    assert "0/2" in planned.text
    assert count_shifts(client) == 1

    no_slots = await coordinator.form(
        "/plan/shifts", {**typed, "end_time": "12:00", "pair_slots": "0"}
    )
    assert no_slots.status_code == 400
    assert "Pair slots: please give 1 or more." in no_slots.text
    assert count_shifts(client) == 1


async def test_edit_cancel_and_cancel_a_day_with_the_forms(garden, client):
    coordinator = await garden.first_coordinator()
    shift = await plan_shift(coordinator)
    other = await plan_shift(coordinator, title="Watering", kind="watering")
    page = await coordinator.get(f"/plan/shifts/{shift['id']}")
    assert page.status_code == 200
    assert 'name="start_time" type="time" value="09:00"' in page.text
    assert "Which shifts of the series?" not in page.text  # a single shift

    form = edit_form(start_time="09:30")
    saved = await coordinator.form(f"/plan/shifts/{shift['id']}", form)
    assert saved.status_code == 200
    assert "Saved. The shift is updated." in saved.text
    assert 'value="09:30"' in saved.text
    edited = in_app(client, Shift.select().where(Shift.id == shift["id"]).first())
    assert edited["sequence"] == 1
    assert edited["starts_at"].isoformat() == "2027-06-01T14:30:00+00:00"

    bad = await coordinator.form(f"/plan/shifts/{shift['id']}", {**form, "title": ""})
    assert bad.status_code == 400
    assert "Title: please fill this in." in bad.text

    cancelled = await coordinator.form(
        f"/plan/shifts/{shift['id']}/cancel", {"reason": "Volunteers' day off"}
    )
    assert "The shift is cancelled." in cancelled.text
    assert "This shift is cancelled</strong>: Volunteers&#39; day off" in cancelled.text

    no_reason = await coordinator.form("/plan/days/cancel", {"day": "2027-06-01", "reason": ""})
    assert no_reason.status_code == 400
    assert "Reason: please fill this in." in no_reason.text
    day = await coordinator.form(
        "/plan/days/cancel", {"day": "2027-06-01", "reason": "Heat advisory"}
    )
    assert "Cancelled 1 shift on Tuesday 1 June: Heat advisory." in day.text
    watering = in_app(client, Shift.select().where(Shift.id == other["id"]).first())
    assert (watering["status"], watering["cancel_reason"]) == ("cancelled", "Heat advisory")


async def test_the_planner_list_pages_through_the_shifts_ahead(garden):
    coordinator = await garden.first_coordinator()
    series = await coordinator.post(
        "/api/series",
        json={
            "title": "Daily watering",
            "kind": "watering",
            "rrule": "FREQ=DAILY;COUNT=30",
            "first_date": "2027-05-01",
            "start_time": "07:00",
            "end_time": "08:00",
            "pair_slots": 1,
            "location": "Everywhere",
        },
    )
    assert series.status_code == 201

    first = await coordinator.get("/plan")
    second = await coordinator.get("/plan?offset=25")

    assert "Shifts 1–25 of 30." in first.text
    assert 'href="/plan?offset=25">Later shifts' in first.text
    assert "Saturday 1 May, 7:00 am" in first.text
    assert "Shifts 26–30 of 30." in second.text
    assert "Sunday 30 May, 7:00 am" in second.text
    assert 'href="/plan?offset=0">Earlier shifts' in second.text
    links = re.findall(r'href="/shifts/(\d+)"', second.text)
    assert len(links) == 5


async def test_the_edit_page_shows_who_is_coming_and_who_waits(garden, client):
    coordinator = await garden.first_coordinator()
    shift = await plan_shift(coordinator, pair_slots=2)
    people = {
        name: (await garden.member(name.lower(), name)).id for name in ("Sam", "Jo", "Lee", "Kim")
    }

    # The placements service owns sign-ups; here the rows are written as it would leave them.
    rows = Rows(client)
    rows.place(shift["id"], people["Sam"], people["Jo"])
    rows.place(shift["id"], people["Lee"], status="awaiting_partner")
    rows.place(shift["id"], people["Kim"], status="waitlisted")

    page = await coordinator.get(f"/plan/shifts/{shift['id']}")

    assert "2 of 2 pair slots taken" in page.text
    assert "<li>Sam and Jo</li>" in page.text
    assert "<li>Lee (waiting for a partner)</li>" in page.text
    assert "Waitlist, in order</h3>\n  <ol>\n    <li>Kim</li>" in page.text
    await coordinator.form(f"/plan/shifts/{shift['id']}/cancel", {"reason": "Rain"})
    again = await coordinator.form(f"/plan/shifts/{shift['id']}/cancel", {"reason": "Rain"})
    assert again.status_code == 409
    assert "That shift is already cancelled." in again.text

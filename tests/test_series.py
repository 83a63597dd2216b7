"""Recurring series: RRULEs on the garden's clock, across both daylight-saving changes.

America/Chicago springs forward on 14 March 2027 (UTC-6 → UTC-5) and falls back on
7 November 2027 (UTC-5 → UTC-6): a 9:00 shift is 15:00 UTC before the spring change and
14:00 UTC after it, then 15:00 UTC again after the autumn one.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from coop.tables import Series, Shift
from tests.support.rows import in_app

CHICAGO = ZoneInfo("America/Chicago")
SERIES = {
    "title": "Tuesday weeding",
    "kind": "weeding",
    "rrule": "FREQ=WEEKLY;COUNT=4",
    "first_date": "2027-03-02",
    "start_time": "09:00",
    "end_time": "11:00",
    "pair_slots": 2,
    "location": "Beds 1–3",
}


def counts(client) -> tuple[int, int]:
    return in_app(client, Shift.count()), in_app(client, Series.count())


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(CHICAGO)


async def plan_series(coordinator, **changes) -> tuple[dict, list[dict]]:
    response = await coordinator.post("/api/series", json={**SERIES, **changes})
    assert response.status_code == 201, response.text
    created = response.json()
    series = (await coordinator.get(f"/api/series/{created['id']}")).json()
    assert [s["id"] for s in series["shifts"]] == created["shift_ids"]
    return series, series["shifts"]


async def test_nine_stays_nine_across_the_spring_change(garden):
    coordinator = await garden.first_coordinator()

    series, shifts = await plan_series(coordinator)

    assert [(s["starts_at"], s["ends_at"]) for s in shifts] == [
        ("2027-03-02T15:00:00Z", "2027-03-02T17:00:00Z"),
        ("2027-03-09T15:00:00Z", "2027-03-09T17:00:00Z"),
        ("2027-03-16T14:00:00Z", "2027-03-16T16:00:00Z"),
        ("2027-03-23T14:00:00Z", "2027-03-23T16:00:00Z"),
    ]
    assert {(local(s["starts_at"]).hour, local(s["ends_at"]).hour) for s in shifts} == {(9, 11)}
    assert series["rrule"] == "FREQ=WEEKLY;COUNT=4"
    assert {(s["series_id"], s["title"], s["kind"], s["pair_slots"]) for s in shifts} == {
        (series["id"], "Tuesday weeding", "weeding", 2)
    }


async def test_nine_stays_nine_across_the_autumn_change(garden):
    coordinator = await garden.first_coordinator()

    _, shifts = await plan_series(
        coordinator, first_date="2027-10-26", rrule="FREQ=WEEKLY;UNTIL=20271116"
    )

    assert [s["starts_at"] for s in shifts] == [
        "2027-10-26T14:00:00Z",
        "2027-11-02T14:00:00Z",
        "2027-11-09T15:00:00Z",
        "2027-11-16T15:00:00Z",
    ]
    assert {local(s["starts_at"]).strftime("%H:%M") for s in shifts} == {"09:00"}


async def test_byday_makes_tuesdays_and_thursdays(garden):
    coordinator = await garden.first_coordinator()

    # 8 March 2027 is a Monday: it is not itself an occurrence.
    _, shifts = await plan_series(
        coordinator,
        first_date="2027-03-08",
        rrule="RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270318T235959",
    )

    assert [s["starts_at"] for s in shifts] == [
        "2027-03-09T15:00:00Z",
        "2027-03-11T15:00:00Z",
        "2027-03-16T14:00:00Z",
        "2027-03-18T14:00:00Z",
    ]
    assert [local(s["starts_at"]).strftime("%a %H:%M") for s in shifts] == [
        "Tue 09:00",
        "Thu 09:00",
        "Tue 09:00",
        "Thu 09:00",
    ]


async def test_until_in_utc_is_read_as_that_instant(garden):
    coordinator = await garden.first_coordinator()
    # 16 March 2027 14:00 UTC is exactly 9:00 in Chicago: that shift is included.
    _, shifts = await plan_series(coordinator, rrule="FREQ=WEEKLY;UNTIL=20270316T140000Z")
    assert [s["starts_at"][:10] for s in shifts] == ["2027-03-02", "2027-03-09", "2027-03-16"]


async def test_preview_saves_nothing(garden, client):
    coordinator = await garden.first_coordinator()
    response = await coordinator.post("/api/series/preview", json=SERIES)
    assert response.status_code == 200
    assert [o["starts_at"] for o in response.json()][1:3] == [
        "2027-03-09T15:00:00Z",
        "2027-03-16T14:00:00Z",
    ]
    assert counts(client) == (0, 0)


REFUSED = [
    ("FREQ=WEEKLY;BYDAY=TU", "Please say when the series ends"),
    ("FREQ=DAILY;COUNT=501", "more than 500 shifts"),
    ("FREQ=DAILY;UNTIL=20290101", "more than 500 shifts"),
    ("FREQ=HOURLY;COUNT=5", "daily, weekly or monthly"),
    ("FREQ=WEEKLY;BYDAY=XY;COUNT=3", "We couldn't read that repeat rule"),
    ("FREQ=WEEKLY;COUNT=three", "We couldn't read that repeat rule"),
    ("FREQ=WEEKLY;UNTIL=20271399", "We couldn't read that repeat rule"),
    ("FREQ=WEEKLY;COUNT=2\nDTSTART:20200101T000000", "Please give one repeat rule"),
    ("FREQ=WEEKLY;UNTIL=20270101", "That plan has no dates in it"),
    ("just every week please", "daily, weekly or monthly"),
]


@pytest.mark.parametrize(("rrule", "message"), REFUSED)
async def test_refused_rrules_explain_and_change_nothing(garden, client, rrule, message):
    coordinator = await garden.first_coordinator()
    await plan_series(coordinator)

    response = await coordinator.post("/api/series", json={**SERIES, "rrule": rrule})

    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert response.json()["extra"] == {"field": "rrule"}
    assert counts(client) == (4, 1)


BAD_SERIES = [
    ({"end_time": "08:00"}, 422, "The end time needs to be after the start time."),
    ({"start_time": "9 o'clock"}, 422, "Start time: please give a time like 09:00."),
    ({"kind": "juggling"}, 422, "We don't know the kind of shift “juggling”."),
    ({"first_date": "1999-03-02"}, 422, "Please check the year."),
    ({"pair_slots": 0}, 400, "pair_slots"),
    ({"title": ""}, 400, "title"),
    ({"first_date": "2027-02-30"}, 400, "first_date"),
]


@pytest.mark.parametrize(("change", "status", "message"), BAD_SERIES)
async def test_bad_series_input_changes_nothing(garden, client, change, status, message):
    coordinator = await garden.first_coordinator()

    response = await coordinator.post("/api/series", json={**SERIES, **change})

    assert response.status_code == status, response.text
    assert message in response.json()["detail"] or message in str(response.json()["extra"])
    assert counts(client) == (0, 0)


async def test_edit_this_and_the_following_shifts_on_the_wall_clock(garden):
    coordinator = await garden.first_coordinator()
    _, shifts = await plan_series(coordinator, rrule="FREQ=WEEKLY;COUNT=5")
    first, second, third, fourth, fifth = shifts
    await coordinator.post(f"/api/shifts/{fifth['id']}/cancel", json={"reason": "Market day"})

    # Move from the second on to 10:00–12:30 at the Herb spiral: across the spring change.
    response = await coordinator.patch(
        f"/api/shifts/{second['id']}",
        json={
            "starts_at": "2027-03-09T10:00",
            "ends_at": "2027-03-09T12:30",
            "location": "Herb spiral",
            "scope": "following",
        },
    )

    assert response.status_code == 200, response.text
    series = (await coordinator.get(f"/api/series/{second['series_id']}")).json()
    after = {s["id"]: s for s in series["shifts"]}
    assert after[first["id"]] == first
    for shift, starts, ends in [
        (second, "2027-03-09T16:00:00Z", "2027-03-09T18:30:00Z"),
        (third, "2027-03-16T15:00:00Z", "2027-03-16T17:30:00Z"),
        (fourth, "2027-03-23T15:00:00Z", "2027-03-23T17:30:00Z"),
    ]:
        moved = after[shift["id"]]
        assert (moved["starts_at"], moved["ends_at"]) == (starts, ends)
        assert (moved["location"], moved["sequence"]) == ("Herb spiral", 1)
        assert local(moved["starts_at"]).strftime("%H:%M") == "10:00"
    cancelled = after[fifth["id"]]
    assert (cancelled["starts_at"], cancelled["location"], cancelled["sequence"]) == (
        "2027-03-30T14:00:00Z",
        "Beds 1–3",
        1,
    )

    # "This" only: the third gets a new title, the fourth keeps its own.
    only = await coordinator.patch(
        f"/api/shifts/{third['id']}", json={"title": "Weeding and mulching", "scope": "this"}
    )
    assert (only.json()["title"], only.json()["sequence"]) == ("Weeding and mulching", 2)
    series = (await coordinator.get(f"/api/series/{second['series_id']}")).json()
    assert [s["title"] for s in series["shifts"]] == [
        "Tuesday weeding",
        "Tuesday weeding",
        "Weeding and mulching",
        "Tuesday weeding",
        "Tuesday weeding",
    ]


async def test_following_edit_is_all_or_nothing(garden, client):
    coordinator = await garden.first_coordinator()
    _, shifts = await plan_series(coordinator)
    # The last shift already has two pairs placed (the placements service keeps this counter).
    in_app(client, Shift.update({Shift.taken_slots: 2}).where(Shift.id == shifts[-1]["id"]))

    response = await coordinator.patch(
        f"/api/shifts/{shifts[1]['id']}",
        json={"pair_slots": 1, "title": "Smaller", "scope": "following"},
    )

    assert response.status_code == 409
    assert "needs at least 2 pair slots" in response.json()["detail"]
    assert "2027-03-23" in response.json()["detail"]
    series = (await coordinator.get(f"/api/series/{shifts[0]['series_id']}")).json()
    assert [(s["title"], s["pair_slots"], s["sequence"]) for s in series["shifts"]] == [
        ("Tuesday weeding", 2, 0)
    ] * 4


# --- the /plan series form, as a coordinator fills it in -----------------------------------------

FORM = {
    "title": "Tuesday and Thursday weeding",
    "kind": "weeding",
    "days": ["TU", "TH"],
    "start_time": "09:00",
    "end_time": "11:00",
    "from_date": "2027-03-08",
    "to_date": "2027-03-18",
    "pair_slots": "2",
    "location": "Beds 1–3",
}


async def test_preview_then_create_a_series_with_the_form(garden, client):
    coordinator = await garden.first_coordinator()

    preview = await coordinator.form("/plan/series", {**FORM, "action": "preview"})

    assert preview.status_code == 200
    assert "4 shifts will be planned" in preview.text
    for day in ("Tuesday 9 March", "Thursday 11 March", "Tuesday 16 March", "Thursday 18 March"):
        assert f"<li>{day}, 9:00 am to 11:00 am</li>" in preview.text
    assert "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270318T235959" in preview.text
    assert 'name="days" value="TU" checked' in preview.text
    assert 'name="days" value="MO">' in preview.text
    assert 'value="Tuesday and Thursday weeding"' in preview.text
    assert counts(client) == (0, 0)

    created = await coordinator.form("/plan/series", {**FORM, "action": "create"})

    assert created.status_code == 200
    assert "The series is planned: 4 shifts." in created.text
    assert counts(client) == (4, 1)
    stored = in_app(client, Series.select().first())
    assert stored["rrule"] == "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270318T235959"
    assert "Thursday 18 March, 9:00 am to 11:00 am" in created.text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"days": []}, "days", "Please tick at least one day of the week."),
        ({"to_date": "2027-03-01"}, "to_date", "The last day needs to be on or after the first"),
        ({"end_time": "08:00"}, "end_time", "The end time needs to be after the start time."),
        ({"from_date": ""}, "from_date", "From date: please fill this in."),
        ({"to_date": "2029-12-31"}, None, "more than 500 shifts"),
        ({"days": ["TU", "XX"]}, "days", "Days: please pick one of the choices."),
    ],
)
async def test_the_series_form_explains_and_keeps_what_was_typed(
    garden, client, change, field, message
):
    coordinator = await garden.first_coordinator()
    form = {**FORM, **change, "action": "create"}
    if change.get("to_date") == "2029-12-31":
        form["days"] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    response = await coordinator.form("/plan/series", form)

    assert response.status_code in (400, 422)
    assert message in response.text
    if field:
        assert f'id="series-{field}-error" class="field-error">' in response.text
    assert 'value="Tuesday and Thursday weeding"' in response.text
    assert counts(client) == (0, 0)


async def test_edit_this_and_following_with_the_form(garden, client):
    coordinator = await garden.first_coordinator()
    await coordinator.form("/plan/series", {**FORM, "action": "create"})
    ids = in_app(client, Shift.select(Shift.id).order_by(Shift.starts_at).output(as_list=True))
    page = await coordinator.get(f"/plan/shifts/{ids[1]}")
    assert "This one and the following ones" in page.text

    saved = await coordinator.form(
        f"/plan/shifts/{ids[1]}",
        {
            "title": "Tuesday and Thursday weeding",
            "kind": "weeding",
            "date": "2027-03-11",
            "start_time": "08:00",
            "end_time": "10:00",
            "pair_slots": "2",
            "location": "Beds 1–3",
            "scope": "following",
        },
    )

    assert "Saved. 3 shifts of the series are updated." in saved.text
    starts = in_app(
        client, Shift.select(Shift.starts_at).order_by(Shift.starts_at).output(as_list=True)
    )
    assert [s.astimezone(CHICAGO).strftime("%d %H:%M") for s in starts] == [
        "09 09:00",
        "11 08:00",
        "16 08:00",
        "18 08:00",
    ]

"""The four calendar feeds over HTTP, read back by the strict `ical` parser and by ical.js.

Each test plays a garden: members register through the API, shifts and places are put in the
database directly (``Rows``: cancelled, past and changed shifts in one step), and the feed must
show exactly that, privately.
"""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from litestar.testing import AsyncTestClient

from coop.app import create_app
from tests.support.icsparsers import lines, ms, read_icaljs, read_strict
from tests.support.rows import Rows
from tests.support.served import ROOT, free_port

ZONE = ZoneInfo("America/Chicago")
NOW = datetime.now(UTC)


SHIFT = {"title": "Weeding", "location": "North beds", "pair_slots": 2}


@pytest.fixture
def rows(client) -> Rows:
    return Rows(client, **SHIFT)


def soon(days: float, hour: int = 9) -> datetime:
    """A garden wall time `days` from today, in UTC."""
    day = (NOW + timedelta(days=days)).astimezone(ZONE).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC)


def feed_path(url: str) -> str:
    return url.removeprefix("http://testserver.local")


def uids(body: bytes) -> list[str]:
    return [event.uid for event in read_strict(body).events]


def uid(shift_id: int) -> str:
    return f"shift-{shift_id}@testserver.local"


def dst_changes(count: int = 2) -> list[datetime]:
    """The next daylight-saving changes in the garden's zone (as UTC noon of the day after)."""
    found, day = [], NOW.astimezone(ZONE).date()
    while len(found) < count:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZONE)
        before = noon - timedelta(days=1)
        if noon.utcoffset() != before.utcoffset():
            found.append(datetime(day.year, day.month, day.day, tzinfo=ZONE))
        day += timedelta(days=1)
    return found


# --- instants across daylight-saving changes, in both parsers ----------------------------------


async def test_every_parser_reads_the_database_instants_across_dst(client, rows):
    shift_ids = []
    for change_day in dst_changes(2):
        eve = change_day - timedelta(days=1)
        for starts, ends in [
            (eve.replace(hour=9), eve.replace(hour=11)),  # the day before, 9 to 11
            (eve.replace(hour=22), change_day.replace(hour=6)),  # across the change at night
            (change_day.replace(hour=9), change_day.replace(hour=11)),  # the day itself
            (change_day + timedelta(days=1, hours=9), change_day + timedelta(days=1, hours=12)),
        ]:
            shift_ids.append(rows.shift(starts.astimezone(UTC), ends_at=ends.astimezone(UTC)))
    # The repeated hour of the autumn change: a wall time there names two instants.
    autumn = next(d for d in dst_changes(2) if (d + timedelta(hours=12)).dst() == timedelta(0))
    repeated = (autumn.replace(hour=0) + timedelta(hours=1)).astimezone(UTC) + timedelta(hours=1)
    shift_ids.append(rows.shift(repeated - timedelta(minutes=30), ends_at=repeated))

    body = (await client.get("/calendar/season.ics")).content
    expected = {
        uid(i): (rows.shift_row(i)["starts_at"], rows.shift_row(i)["ends_at"]) for i in shift_ids
    }
    strict = {
        e.uid: (e.dtstart.astimezone(UTC), e.dtend.astimezone(UTC))
        for e in read_strict(body).events
    }
    assert strict == expected
    js = {e["uid"]: (e["start_ms"], e["end_ms"]) for e in read_icaljs(body)["events"]}
    assert js == {key: (ms(start), ms(end)) for key, (start, end) in expected.items()}


# --- what each feed shows -----------------------------------------------------------------------


async def test_season_window_and_cancelled_shifts(client, rows):
    long_ago = rows.shift(soon(-61))
    recent = rows.shift(soon(-59), title="Bean planting")
    over_and_cancelled = rows.shift(soon(-3), status="cancelled", cancel_reason="Hail")
    ahead = rows.shift(soon(200), title="Late compost")
    cancelled = rows.shift(soon(5), status="cancelled", cancel_reason="Heat advisory")

    body = (await client.get("/calendar/season.ics")).content
    events = {e.uid: e for e in read_strict(body).events}
    assert set(events) == {uid(recent), uid(ahead), uid(cancelled)}
    assert uid(long_ago) not in events and uid(over_and_cancelled) not in events
    gone = events[uid(cancelled)]
    assert (gone.status, gone.summary) == ("CANCELLED", "Cancelled: Weeding")
    assert gone.description.startswith("Cancelled: Heat advisory")
    assert events[uid(ahead)].url == f"http://testserver.local/shifts/{ahead}"
    js = {e["uid"]: e for e in read_icaljs(body)["events"]}
    assert js[uid(cancelled)]["status"] == "CANCELLED"


async def test_season_and_kind_feeds_show_open_places_and_no_names(client, garden, rows):
    people = [
        await garden.member("zebediah", "Zebediah Quillfeather"),
        await garden.member("ottilie", "Ottilie Marchbanks"),
        await garden.member("peregrine", "Peregrine Ashdown"),
    ]
    await people[0].patch("/api/me", json={"contact": "555-8812", "share_contact": True})
    weeding = rows.shift(soon(3), pair_slots=3)
    compost = rows.shift(soon(4), kind="composting", title="Compost turning")
    rows.place(weeding, people[0].id, people[1].id)
    rows.place(compost, people[2].id, status="awaiting_partner")
    rows.pair(people[0].id, people[1].id)

    season = await client.get("/calendar/season.ics")
    kind = await client.get("/calendar/kinds/composting.ics")
    for response in (season, kind):
        assert response.status_code == 200
        for secret in ("Zebediah", "Quillfeather", "Ottilie", "Marchbanks", "Peregrine", "555-"):
            assert secret.encode() not in response.content
        for person in people:
            assert person.username.encode() not in response.content
    events = {e.uid: e for e in read_strict(season.content).events}
    assert events[uid(weeding)].description == "Open pair places: 2 of 3"
    assert events[uid(compost)].description == "Open pair places: 1 of 2"
    assert uids(kind.content) == [uid(compost)]
    assert read_strict(kind.content).name == ["Garden shifts: Composting"]
    assert (await client.get("/calendar/kinds/juggling.ics")).status_code == 404


async def test_personal_feed_shows_my_places_with_my_partner(client, garden, rows):
    jo = await garden.member("jo", "Jo")
    sam = await garden.member("sam", "Sam Okafor")
    lee = await garden.member("lee", "Lee")
    together = rows.shift(soon(2), title="Tuesday weeding")
    waiting = rows.shift(soon(3), title="Thursday harvest", kind="harvesting")
    waitlisted = rows.shift(soon(4), title="Full planting", kind="planting")
    not_mine = rows.shift(soon(5), title="Lee's compost")
    rows.place(together, jo.id, sam.id)
    rows.place(waiting, jo.id, status="awaiting_partner")
    rows.place(waitlisted, jo.id, status="waitlisted")
    rows.place(not_mine, lee.id, sam.id)

    url = feed_path((await jo.get("/api/me")).json()["calendar_url"])
    body = (await client.get(url)).content
    events = {e.uid: e for e in read_strict(body).events}
    assert list(events) == [uid(together), uid(waiting)]
    assert events[uid(together)].description == "With your partner Sam Okafor."
    assert "waiting for a partner" in events[uid(waiting)].description
    assert b"VALARM" not in body
    assert b"Lee" not in body

    # Sam shares a phone number: it appears once they are partners (an active pair), only then.
    # A reminder appears once Jo asks.
    await sam.patch("/api/me", json={"contact": "555-0199", "share_contact": True})
    assert b"555-0199" not in (await client.get(url)).content  # side by side, not yet partners
    pair_id = (await jo.post("/api/pairs", json={"partner": "sam"})).json()["id"]
    assert (await sam.post(f"/api/pairs/{pair_id}/accept")).status_code == 200
    await jo.patch("/api/me", json={"reminder_minutes": 45})
    body = (await client.get(url)).content
    strict = {e.uid: e for e in read_strict(body).events}
    assert (
        strict[uid(together)].description == "With your partner Sam Okafor.\nSam Okafor: 555-0199"
    )
    assert [a.trigger for e in strict.values() for a in e.alarm] == [timedelta(minutes=-45)] * 2
    js = {e["uid"]: e for e in read_icaljs(body)["events"]}
    assert js[uid(together)]["description"] == "With your partner Sam Okafor.\nSam Okafor: 555-0199"
    assert [a["trigger"] for e in js.values() for a in e["alarms"]] == ["-PT45M"] * 2

    # An e-mail address is never written into a feed, even when shared.
    await sam.patch("/api/me", json={"contact": "sam@example.org"})
    body = (await client.get(url)).content
    assert b"sam@example.org" not in body
    assert [line for line in lines(body) if "@" in line and not line.startswith("UID:")] == []


async def test_pair_feed_shows_shifts_worked_together(client, garden, rows):
    jo = await garden.member("jo", "Jo")
    sam = await garden.member("sam", "Sam")
    nia = await garden.member("nia", "Nia")
    pair_id, token = rows.pair(jo.id, sam.id)
    both = rows.shift(soon(2))
    jo_with_nia = rows.shift(soon(3))
    sam_alone = rows.shift(soon(4))
    rows.place(both, jo.id, sam.id, pair=pair_id)
    rows.place(jo_with_nia, jo.id, nia.id)
    rows.place(sam_alone, sam.id, status="awaiting_partner")

    response = await client.get(f"/calendar/pairs/{token}.ics")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, max-age=300"
    assert uids(response.content) == [uid(both)]
    assert read_strict(response.content).events[0].description == "Together: Jo and Sam."
    assert [e["uid"] for e in read_icaljs(response.content)["events"]] == [uid(both)]

    rows.end_pair(pair_id)
    assert (await client.get(f"/calendar/pairs/{token}.ics")).status_code == 404


# --- tokens ---------------------------------------------------------------------------------------


async def test_tokens_are_long_secrets_and_a_new_one_retires_the_old(client, garden, rows):
    jo = await garden.member("jo", "Jo")
    old_url = feed_path((await jo.get("/api/me")).json()["calendar_url"])
    token = old_url.removeprefix("/calendar/members/").removesuffix(".ics")
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 256
    assert (await client.get(old_url)).status_code == 200

    new_url = feed_path((await jo.post("/api/me/calendar-token")).json()["calendar_url"])
    assert new_url != old_url
    assert (await client.get(new_url)).status_code == 200
    old = await client.get(old_url)
    wrong = await client.get("/calendar/members/" + "A" * 43 + ".ics")
    assert old.status_code == wrong.status_code == 404
    assert old.text == wrong.text
    assert (await client.get(new_url.removesuffix(".ics"))).status_code == 404
    assert (await client.get("/calendar/pairs/" + token + ".ics")).status_code == 404


# --- text that cannot break out --------------------------------------------------------------

HOSTILE = [
    "Beds 1, 2; 3 \\ path",
    "ends in a backslash \\",
    "x\r\nRRULE:FREQ=DAILY",
    "x\rRRULE:FREQ=DAILY",
    "x\nRRULE:FREQ=DAILY;COUNT=99",
    "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nDTSTART:20260101T000000Z\r\nSUMMARY:free",
    "bell\x07 esc\x1b del\x7f tab\tkept",
]


def shown(text: str) -> str:
    """What a client must show for text stored in the database: line breaks as LF, no controls."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\t\n" or not (ord(c) < 32 or 127 <= ord(c) < 160))


@pytest.mark.parametrize("text", HOSTILE, ids=[f"text{n}" for n in range(len(HOSTILE))])
async def test_text_from_the_database_cannot_add_properties_or_events(client, garden, rows, text):
    jo = await garden.member("jo", "Jo")
    hostile = rows.shift(soon(2), title=text, location=text, notes=text)
    plain = rows.shift(soon(3))
    rows.place(hostile, jo.id, status="awaiting_partner")
    rows.place(plain, jo.id, status="awaiting_partner")
    stored = rows.shift_row(hostile)
    personal = feed_path((await jo.get("/api/me")).json()["calendar_url"])
    for path, prefix in [
        ("/calendar/season.ics", "Open pair places: 1 of 2"),
        (personal, "You're signed up. We're waiting for a partner to join you."),
    ]:
        body = (await client.get(path)).content
        description = f"{prefix}\n\n{shown(stored['notes'].strip())}"
        strict = read_strict(body).events
        assert [e.uid for e in strict] == [uid(hostile), uid(plain)]
        assert all(e.rrule is None and not e.rdate for e in strict)
        assert (strict[0].summary, strict[0].location, strict[0].description) == (
            shown(stored["title"]),
            shown(stored["location"]),
            description,
        )
        js = read_icaljs(body)["events"]
        assert [e["uid"] for e in js] == [uid(hostile), uid(plain)]
        assert not any(e["rrule"] for e in js)
        assert (js[0]["summary"], js[0]["location"], js[0]["description"]) == (
            shown(stored["title"]),
            shown(stored["location"]),
            description,
        )
        names = [line.split(":")[0].split(";")[0] for line in lines(body)]
        assert names.count("BEGIN") == names.count("END")
        assert "RRULE" not in names and names.count("UID") == 2


# --- HTTP -----------------------------------------------------------------------------------------


async def test_feed_http_headers(client, garden, rows):
    jo = await garden.member("jo", "Jo")
    rows.place(rows.shift(soon(2)), jo.id, status="awaiting_partner")
    personal = feed_path((await jo.get("/api/me")).json()["calendar_url"])
    for path, cache in [
        ("/calendar/season.ics", "public, max-age=300"),
        ("/calendar/kinds/weeding.ics", "public, max-age=300"),
        (personal, "private, max-age=300"),
    ]:
        response = await client.get(path, headers={"accept-encoding": "gzip, br"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "content-disposition" not in response.headers
        assert "content-encoding" not in response.headers
        assert response.headers["cache-control"] == cache
        assert response.headers["etag"].startswith('"') and not response.headers["etag"].startswith(
            "W/"
        )
        assert response.headers["last-modified"].endswith(" GMT")


async def test_conditional_requests(client, rows):
    shift_id = rows.shift(soon(2))
    first = await client.get("/calendar/season.ics")
    etag, modified = first.headers["etag"], first.headers["last-modified"]

    same = await client.get("/calendar/season.ics", headers={"if-none-match": etag})
    assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", etag)
    weak = await client.get("/calendar/season.ics", headers={"if-none-match": f'"x", W/{etag}'})
    assert weak.status_code == 304
    other = await client.get("/calendar/season.ics", headers={"if-none-match": '"other"'})
    assert other.status_code == 200 and other.content == first.content
    since = await client.get("/calendar/season.ics", headers={"if-modified-since": modified})
    assert since.status_code == 304
    # If-None-Match decides when both are sent.
    both = await client.get(
        "/calendar/season.ics", headers={"if-none-match": '"other"', "if-modified-since": modified}
    )
    assert both.status_code == 200
    older = await client.get(
        "/calendar/season.ics", headers={"if-modified-since": "Mon, 01 Jan 2024 00:00:00 GMT"}
    )
    assert older.status_code == 200
    again = await client.get("/calendar/season.ics")
    assert again.content == first.content and again.headers["etag"] == etag

    # A change to the shift: new bytes, new ETag, and neither old validator answers 304.
    rows.change_shift(shift_id, location="South beds")
    changed = await client.get("/calendar/season.ics", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert read_strict(changed.content).events[0].location == "South beds"
    assert read_strict(changed.content).events[0].sequence == 1
    stale = await client.get("/calendar/season.ics", headers={"if-modified-since": modified})
    assert stale.status_code == 200


async def test_a_place_taken_changes_the_season_feed_even_without_a_newer_timestamp(
    client, garden, rows
):
    jo = await garden.member("jo", "Jo")
    shift_id = rows.shift(soon(2))
    first = await client.get("/calendar/season.ics")
    modified = first.headers["last-modified"]
    rows.place(shift_id, jo.id, status="awaiting_partner")  # taken_slots moves, updated_at not
    response = await client.get("/calendar/season.ics", headers={"if-modified-since": modified})
    assert response.status_code == 200
    assert read_strict(response.content).events[0].description == "Open pair places: 1 of 2"


async def test_unchanged_feed_is_not_built_again(client, garden, rows):
    rows.shift(soon(2))
    cache = client.app.state.get("feed_cache")
    assert cache is None
    await client.get("/calendar/season.ics")
    cache = client.app.state["feed_cache"]
    builds = cache.builds
    for _ in range(3):
        await client.get("/calendar/season.ics")
    assert cache.builds == builds
    rows.shift(soon(3))
    await client.get("/calendar/season.ics")
    assert cache.builds == builds + 1


async def test_members_only_season_feed(settings, garden, rows):
    closed = create_app(replace(settings, season_feed_public=False))
    async with AsyncTestClient(closed, base_url="http://testserver.local") as other:
        Rows(other, **SHIFT).shift(soon(2))
        anonymous = await other.get("/calendar/season.ics")
        assert anonymous.status_code == 401
        assert "for members" in anonymous.text
        assert (await other.get("/calendar/kinds/weeding.ics")).status_code == 401
        page = await other.get("/calendar")
        assert "season.ics" not in page.text and "log in" in page.text
    jo = await garden.member("jo", "Jo")
    async with AsyncTestClient(closed, base_url="http://testserver.local") as other:
        other.cookies = jo.cookies
        response = await other.get("/calendar/season.ics")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, max-age=300"


# --- the subscribe page ------------------------------------------------------------------------


async def test_subscribe_page_for_a_neighbour(client):
    page = await client.get("/calendar")
    assert page.status_code == 200
    assert 'href="webcal://testserver.local/calendar/season.ics"' in page.text
    assert 'href="webcal://testserver.local/calendar/kinds/weeding.ics"' in page.text
    assert 'value="http://testserver.local/calendar/season.ics" readonly' in page.text
    assert 'src="data:image/svg+xml' in page.text
    assert '<script src="/static/calendar.js" defer></script>' in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    for app_name in ("Google", "Apple", "Outlook", "Thunderbird"):
        assert app_name in page.text
    assert "/calendar/members/" not in page.text
    assert (await client.get("/static/calendar.js")).status_code == 200


async def test_subscribe_page_for_a_member_and_a_new_link(client, garden, rows):
    jo = await garden.member("jo", "Jo")
    sam = await garden.member("sam", "Sam")
    _, pair_token = rows.pair(jo.id, sam.id)
    old_url = (await jo.get("/api/me")).json()["calendar_url"]
    page = await jo.get("/calendar")
    assert f'href="{old_url.replace("http://", "webcal://")}"' in page.text
    assert f"/calendar/pairs/{pair_token}.ics" in page.text
    assert "Shifts with Sam" in page.text
    assert "Make a new link (the old one stops working)" in page.text

    response = await jo.form("/me/calendar-token", {"next": "/calendar"})
    assert response.status_code == 200
    assert response.url.path == "/calendar"  # back on the page, after the redirect
    assert "The old link no longer works" in response.text
    assert (await client.get(feed_path(old_url))).status_code == 404
    new_url = (await jo.get("/api/me")).json()["calendar_url"]
    assert new_url != old_url
    assert new_url in (await jo.get("/calendar")).text


async def test_many_requests_for_a_changed_feed_build_it_once(client, rows):
    for day in range(30):
        rows.shift(soon(day + 1))
    await client.get("/calendar/season.ics")
    cache = client.app.state["feed_cache"]
    builds = cache.builds
    rows.shift(soon(40))
    answers = await asyncio.gather(*(client.get("/calendar/season.ics") for _ in range(6)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.headers["etag"] for a in answers}) == 1
    assert cache.builds == builds + 1


def test_feed_tokens_stay_out_of_the_server_logs(database_url, tmp_path):
    token = "tok" + "x" * 40
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "COOP_DATABASE_URL": database_url, "PICCOLO_CONF": "coop.piccolo_conf"}
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "coop.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    httpx.get(f"{base}/health", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            for kind in ("members", "pairs"):
                assert httpx.get(f"{base}/calendar/{kind}/{token}.ics").status_code == 404
        finally:
            server.terminate()
            server.wait(timeout=10)
    text = log.read_text()
    assert "/calendar/members/…" in text
    assert token not in text

"""The feed builder, read back by parsers that share no code with icalendar.

`ical` (allenporter's strict parser) and Mozilla's ical.js (Thunderbird's, run under node) must
agree with what we meant to publish: the instants, the text, the number of events.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coop.calendar import FeedEvent, build_feed, etag_for, vtimezone
from tests.support.icsparsers import lines, read_strict
from tests.support.icsparsers import read_icaljs as parse_with_icaljs

GARDEN_ZONE = "America/Chicago"
UTC_MS = 1000


def shift(shift_id: int = 1, **changes: object) -> FeedEvent:
    """Return an ordinary two-hour Saturday-morning weeding shift, changed where a test needs it."""
    if "starts_at" in changes and "ends_at" not in changes:
        changes["ends_at"] = changes["starts_at"] + timedelta(hours=2)  # type: ignore[operator]
    event = FeedEvent(
        shift_id=shift_id,
        title="Weeding",
        kind="Weeding",
        starts_at=datetime(2026, 5, 2, 14, 0, tzinfo=UTC),
        ends_at=datetime(2026, 5, 2, 16, 0, tzinfo=UTC),
        location="North beds",
        status="scheduled",
        cancel_reason="",
        sequence=0,
        created_at=datetime(2026, 1, 10, 18, 30, tzinfo=UTC),
        updated_at=datetime(2026, 2, 3, 7, 45, 12, tzinfo=UTC),
        url=f"https://garden.example/shifts/{shift_id}",
        description="Open places: 2 of 3",
    )
    return replace(event, **changes)


def feed(events: list[FeedEvent], **options: object) -> bytes:
    """Build a feed with the garden's usual settings."""
    settings: dict[str, object] = {
        "name": "Garden shifts",
        "timezone": GARDEN_ZONE,
        "uid_domain": "garden.example",
    }
    settings.update(options)
    return build_feed(events, **settings)  # type: ignore[arg-type]


@pytest.fixture
def read_icaljs():
    """Parse with ical.js under node (see icsparsers); skip locally without it."""
    return parse_with_icaljs


def ms(moment: datetime) -> int:
    """Return epoch milliseconds, the unit ical.js speaks."""
    return int(moment.timestamp()) * UTC_MS


# Shifts around both daylight-saving changes of 2026 in Chicago (8 March, 1 November), as
# (UTC start, UTC end, what the feed must write for DTSTART).
DST_SHIFTS = [
    # 09:00-11:00 CST, the day before clocks go forward
    (datetime(2026, 3, 7, 15, tzinfo=UTC), datetime(2026, 3, 7, 17, tzinfo=UTC), "20260307T090000"),
    # 22:00 CST to 06:00 CDT: the night the clocks go forward (7 hours long)
    (datetime(2026, 3, 8, 4, tzinfo=UTC), datetime(2026, 3, 8, 11, tzinfo=UTC), "20260307T220000"),
    # 03:30 CDT, in the first hour of daylight time
    (
        datetime(2026, 3, 8, 8, 30, tzinfo=UTC),
        datetime(2026, 3, 8, 9, tzinfo=UTC),
        "20260308T033000",
    ),
    # 09:00-11:00 CDT, the day after
    (datetime(2026, 3, 9, 14, tzinfo=UTC), datetime(2026, 3, 9, 16, tzinfo=UTC), "20260309T090000"),
    # 09:00-11:00 CDT, the day before clocks go back
    (
        datetime(2026, 10, 31, 14, tzinfo=UTC),
        datetime(2026, 10, 31, 16, tzinfo=UTC),
        "20261031T090000",
    ),
    # 22:00 CDT to 06:00 CST: the night the clocks go back (9 hours long)
    (
        datetime(2026, 11, 1, 3, tzinfo=UTC),
        datetime(2026, 11, 1, 12, tzinfo=UTC),
        "20261031T220000",
    ),
    # 01:30 CDT to 01:30 CST: the repeated hour, where a wall time names two instants
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), datetime(2026, 11, 1, 7, 30, tzinfo=UTC), None),
    # 09:00-11:00 CST, the day after
    (
        datetime(2026, 11, 2, 15, tzinfo=UTC),
        datetime(2026, 11, 2, 17, tzinfo=UTC),
        "20261102T090000",
    ),
]


def dst_feed() -> bytes:
    """Build a feed of the shifts around the daylight-saving changes."""
    return feed(
        [
            shift(number, starts_at=starts, ends_at=ends)
            for number, (starts, ends, _) in enumerate(DST_SHIFTS, start=1)
        ]
    )


def test_dst_shifts_are_written_in_garden_wall_time():
    body = dst_feed()
    written = [line for line in lines(body) if line.startswith("DTSTART;TZID=")]
    expected = [f"DTSTART;TZID={GARDEN_ZONE}:{wall}" for _, _, wall in DST_SHIFTS if wall]
    assert written == expected
    # In the repeated hour the wall time is ambiguous, and ical.js reads it the other way
    # round from RFC 5545, so those two instants go out in UTC.
    assert "DTSTART:20261101T063000Z" in lines(body)
    assert "DTEND:20261101T073000Z" in lines(body)


def test_strict_parser_reads_the_given_instants_across_dst():
    calendar = read_strict(dst_feed())
    got = [(e.uid, e.dtstart.astimezone(UTC), e.dtend.astimezone(UTC)) for e in calendar.events]
    expected = [
        (f"shift-{number}@garden.example", starts, ends)
        for number, (starts, ends, _) in enumerate(DST_SHIFTS, start=1)
    ]
    assert got == expected


def test_icaljs_reads_the_given_instants_across_dst(read_icaljs):
    parsed = read_icaljs(dst_feed())
    assert parsed["timezones"] == [GARDEN_ZONE]
    got = [(e["uid"], e["start_ms"], e["end_ms"]) for e in parsed["events"]]
    expected = [
        (f"shift-{number}@garden.example", ms(starts), ms(ends))
        for number, (starts, ends, _) in enumerate(DST_SHIFTS, start=1)
    ]
    assert got == expected
    # Times with a TZID must be read with the feed's own VTIMEZONE, never as floating.
    zones = {e["start_zone"] for e in parsed["events"]} | {e["end_zone"] for e in parsed["events"]}
    assert zones == {GARDEN_ZONE, "UTC"}


def test_vtimezone_for_chicago_2026_has_the_real_onsets():
    body = feed([shift()])
    start = body.index(b"BEGIN:VTIMEZONE")
    block = body[start : body.index(b"END:VTIMEZONE") + len(b"END:VTIMEZONE\r\n")]
    assert block.decode().split("\r\n") == [
        "BEGIN:VTIMEZONE",
        "TZID:America/Chicago",
        "BEGIN:STANDARD",
        "DTSTART:20260101T000000",
        "TZNAME:CST",
        "TZOFFSETFROM:-0600",
        "TZOFFSETTO:-0600",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:20260308T020000",
        "TZNAME:CDT",
        "TZOFFSETFROM:-0600",
        "TZOFFSETTO:-0500",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "DTSTART:20261101T020000",
        "TZNAME:CST",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0600",
        "END:STANDARD",
        "END:VTIMEZONE",
        "",
    ]


@pytest.mark.parametrize(
    ("zone_name", "changes_in_2026_and_2027"),
    [("America/Chicago", 4), ("Europe/London", 4), ("Australia/Lord_Howe", 4), ("Asia/Kolkata", 0)],
)
def test_vtimezone_onsets_are_the_zones_transitions(zone_name, changes_in_2026_and_2027):
    zone = ZoneInfo(zone_name)
    component = vtimezone(zone, zone_name, date(2026, 1, 1), date(2028, 1, 1))
    onsets = []
    for observance in component.subcomponents:
        offset_from = observance["TZOFFSETFROM"].td
        local_onsets = [observance["DTSTART"].dt]
        rdates = observance.get("RDATE")
        if rdates is not None:
            local_onsets += [period.dt for period in rdates.dts]
        for local in local_onsets:
            # RFC 5545: the onset is a local time read with the offset in force before it.
            instant = local.replace(tzinfo=UTC) - offset_from
            onsets.append(instant)
            assert instant.astimezone(zone).utcoffset() == observance["TZOFFSETTO"].td
            before = (instant - timedelta(seconds=1)).astimezone(zone).utcoffset()
            assert before == offset_from
    quarter_hours = (
        datetime(2026, 1, 1, 6, tzinfo=UTC) + timedelta(minutes=15 * n)
        for n in range(1, 4 * 24 * 730)
    )
    changes = [
        moment
        for moment in quarter_hours
        if moment.astimezone(zone).utcoffset()
        != (moment - timedelta(minutes=15)).astimezone(zone).utcoffset()
    ]
    assert len(changes) == changes_in_2026_and_2027
    # One onset opens the range; every later one is a real change, and none is missed.
    assert len(onsets) == 1 + len(changes)


def test_equal_input_gives_byte_identical_output():
    events = [shift(1), shift(2, starts_at=datetime(2026, 4, 4, 14, tzinfo=UTC)), shift(3)]
    events[2] = replace(events[2], ends_at=datetime(2026, 5, 2, 17, tzinfo=UTC))
    first = feed(events, alarm_minutes=45, description="Season 2026")
    again = feed(
        [replace(e) for e in reversed(events)], alarm_minutes=45, description="Season 2026"
    )
    assert first == again
    assert etag_for(first) == etag_for(again)
    uids = [line for line in lines(first) if line.startswith("UID:")]
    assert uids == [
        "UID:shift-2@garden.example",
        "UID:shift-1@garden.example",
        "UID:shift-3@garden.example",
    ]


def test_a_change_to_a_shift_changes_the_bytes_and_the_etag():
    before = feed([shift()])
    after = feed([shift(updated_at=datetime(2026, 2, 4, tzinfo=UTC), sequence=1)])
    assert before != after
    assert etag_for(before) != etag_for(after)


def test_etag_is_strong_and_quoted():
    tag = etag_for(b"BEGIN:VCALENDAR\r\n")
    assert re.fullmatch(r'"[0-9a-f]{64}"', tag)
    assert tag == etag_for(b"BEGIN:VCALENDAR\r\n")


# (text as the database holds it, text as a client must show it)
HOSTILE_TEXT = [
    ("Beds 1, 2; 3 \\ path", "Beds 1, 2; 3 \\ path"),
    ("ends in a backslash \\", "ends in a backslash \\"),
    ("x\r\nRRULE:FREQ=DAILY", "x\nRRULE:FREQ=DAILY"),
    ("x\nRRULE:FREQ=DAILY;COUNT=99", "x\nRRULE:FREQ=DAILY;COUNT=99"),
    ("x\rRRULE:FREQ=DAILY", "x\nRRULE:FREQ=DAILY"),
    ("x\rEND:VEVENT\rBEGIN:VEVENT", "x\nEND:VEVENT\nBEGIN:VEVENT"),
    (
        "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nDTSTART:20260101T000000Z\r\nSUMMARY:free",
        "x\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil@x\nDTSTART:20260101T000000Z\nSUMMARY:free",
    ),
    ("folded?\r\n ATTENDEE:mailto:a", "folded?\n ATTENDEE:mailto:a"),
    ("bell\x07 nul\x00 esc\x1b del\x7f c1\x85 tab\tkept", "bell nul esc del c1 tab\tkept"),
    ("Jäten im Kräuterbeet 🌱 " * 6, "Jäten im Kräuterbeet 🌱 " * 6),
]


@pytest.fixture(params=HOSTILE_TEXT, ids=[f"text{n}" for n in range(len(HOSTILE_TEXT))])
def hostile(request) -> tuple[bytes, str]:
    """Return a feed whose shift 1 carries hostile text everywhere, next to a plain shift 2."""
    raw, shown = request.param
    body = feed(
        [
            shift(1, title=raw, location=raw, description=raw, kind=f"Weeding {raw}"),
            shift(2, starts_at=datetime(2026, 5, 9, 14, tzinfo=UTC)),
        ],
        name=f"Garden {raw}",
        description=raw,
    )
    return body, shown


def test_hostile_text_adds_nothing_for_the_strict_parser(hostile):
    body, shown = hostile
    calendar = read_strict(body)
    assert [e.uid for e in calendar.events] == ["shift-1@garden.example", "shift-2@garden.example"]
    assert all(e.rrule is None and not e.rdate for e in calendar.events)
    first = calendar.events[0]
    assert (first.summary, first.location, first.description) == (shown, shown, shown)
    if "," not in shown:  # see test_strict_parser_splits_escaped_commas_in_categories
        assert first.categories == [f"Weeding {shown}"]
    assert first.dtstart == datetime(2026, 5, 2, 14, tzinfo=UTC)
    assert calendar.events[1].summary == "Weeding"


@pytest.mark.xfail(
    strict=True, reason="ical 14.3.1 splits CATEGORIES at an escaped comma; ical.js does not"
)
def test_strict_parser_splits_escaped_commas_in_categories():
    body = feed([shift(kind="Weeding, light")])
    assert "CATEGORIES:Weeding\\, light" in lines(body)
    assert read_strict(body).events[0].categories == ["Weeding, light"]


def test_hostile_text_adds_nothing_for_icaljs(hostile, read_icaljs):
    body, shown = hostile
    parsed = read_icaljs(body)
    assert [e["uid"] for e in parsed["events"]] == [
        "shift-1@garden.example",
        "shift-2@garden.example",
    ]
    first = parsed["events"][0]
    assert (first["summary"], first["location"], first["description"]) == (shown, shown, shown)
    assert first["categories"] == [f"Weeding {shown}"]
    assert first["start_ms"] == ms(datetime(2026, 5, 2, 14, tzinfo=UTC))
    assert sorted(first["property_names"]) == sorted(
        [
            "uid",
            "dtstamp",
            "created",
            "last-modified",
            "sequence",
            "dtstart",
            "dtend",
            "summary",
            "status",
            "transp",
            "location",
            "categories",
            "url",
            "description",
        ]
    )
    assert not any(e["rrule"] for e in parsed["events"])
    assert "method" not in parsed["calendar_properties"]


def test_hostile_text_adds_no_line_of_its_own(hostile):
    body, _ = hostile
    names = [re.split("[;:]", line, maxsplit=1)[0] for line in lines(body)]
    # VCALENDAR, VTIMEZONE with its three observances, two VEVENTs
    assert names.count("BEGIN") == names.count("END") == 7
    for forbidden in ("RRULE", "RDATE", "METHOD", "ATTENDEE", "ORGANIZER"):
        assert forbidden not in names
    assert names.count("UID") == 2
    assert names.count("X-WR-CALNAME") == names.count("NAME") == 1


def test_calendar_name_round_trips_escaped():
    body = feed([shift()], name="Garden, season; 2026", description="All shifts, open to all")
    assert "NAME:Garden\\, season\\; 2026" in lines(body)
    assert "X-WR-CALNAME:Garden\\, season\\; 2026" in lines(body)
    assert "X-WR-CALDESC:All shifts\\, open to all" in lines(body)
    assert read_strict(body).name == ["Garden, season; 2026"]


def test_calendar_has_refresh_hints_and_no_method():
    body = feed([shift()])
    content = lines(body)
    assert content[:3] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//coop//Community garden shifts//EN",
    ]
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in content
    assert "X-PUBLISHED-TTL:PT1H" in content
    assert f"X-WR-TIMEZONE:{GARDEN_ZONE}" in content
    assert not any(line.startswith("METHOD") for line in content)
    assert read_strict(body).refresh_interval == timedelta(hours=1)


def test_event_carries_the_shift_record():
    body = feed(
        [
            shift(
                7,
                title="Compost turning",
                kind="Compost",
                sequence=3,
                description="With your partner Sam (phone 555-1234)",
            )
        ]
    )
    event = read_strict(body).events[0]
    assert event.uid == "shift-7@garden.example"
    assert event.dtstamp == datetime(2026, 2, 3, 7, 45, 12, tzinfo=UTC)
    assert event.last_modified == datetime(2026, 2, 3, 7, 45, 12, tzinfo=UTC)
    assert event.created == datetime(2026, 1, 10, 18, 30, tzinfo=UTC)
    assert event.sequence == 3
    assert event.summary == "Compost turning"
    assert event.categories == ["Compost"]
    assert event.location == "North beds"
    assert event.url == "https://garden.example/shifts/7"
    assert event.description == "With your partner Sam (phone 555-1234)"
    assert event.status == "CONFIRMED"
    assert event.transparency == "OPAQUE"
    assert event.attendees == [] and event.organizer is None
    content = lines(body)
    assert "DTSTAMP:20260203T074512Z" in content
    assert "LAST-MODIFIED:20260203T074512Z" in content
    assert "CREATED:20260110T183000Z" in content
    assert "DTSTART;TZID=America/Chicago:20260502T090000" in content
    assert "DTEND;TZID=America/Chicago:20260502T110000" in content
    # The only "@" in a feed is in a UID: no e-mail address ever leaves the garden.
    assert [line for line in content if "@" in line] == ["UID:shift-7@garden.example"]


def test_cancelled_shift_stays_with_status_and_reason(read_icaljs):
    body = feed(
        [shift(1, status="cancelled", cancel_reason="Storm warning", sequence=2), shift(2)],
        alarm_minutes=30,
    )
    strict = read_strict(body).events
    assert [(e.uid, e.status, e.summary) for e in strict] == [
        ("shift-1@garden.example", "CANCELLED", "Cancelled: Weeding"),
        ("shift-2@garden.example", "CONFIRMED", "Weeding"),
    ]
    assert strict[0].description == "Cancelled: Storm warning\n\nOpen places: 2 of 3"
    assert strict[0].sequence == 2
    # A reminder for a shift that will not happen would only mislead.
    assert [len(e.alarm) for e in strict] == [0, 1]
    js = read_icaljs(body)["events"]
    assert [(e["status"], e["summary"]) for e in js] == [
        ("CANCELLED", "Cancelled: Weeding"),
        ("CONFIRMED", "Weeding"),
    ]
    assert [len(e["alarms"]) for e in js] == [0, 1]


def test_alarm_only_when_asked(read_icaljs):
    assert b"VALARM" not in feed([shift(1), shift(2)])
    body = feed([shift(1), shift(2)], alarm_minutes=90)
    content = lines(body)
    assert content.count("BEGIN:VALARM") == 2
    assert content.count("ACTION:DISPLAY") == 2
    alarms = [alarm for event in read_strict(body).events for alarm in event.alarm]
    assert [(a.action, a.trigger, a.description) for a in alarms] == [
        ("DISPLAY", timedelta(minutes=-90), "Weeding"),
        ("DISPLAY", timedelta(minutes=-90), "Weeding"),
    ]
    js = [alarm for event in read_icaljs(body)["events"] for alarm in event["alarms"]]
    assert js == [{"action": "DISPLAY", "trigger": "-PT1H30M", "description": "Weeding"}] * 2


def test_alarm_trigger_is_written_in_minutes_before():
    assert "TRIGGER:-PT15M" in lines(feed([shift()], alarm_minutes=15))


def test_lines_are_folded_at_75_octets_and_end_with_crlf():
    long = "Bring gloves, a hat and water; Jäten im Kräuterbeet 🌱🌱🌱 " * 8
    body = feed([shift(title=long, description=long, location=long)], description=long)
    assert body.endswith(b"\r\n")
    physical = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert max(len(line) for line in physical) >= 70  # long text really was folded
    assert not any(b"\r" in line or b"\n" in line for line in physical)
    for line in physical:
        line.decode()  # a fold never splits a UTF-8 character
    assert read_strict(body).events[0].description == long


def test_empty_feed_is_a_valid_calendar(read_icaljs):
    body = feed([])
    assert b"VEVENT" not in body and b"VTIMEZONE" not in body
    assert read_strict(body).events == []
    assert read_icaljs(body)["events"] == []


@pytest.mark.parametrize(
    "bad",
    [
        {"starts_at": datetime(2026, 5, 2, 9, 0)},
        {"ends_at": datetime(2026, 5, 2, 13, tzinfo=UTC)},
        {"status": "maybe"},
    ],
    ids=["naive", "ends-before-start", "unknown-status"],
)
def test_bad_shift_is_refused(bad):
    with pytest.raises(ValueError):
        feed([shift(**bad)])


def test_a_shift_appears_once():
    with pytest.raises(ValueError):
        feed([shift(1), shift(1)])

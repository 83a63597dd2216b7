"""Build iCalendar (RFC 5545) feeds of shifts: pure, shifts in, bytes out."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vDuration, vText

from coop.i18n import _
from coop.vocabulary import ShiftStatus

PRODID = "-//coop//Community garden shifts//EN"
REFRESH = timedelta(hours=1)
STATUSES = {ShiftStatus.SCHEDULED: "CONFIRMED", ShiftStatus.CANCELLED: "CANCELLED"}

# Control characters other than TAB and LF; a CR is turned into LF before this runs.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# zoneinfo keeps its transitions private, so we probe the zone this often and bisect in between.
_PROBE_STEP = timedelta(hours=6)


@dataclass(frozen=True)
class FeedEvent:
    """One shift as a feed shows it, already shaped for the reader of that feed."""

    shift_id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    location: str
    status: str
    cancel_reason: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    url: str
    description: str = ""


def build_feed(
    events: Iterable[FeedEvent],
    *,
    name: str,
    timezone: str,
    uid_domain: str,
    description: str = "",
    alarm_minutes: int | None = None,
) -> bytes:
    """Return the feed as bytes; equal input gives equal bytes, so the bytes can be cached."""
    zone = ZoneInfo(timezone)
    if alarm_minutes is not None and alarm_minutes < 0:
        raise ValueError("alarm_minutes must not be negative")
    shifts = sorted(events, key=lambda e: (_utc(e.starts_at), e.shift_id))
    ids = [e.shift_id for e in shifts]
    if len(set(ids)) != len(ids):
        raise ValueError("each shift may appear only once in a feed (its UID must be unique)")

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", vText(clean_text(name)))
    calendar.add("X-WR-CALNAME", vText(clean_text(name)))
    if description:
        calendar.add("DESCRIPTION", vText(clean_text(description)))
        calendar.add("X-WR-CALDESC", vText(clean_text(description)))
    calendar.add("X-WR-TIMEZONE", vText(timezone))
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    if shifts:
        first = min(_utc(e.starts_at) for e in shifts).astimezone(zone).date()
        last = max(_utc(e.ends_at) for e in shifts).astimezone(zone).date()
        calendar.add_component(
            vtimezone(zone, timezone, date(first.year, 1, 1), date(last.year + 1, 1, 1))
        )
    for shift in shifts:
        calendar.add_component(_vevent(shift, zone, uid_domain, alarm_minutes))
    return calendar.to_ical()


def etag_for(body: bytes) -> str:
    """Return a strong ETag for a feed body, so clients can ask "has it changed?" cheaply."""
    return f'"{hashlib.sha256(body).hexdigest()}"'


def clean_text(text: str) -> str:
    """Normalise line breaks to LF and drop control characters, so text cannot break a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _one_line(text: str) -> str:
    """Drop every control character from a value that is not text, such as a URL or domain."""
    return _ANY_CONTROL.sub("", text).strip()


def vtimezone(zone: tzinfo, tzid: str, first: date, last: date) -> Timezone:
    """Describe the zone's offsets from `first` to `last`, so clients need no tz database."""
    component = Timezone()
    component.add("TZID", tzid)
    for (offset_from, offset_to, tzname, is_standard), onsets in _observances(zone, first, last):
        observance = TimezoneStandard() if is_standard else TimezoneDaylight()
        observance.add("DTSTART", onsets[0])
        if onsets[1:]:
            observance.add("RDATE", list(onsets[1:]))
        observance.add("TZNAME", tzname)
        observance.add("TZOFFSETFROM", offset_from)
        observance.add("TZOFFSETTO", offset_to)
        component.add_component(observance)
    return component


@functools.lru_cache(maxsize=64)
def _observances(
    zone: tzinfo, first: date, last: date
) -> tuple[tuple[tuple[timedelta, timedelta, str, bool], tuple[datetime, ...]], ...]:
    """The zone's offset changes between two dates: the same every time, so computed once.

    Finding them probes the zone thousands of times, which was most of a feed's CPU time.
    """
    start = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=zone).astimezone(UTC)
    # (offset from, offset to, name, is standard) -> onsets in local time of the offset before
    observances: dict[tuple[timedelta, timedelta, str, bool], list[datetime]] = {}
    offset, is_dst, tzname = _state(zone, start)
    observances[(offset, offset, tzname, not is_dst)] = [_wall(start, offset)]
    for instant in _transitions(zone, start, end):
        before = _state(zone, instant - timedelta(seconds=1))[0]
        offset, is_dst, tzname = _state(zone, instant)
        observances.setdefault((before, offset, tzname, not is_dst), []).append(
            _wall(instant, before)
        )
    return tuple((key, tuple(onsets)) for key, onsets in observances.items())


def _transitions(zone: tzinfo, start: datetime, end: datetime) -> Iterable[datetime]:
    """Yield each UTC instant in [start, end) at which the zone's offset, DST or name changes."""
    probe, state = start, _state(zone, start)
    while probe < end:
        step = min(_PROBE_STEP, end - probe)
        if _state(zone, probe + step) == state:
            probe += step
            continue
        low, high = 0, int(step.total_seconds())  # state at low is the old one, at high the new
        while high - low > 1:
            middle = (low + high) // 2
            if _state(zone, probe + timedelta(seconds=middle)) == state:
                low = middle
            else:
                high = middle
        probe += timedelta(seconds=high)
        state = _state(zone, probe)
        if probe < end:
            yield probe


def _state(zone: tzinfo, instant: datetime) -> tuple[timedelta, bool, str]:
    """Return what a clock in the zone shows at a UTC instant: offset, DST or not, name."""
    local = instant.astimezone(zone)
    offset = local.utcoffset() or timedelta()
    tzname = local.tzname() or _offset_name(offset)
    return offset, bool(local.dst()), tzname


def _wall(instant: datetime, offset: timedelta) -> datetime:
    """Return the naive local time at a UTC instant, as read with the given offset (RFC 5545)."""
    return (instant + offset).replace(tzinfo=None)


def _offset_name(offset: timedelta) -> str:
    """Name an offset like "+0530" for zones that give none."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _vevent(shift: FeedEvent, zone: ZoneInfo, uid_domain: str, alarm: int | None) -> Event:
    """Turn one shift into a VEVENT; a cancelled shift stays so that clients remove it."""
    if STATUSES.get(shift.status) is None:
        raise ValueError(f"unknown shift status {shift.status!r}")
    starts, ends = _utc(shift.starts_at), _utc(shift.ends_at)
    if ends <= starts:
        raise ValueError(f"shift {shift.shift_id} ends before it starts")
    cancelled = shift.status == ShiftStatus.CANCELLED
    title = clean_text(shift.title)
    # The words are in the language of the caller's context (coop.i18n.speaking).
    summary = _("Cancelled: %(title)s", title=title) if cancelled else title
    description = clean_text(shift.description)
    if cancelled:
        reason = clean_text(shift.cancel_reason).strip()
        note = _("Cancelled: %(reason)s", reason=reason) if reason else _("Cancelled.")
        description = f"{note}\n\n{description}" if description else note

    event = Event()
    event.add("UID", f"shift-{shift.shift_id}@{_one_line(uid_domain)}")
    event.add("DTSTAMP", _utc(shift.updated_at))
    event.add("CREATED", _utc(shift.created_at))
    event.add("LAST-MODIFIED", _utc(shift.updated_at))
    event.add("SEQUENCE", shift.sequence)
    event.add("DTSTART", _wall_time(starts, zone))
    event.add("DTEND", _wall_time(ends, zone))
    event.add("SUMMARY", vText(summary))
    event.add("STATUS", STATUSES[shift.status])
    event.add("TRANSP", "OPAQUE")
    if shift.location:
        event.add("LOCATION", vText(clean_text(shift.location)))
    if shift.kind:
        event.add("CATEGORIES", [clean_text(shift.kind)])
    if shift.url:
        event.add("URL", _one_line(shift.url))
    if description:
        event.add("DESCRIPTION", vText(description))
    if alarm is not None and not cancelled:
        reminder = Alarm()
        reminder.add("ACTION", "DISPLAY")
        reminder.add("TRIGGER", timedelta(minutes=-alarm))
        reminder.add("DESCRIPTION", vText(summary))
        event.add_component(reminder)
    return event


def _wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """Return the garden's wall time, or UTC in the repeated hour, where readers disagree."""
    local = moment.astimezone(zone)
    other = local.replace(fold=1 - local.fold)
    if other.astimezone(UTC) != moment:
        return moment
    return local


def _utc(moment: datetime) -> datetime:
    """Return an aware datetime in UTC; a naive one is a bug upstream, so refuse it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r} where an aware one is needed")
    return moment.astimezone(UTC)

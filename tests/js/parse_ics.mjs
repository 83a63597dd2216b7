// Read an .ics file with Mozilla's ical.js (Thunderbird's parser) and print its events as JSON,
// so the Python tests can check a feed with a parser that shares no code with the one that wrote it.
// Usage: node parse_ics.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));

// Register the feed's own VTIMEZONEs, so times are read with the feed's rules, not the host's.
const timezones = [];
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone);
  timezones.push(zone.tzid);
}

function instant(property) {
  if (property === null) return null;
  const time = property.getFirstValue();
  return { epoch_ms: time.toJSDate().getTime(), zone: time.zone ? time.zone.tzid : null };
}

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const start = instant(vevent.getFirstProperty("dtstart"));
  const end = instant(vevent.getFirstProperty("dtend"));
  return {
    uid: vevent.getFirstPropertyValue("uid"),
    summary: vevent.getFirstPropertyValue("summary"),
    location: vevent.getFirstPropertyValue("location"),
    description: vevent.getFirstPropertyValue("description"),
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    status: vevent.getFirstPropertyValue("status"),
    sequence: vevent.getFirstPropertyValue("sequence"),
    start_ms: start && start.epoch_ms,
    end_ms: end && end.epoch_ms,
    start_zone: start && start.zone,
    end_zone: end && end.zone,
    rrule: vevent.hasProperty("rrule"),
    property_names: vevent.getAllProperties().map((p) => p.name),
    alarms: vevent.getAllSubcomponents("valarm").map((alarm) => ({
      action: alarm.getFirstPropertyValue("action"),
      trigger: String(alarm.getFirstPropertyValue("trigger")),
      description: alarm.getFirstPropertyValue("description"),
    })),
  };
});

process.stdout.write(
  JSON.stringify({
    timezones,
    calendar_properties: calendar.getAllProperties().map((p) => p.name),
    events,
  }),
);

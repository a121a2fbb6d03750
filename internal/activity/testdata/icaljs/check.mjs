// Parses an iCalendar feed with Mozilla's ical.js (strict mode) and checks what a calendar app
// relies on, then compares each event with what the Go test expects.
//
//   node check.mjs feed.ics want.json
//
// want.json: {"events": {"<UID>": {"summary", "location", "description", "status",
// "start", "end", "allDay", "categories"}}}; start and end are YYYY-MM-DD for all-day events
// and UTC RFC 3339 instants (2023-07-20T06:00:00Z) otherwise. Prints "ok N events" or the
// problems, one a line, and exits 1 when there are any.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file, wantFile] = process.argv.slice(2);
const raw = readFileSync(file);
const text = raw.toString("utf8");
const want = JSON.parse(readFileSync(wantFile, "utf8"));
const problems = [];
const fail = (msg) => problems.push(msg);

// Content lines: CRLF only, at most 75 octets, valid UTF-8 on every physical line.
if (!text.endsWith("\r\n")) fail("feed does not end with CRLF");
const physical = text.split("\r\n").slice(0, -1);
physical.forEach((line, i) => {
  const bytes = Buffer.byteLength(line, "utf8");
  if (bytes > 75) fail(`line ${i + 1} has ${bytes} octets`);
  if (line.includes("\n") || line.includes("\r")) fail(`line ${i + 1} has a bare line break`);
  if (line.includes("\uFFFD")) fail(`line ${i + 1} splits a UTF-8 character`);
});

ICAL.design.strict = true;
let cal;
try {
  cal = new ICAL.Component(ICAL.parse(text));
} catch (e) {
  console.log(`ical.js refused the feed: ${e.message}`);
  process.exit(1);
}

if (cal.name !== "vcalendar") fail(`top component is ${cal.name}`);
if (cal.getAllProperties("version").length !== 1 || cal.getFirstPropertyValue("version") !== "2.0") fail("VERSION must be 2.0, once");
if (cal.getAllProperties("prodid").length !== 1) fail("PRODID must appear once");

const zones = new Set();
for (const vtz of cal.getAllSubcomponents("vtimezone")) {
  const tzid = vtz.getFirstPropertyValue("tzid");
  zones.add(tzid);
  if (vtz.getAllSubcomponents("standard").length + vtz.getAllSubcomponents("daylight").length === 0) fail(`VTIMEZONE ${tzid} has no STANDARD or DAYLIGHT`);
  for (const sub of [...vtz.getAllSubcomponents("standard"), ...vtz.getAllSubcomponents("daylight")]) {
    for (const p of ["dtstart", "tzoffsetfrom", "tzoffsetto"]) {
      if (!sub.hasProperty(p)) fail(`VTIMEZONE ${tzid} lacks ${p.toUpperCase()}`);
    }
  }
  ICAL.TimezoneService.register(vtz);
}

const dateRe = /^\d{4}-\d{2}-\d{2}$/;
const dateTimeRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$/;

// timeValue checks a DTSTART/DTEND property's value type and returns what the test compares.
function timeValue(uid, prop) {
  const name = prop.name.toUpperCase();
  const value = prop.getFirstValue();
  const jcal = prop.toJSON()[3];
  const type = prop.type;
  if (type === "date") {
    if (!dateRe.test(jcal) || !value.isDate) fail(`${uid}: ${name} is not a DATE: ${jcal}`);
    return value.toString();
  }
  if (type !== "date-time" || !dateTimeRe.test(jcal) || value.isDate) fail(`${uid}: ${name} is not a DATE-TIME: ${jcal}`);
  const tzid = prop.getParameter("tzid");
  if (tzid) {
    if (!zones.has(tzid)) fail(`${uid}: ${name} uses TZID ${tzid} without its VTIMEZONE`);
  } else if (value.zone !== ICAL.Timezone.utcTimezone) {
    fail(`${uid}: ${name} is floating time`);
  }
  return value.toJSDate().toISOString().replace(".000Z", "Z");
}

const seen = new Set();
const events = cal.getAllSubcomponents("vevent");
for (const ev of events) {
  const uid = ev.getFirstPropertyValue("uid");
  if (!uid || ev.getAllProperties("uid").length !== 1) { fail("a VEVENT without exactly one UID"); continue; }
  if (seen.has(uid)) fail(`${uid}: UID twice`);
  seen.add(uid);
  for (const p of ["dtstamp", "dtstart", "summary", "sequence", "status"]) {
    if (ev.getAllProperties(p).length !== 1) fail(`${uid}: ${p.toUpperCase()} must appear once`);
  }
  for (const p of ["dtend", "location", "description", "url", "last-modified", "created"]) {
    if (ev.getAllProperties(p).length > 1) fail(`${uid}: ${p.toUpperCase()} more than once`);
  }
  if (ev.hasProperty("dtend") && ev.hasProperty("duration")) fail(`${uid}: DTEND and DURATION`);
  const stamp = ev.getFirstProperty("dtstamp");
  if (stamp && (stamp.type !== "date-time" || stamp.getFirstValue().zone !== ICAL.Timezone.utcTimezone)) fail(`${uid}: DTSTAMP not in UTC`);

  const startProp = ev.getFirstProperty("dtstart");
  const endProp = ev.getFirstProperty("dtend");
  if (!startProp) continue;
  const start = timeValue(uid, startProp);
  const end = endProp ? timeValue(uid, endProp) : "";
  const allDay = startProp.type === "date";
  if (endProp) {
    if ((endProp.type === "date") !== allDay) fail(`${uid}: DTSTART and DTEND of different types`);
    if (endProp.getFirstValue().compare(startProp.getFirstValue()) <= 0) fail(`${uid}: DTEND not after DTSTART`);
  }
  const event = new ICAL.Event(ev);
  if (allDay && endProp && event.endDate.subtractDate(event.startDate).toSeconds() < 86400) fail(`${uid}: all-day event shorter than a day`);

  const w = want.events[uid];
  if (!w) { fail(`${uid}: not expected in this feed`); continue; }
  const got = {
    summary: ev.getFirstPropertyValue("summary") ?? "",
    location: ev.getFirstPropertyValue("location") ?? "",
    description: ev.getFirstPropertyValue("description") ?? "",
    status: ev.getFirstPropertyValue("status") ?? "",
    start, end, allDay,
    categories: ev.getAllProperties("categories").flatMap((p) => p.getValues()),
  };
  for (const [k, v] of Object.entries(w)) {
    if (JSON.stringify(got[k]) !== JSON.stringify(v)) fail(`${uid}: ${k} is ${JSON.stringify(got[k])}, want ${JSON.stringify(v)}`);
  }
}
for (const uid of Object.keys(want.events)) {
  if (!seen.has(uid)) fail(`${uid}: missing from the feed`);
}

if (problems.length > 0) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log(`ok ${events.length} events`);

package activity

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar is one iCalendar (RFC 5545) feed of activities, ready to be written. The service
// fills the activities, types, zone and UID domain; the web layer adds the name, the labels in
// the reader's language and the base URL.
type Calendar struct {
	Name       string         // X-WR-CALNAME: what calendar apps show for the subscription
	Zone       *time.Location // Asia/Shanghai is written with TZID and its VTIMEZONE, other zones in UTC
	UIDDomain  string         // right-hand side of every UID, stable for the installation
	BaseURL    string         // the public base URL, e.g. https://dj.example.org; empty: events carry no URL
	Locale     string         // language of the type names
	Labels     Labels
	Types      []*Type
	Activities []*Activity
	// Modified is the latest change of anything the feed shows, for Last-Modified.
	Modified time.Time
}

// Labels are the headings of an event's description and the mark of a cancelled event, in
// the reader's language.
type Labels struct {
	Theme     string // 主题
	Lecture   string // 党课 lecturer and topic
	Agenda    string // 议程
	Itinerary string // 行程
	Safety    string // 安全提示
	Cancelled string // put before a cancelled event's title, for apps that ignore STATUS
	Colon     string // "：" or ": "
}

// shanghaiZone is the only zone written with TZID: China has kept +08:00 without daylight
// saving since 1991, so one STANDARD block describes it for every date a feed can hold.
const shanghaiZone = "Asia/Shanghai"

const (
	icsDate     = "20060102"
	icsDateTime = "20060102T150405"
	icsUTC      = "20060102T150405Z"
)

// maxLineOctets is the longest content line RFC 5545 §3.1 allows, CRLF not counted.
const maxLineOctets = 75

// ICS returns the calendar as an iCalendar object: CRLF line endings, TEXT values escaped, lines
// folded at 75 octets without splitting a UTF-8 character.
func (c *Calendar) ICS() []byte {
	zone := c.Zone
	if zone == nil {
		zone = time.UTC
	}
	useTZID := zone.String() == shanghaiZone
	var w icsWriter
	w.prop("BEGIN", "", "VCALENDAR")
	w.prop("VERSION", "", "2.0")
	w.prop("PRODID", "", "-//dangjian//Activities//ZH")
	w.prop("CALSCALE", "", "GREGORIAN")
	w.prop("METHOD", "", "PUBLISH")
	if c.Name != "" {
		w.prop("X-WR-CALNAME", "", EscapeText(c.Name))
	}
	w.prop("X-WR-TIMEZONE", "", EscapeText(zone.String()))
	// Ask clients to refresh hourly; many default to a day or a week.
	w.prop("REFRESH-INTERVAL", ";VALUE=DURATION", "PT1H")
	w.prop("X-PUBLISHED-TTL", "", "PT1H")
	if useTZID {
		w.prop("BEGIN", "", "VTIMEZONE")
		w.prop("TZID", "", shanghaiZone)
		w.prop("X-LIC-LOCATION", "", shanghaiZone)
		w.prop("BEGIN", "", "STANDARD")
		w.prop("TZOFFSETFROM", "", "+0800")
		w.prop("TZOFFSETTO", "", "+0800")
		w.prop("TZNAME", "", "CST")
		w.prop("DTSTART", "", "19700101T000000")
		w.prop("END", "", "STANDARD")
		w.prop("END", "", "VTIMEZONE")
	}
	for _, a := range c.Activities {
		c.writeEvent(&w, a, zone, useTZID)
	}
	w.prop("END", "", "VCALENDAR")
	return w.buf.Bytes()
}

func (c *Calendar) writeEvent(w *icsWriter, a *Activity, zone *time.Location, useTZID bool) {
	w.prop("BEGIN", "", "VEVENT")
	w.prop("UID", "", EscapeText("activity-"+strconv.FormatInt(a.ID, 10)+"@"+c.UIDDomain))
	stamp := a.UpdatedAt
	if stamp.IsZero() {
		stamp = a.CreatedAt
	}
	w.prop("DTSTAMP", "", stamp.UTC().Format(icsUTC))
	if a.AllDay {
		start := a.StartsAt.In(zone)
		end := a.EndsAt.In(zone)
		startDay := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
		// EndsAt is already the midnight after the last day: the exclusive DTEND of §3.6.1.
		endDay := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
		if end.Hour() != 0 || end.Minute() != 0 || end.Second() != 0 {
			endDay = endDay.AddDate(0, 0, 1) // an end inside a day still covers that day
		}
		if !endDay.After(startDay) {
			endDay = startDay.AddDate(0, 0, 1)
		}
		w.prop("DTSTART", ";VALUE=DATE", startDay.Format(icsDate))
		w.prop("DTEND", ";VALUE=DATE", endDay.Format(icsDate))
	} else {
		w.prop("DTSTART", timeParam(useTZID), timeValue(a.StartsAt, zone, useTZID))
		if a.EndsAt.After(a.StartsAt) {
			w.prop("DTEND", timeParam(useTZID), timeValue(a.EndsAt, zone, useTZID))
		}
	}
	summary := a.Title
	if a.Status == StatusCancelled && c.Labels.Cancelled != "" {
		summary = c.Labels.Cancelled + summary
	}
	w.prop("SUMMARY", "", EscapeText(summary))
	if loc := eventLocation(a); loc != "" {
		w.prop("LOCATION", "", EscapeText(loc))
	}
	if desc := c.description(a); desc != "" {
		w.prop("DESCRIPTION", "", EscapeText(desc))
	}
	if names := c.typeNames(a); len(names) > 0 {
		escaped := make([]string, len(names))
		for i, n := range names {
			escaped[i] = EscapeText(n)
		}
		w.prop("CATEGORIES", "", strings.Join(escaped, ","))
	}
	if c.BaseURL != "" {
		w.prop("URL", "", strings.TrimRight(c.BaseURL, "/")+"/activities/"+strconv.FormatInt(a.ID, 10))
	}
	w.prop("SEQUENCE", "", strconv.Itoa(a.Sequence))
	if a.Status == StatusCancelled {
		w.prop("STATUS", "", "CANCELLED")
	} else {
		w.prop("STATUS", "", "CONFIRMED")
	}
	if !a.CreatedAt.IsZero() {
		w.prop("CREATED", "", a.CreatedAt.UTC().Format(icsUTC))
	}
	if !a.UpdatedAt.IsZero() {
		w.prop("LAST-MODIFIED", "", a.UpdatedAt.UTC().Format(icsUTC))
	}
	w.prop("END", "", "VEVENT")
}

func timeParam(useTZID bool) string {
	if useTZID {
		return ";TZID=" + shanghaiZone
	}
	return ""
}

func timeValue(t time.Time, zone *time.Location, useTZID bool) string {
	if useTZID {
		return t.In(zone).Format(icsDateTime)
	}
	return t.UTC().Format(icsUTC)
}

// eventLocation is the activity's place, or else the places of its itinerary in order.
func eventLocation(a *Activity) string {
	if a.Place != "" {
		return a.Place
	}
	if a.SiteName != "" {
		return a.SiteName
	}
	var places []string
	for _, s := range a.Stops {
		if p := stopPlace(s); p != "" && !containsString(places, p) {
			places = append(places, p)
		}
	}
	return strings.Join(places, " → ")
}

// stopPlace names a stop by its catalogue site and the place typed for it.
func stopPlace(s *Stop) string {
	switch {
	case s.SiteName == "":
		return s.Place
	case s.Place == "" || s.Place == s.SiteName:
		return s.SiteName
	default:
		return s.SiteName + " (" + s.Place + ")"
	}
}

// description is the event's plain-text body: theme, lecture, agenda, the itinerary day by
// day, and safety notes.
func (c *Calendar) description(a *Activity) string {
	l := c.Labels
	var parts []string
	if a.Theme != "" {
		parts = append(parts, l.Theme+l.Colon+a.Theme)
	}
	if lecture := strings.TrimSpace(strings.Join(nonEmpty(a.Lecturer, a.LectureTopic), " · ")); lecture != "" {
		parts = append(parts, l.Lecture+l.Colon+lecture)
	}
	if a.Agenda != "" {
		parts = append(parts, l.Agenda+l.Colon+"\n"+a.Agenda)
	}
	if len(a.Stops) > 0 {
		var b strings.Builder
		b.WriteString(l.Itinerary + l.Colon)
		day := ""
		for _, s := range a.Stops {
			if s.Day != day {
				day = s.Day
				b.WriteString("\n" + day)
			}
			span := s.StartTime
			if s.EndTime != "" {
				span += "–" + s.EndTime
			}
			b.WriteString("\n  " + strings.Join(nonEmpty(span, stopPlace(s), s.What), " "))
		}
		parts = append(parts, b.String())
	}
	if a.SafetyNotes != "" {
		parts = append(parts, l.Safety+l.Colon+a.SafetyNotes)
	}
	return strings.Join(parts, "\n\n")
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// typeNames are the names of the activity's types in the calendar's language; an unknown code
// shows as itself.
func (c *Calendar) typeNames(a *Activity) []string {
	var out []string
	for _, code := range a.Types {
		if t := findType(c.Types, code); t != nil {
			out = append(out, t.Name(c.Locale))
		} else {
			out = append(out, code)
		}
	}
	return out
}

// icsWriter collects content lines.
type icsWriter struct{ buf bytes.Buffer }

// prop writes one content line, name + params + ":" + value, folded and ended with CRLF. The
// value must already be in its iCalendar form (TEXT escaped with EscapeText).
func (w *icsWriter) prop(name, params, value string) {
	w.buf.WriteString(FoldLine(name + params + ":" + value))
}

// EscapeText escapes an iCalendar TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma
// get a backslash, line breaks become \n, and other control characters, which TEXT may not
// hold, are dropped. Invalid UTF-8 becomes U+FFFD.
func EscapeText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	s = strings.ToValidUTF8(s, "\uFFFD")
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '\\':
			b.WriteString(`\\`)
		case ch == ';':
			b.WriteString(`\;`)
		case ch == ',':
			b.WriteString(`\,`)
		case ch == '\r':
			b.WriteString(`\n`)
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case ch == '\n':
			b.WriteString(`\n`)
		case ch == '\t':
			b.WriteByte(ch)
		case ch < 0x20 || ch == 0x7f:
			// dropped
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// FoldLine returns one content line ended with CRLF, folded (RFC 5545 §3.1) so that no line is
// longer than 75 octets: each continuation starts with a space, and a break never falls inside
// a UTF-8 sequence.
func FoldLine(line string) string {
	if len(line) <= maxLineOctets {
		return line + "\r\n"
	}
	var b strings.Builder
	b.Grow(len(line) + len(line)/maxLineOctets*3 + 2)
	limit := maxLineOctets // the first line has 75 octets; continuations a space and 74
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8: cut where the octets run out rather than loop
			cut = limit
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLineOctets - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

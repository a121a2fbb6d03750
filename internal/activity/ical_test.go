package activity_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/activity"
)

func TestEscapeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "支部党员大会", "支部党员大会"},
		{"backslash", `C:\会议`, `C:\\会议`},
		{"semicolon and comma", "a;b,c", `a\;b\,c`},
		{"full-width punctuation stays", "王村，遂昌；丽水", "王村，遂昌；丽水"},
		{"newline", "第一行\n第二行", `第一行\n第二行`},
		{"CRLF is one break", "a\r\nb", `a\nb`},
		{"bare CR", "a\rb", `a\nb`},
		{"colon and quote stay", `时间: "下午"`, `时间: "下午"`},
		{"tab stays", "a\tb", "a\tb"},
		{"other controls dropped", "a\x00b\x07c\x7f", "abc"},
		{"invalid UTF-8 replaced", "a\xffb", "a\uFFFDb"},
		{"all at once", "\\;,\n", `\\\;\,\n`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := activity.EscapeText(tt.in); got != tt.want {
				t.Errorf("EscapeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// checkFolded checks one folded content line: CRLF endings, at most 75 octets a line, each
// line valid UTF-8 (no character split), continuations starting with one space, and the
// unfolded text equal to the original.
func checkFolded(t *testing.T, line, folded string) {
	t.Helper()
	if !strings.HasSuffix(folded, "\r\n") {
		t.Fatalf("no CRLF at the end: %q", folded)
	}
	parts := strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n")
	var unfolded strings.Builder
	for i, p := range parts {
		if len(p) > 75 {
			t.Errorf("line %d has %d octets", i, len(p))
		}
		if !utf8.ValidString(p) {
			t.Errorf("line %d splits a UTF-8 character: %q", i, p)
		}
		if i > 0 {
			if !strings.HasPrefix(p, " ") {
				t.Errorf("continuation %d does not start with a space: %q", i, p)
			}
			p = p[1:]
		}
		if i < len(parts)-1 && len(parts[i]) < 72 {
			// A break moves back at most three octets to stay out of a character.
			t.Errorf("line %d has only %d octets before a fold", i, len(parts[i]))
		}
		unfolded.WriteString(p)
	}
	if unfolded.String() != line {
		t.Errorf("unfolded %q, want %q", unfolded.String(), line)
	}
}

func TestFoldLine(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		lines int
	}{
		{"short", "SUMMARY:支部党员大会", 1},
		{"exactly 75 octets", "SUMMARY:" + strings.Repeat("x", 67), 1},
		{"76 octets", "SUMMARY:" + strings.Repeat("x", 68), 2},
		// 8 + 66 = 74 octets, then a 3-octet character would end at 77: it moves to the next line.
		{"character across the limit", "SUMMARY:" + strings.Repeat("x", 66) + "党建", 2},
		{"character ending at the limit", "SUMMARY:" + strings.Repeat("x", 64) + "党", 1},
		{"long Chinese", "DESCRIPTION:" + strings.Repeat("不忘初心、牢记使命。", 30), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := activity.FoldLine(tt.line)
			checkFolded(t, tt.line, got)
			if n := strings.Count(got, "\r\n"); tt.lines > 0 && n != tt.lines {
				t.Errorf("%d lines, want %d:\n%s", n, tt.lines, got)
			}
		})
	}
	// Every position of a Chinese character against the fold: ASCII prefixes of 0 to 80
	// octets shift the three-octet characters across each limit (75, then 74 a line).
	zh := strings.Repeat("党建引领基层治理，红色研学进王村；", 8)
	for prefix := 0; prefix <= 80; prefix++ {
		line := "DESCRIPTION:" + strings.Repeat("a", prefix) + zh
		checkFolded(t, line, activity.FoldLine(line))
	}
	// Four-octet characters (emoji) and two-octet ones (é) too.
	for prefix := 0; prefix <= 8; prefix++ {
		line := "SUMMARY:" + strings.Repeat("a", prefix) + strings.Repeat("🎉é党", 20)
		checkFolded(t, line, activity.FoldLine(line))
	}
}

// icsEvent is one VEVENT of a parsed feed: property name to its parameters and value.
type icsEvent map[string][2]string

// parseICS unfolds a feed and returns its calendar properties (outside any component) and its
// events. It fails the test on a line without CRLF or longer than 75 octets.
func parseICS(t *testing.T, b []byte) (icsEvent, []icsEvent) {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") || strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Fatalf("feed lines must end with CRLF")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if strings.HasPrefix(l, " ") && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	cal := icsEvent{}
	var events []icsEvent
	var cur icsEvent
	depth := 0
	for _, l := range lines {
		i := strings.IndexByte(l, ':')
		if i < 0 {
			t.Fatalf("content line without a colon: %q", l)
		}
		nameParams, value := l[:i], l[i+1:]
		name, params, _ := strings.Cut(nameParams, ";")
		switch {
		case name == "BEGIN":
			depth++
			if value == "VEVENT" {
				cur = icsEvent{}
			}
		case name == "END":
			depth--
			if value == "VEVENT" {
				events = append(events, cur)
				cur = nil
			}
		case cur != nil:
			if _, dup := cur[name]; dup {
				t.Errorf("%s twice in an event", name)
			}
			cur[name] = [2]string{params, value}
		case depth == 1:
			cal[name] = [2]string{params, value}
		}
	}
	if depth != 0 {
		t.Errorf("components not closed")
	}
	return cal, events
}

// unescape reverses EscapeText.
func unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n").Replace(s)
}

var testLabels = activity.Labels{Theme: "主题", Lecture: "主讲", Agenda: "议程", Itinerary: "行程", Safety: "安全提示",
	Cancelled: "【已取消】", Colon: "："}

var testTypes = []*activity.Type{
	{Code: "red_trip", NameZh: "红色教育研学", NameEn: "Red-education trip"},
	{Code: "team_building", NameZh: "团建活动", NameEn: "Team building"},
	{Code: "general_meeting", NameZh: "支部党员大会", NameEn: "Branch general meeting"},
}

// sampleCalendar is a two-day trip with an itinerary, a timed meeting with text that needs
// escaping and folding, and a cancelled lecture.
func sampleCalendar(zone *time.Location) *activity.Calendar {
	at := func(day, hm string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, zone)
		if err != nil {
			panic(err)
		}
		return t
	}
	created := time.Date(2023, 7, 1, 2, 0, 0, 0, time.UTC)
	updated := time.Date(2023, 7, 5, 3, 30, 0, 0, time.UTC)
	trip := &activity.Activity{ID: 7, Title: "两天党建研学团建", Types: []string{"red_trip", "team_building"},
		StartsAt: at("2023-07-15", "00:00"), EndsAt: at("2023-07-17", "00:00"), AllDay: true, Status: activity.StatusPlanned,
		Theme: "追寻红色足迹", SafetyNotes: "高温42℃，注意防暑；带好雨具,穿运动鞋\\", CreatedAt: created, UpdatedAt: updated,
		Stops: []*activity.Stop{
			{Day: "2023-07-15", StartTime: "09:00", Place: "王村", What: "参观学习"},
			{Day: "2023-07-16", StartTime: "08:30", EndTime: "11:00", SiteName: "粟裕刘英革命根据地纪念馆", What: "重温入党誓词"},
			{Day: "2023-07-16", StartTime: "13:30", SiteName: "南尖岩景区", Place: "南尖岩", What: "团建登山"},
		}}
	meeting := &activity.Activity{ID: 8, Title: "支部党员大会：研究发展党员, 讨论“我为群众办实事”清单", Types: []string{"general_meeting"},
		StartsAt: at("2023-07-20", "14:00"), EndsAt: at("2023-07-20", "16:00"), Status: activity.StatusPlanned,
		Place: "三楼会议室；东侧", Agenda: strings.Repeat("一、传达学习上级精神；二、讨论发展对象，\n", 6),
		Sequence: 2, CreatedAt: created, UpdatedAt: updated}
	lecture := &activity.Activity{ID: 9, Title: "七一党课", Types: []string{"party_lecture"},
		StartsAt: at("2023-07-01", "09:00"), EndsAt: at("2023-07-01", "10:30"), Status: activity.StatusCancelled,
		Lecturer: "王书记", LectureTopic: "牢记初心使命", Sequence: 1, CreatedAt: created, UpdatedAt: updated}
	return &activity.Calendar{Name: "党建活动 · 张三", Zone: zone, UIDDomain: "abc.dangjian", Locale: "zh-CN",
		Labels: testLabels, Types: testTypes, Activities: []*activity.Activity{trip, meeting, lecture}}
}

func TestCalendarICS(t *testing.T) {
	cal := sampleCalendar(shanghai)
	cal.BaseURL = "https://dj.example.org/"
	b := cal.ICS()
	head, events := parseICS(t, b)
	for name, want := range map[string]string{"VERSION": "2.0", "CALSCALE": "GREGORIAN", "METHOD": "PUBLISH",
		"X-WR-CALNAME": "党建活动 · 张三", "X-WR-TIMEZONE": "Asia/Shanghai"} {
		if got := head[name][1]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if head["PRODID"][1] == "" {
		t.Error("no PRODID")
	}
	for _, frag := range []string{"BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n", "TZOFFSETFROM:+0800\r\n", "TZOFFSETTO:+0800\r\n", "TZNAME:CST\r\n"} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("VTIMEZONE lacks %q", frag)
		}
	}
	if len(events) != 3 {
		t.Fatalf("%d events, want 3", len(events))
	}
	trip, meeting, lecture := events[0], events[1], events[2]
	tests := []struct {
		name string
		ev   icsEvent
		prop string
		want [2]string // params, value (escaped)
	}{
		{"trip UID", trip, "UID", [2]string{"", "activity-7@abc.dangjian"}},
		{"trip DTSTAMP is the update in UTC", trip, "DTSTAMP", [2]string{"", "20230705T033000Z"}},
		{"trip all-day start", trip, "DTSTART", [2]string{"VALUE=DATE", "20230715"}},
		{"trip all-day end is exclusive", trip, "DTEND", [2]string{"VALUE=DATE", "20230717"}},
		{"trip location from the itinerary", trip, "LOCATION", [2]string{"", "王村 → 粟裕刘英革命根据地纪念馆 → 南尖岩景区 (南尖岩)"}},
		{"trip categories", trip, "CATEGORIES", [2]string{"", "红色教育研学,团建活动"}},
		{"trip URL", trip, "URL", [2]string{"", "https://dj.example.org/activities/7"}},
		{"trip sequence", trip, "SEQUENCE", [2]string{"", "0"}},
		{"trip confirmed", trip, "STATUS", [2]string{"", "CONFIRMED"}},
		{"trip last modified", trip, "LAST-MODIFIED", [2]string{"", "20230705T033000Z"}},
		{"trip created", trip, "CREATED", [2]string{"", "20230701T020000Z"}},
		{"meeting start in Shanghai", meeting, "DTSTART", [2]string{"TZID=Asia/Shanghai", "20230720T140000"}},
		{"meeting end in Shanghai", meeting, "DTEND", [2]string{"TZID=Asia/Shanghai", "20230720T160000"}},
		{"meeting summary escaped", meeting, "SUMMARY", [2]string{"", `支部党员大会：研究发展党员\, 讨论“我为群众办实事”清单`}},
		{"meeting location escaped", meeting, "LOCATION", [2]string{"", "三楼会议室；东侧"}},
		{"meeting sequence", meeting, "SEQUENCE", [2]string{"", "2"}},
		{"lecture cancelled", lecture, "STATUS", [2]string{"", "CANCELLED"}},
		{"lecture summary marked", lecture, "SUMMARY", [2]string{"", "【已取消】七一党课"}},
		{"lecture description", lecture, "DESCRIPTION", [2]string{"", "主讲：王书记 · 牢记初心使命"}},
	}
	for _, tt := range tests {
		if got := tt.ev[tt.prop]; got != tt.want {
			t.Errorf("%s: %s = %q, want %q", tt.name, tt.prop, got, tt.want)
		}
	}
	wantDesc := "主题：追寻红色足迹\n\n行程：\n2023-07-15\n  09:00 王村 参观学习\n2023-07-16\n  08:30–11:00 粟裕刘英革命根据地纪念馆 重温入党誓词\n" +
		"  13:30 南尖岩景区 (南尖岩) 团建登山\n\n安全提示：高温42℃，注意防暑；带好雨具,穿运动鞋\\"
	if got := unescape(trip["DESCRIPTION"][1]); got != wantDesc {
		t.Errorf("trip description:\n%s\nwant:\n%s", got, wantDesc)
	}
	meetingDesc := "议程：\n" + cal.Activities[1].Agenda
	if got := unescape(meeting["DESCRIPTION"][1]); got != meetingDesc {
		t.Errorf("meeting description: %q, want %q", got, meetingDesc)
	}
	if _, ok := lecture["URL"]; !ok {
		t.Error("URL missing with a base URL")
	}
	want := wantEvents(cal)
	for uid, desc := range map[string]string{"activity-7@abc.dangjian": wantDesc, "activity-8@abc.dangjian": meetingDesc,
		"activity-9@abc.dangjian": "主讲：王书记 · 牢记初心使命"} {
		w := want[uid]
		w.Description = desc
		want[uid] = w
	}
	checkICALJS(t, b, want)
}

func TestCalendarICSInUTC(t *testing.T) {
	cal := sampleCalendar(time.UTC)
	b := cal.ICS()
	_, events := parseICS(t, b)
	if strings.Contains(string(b), "VTIMEZONE") || strings.Contains(string(b), "TZID=") {
		t.Error("a UTC feed needs no VTIMEZONE")
	}
	if got := events[1]["DTSTART"]; got != [2]string{"", "20230720T140000Z"} {
		t.Errorf("meeting DTSTART = %q, want 20230720T140000Z", got)
	}
	if got := events[0]["DTEND"]; got != [2]string{"VALUE=DATE", "20230717"} {
		t.Errorf("trip DTEND = %q", got)
	}
	if _, ok := events[0]["URL"]; ok {
		t.Error("URL without a base URL")
	}
	checkICALJS(t, b, wantEvents(cal))
}

// wantEvent is what the ical.js check compares for one event.
type wantEvent struct {
	Summary     string   `json:"summary"`
	Location    string   `json:"location"`
	Description string   `json:"description,omitempty"` // empty: not compared
	Status      string   `json:"status"`
	Start       string   `json:"start"`
	End         string   `json:"end"`
	AllDay      bool     `json:"allDay"`
	Categories  []string `json:"categories"`
}

// wantEvents computes, independently of the writer's formatting, what a parser must read back
// for each activity of a calendar.
func wantEvents(cal *activity.Calendar) map[string]wantEvent {
	out := map[string]wantEvent{}
	for _, a := range cal.Activities {
		w := wantEvent{Summary: a.Title, Status: "CONFIRMED", AllDay: a.AllDay, Categories: []string{}}
		if a.Status == activity.StatusCancelled {
			w.Summary, w.Status = cal.Labels.Cancelled+a.Title, "CANCELLED"
		}
		if a.AllDay {
			w.Start = a.StartsAt.In(cal.Zone).Format(time.DateOnly)
			w.End = a.EndsAt.In(cal.Zone).Format(time.DateOnly)
		} else {
			w.Start = a.StartsAt.UTC().Format(time.RFC3339)
			w.End = a.EndsAt.UTC().Format(time.RFC3339)
		}
		for _, code := range a.Types {
			name := code
			for _, t := range cal.Types {
				if t.Code == code {
					name = t.Name(cal.Locale)
				}
			}
			w.Categories = append(w.Categories, name)
		}
		w.Location = a.Place
		if w.Location == "" {
			var places []string
			for _, s := range a.Stops {
				p := s.Place
				if s.SiteName != "" {
					p = s.SiteName
					if s.Place != "" {
						p += " (" + s.Place + ")"
					}
				}
				places = append(places, p)
			}
			w.Location = strings.Join(places, " → ")
		}
		out["activity-"+strconv.FormatInt(a.ID, 10)+"@"+cal.UIDDomain] = w
	}
	return out
}

// checkICALJS parses a feed with Mozilla's ical.js (internal/activity/testdata/icaljs, installed
// with npm ci) under Node.js and compares its events with want. It skips when Node.js or the
// module is missing, unless DANGJIAN_REQUIRE_ICALJS=1, as CI sets.
func checkICALJS(t *testing.T, ics []byte, want map[string]wantEvent) {
	t.Helper()
	// A subtest, so that a skip does not end the caller's test.
	t.Run("ical.js", func(t *testing.T) { runICALJS(t, ics, want) })
}

func runICALJS(t *testing.T, ics []byte, want map[string]wantEvent) {
	dir, err := filepath.Abs(filepath.Join("testdata", "icaljs"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "ical.js", "package.json"))
	}
	if err != nil {
		if os.Getenv("DANGJIAN_REQUIRE_ICALJS") == "1" {
			t.Fatalf("ical.js check required but not runnable (run npm ci --prefix internal/activity/testdata/icaljs): %v", err)
		}
		t.Skipf("ical.js check skipped: %v", err)
	}
	tmp := t.TempDir()
	feed, wantFile := filepath.Join(tmp, "feed.ics"), filepath.Join(tmp, "want.json")
	wb, err := json.Marshal(map[string]any{"events": want})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(feed, ics, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wantFile, wb, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "check.mjs"), feed, wantFile)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		t.Errorf("ical.js found problems:\n%s", out)
	case err != nil:
		t.Fatalf("run node: %v\n%s", err, out)
	case !strings.HasPrefix(string(out), "ok "):
		t.Errorf("ical.js check said: %s", out)
	}
}

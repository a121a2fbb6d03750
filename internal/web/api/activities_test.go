package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/web/api"
)

// activities loads the demo's activities and records once per fixture: the Second Branch's
// two-day trip of July 2023 with its itinerary and attendance, its meetings of 2023 and of the
// last months, three coming activities the branch is invited to, and the records.
func (f *fixture) activities(t *testing.T) *demo.Activities {
	t.Helper()
	if f.acts != nil {
		return f.acts
	}
	ctx := context.Background()
	acts, err := demo.LoadActivities(ctx, f.app.Activity, f.app.Org, f.demo, f.app.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadRecords(ctx, f.app.Activity, acts, f.demo); err != nil {
		t.Fatal(err)
	}
	f.acts = acts
	return acts
}

// mustDecode decodes a response body into v, failing the test on a status other than want.
func mustDecode[T any](t *testing.T, r response, want int) T {
	t.Helper()
	var v T
	if r.status != want {
		t.Fatalf("status %d, want %d\n%s", r.status, want, excerpt(r.body))
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode: %v\n%s", err, excerpt(r.body))
	}
	return v
}

// days returns yesterday, today and tomorrow in the organization's zone: an all-day activity
// over them is open for check-in whenever the test runs.
func (f *fixture) days() (yesterday, today, tomorrow string) {
	now := time.Now().In(f.app.Activity.Zone())
	return now.AddDate(0, 0, -1).Format(time.DateOnly), now.Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly)
}

// mustCreateActivity plans an activity through the API.
func (f *fixture) mustCreateActivity(t *testing.T, user, body string) api.Activity {
	t.Helper()
	return mustDecode[api.Activity](t, f.call(t, user, "POST", "/api/v1/activities", body, nil), http.StatusCreated)
}

func (f *fixture) testActivities(t *testing.T) {
	acts := f.activities(t)
	d := f.demo
	first, second := id(d.FirstBranch.ID), id(d.SecondBranch.ID)
	trip := "/api/v1/activities/" + id(acts.Trip.ID)
	en := map[string]string{"Accept-Language": "en"}

	// The First Branch plans a meeting of its own, for the probes from the Second Branch.
	own := f.mustCreateActivity(t, "firstsec", `{"org_id": `+first+`, "types": ["committee_meeting"], "title": "第一支部支委会",
		"start_date": "2030-03-05", "start_time": "09:00", "end_time": "10:30"}`)
	firstPath := "/api/v1/activities/" + id(own.ID)
	if own.Version != 1 || own.StartsAt.Format(time.RFC3339) != "2030-03-05T09:00:00+08:00" || own.Status != "planned" ||
		own.CheckinOpens.Format(time.RFC3339) != "2030-03-05T08:30:00+08:00" || len(own.Stops) != 0 || own.HostID != nil {
		t.Errorf("created = %+v", own)
	}

	for _, sc := range []scenario{
		{name: "types", user: "member", path: "/api/v1/activity-types", status: 200,
			want: []string{`"code":"committee_meeting"`, `"name":"支委会"`, `"open_to":"masses"`}},
		{name: "types in English", user: "member", path: "/api/v1/activity-types", header: en, status: 200,
			want: []string{`"name":"Committee meeting"`, `"name_zh":"支委会"`}},
		{name: "types without a token", path: "/api/v1/activity-types", status: 401, code: "unauthorized"},

		// Lists.
		{name: "secretary lists its activities", user: "secretary", path: "/api/v1/activities?limit=200", status: 200,
			want: []string{acts.Trip.Title, `"total":`, `"limit":200`, `"offset":0`}, notWant: []string{"第一支部支委会"}},
		{name: "July 2023 of the second branch", user: "secretary", path: "/api/v1/activities?org_id=" + second + "&from=2023-07-01&to=2023-07-31", status: 200,
			want: []string{acts.Trip.Title, "7月支委会", `"starts_at":"2023-07-15T00:00:00+08:00"`}, notWant: []string{"6月支委会", "8月"}},
		{name: "past trips", user: "inspector", path: "/api/v1/activities?when=past&type=red_trip", status: 200,
			want: []string{acts.Trip.Title, `"total":1`}},
		{name: "member's coming activities", user: "member", path: "/api/v1/activities?when=upcoming", status: 200,
			want: []string{"主题党日：学习贯彻党的二十大精神", `"signup_required":true`}, notWant: []string{acts.Trip.Title}},
		{name: "cancelled only", user: "secretary", path: "/api/v1/activities?status=cancelled", status: 200, want: []string{`"total":0`}},
		{name: "second page", user: "secretary", path: "/api/v1/activities?org_id=" + second + "&limit=5&offset=5", status: 200,
			want: []string{`"limit":5`, `"offset":5`}},
		{name: "first secretary filters the second branch", user: "firstsec", path: "/api/v1/activities?org_id=" + second, status: 404, code: "not_found"},
		{name: "first secretary's list", user: "firstsec", path: "/api/v1/activities", status: 200,
			want: []string{"第一支部支委会"}, notWant: []string{acts.Trip.Title}},
		{name: "bad list query", user: "secretary", path: "/api/v1/activities?limit=0&offset=-1&when=soon&status=done&from=2023-13-01&org_id=x", status: 400,
			code: "bad_request", fields: []string{"limit", "offset", "when", "status", "from", "org_id"}},
		{name: "to before from", user: "secretary", path: "/api/v1/activities?from=2023-07-16&to=2023-07-15", status: 400, fields: []string{"to"}},

		// One activity, with its itinerary.
		{name: "trip", user: "secretary", path: trip, status: 200,
			want: []string{`"all_day":true`, `"start_date":"2023-07-15"`, `"end_date":"2023-07-16"`, `"ends_at":"2023-07-17T00:00:00+08:00"`,
				`"site_name":"南尖岩景区"`, `"day":"2023-07-16"`, `"start_time":"13:30"`, `"types":["red_trip","team_building"]`}},
		{name: "inspector reads the trip", user: "inspector", path: trip, status: 200},
		{name: "first secretary guesses the trip", user: "firstsec", path: trip, status: 404, code: "not_found", notWant: []string{acts.Trip.Title}},
		{name: "member not invited to the trip", user: "member", path: trip, status: 404, code: "not_found"},
		{name: "secretary guesses the first branch's meeting", user: "secretary", path: firstPath, status: 404, code: "not_found"},
		{name: "absent activity", user: "admin", path: "/api/v1/activities/999999", status: 404},
		{name: "unsupported method on an activity", user: "admin", method: "DELETE", path: trip, status: 405, code: "method_not_allowed"},

		// Plans that break rules name their fields.
		{name: "end before start", user: "secretary", method: "POST", path: "/api/v1/activities", status: 422, code: "invalid",
			body:   `{"org_id": ` + second + `, "types": ["committee_meeting"], "title": "倒着开的会", "start_date": "2030-01-05", "start_time": "14:00", "end_time": "13:00"}`,
			fields: []string{"end_date"}, want: []string{"结束时间要晚于开始时间"}},
		{name: "end before start in English", user: "secretary", method: "POST", path: "/api/v1/activities", status: 422, header: en,
			body:   `{"org_id": ` + second + `, "types": ["red_trip"], "title": "x", "all_day": true, "start_date": "2030-01-05", "end_date": "2030-01-03"}`,
			fields: []string{"end_date"}},
		{name: "stop outside the dates", user: "secretary", method: "POST", path: "/api/v1/activities", status: 422,
			body: `{"org_id": ` + second + `, "types": ["red_trip"], "title": "研学", "all_day": true, "start_date": "2030-07-15", "end_date": "2030-07-16",
				"stops": [{"day": "2030-07-15", "place": "王村"}, {"day": "2030-07-18", "place": "南尖岩"}, {"day": "2030-07-16"}]}`,
			fields: []string{"stops.1.day", "stops.2.place"}, notWant: []string{`"stops.0.day"`}, want: []string{"日期不在活动期间内"}},
		{name: "nothing given", user: "secretary", method: "POST", path: "/api/v1/activities", status: 422, body: `{}`,
			fields: []string{"org_id", "types", "title", "start_date"}},
		{name: "unknown type and site", user: "secretary", method: "POST", path: "/api/v1/activities", status: 422,
			body:   `{"org_id": ` + second + `, "types": ["picnic"], "title": "x", "start_date": "2030-01-05", "start_time": "09:00", "end_time": "10:00", "site_id": 999999}`,
			fields: []string{"types", "site_id"}},
		{name: "first secretary plans for the second branch", user: "firstsec", method: "POST", path: "/api/v1/activities", status: 422,
			body:   `{"org_id": ` + second + `, "types": ["committee_meeting"], "title": "越权", "start_date": "2030-01-05", "start_time": "09:00", "end_time": "10:00"}`,
			fields: []string{"org_id"}, want: []string{"请选择您管理的党组织"}},
		{name: "first secretary's host from the second branch", user: "firstsec", method: "POST", path: "/api/v1/activities", status: 422,
			body:   `{"org_id": ` + first + `, "types": ["committee_meeting"], "title": "x", "start_date": "2030-01-05", "start_time": "09:00", "end_time": "10:00", "host_id": ` + id(d.Secretary.ID) + `}`,
			fields: []string{"host_id"}},
		{name: "member plans", user: "member", method: "POST", path: "/api/v1/activities", status: 422,
			body: `{"org_id": ` + second + `, "types": ["theme_day"], "title": "x", "start_date": "2030-01-05", "start_time": "09:00", "end_time": "10:00"}`, fields: []string{"org_id"}},
		{name: "status is not sent", user: "secretary", method: "POST", path: "/api/v1/activities", status: 400,
			body: `{"org_id": ` + second + `, "status": "cancelled", "id": 3}`, code: "bad_request", fields: []string{"status", "id"}},
		{name: "wrong type of a reference", user: "secretary", method: "POST", path: "/api/v1/activities", status: 400,
			body: `{"org_id": ` + second + `, "host_id": "周建华"}`, code: "bad_request", fields: []string{"host_id"}},
		{name: "unknown field of a stop", user: "secretary", method: "POST", path: "/api/v1/activities", status: 400,
			body: `{"org_id": ` + second + `, "stops": [{"day": "2030-01-05", "lunch": "盒饭"}]}`, fields: []string{"lunch"}},

		// Changes across subtrees and above one's rights.
		{name: "first secretary changes the trip", user: "firstsec", method: "PATCH", path: trip, status: 404,
			body: `{"version": 1, "title": "改名"}`, code: "not_found"},
		{name: "inspector changes the trip", user: "inspector", method: "PATCH", path: trip, status: 403,
			body: `{"version": 1, "title": "改名"}`, code: "forbidden"},
		{name: "change without version", user: "secretary", method: "PATCH", path: trip, status: 422,
			body: `{"title": "改名"}`, fields: []string{"version"}},
		{name: "first secretary cancels the trip", user: "firstsec", method: "POST", path: trip + "/cancel", status: 404, body: `{"version": 1}`},
		{name: "cancel without version", user: "secretary", method: "POST", path: trip + "/cancel", status: 422, body: `{}`, fields: []string{"version"}},
	} {
		r := f.run(t, sc)
		if sc.status == 405 && r.header.Get("Allow") != "GET, PATCH" {
			t.Errorf("%s: Allow = %q, want GET, PATCH", sc.name, r.header.Get("Allow"))
		}
	}
	f.testActivityLifecycle(t)
}

// testActivityLifecycle plans, changes and cancels an activity: fields left out of a PATCH
// stay, references sent as null go, a stale version is refused, and a cancelled activity
// stays on record unchangeable.
func (f *fixture) testActivityLifecycle(t *testing.T) {
	second := id(f.demo.SecondBranch.ID)
	site := id(f.acts.Sites[1].ID)
	act := f.mustCreateActivity(t, "secretary", `{"org_id": `+second+`, "types": ["red_trip", "study_session"], "title": "重走挺进师之路",
		"all_day": true, "start_date": "2030-07-15", "end_date": "2030-07-16", "host_id": `+id(f.demo.Secretary.ID)+`,
		"checkin_opens": "2030-07-15T07:00:00+08:00",
		"stops": [{"day": "2030-07-16", "start_time": "08:30", "end_time": "11:00", "site_id": `+site+`, "what": "重温入党誓词"},
			{"day": "2030-07-15", "start_time": "07:30", "place": "华东国际珠宝城", "what": "集合出发"}]}`)
	path := "/api/v1/activities/" + id(act.ID)
	if len(act.Stops) != 2 || act.Stops[0].Day != "2030-07-15" || act.Stops[1].SiteName != f.acts.Sites[1].Name ||
		act.HostName != f.demo.Secretary.Name || act.CheckinOpens.Format(time.RFC3339) != "2030-07-15T07:00:00+08:00" ||
		act.StartTime != "" || act.EndDate != "2030-07-16" {
		t.Errorf("created = %+v", act)
	}

	// Fields left out stay; the host sent as null goes; the version moves on.
	upd := mustDecode[api.Activity](t, f.call(t, "secretary", "PATCH", path, `{"version": 1, "title": "重走挺进师之路（二）", "host_id": null}`, nil), 200)
	if upd.Version != 2 || upd.Title != "重走挺进师之路（二）" || upd.HostID != nil || len(upd.Stops) != 2 ||
		upd.CheckinOpens.Format(time.RFC3339) != "2030-07-15T07:00:00+08:00" || len(upd.Types) != 2 {
		t.Errorf("patch = %+v", upd)
	}

	// The same version again is stale, in both languages, and nothing changes.
	for lang, want := range map[string]string{"zh-CN": "别人刚刚修改过", "en": "Someone else changed"} {
		r := f.call(t, "secretary", "PATCH", path, `{"version": 1, "title": "覆盖"}`, map[string]string{"Accept-Language": lang})
		if e := r.errorBody(t); r.status != http.StatusConflict || e.Code != "conflict" || !strings.Contains(e.Message, want) {
			t.Errorf("stale (%s): %d %s", lang, r.status, r)
		}
	}

	// A new end date before a stop puts the stop outside the dates, on its field.
	f.run(t, scenario{name: "stop left outside", user: "secretary", method: "PATCH", path: path, status: 422,
		body: `{"version": 2, "end_date": "2030-07-15"}`, fields: []string{"stops.1.day"}})
	// [] removes the itinerary; a timed activity needs its clock times.
	upd = mustDecode[api.Activity](t, f.call(t, "secretary", "PATCH", path, `{"version": 2, "stops": [], "end_date": "2030-07-15"}`, nil), 200)
	if len(upd.Stops) != 0 || upd.EndDate != "2030-07-15" || upd.Version != 3 {
		t.Errorf("without stops = %+v", upd)
	}
	f.run(t, scenario{name: "timed without times", user: "secretary", method: "PATCH", path: path, status: 422,
		body: `{"version": 3, "all_day": false}`, fields: []string{"start_time", "end_time"}})

	// A stale cancel is refused; then the activity is cancelled and stays so.
	f.run(t, scenario{name: "stale cancel", user: "secretary", method: "POST", path: path + "/cancel", body: `{"version": 2}`, status: 409, code: "conflict"})
	c := mustDecode[api.Activity](t, f.call(t, "secretary", "POST", path+"/cancel", `{"version": 3}`, nil), 200)
	if c.Status != "cancelled" || c.Version != 4 {
		t.Errorf("cancelled = %+v", c)
	}
	f.run(t, scenario{name: "change a cancelled activity", user: "secretary", method: "PATCH", path: path, status: 422,
		body: `{"version": 4, "title": "复活"}`, code: "invalid", want: []string{"活动已取消"}})
	f.run(t, scenario{name: "cancelled in the list", user: "secretary", path: "/api/v1/activities?status=cancelled", status: 200,
		want: []string{"重走挺进师之路（二）", `"total":1`}})
}

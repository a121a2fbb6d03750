package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
)

// FuzzPlanDecode feeds arbitrary bodies to the decoder of an activity's PATCH and applies
// what it accepts onto a stored plan: it never panics, refusals are 400 or 413 problems whose
// fields are named, and fields left out of the body stay as they were.
func FuzzPlanDecode(f *testing.F) {
	for _, seed := range []string{
		`{"version": 2, "title": "支委会", "host_id": null, "stops": []}`,
		`{"version": 1, "site_id": 4, "stops": [{"day": "2023-07-15", "site_id": null, "place": "王村"}]}`,
		`{"host_id": "x"}`, `{"stops": [{"lunch": 1}]}`, `{"checkin_opens": "2023-07-15T07:00:00+08:00"}`,
		`{"all_day": "yes"}`, `{"types": "red_trip"}`, `{"recorder_id": 1e400}`, `{"status": "cancelled"}`,
	} {
		f.Add(seed)
	}
	zone := time.FixedZone("CST", 8*3600)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPatch, "/api/v1/activities/1", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		var in PlanUpdate
		err := decode(httptest.NewRecorder(), req, &in, "status")
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) || (p.Status != http.StatusBadRequest && p.Status != http.StatusRequestEntityTooLarge) {
				t.Fatalf("decode(%q) = %v, want a 400 or 413 problem", body, err)
			}
			for field := range p.Fields {
				if field == "" {
					t.Fatalf("decode(%q): a field error without a field: %v", body, p.Fields)
				}
			}
			return
		}
		p := activity.Plan{Title: "原标题", HostID: 7, SiteID: 3, Stops: []activity.StopPlan{{Day: "2023-07-15"}}}
		in.apply(&p, zone)
		if in.Title == nil && p.Title != "原标题" {
			t.Fatalf("decode(%q): title left out but changed to %q", body, p.Title)
		}
		if !in.HostID.Set && p.HostID != 7 {
			t.Fatalf("decode(%q): host left out but changed to %d", body, p.HostID)
		}
		if in.Stops == nil && len(p.Stops) != 1 {
			t.Fatalf("decode(%q): stops left out but changed to %v", body, p.Stops)
		}
	})
}

// TestNullable tells a reference left out from one sent as null and one sent with a value.
func TestNullable(t *testing.T) {
	for body, want := range map[string]int64{`{"version": 1}`: 7, `{"version": 1, "host_id": null}`: 0, `{"version": 1, "host_id": 12}`: 12} {
		req := httptest.NewRequest(http.MethodPatch, "/api/v1/activities/1", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		var in PlanUpdate
		if err := decode(httptest.NewRecorder(), req, &in); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		p := activity.Plan{HostID: 7}
		in.apply(&p, time.UTC)
		if p.HostID != want {
			t.Errorf("%s: host %d, want %d", body, p.HostID, want)
		}
	}
}

// TestLocalDateTime accepts check-in times as the plan takes them and as the API answers them.
func TestLocalDateTime(t *testing.T) {
	zone := time.FixedZone("CST", 8*3600)
	for in, want := range map[string]string{
		"2023-07-15T07:00":          "2023-07-15T07:00",
		"2023-07-15T07:00:00+08:00": "2023-07-15T07:00",
		"2023-07-14T23:30:00Z":      "2023-07-15T07:30",
		" 2023-07-15T07:00 ":        "2023-07-15T07:00",
		"":                          "",
		"tomorrow":                  "tomorrow",
	} {
		if got := localDateTime(in, zone); got != want {
			t.Errorf("localDateTime(%q) = %q, want %q", in, got, want)
		}
	}
}

package api_test

import (
	"net/http"
	"testing"

	"github.com/dangjian/dangjian/internal/web/api"
)

// testSites reads the catalogue as everyone may, with the activities each caller may see,
// and adds and changes places within the caller's administration.
func (f *fixture) testSites(t *testing.T) {
	acts := f.activities(t)
	first, second := id(f.demo.FirstBranch.ID), id(f.demo.SecondBranch.ID)
	scenic := "/api/v1/sites/" + id(acts.Sites[2].ID)
	for _, sc := range []scenario{
		{name: "member reads the catalogue", user: "member", path: "/api/v1/sites", status: 200,
			want: []string{"南尖岩景区", "粟裕刘英革命根据地纪念馆", `"kind":"red_base"`, `"latitude":null`}},
		{name: "search by name", user: "firstsec", path: "/api/v1/sites?q=南尖", status: 200,
			want: []string{"南尖岩景区", `"altitude_m":1626`, `"level":"AAAA"`, `"spots":30`}, notWant: []string{"王村"}},
		{name: "secretary reads a place with the trip", user: "secretary", path: scenic, status: 200,
			want: []string{"南尖岩景区", acts.Trip.Title, `"activities":[`}},
		{name: "first secretary reads the place, not the trip", user: "firstsec", path: scenic, status: 200,
			want: []string{"南尖岩景区", `"activities":[]`}, notWant: []string{acts.Trip.Title}},
		{name: "absent place", user: "member", path: "/api/v1/sites/999999", status: 404, code: "not_found"},
		{name: "catalogue without a token", path: "/api/v1/sites", status: 401},
		{name: "invalid place", user: "firstsec", method: "POST", path: "/api/v1/sites", status: 422, code: "invalid",
			body: `{"org_id": ` + first + `, "name": "", "kind": "mountain", "latitude": 28.4, "spots": -1}`, fields: []string{"name", "kind", "latitude", "spots"}},
		{name: "place of another subtree", user: "firstsec", method: "POST", path: "/api/v1/sites", status: 422,
			body: `{"org_id": ` + second + `, "name": "越权", "kind": "other"}`, fields: []string{"org_id"}},
		{name: "member adds a place", user: "member", method: "POST", path: "/api/v1/sites", status: 422,
			body: `{"org_id": ` + second + `, "name": "x", "kind": "other"}`, fields: []string{"org_id"}},
		{name: "version on create", user: "firstsec", method: "POST", path: "/api/v1/sites", status: 400,
			body: `{"org_id": ` + first + `, "name": "x", "kind": "other", "version": 1}`, fields: []string{"version"}},
		{name: "change without version", user: "secretary", method: "PATCH", path: scenic, status: 422, body: `{"name": "x"}`, fields: []string{"version"}},
		{name: "first secretary changes the second branch's place", user: "firstsec", method: "PATCH", path: scenic, status: 422,
			body: `{"version": 1, "facts": "越权"}`, fields: []string{"org_id"}},
	} {
		f.run(t, sc)
	}

	// A place is added, given coordinates, and has them removed; a stale version is refused.
	r := f.call(t, "firstsec", "POST", "/api/v1/sites", `{"org_id": `+first+`, "name": "遂昌县红色教育基地", "kind": "red_base",
		"address": "浙江省丽水市遂昌县", "level": "省级", "area_km2": 0.5}`, nil)
	s := mustDecode[api.SiteDetail](t, r, http.StatusCreated)
	path := "/api/v1/sites/" + id(s.ID)
	if s.Version != 1 || s.Latitude != nil || s.OrgID != f.demo.FirstBranch.ID || len(s.Activities) != 0 || r.header.Get("Location") != path {
		t.Errorf("created = %+v, Location %q", s, r.header.Get("Location"))
	}
	s = mustDecode[api.SiteDetail](t, f.call(t, "firstsec", "PATCH", path, `{"version": 1, "latitude": 28.59, "longitude": 119.27}`, nil), 200)
	if s.Version != 2 || s.Latitude == nil || *s.Latitude != 28.59 || *s.Longitude != 119.27 || s.Address != "浙江省丽水市遂昌县" {
		t.Errorf("with coordinates = %+v", s)
	}
	f.run(t, scenario{name: "half the coordinates removed", user: "firstsec", method: "PATCH", path: path, status: 422,
		body: `{"version": 2, "latitude": null}`, fields: []string{"latitude"}})
	s = mustDecode[api.SiteDetail](t, f.call(t, "firstsec", "PATCH", path, `{"version": 2, "latitude": null, "longitude": null, "spots": 12}`, nil), 200)
	if s.Version != 3 || s.Latitude != nil || s.Longitude != nil || s.Spots != 12 || s.Level != "省级" {
		t.Errorf("without coordinates = %+v", s)
	}
	f.run(t, scenario{name: "stale place", user: "firstsec", method: "PATCH", path: path, status: 409, body: `{"version": 2, "spots": 1}`, code: "conflict"})
	f.run(t, scenario{name: "secretary changes the first branch's place", user: "secretary", method: "PATCH", path: path, status: 422,
		body: `{"version": 3, "spots": 1}`, fields: []string{"org_id"}})
}

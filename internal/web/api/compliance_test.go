package api_test

import (
	"net/http"
	"testing"

	"github.com/dangjian/dangjian/internal/web/api"
)

// testCompliance reads compliance, rules and inactive members within the caller's scope,
// and sets and resets a local rule.
func (f *fixture) testCompliance(t *testing.T) {
	f.activities(t)
	d := f.demo
	orgs := "/api/v1/organizations/"
	first, second, committee := id(d.FirstBranch.ID), id(d.SecondBranch.ID), id(d.Committee.ID)
	for _, sc := range []scenario{
		{name: "second branch in 2023", user: "secretary", path: orgs + second + "/compliance?year=2023", status: 200,
			want: []string{`"scope":"organization"`, `"year":2023`, `"code":"MTG-CMT"`, `"key":"2023-04"`, `"state":"overdue"`,
				`"state":"held"`, "7月支委会", `"from":"2023-07-01"`, `"to":"2023-09-30"`, `"note":"党委规定：各支部每季度至少上1次党课"`}},
		{name: "second branch this year", user: "inspector", path: orgs + second + "/compliance", status: 200, want: []string{`"scope":"organization"`}},
		{name: "committee's subtree", user: "inspector", path: orgs + committee + "/compliance?year=2023&scope=subtree", status: 200,
			want: []string{`"scope":"subtree"`, d.SecondBranch.Name, d.FirstBranch.Name, `"depth":1`, `"code":"DAY"`, `"parent_id":null`, `"parent_id":` + committee}},
		{name: "first secretary reads the second branch", user: "firstsec", path: orgs + second + "/compliance", status: 404, code: "not_found"},
		{name: "first secretary reads the second branch's subtree", user: "firstsec", path: orgs + second + "/compliance?scope=subtree", status: 404},
		{name: "first secretary reads its own", user: "firstsec", path: orgs + first + "/compliance?scope=subtree", status: 200,
			notWant: []string{d.SecondBranch.Name}},
		{name: "member reads its group's compliance", user: "member", path: orgs + id(d.Member.OrgID) + "/compliance", status: 403, code: "forbidden"},
		{name: "bad year and scope", user: "secretary", path: orgs + second + "/compliance?year=1999&scope=everything", status: 400,
			fields: []string{"year", "scope"}},
		{name: "absent organization", user: "admin", path: orgs + "999999/compliance", status: 404},

		{name: "rules", user: "secretary", path: orgs + second + "/rules", status: 200,
			want: []string{`"code":"MTG-LEC"`, `"org_id":` + committee, `"code":"MTG-CMT"`, `"org_id":null`, "支部工作条例", `"applies_if":"has_committee"`}},
		{name: "first secretary reads the rules", user: "firstsec", path: orgs + second + "/rules", status: 404},
		{name: "member reads the rules", user: "member", path: orgs + id(d.Member.OrgID) + "/rules", status: 403},
		{name: "first secretary sets a rule", user: "firstsec", method: "PUT", path: orgs + second + "/rules/MTG-CMT",
			body: `{"period": "month", "min_count": 2, "enabled": true}`, status: 404, code: "not_found"},
		{name: "inspector sets a rule", user: "inspector", method: "PUT", path: orgs + second + "/rules/MTG-CMT",
			body: `{"period": "month", "min_count": 2, "enabled": true}`, status: 403},
		{name: "unknown rule", user: "secretary", method: "PUT", path: orgs + second + "/rules/NOPE",
			body: `{"period": "month", "min_count": 2, "enabled": true}`, status: 404},
		{name: "bad rule", user: "secretary", method: "PUT", path: orgs + second + "/rules/MTG-CMT",
			body: `{"period": "week", "min_count": 0, "enabled": true}`, status: 422, fields: []string{"period", "min_count"}},
		{name: "rule without enabled", user: "secretary", method: "PUT", path: orgs + second + "/rules/MTG-CMT",
			body: `{"period": "month", "min_count": 2}`, status: 422, fields: []string{"enabled"}},
		{name: "first secretary resets a rule", user: "firstsec", method: "DELETE", path: orgs + second + "/rules/MTG-CMT", status: 404},
		{name: "member resets a rule", user: "member", method: "DELETE", path: orgs + id(d.Member.OrgID) + "/rules/MTG-GRP", status: 403},

		{name: "inactive members", user: "secretary", path: orgs + second + "/inactive-members", status: 200, want: []string{`"months":6`, `"last_attended":`}},
		{name: "first secretary's inactive members", user: "firstsec", path: orgs + first + "/inactive-members", status: 200, want: []string{`"months":6`}},
		{name: "first secretary reads the second branch's inactive members", user: "firstsec", path: orgs + second + "/inactive-members", status: 404},
		{name: "member reads inactive members", user: "member", path: orgs + id(d.Member.OrgID) + "/inactive-members", status: 403},
	} {
		f.run(t, sc)
	}

	// A local rule, then back to the rule from above.
	rule := mustDecode[api.Rule](t, f.call(t, "secretary", "PUT", orgs+second+"/rules/MTG-CMT",
		`{"period": "month", "min_count": 2, "enabled": true, "note": "支部规定：每月两次支委会"}`, nil), http.StatusOK)
	if rule.OrgID == nil || *rule.OrgID != d.SecondBranch.ID || rule.MinCount != 2 || rule.Note != "支部规定：每月两次支委会" || rule.Source == "" {
		t.Errorf("local rule = %+v", rule)
	}
	list := mustDecode[api.RuleList](t, f.call(t, "secretary", "DELETE", orgs+second+"/rules/MTG-CMT", "", nil), http.StatusOK)
	for _, r := range list.Items {
		if r.Code == "MTG-CMT" && (r.OrgID != nil || r.MinCount != 1) {
			t.Errorf("after reset = %+v", r)
		}
	}
	if len(list.Items) == 0 || list.OrgID != d.SecondBranch.ID {
		t.Errorf("rules after reset = %+v", list)
	}
}

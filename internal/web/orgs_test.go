package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestReorganize moves a party group with its people to another branch, empties and
// dissolves it, and keeps committee positions, with the scopes following the tree.
func TestReorganize(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		ctx := context.Background()
		dd := f.demo
		groupA := dd.Groups[0]
		groupPath := "/orgs/" + id(groupA.ID)
		people, n, err := f.app.Org.People(ctx, sysActor(), org.PeopleFilter{OrgPath: groupA.Path, Limit: 1})
		if err != nil || n == 0 {
			t.Fatalf("group people: %v %d", err, n)
		}
		someone := people[0]

		// The secretary administers the Second Branch only: the First Branch is no target.
		f.run(t, scenario{user: "secretary", method: "POST", path: groupPath + "/move", status: http.StatusUnprocessableEntity,
			form: url.Values{"parent_id": {id(dd.FirstBranch.ID)}, "version": {"1"}}, want: []string{"请选择您管理的党组织"}})
		// Nothing moves under itself.
		f.run(t, scenario{user: "admin", method: "POST", path: "/orgs/" + id(dd.SecondBranch.ID) + "/move", status: http.StatusUnprocessableEntity,
			form: url.Values{"parent_id": {id(dd.SecondBranch.ID)}, "version": {"1"}}, want: []string{"不能移到自己"}})
		f.run(t, scenario{user: "admin", method: "POST", path: "/orgs/" + id(dd.Committee.ID) + "/move", status: http.StatusUnprocessableEntity,
			form: url.Values{"parent_id": {id(groupA.ID)}, "version": {"1"}}, want: []string{"不能移到自己"}})
		// A stale version is refused.
		f.run(t, scenario{user: "admin", method: "POST", path: groupPath + "/move", status: http.StatusUnprocessableEntity,
			form: url.Values{"parent_id": {id(dd.FirstBranch.ID)}, "version": {"7"}}, want: []string{"别人刚刚修改过"}})
		// The system administrator moves the group to the First Branch: its people follow,
		// and leave the secretary's scope.
		f.run(t, scenario{user: "admin", method: "POST", path: groupPath + "/move", status: http.StatusSeeOther,
			form: url.Values{"parent_id": {id(dd.FirstBranch.ID)}, "version": {"1"}}})
		f.run(t, scenario{user: "firstsec", path: "/people/" + id(someone.ID), status: http.StatusOK, want: []string{someone.Name}})
		f.run(t, scenario{user: "secretary", path: "/people/" + id(someone.ID), status: http.StatusNotFound})
		f.run(t, scenario{user: "secretary", path: groupPath, status: http.StatusNotFound})
		f.run(t, scenario{user: "firstsec", path: "/orgs/" + id(dd.FirstBranch.ID), status: http.StatusOK, want: []string{groupA.Name}})

		// Dissolving needs an empty organization and the name typed to confirm.
		f.run(t, scenario{user: "firstsec", method: "POST", path: groupPath + "/dissolve", status: http.StatusUnprocessableEntity,
			form: url.Values{"confirm": {groupA.Name}, "version": {"2"}}, want: []string{"请先转移到其他组织"}})
		f.run(t, scenario{user: "firstsec", method: "POST", path: groupPath + "/move-people", status: http.StatusSeeOther,
			form: url.Values{"to": {id(dd.FirstBranch.ID)}}})
		f.run(t, scenario{user: "firstsec", method: "POST", path: groupPath + "/dissolve", status: http.StatusUnprocessableEntity,
			form: url.Values{"confirm": {"别的名字"}, "version": {"2"}}, want: []string{"输入的名称不一致"}})
		f.run(t, scenario{user: "firstsec", method: "POST", path: groupPath + "/dissolve", status: http.StatusSeeOther,
			form: url.Values{"confirm": {groupA.Name}, "version": {"2"}}})
		f.run(t, scenario{user: "firstsec", path: groupPath, status: http.StatusNotFound})
		f.run(t, scenario{user: "firstsec", path: "/people/" + id(someone.ID), status: http.StatusOK, want: []string{dd.FirstBranch.Name}})
		f.run(t, scenario{user: "admin", path: "/audit?person=" + id(someone.ID), status: http.StatusOK, want: []string{"转移人员"}})

		// Committee positions: members only; ending one closes the term.
		branch := "/orgs/" + id(dd.SecondBranch.ID)
		masses, _, _ := f.app.Org.People(ctx, sysActor(), org.PeopleFilter{OrgPath: dd.SecondBranch.Path, Stage: org.StageMasses, Limit: 1})
		f.run(t, scenario{user: "secretary", method: "POST", path: branch + "/positions", status: http.StatusUnprocessableEntity,
			form: url.Values{"person_id": {id(masses[0].ID)}, "position": {"youth_member"}}, want: []string{"委员须为党员"}})
		f.run(t, scenario{user: "secretary", method: "POST", path: branch + "/positions", status: http.StatusSeeOther,
			form: url.Values{"person_id": {id(dd.Member.ID)}, "position": {"youth_member"}, "term_start": {"2024-01-01"}}})
		body := f.run(t, scenario{user: "secretary", path: branch, status: http.StatusOK, want: []string{"青年委员", dd.Member.Name}})
		_ = body
		f.run(t, scenario{user: "firstsec", method: "POST", path: branch + "/positions", status: http.StatusNotFound,
			form: url.Values{"person_id": {id(dd.Member.ID)}, "position": {"youth_member"}}})
		positions, err := f.app.Org.Positions(ctx, sysActor(), dd.SecondBranch.ID)
		if err != nil || len(positions) == 0 {
			t.Fatalf("positions: %v", err)
		}
		end := branch + "/positions/" + id(positions[0].ID) + "/end"
		f.run(t, scenario{user: "firstsec", method: "POST", path: end, form: url.Values{}, status: http.StatusNotFound})
		f.run(t, scenario{user: "inspector", method: "POST", path: end, form: url.Values{}, status: http.StatusForbidden})
		// A position of another organization cannot be ended through this one's address.
		f.run(t, scenario{user: "firstsec", method: "POST", path: "/orgs/" + id(dd.FirstBranch.ID) + "/positions/" + id(positions[0].ID) + "/end",
			form: url.Values{}, status: http.StatusNotFound})
		// People cannot be moved out of the secretary's scope, nor in from another.
		f.run(t, scenario{user: "secretary", method: "POST", path: "/orgs/" + id(dd.Groups[1].ID) + "/move-people", status: http.StatusUnprocessableEntity,
			form: url.Values{"to": {id(dd.FirstBranch.ID)}}, want: []string{"请选择您管理的党组织"}})
		f.run(t, scenario{user: "secretary", method: "POST", path: "/orgs/" + id(dd.FirstBranch.ID) + "/move-people", status: http.StatusNotFound,
			form: url.Values{"to": {id(dd.SecondBranch.ID)}}})
		f.run(t, scenario{user: "inspector", method: "POST", path: "/orgs/" + id(dd.SecondBranch.ID) + "/dissolve", status: http.StatusForbidden,
			form: url.Values{"confirm": {dd.SecondBranch.Name}}})
	})
}

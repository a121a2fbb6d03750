package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestAccessMatrix proves, for each role, that nothing of another subtree can be listed,
// read, changed or revealed by guessing IDs, and that each role reaches what it should.
func TestAccessMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		dd := f.demo
		first, second := f.first, f.second
		edit := url.Values{"name": {"改名"}, "org_id": {id(dd.FirstBranch.ID)}, "stage": {"full"}, "version": {"1"}}
		scenarios := []scenario{
			// Anonymous visitors are sent to the login page.
			{user: "anonymous", path: "/", status: http.StatusSeeOther},
			{user: "anonymous", path: "/people", status: http.StatusSeeOther},
			{user: "anonymous", path: "/people/" + id(second.ID), status: http.StatusSeeOther},
			{user: "anonymous", method: "POST", path: "/people", form: edit, status: http.StatusUnauthorized, notWant: []string{"改名"}},
			{user: "anonymous", path: "/login", status: http.StatusOK, want: []string{"用户名或手机号"}},
			{user: "anonymous", path: "/setup", status: http.StatusNotFound},

			// The secretary of the Second Branch: its subtree, nothing else.
			{user: "secretary", path: "/", status: http.StatusOK, want: []string{"第二支部", "任期半年内届满"}},
			{user: "secretary", path: "/people", status: http.StatusOK, want: []string{second.Name, "共 "}, notWant: []string{first.Name}},
			{user: "secretary", path: "/people?org=" + id(dd.FirstBranch.ID), status: http.StatusNotFound, notWant: []string{first.Name}},
			{user: "secretary", path: "/people/" + id(first.ID), status: http.StatusNotFound, notWant: []string{first.Name}},
			{user: "secretary", path: "/people/" + id(first.ID) + "/edit", status: http.StatusNotFound},
			{user: "secretary", method: "POST", path: "/people/" + id(first.ID), form: edit, status: http.StatusNotFound},
			{user: "secretary", method: "POST", path: "/people/" + id(first.ID) + "/reveal", form: url.Values{"field": {"id_number"}}, status: http.StatusNotFound},
			{user: "secretary", method: "POST", path: "/people", form: edit, status: http.StatusUnprocessableEntity, want: []string{"请选择您管理的党组织"}},
			{user: "secretary", path: "/orgs/" + id(dd.FirstBranch.ID), status: http.StatusNotFound},
			{user: "secretary", path: "/orgs/" + id(dd.Committee.ID), status: http.StatusNotFound},
			{user: "secretary", path: "/orgs/new?parent=" + id(dd.Committee.ID), status: http.StatusNotFound},
			{user: "secretary", path: "/orgs/" + id(dd.FirstBranch.ID) + "/edit", status: http.StatusNotFound},
			{user: "secretary", method: "POST", path: "/orgs/" + id(dd.FirstBranch.ID), form: url.Values{"name": {"x"}}, status: http.StatusNotFound},
			{user: "secretary", path: "/orgs", status: http.StatusOK, want: []string{"第二支部", "第一党小组"}, notWant: []string{"第一支部", "中共华东国际珠宝城委员会"}},
			{user: "secretary", path: "/audit?org=" + id(dd.FirstBranch.ID), status: http.StatusNotFound},
			{user: "secretary", path: "/audit?person=" + id(first.ID), status: http.StatusNotFound},
			{user: "secretary", path: "/admin/users", status: http.StatusForbidden},
			{user: "secretary", path: "/people/999999", status: http.StatusNotFound},
			{user: "secretary", path: "/people/abc", status: http.StatusNotFound},
			{user: "secretary", path: "/people/-1", status: http.StatusNotFound},

			// The First Branch's administrator cannot reach the Second Branch.
			{user: "firstsec", path: "/people/" + id(second.ID), status: http.StatusNotFound},
			{user: "firstsec", path: "/people", status: http.StatusOK, want: []string{first.Name}, notWant: []string{second.Name}},
			{user: "firstsec", path: "/orgs/" + id(dd.SecondBranch.ID), status: http.StatusNotFound},

			// The inspector reads the whole committee and changes nothing.
			{user: "inspector", path: "/people", status: http.StatusOK, want: []string{"共 "}},
			{user: "inspector", path: "/people/" + id(first.ID), status: http.StatusOK, want: []string{first.Name, "********"}, notWant: []string{"查看完整号码", "编辑"}},
			{user: "inspector", path: "/people/" + id(first.ID) + "/edit", status: http.StatusForbidden},
			{user: "inspector", method: "POST", path: "/people/" + id(first.ID), form: edit, status: http.StatusForbidden},
			{user: "inspector", method: "POST", path: "/people/" + id(first.ID) + "/reveal", form: url.Values{"field": {"phone"}}, status: http.StatusForbidden},
			{user: "inspector", method: "POST", path: "/people", form: edit, status: http.StatusForbidden},
			{user: "inspector", path: "/orgs/" + id(dd.Committee.ID), status: http.StatusOK, notWant: []string{"新建下级组织"}},
			{user: "inspector", path: "/audit", status: http.StatusForbidden},

			// A member sees their own record and organization page, not the roster.
			{user: "member", path: "/people", status: http.StatusForbidden, notWant: []string{second.Name}},
			{user: "member", path: "/people/" + id(dd.Member.ID), status: http.StatusOK, want: []string{dd.Member.Name}, notWant: []string{"查看完整号码"}},
			{user: "member", path: "/people/" + id(second.ID), status: http.StatusNotFound},
			{user: "member", path: "/orgs/" + id(dd.SecondBranch.ID), status: http.StatusNotFound},
			{user: "member", path: "/audit", status: http.StatusForbidden},
			{user: "member", path: "/admin/users", status: http.StatusForbidden},
			{user: "member", method: "POST", path: "/admin/users", form: url.Values{"username": {"x"}, "password": {"long enough pw"}, "sysadmin": {"on"}}, status: http.StatusForbidden},

			// The system administrator sees everything.
			{user: "admin", path: "/people/" + id(first.ID), status: http.StatusOK, want: []string{"查看完整号码"}},
			{user: "admin", path: "/admin/users", status: http.StatusOK, want: []string{"inspector", "firstsec"}},
			{user: "admin", path: "/audit", status: http.StatusOK, want: []string{"新增人员"}},
		}
		for _, sc := range scenarios {
			f.run(t, sc)
		}
	})
}

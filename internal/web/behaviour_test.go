package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestForms covers bad input and faults on the forms: invalid input re-rendered with the
// input kept, script in names shown as text, cross-site posts refused, concurrent edits
// refused, lockout explained.
func TestForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		branch := id(f.demo.SecondBranch.ID)

		// Invalid: every error beside its field, the input kept, nothing written.
		bad := url.Values{"name": {"钱小梅"}, "org_id": {branch}, "stage": {"full"}, "id_number": {"330681199001011231"},
			"phone": {"12345"}, "activist_on": {"2020-05-01"}, "applied_on": {"2021-01-01"}, "birth_date": {"2026-02-30"}}
		f.run(t, scenario{user: "secretary", method: "POST", path: "/people", form: bad, status: http.StatusUnprocessableEntity,
			want: []string{`value="钱小梅"`, "身份证号校验位不对", "手机号格式不对", "各阶段时间应依次在后", "日期无效", `value="12345"`}})
		f.run(t, scenario{user: "secretary", path: "/people?q=qxm", status: http.StatusOK, want: []string{"没有符合条件的人员"}})

		// A name with markup is text everywhere.
		xss := url.Values{"name": {`<script>alert(1)</script>`}, "org_id": {branch}, "stage": {"masses"}}
		f.run(t, scenario{user: "secretary", method: "POST", path: "/people", form: xss, status: http.StatusSeeOther})
		f.run(t, scenario{user: "secretary", path: "/people?sort=newest", status: http.StatusOK,
			want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}, notWant: []string{"<script>alert(1)"}})

		// Cross-site form posts are refused before they reach a handler.
		f.run(t, scenario{user: "secretary", method: "POST", path: "/people", form: xss,
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: http.StatusForbidden, want: []string{"请求来源不明"}})
		f.run(t, scenario{user: "secretary", method: "POST", path: "/people", form: xss,
			header: map[string]string{"Origin": "http://evil.example"}, status: http.StatusForbidden})

		// Two administrators edit the same person: the second save is refused.
		p := f.demo.Member
		form := url.Values{"name": {p.Name}, "org_id": {id(p.OrgID)}, "stage": {"full"}, "version": {"1"}, "notes": {"first"}}
		f.run(t, scenario{user: "secretary", method: "POST", path: "/people/" + id(p.ID), form: form, status: http.StatusSeeOther})
		form.Set("notes", "second")
		f.run(t, scenario{user: "admin", method: "POST", path: "/people/" + id(p.ID), form: form, status: http.StatusUnprocessableEntity,
			want: []string{"别人刚刚修改过这条记录", `second`}})
		f.run(t, scenario{user: "admin", path: "/people/" + id(p.ID), status: http.StatusOK, want: []string{"first"}, notWant: []string{"second"}})
		// The edit kept the personal numbers that were left empty.
		f.run(t, scenario{user: "admin", path: "/people/" + id(p.ID), status: http.StatusOK, want: []string{"330681********"}})

		// Lockout after five failures, with the time to wait.
		c := newClient()
		for i := 0; i < 5; i++ {
			resp, err := c.PostForm(f.srv.URL+"/login", url.Values{"login": {"inspector"}, "password": {"wrong password"}})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if i == 4 && (resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(b), "分钟后再试")) {
				t.Fatalf("fifth failure: status %d, %s", resp.StatusCode, excerpt(string(b)))
			}
		}

		// Revealing is audited; the revealed number is in the answer only.
		body := f.run(t, scenario{user: "secretary", method: "POST", path: "/people/" + id(p.ID) + "/reveal",
			form: url.Values{"field": {"phone"}}, header: map[string]string{"HX-Request": "true"}, status: http.StatusOK})
		if !regexp.MustCompile(`^<span class="mono revealed">1\d{10}</span>$`).MatchString(strings.TrimSpace(body)) {
			t.Fatalf("reveal fragment = %q", body)
		}
		f.run(t, scenario{user: "secretary", path: "/audit?person=" + id(p.ID), status: http.StatusOK, want: []string{"查看完整手机号"}})

		// English from the browser's language.
		f.run(t, scenario{user: "secretary", path: "/people", header: map[string]string{"Accept-Language": "en-US,en;q=0.9"},
			status: http.StatusOK, want: []string{"People", "Add person"}, notWant: []string{"人员名册"}})

		// A form over the 1 MB limit is refused with a message, before any handler.
		huge := url.Values{"name": {"大"}, "org_id": {branch}, "notes": {strings.Repeat("很长", 400000)}}
		f.run(t, scenario{user: "secretary", method: "POST", path: "/people", form: huge, status: http.StatusUnprocessableEntity,
			want: []string{"提交的内容太大"}})

		// Operations endpoints.
		f.run(t, scenario{user: "anonymous", path: "/readyz", status: http.StatusOK})
		f.run(t, scenario{user: "anonymous", path: "/metrics", status: http.StatusOK, want: []string{"dangjian_http_requests_total"}})
		f.run(t, scenario{user: "anonymous", path: "/nope", status: http.StatusNotFound})

		// No personal number leaves unmasked in any list page.
		list := f.run(t, scenario{user: "admin", path: "/people?sort=stage", status: http.StatusOK})
		if m := regexp.MustCompile(`\b1[3-9]\d{9}\b|\b\d{17}[\dX]\b`).FindString(list); m != "" {
			t.Fatalf("unmasked number %q in the people list", m)
		}
	})
}

// TestSetupOnce: a fresh installation sends the first visitor to /setup, which creates the
// administrator and then closes for good.
func TestSetupOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Open(t, d, apptest.Options{})
		f := &fixture{t: t, app: a, clients: map[string]*http.Client{"anonymous": newClient(), "first": newClient()}}
		f.srv = newServer(t, a)
		f.run(t, scenario{user: "anonymous", path: "/login", status: http.StatusSeeOther})
		f.run(t, scenario{user: "anonymous", path: "/setup", status: http.StatusOK, want: []string{"首次设置"}})
		f.run(t, scenario{user: "first", method: "POST", path: "/setup", status: http.StatusUnprocessableEntity,
			form: url.Values{"username": {"root"}, "password": {"12345678"}, "password2": {"12345678"}}, want: []string{"这个密码太常见"}})
		f.run(t, scenario{user: "first", method: "POST", path: "/setup", status: http.StatusSeeOther,
			form: url.Values{"username": {"root"}, "password": {"红色教育基地2023"}, "password2": {"红色教育基地2023"}}})
		f.run(t, scenario{user: "first", path: "/orgs", status: http.StatusOK, want: []string{"新建顶级组织"}})
		f.run(t, scenario{user: "anonymous", path: "/setup", status: http.StatusNotFound})
		f.run(t, scenario{user: "anonymous", method: "POST", path: "/setup", status: http.StatusNotFound,
			form: url.Values{"username": {"evil"}, "password": {"another long one"}, "password2": {"another long one"}}})
		// The administrator starts the tree.
		f.run(t, scenario{user: "first", method: "POST", path: "/orgs", status: http.StatusSeeOther,
			form: url.Values{"kind": {"committee"}, "name": {"中共某某村委员会"}}})
		f.run(t, scenario{user: "first", path: "/orgs", status: http.StatusOK, want: []string{"中共某某村委员会"}})
	})
}

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

var (
	personFeedPattern = regexp.MustCompile(`https?://[^"<\s]+/calendar/person/[A-Za-z0-9_-]{43}\.ics`)
	orgFeedPattern    = regexp.MustCompile(`https?://[^"<\s]+/calendar/org/\d+/[A-Za-z0-9_-]{43}\.ics`)
)

// fetch GETs a feed URL without a session and returns the answer with its body read.
func fetch(t *testing.T, rawURL string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestCalendarFeedPages walks the calendar feeds as people use them: a member makes a private
// feed on the account page and a calendar app fetches it without a session; resetting kills
// the old URL; a branch secretary makes the branch feed public, then gives it a private URL.
func TestCalendarFeedPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		ctx := context.Background()
		sys := sysActor()
		day := time.Now().In(f.app.Zone).AddDate(0, 0, 3).Format(time.DateOnly)
		plan := func(orgID int64, title string) *activity.Activity {
			act, err := f.app.Activity.CreateActivity(ctx, sys, activity.Plan{OrgID: orgID, Types: []string{"general_meeting"},
				Title: title, StartDate: day, StartTime: "14:00", EndTime: "16:00", Place: "三楼会议室"})
			if err != nil {
				t.Fatal(err)
			}
			return act
		}
		invited := plan(f.demo.SecondBranch.ID, "支部党员大会：讨论发展对象")
		plan(f.demo.SecondBranch.ID, "支委会：研究七月工作")
		plan(f.demo.FirstBranch.ID, "第一支部主题党日")
		if _, err := f.app.Activity.Invite(ctx, sys, invited.ID, activity.Invitation{PersonID: f.demo.Member.ID}); err != nil {
			t.Fatal(err)
		}
		second, first := id(f.demo.SecondBranch.ID), id(f.demo.FirstBranch.ID)

		// The account page offers the feed; the URL appears only on the answer that made it.
		f.run(t, scenario{name: "account before", user: "member", path: "/account", status: 200,
			want: []string{"日历订阅", "生成订阅地址"}, notWant: []string{"/calendar/person/"}})
		f.run(t, scenario{name: "account without person", user: "admin", path: "/account", status: 200,
			want: []string{"没有关联名册中的人员"}, notWant: []string{`action="/account/calendar"`}})
		f.run(t, scenario{name: "cross-site reset", user: "member", method: "POST", path: "/account/calendar", form: url.Values{},
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: http.StatusForbidden})
		page := f.run(t, scenario{name: "make feed", user: "member", method: "POST", path: "/account/calendar", form: url.Values{},
			status: 200, want: []string{"webcal://", "只显示这一次", "重置订阅地址"}})
		feedURL := personFeedPattern.FindString(page)
		if feedURL == "" {
			t.Fatalf("no feed URL shown:\n%s", excerpt(page))
		}
		if !strings.Contains(page, "webcal://"+strings.TrimPrefix(feedURL, "http://")) {
			t.Errorf("no webcal form of %s", feedURL)
		}
		f.run(t, scenario{name: "account after", user: "member", path: "/account", status: 200,
			want: []string{"订阅地址生成于", "重置订阅地址"}, notWant: []string{"/calendar/person/"}})

		// A calendar app fetches it without a session: invited activities only.
		resp, body := fetch(t, feedURL, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("feed: status %d\n%s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		for _, w := range []string{"BEGIN:VCALENDAR\r\n", "X-WR-CALNAME:党建活动 · " + f.demo.Member.Name, "SUMMARY:支部党员大会：讨论发展对象",
			"UID:activity-" + id(invited.ID) + "@", "DTSTART;TZID=Asia/Shanghai:", "BEGIN:VTIMEZONE", "STATUS:CONFIRMED"} {
			if !strings.Contains(body, w) {
				t.Errorf("feed lacks %q", w)
			}
		}
		for _, w := range []string{"支委会", "第一支部"} {
			if strings.Contains(body, w) {
				t.Errorf("feed shows an activity the member was not invited to: %q", w)
			}
		}
		etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag == "" || modified == "" {
			t.Fatalf("validators missing: ETag %q, Last-Modified %q", etag, modified)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("private feed Cache-Control %q", cc)
		}

		// Conditional GET.
		for name, h := range map[string]map[string]string{
			"If-None-Match":     {"If-None-Match": etag},
			"If-Modified-Since": {"If-Modified-Since": modified},
		} {
			if resp, _ := fetch(t, feedURL, h); resp.StatusCode != http.StatusNotModified {
				t.Errorf("%s: status %d, want 304", name, resp.StatusCode)
			}
		}
		if resp, _ := fetch(t, feedURL, map[string]string{"If-None-Match": `"stale"`}); resp.StatusCode != http.StatusOK {
			t.Errorf("stale ETag: status %d, want 200", resp.StatusCode)
		}

		// A change shows: the cancelled meeting, with a new ETag.
		if err := f.app.Activity.CancelActivity(ctx, sys, invited.ID, invited.Version); err != nil {
			t.Fatal(err)
		}
		resp, body = fetch(t, feedURL, map[string]string{"If-None-Match": etag})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "STATUS:CANCELLED") || !strings.Contains(body, "SEQUENCE:1") {
			t.Errorf("after cancelling: status %d\n%s", resp.StatusCode, body)
		}

		// Resetting kills the old URL.
		page = f.run(t, scenario{name: "reset feed", user: "member", method: "POST", path: "/account/calendar", form: url.Values{}, status: 200})
		newURL := personFeedPattern.FindString(page)
		if newURL == "" || newURL == feedURL {
			t.Fatalf("reset gave %q", newURL)
		}
		if resp, _ := fetch(t, feedURL, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("old URL after reset: status %d, want 404", resp.StatusCode)
		}
		if resp, _ := fetch(t, newURL, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("new URL: status %d", resp.StatusCode)
		}

		// Organization feeds: private until an administrator of the branch says otherwise.
		publicURL := f.srv.URL + "/calendar/org/" + second + ".ics"
		if resp, _ := fetch(t, publicURL, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("private branch feed: status %d, want 404", resp.StatusCode)
		}
		f.run(t, scenario{name: "administrator sees the switch", user: "secretary", path: "/orgs/" + second, status: 200,
			want: []string{"日历订阅", "设为公开", "生成私密订阅地址"}})
		makePublic := url.Values{"public": {"1"}}
		// The member belongs to a group below the branch: the branch is not theirs to see.
		f.run(t, scenario{name: "member cannot switch", user: "member", method: "POST", path: "/orgs/" + second + "/calendar",
			form: makePublic, status: http.StatusNotFound})
		f.run(t, scenario{name: "member's own group", user: "member", path: "/orgs/" + id(f.demo.Member.OrgID), status: 200,
			want: []string{"日历订阅", "请联系本组织的管理员"}, notWant: []string{"设为公开", "/calendar/token"}})
		f.run(t, scenario{name: "member cannot switch own group", user: "member", method: "POST", path: "/orgs/" + id(f.demo.Member.OrgID) + "/calendar",
			form: makePublic, status: http.StatusForbidden})
		f.run(t, scenario{name: "other branch cannot switch", user: "firstsec", method: "POST", path: "/orgs/" + second + "/calendar",
			form: makePublic, status: http.StatusNotFound})
		f.run(t, scenario{name: "secretary switches", user: "secretary", method: "POST", path: "/orgs/" + second + "/calendar",
			form: makePublic, status: http.StatusSeeOther})
		resp, body = fetch(t, publicURL, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "支委会：研究七月工作") || strings.Contains(body, "第一支部") {
			t.Errorf("public branch feed: status %d\n%s", resp.StatusCode, body)
		}
		if !strings.Contains(body, "X-WR-CALNAME:"+f.demo.SecondBranch.Name) {
			t.Errorf("branch feed name missing")
		}
		if resp, _ := fetch(t, f.srv.URL+"/calendar/org/"+first+".ics", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("first branch feed: status %d, want 404", resp.StatusCode)
		}
		f.run(t, scenario{name: "public URL shown", user: "secretary", path: "/orgs/" + second, status: 200,
			want: []string{"/calendar/org/" + second + ".ics", "webcal://", "设为不公开"}})

		// A private URL for the branch, shown once to its administrator.
		page = f.run(t, scenario{name: "org token", user: "secretary", method: "POST", path: "/orgs/" + second + "/calendar/token",
			form: url.Values{}, status: 200, want: []string{"只显示这一次"}})
		orgURL := orgFeedPattern.FindString(page)
		if orgURL == "" {
			t.Fatalf("no private branch URL shown:\n%s", excerpt(page))
		}
		f.run(t, scenario{name: "member cannot make token", user: "member", method: "POST", path: "/orgs/" + id(f.demo.Member.OrgID) + "/calendar/token",
			form: url.Values{}, status: http.StatusForbidden})
		f.run(t, scenario{name: "secretary makes private", user: "secretary", method: "POST", path: "/orgs/" + second + "/calendar",
			form: url.Values{"public": {"0"}}, status: http.StatusSeeOther})
		if resp, _ := fetch(t, publicURL, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("public URL of a private feed: status %d, want 404", resp.StatusCode)
		}
		if resp, body := fetch(t, orgURL, nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "支委会") {
			t.Errorf("private branch URL: status %d", resp.StatusCode)
		}
		token := orgURL[strings.LastIndex(orgURL, "/")+1:]
		for name, u := range map[string]string{
			"org token on another organization": f.srv.URL + "/calendar/org/" + first + "/" + token,
			"org token as a person feed":        f.srv.URL + "/calendar/person/" + token,
			"person token as an org feed":       f.srv.URL + "/calendar/org/" + second + "/" + newURL[strings.LastIndex(newURL, "/")+1:],
			"no .ics":                           strings.TrimSuffix(newURL, ".ics"),
			"not a number":                      f.srv.URL + "/calendar/org/abc.ics",
			"empty token":                       f.srv.URL + "/calendar/person/.ics",
		} {
			if resp, _ := fetch(t, u, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", name, resp.StatusCode)
			}
		}
	})
}

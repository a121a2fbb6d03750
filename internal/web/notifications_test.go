package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/notify"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// actorOf returns the actor of a demo account.
func (f *fixture) actorOf(t *testing.T, username string) *auth.Actor {
	t.Helper()
	u, err := f.app.DB.FindUserByLogin(context.Background(), username, "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.app.Auth.ActorFor(context.Background(), u, "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestNotifications: each user sees and marks only their own notices; the home page counts
// the unread ones; the account page keeps the address for emailed notices.
func TestNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		ctx := context.Background()
		sec := f.actorOf(t, "secretary")
		// A meeting in two hours, to which the Second Branch is invited; the reminder job runs.
		start := f.app.Now().In(f.app.Zone).Add(2 * time.Hour).Truncate(time.Minute)
		end := start.Add(time.Hour)
		act, err := f.app.Activity.CreateActivity(ctx, sec, activity.Plan{OrgID: f.demo.SecondBranch.ID, Types: []string{"general_meeting"},
			Title: "网页通知测试会", Place: "三楼党员活动室", StartDate: start.Format(time.DateOnly), StartTime: start.Format("15:04"),
			EndDate: end.Format(time.DateOnly), EndTime: end.Format("15:04")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Activity.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: f.demo.SecondBranch.ID, Subtree: true}); err != nil {
			t.Fatal(err)
		}
		if res, err := f.app.Notify.Remind(ctx); err != nil || res.Created < 2 || res.Emailed != 0 {
			t.Fatalf("remind: %+v, %v", res, err)
		}
		mine := func(a *auth.Actor) *notify.Notification {
			ns, _, err := f.app.Notify.Notifications(ctx, a, 10, 0)
			if err != nil || len(ns) != 1 {
				t.Fatalf("%s: %d notices, %v", a.Username, len(ns), err)
			}
			return ns[0]
		}
		secID, memberID := id(mine(sec).ID), id(mine(f.actorOf(t, "member")).ID)
		headline := "活动即将开始：网页通知测试会"
		link := `href="/activities/` + id(act.ID) + `"`

		for _, sc := range []scenario{
			{name: "anonymous", user: "anonymous", path: "/notifications", status: http.StatusSeeOther},
			{name: "anonymous marks", user: "anonymous", method: http.MethodPost, path: "/notifications/read",
				form: url.Values{"id": {secID}}, status: http.StatusUnauthorized},
			{name: "nav link", user: "member", path: "/activities", status: http.StatusOK, want: []string{`href="/notifications"`}},
			{name: "home counts the unread", user: "member", path: "/", status: http.StatusOK,
				want: []string{`id="unread"`, "1 条未读通知"}},
			{name: "own notices", user: "secretary", path: "/notifications", status: http.StatusOK,
				want:    []string{headline, link, `id="n` + secID + `"`, "1 条未读通知", "标为已读", "三楼党员活动室", "未配置邮件"},
				notWant: []string{`id="n` + memberID + `"`}},
			{name: "member's own", user: "member", path: "/notifications", status: http.StatusOK,
				want: []string{headline, `id="n` + memberID + `"`}, notWant: []string{`id="n` + secID + `"`}},
			{name: "admin sees nobody's", user: "admin", path: "/notifications", status: http.StatusOK,
				want: []string{"还没有通知"}, notWant: []string{`id="n` + secID + `"`, headline}},
			{name: "another's notice cannot be marked", user: "member", method: http.MethodPost, path: "/notifications/read",
				form: url.Values{"id": {secID}}, status: http.StatusNotFound},
			{name: "not even by an administrator", user: "admin", method: http.MethodPost, path: "/notifications/read",
				form: url.Values{"id": {secID}}, status: http.StatusNotFound},
			{name: "a bad id", user: "member", method: http.MethodPost, path: "/notifications/read",
				form: url.Values{"id": {"abc"}}, status: http.StatusNotFound},
			{name: "still unread", user: "secretary", path: "/notifications", status: http.StatusOK, want: []string{"1 条未读通知"}},
			{name: "mark own", user: "secretary", method: http.MethodPost, path: "/notifications/read",
				form: url.Values{"id": {secID}}, status: http.StatusSeeOther},
			{name: "read", user: "secretary", path: "/notifications?flash=flash.notify.read", status: http.StatusOK,
				want: []string{"已标为已读", "没有未读通知", headline}, notWant: []string{"标为已读</button>"}},
			{name: "mark all", user: "member", method: http.MethodPost, path: "/notifications/read",
				form: url.Values{"all": {"1"}}, status: http.StatusSeeOther},
			{name: "home without unread", user: "member", path: "/", status: http.StatusOK, notWant: []string{`id="unread"`}},
			{name: "English", user: "member", path: "/notifications", header: map[string]string{"Accept-Language": "en"},
				status: http.StatusOK, want: []string{"Starting soon: 网页通知测试会", "No unread notices."}},
			{name: "account shows the address field", user: "member", path: "/account", status: http.StatusOK,
				want: []string{"邮件提醒", `name="email"`, "尚未配置邮件发送", `id="calendar"`}},
			{name: "bad address", user: "member", method: http.MethodPost, path: "/account/email",
				form: url.Values{"email": {"not-an-address"}}, status: http.StatusUnprocessableEntity,
				want: []string{"请填写有效的邮箱地址", `value="not-an-address"`}},
			{name: "save address", user: "member", method: http.MethodPost, path: "/account/email",
				form: url.Values{"email": {"member@example.org"}}, status: http.StatusSeeOther},
			{name: "address kept", user: "member", path: "/account", status: http.StatusOK, want: []string{`value="member@example.org"`}},
			{name: "another's address unseen", user: "secretary", path: "/account", status: http.StatusOK,
				notWant: []string{"member@example.org"}},
		} {
			t.Run(sc.name, func(t *testing.T) { f.run(t, sc) })
		}
		if n, _ := f.app.Notify.Unread(ctx, sec); n != 0 {
			t.Errorf("secretary's unread %d", n)
		}
	})
}

package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/notify"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCompose: the email of a notice in Chinese and English, with the activity's title, time,
// place and link.
func TestCompose(t *testing.T) {
	svc := notify.NewService(nil, notify.Options{BaseURL: "https://dj.example.org/", Zone: shanghai})
	meeting := notify.Params{Title: "七月支部党员大会", Place: "三楼党员活动室", OrgName: "第二支部",
		StartsAt: at("2023-07-12 14:00"), EndsAt: at("2023-07-12 16:00")}
	trip := notify.Params{Title: "两天党建研学团建", StartsAt: at("2023-07-15 00:00"), EndsAt: at("2023-07-17 00:00"), AllDay: true}
	tests := []struct {
		name        string
		n           *notify.Notification
		locale      string
		subject     string
		want, avoid []string
	}{
		{"soon zh", &notify.Notification{Kind: notify.KindActivitySoon, ActivityID: 7, Params: meeting}, "", "活动提醒：七月支部党员大会",
			[]string{"即将开始", "活动：七月支部党员大会\n", "时间：2023-07-12 14:00–16:00\n", "地点：三楼党员活动室\n", "组织：第二支部\n",
				"查看详情或请假：https://dj.example.org/activities/7\n"}, []string{"Activity"}},
		{"soon en", &notify.Notification{Kind: notify.KindActivitySoon, ActivityID: 7, Params: meeting}, "en", "Reminder: 七月支部党员大会",
			[]string{"starts soon", "Time: 2023-07-12 14:00–16:00\n", "Place: 三楼党员活动室\n"}, []string{"活动："}},
		{"all-day trip", &notify.Notification{Kind: notify.KindActivitySoon, ActivityID: 8, Params: trip}, "zh-CN", "活动提醒：两天党建研学团建",
			[]string{"时间：2023-07-15 至 2023-07-16（全天）\n"}, []string{"地点："}},
		{"moved", &notify.Notification{Kind: notify.KindActivitySoon, ActivityID: 7, Params: func() notify.Params {
			p := meeting
			p.Changed = true
			return p
		}()}, "", "活动时间变更：七月支部党员大会", []string{"时间有变更"}, nil},
		{"record due en", &notify.Notification{Kind: notify.KindRecordDue, ActivityID: 7, Params: meeting}, "en",
			"Please submit the record: 七月支部党员大会", []string{"recorder", "Write the record: https://dj.example.org/activities/7/record\n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := svc.Compose(tc.n, tc.locale, "sec@example.org")
			if m.To != "sec@example.org" || m.Subject != tc.subject {
				t.Errorf("to %q, subject %q, want %q", m.To, m.Subject, tc.subject)
			}
			for _, w := range tc.want {
				if !strings.Contains(m.Body, w) {
					t.Errorf("body lacks %q:\n%s", w, m.Body)
				}
			}
			for _, w := range tc.avoid {
				if strings.Contains(m.Body, w) {
					t.Errorf("body has %q:\n%s", w, m.Body)
				}
			}
		})
	}
	// Without a base URL there is no link; a title with a line break stays one line in the subject.
	bare := notify.NewService(nil, notify.Options{Zone: shanghai})
	p := meeting
	p.Title = "七月\n支部党员大会"
	m := bare.Compose(&notify.Notification{Kind: notify.KindActivitySoon, ActivityID: 7, Params: p}, "", "x@example.org")
	if strings.Contains(m.Body, "http") || m.Subject != "活动提醒：七月 支部党员大会" {
		t.Errorf("without base URL: %q\n%s", m.Subject, m.Body)
	}
}

// TestNotices: a user lists, counts and marks only their own notices, those to their person
// and those to their account; nobody else's, administrators included.
func TestNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a := apptest.Open(t, d, apptest.Options{})
		data := apptest.Demo(t, a, "test-pass-2023")
		actors := map[string]*auth.Actor{}
		users, err := a.Auth.Users(ctx, auth.System("test"))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if actors[u.Username], err = a.Auth.ActorFor(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
		}
		sec, member, admin := actors["secretary"], actors["member"], actors["admin"]
		now := a.Now()
		made, err := a.DB.CreateNotifications(ctx, []*notify.Notification{
			{PersonID: data.Secretary.ID, Kind: notify.KindRecordDue, Occasion: now, Params: notify.Params{Title: "书记的"}},
			{PersonID: data.Member.ID, Kind: notify.KindActivitySoon, Occasion: now, Params: notify.Params{Title: "党员的一"}},
			{UserID: member.UserID, Kind: notify.KindActivitySoon, Occasion: now.Add(time.Hour), Params: notify.Params{Title: "党员的二"}},
			// The same notice again is skipped.
			{PersonID: data.Member.ID, Kind: notify.KindActivitySoon, Occasion: now, Params: notify.Params{Title: "重复"}},
		}, now, false)
		if err != nil || len(made) != 3 {
			t.Fatalf("made %d, %v", len(made), err)
		}
		secNotice := made[0]
		svc := a.Notify
		titles := func(who *auth.Actor) string {
			t.Helper()
			ns, total, err := svc.Notifications(ctx, who, 10, 0)
			if err != nil || total != len(ns) {
				t.Fatalf("%s: %d of %d, %v", who.Username, len(ns), total, err)
			}
			var out []string
			for _, n := range ns {
				out = append(out, n.Params.Title)
			}
			return strings.Join(out, ",")
		}
		if got := titles(member); got != "党员的二,党员的一" {
			t.Errorf("member sees %q", got)
		}
		if got := titles(sec); got != "书记的" {
			t.Errorf("secretary sees %q", got)
		}
		if got := titles(admin); got != "" {
			t.Errorf("admin sees %q", got)
		}
		if _, _, err := svc.Notifications(ctx, nil, 10, 0); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("anonymous: %v", err)
		}
		// Another's notice is not found, for marking as for anything else.
		for _, who := range []*auth.Actor{member, admin} {
			if err := svc.MarkRead(ctx, who, secNotice.ID); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("%s marks the secretary's notice: %v", who.Username, err)
			}
		}
		if n, _ := svc.Unread(ctx, sec); n != 1 {
			t.Errorf("secretary's unread %d after others tried, want 1", n)
		}
		if err := svc.MarkRead(ctx, sec, secNotice.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.MarkRead(ctx, sec, secNotice.ID); err != nil {
			t.Fatalf("marking twice: %v", err)
		}
		if n, _ := svc.Unread(ctx, sec); n != 0 {
			t.Errorf("secretary's unread %d", n)
		}
		if n, err := svc.MarkAllRead(ctx, member); err != nil || n != 2 {
			t.Errorf("member marks all: %d, %v", n, err)
		}
		if n, _ := svc.Unread(ctx, member); n != 0 {
			t.Errorf("member's unread %d", n)
		}
		if ns, _, _ := svc.Notifications(ctx, sec, 10, 0); len(ns) != 1 || ns[0].Unread() || ns[0].ReadAt.Before(ns[0].CreatedAt) {
			t.Errorf("secretary's notice after reading: %+v", ns[0])
		}
	})
}

// TestEmailAddress: a user sets and removes their own address for notices; a bad address is
// refused beside its field, and the change is audited without the address.
func TestEmailAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a := apptest.Open(t, d, apptest.Options{})
		apptest.Demo(t, a, "test-pass-2023")
		u, err := a.DB.FindUserByLogin(ctx, "member", "")
		if err != nil {
			t.Fatal(err)
		}
		member, err := a.Auth.ActorFor(ctx, u, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"member", "member@", "张三 <member@example.org>", "a@b.c, d@e.f", strings.Repeat("a", 250) + "@example.org"} {
			err := a.Notify.SetEmail(ctx, member, bad)
			if e := apperr.As(err); e == nil || e.Fields["email"] != "notify.error.email" {
				t.Errorf("%q: %v", bad, err)
			}
		}
		if err := a.Notify.SetEmail(ctx, member, " member@example.org "); err != nil {
			t.Fatal(err)
		}
		if got, err := a.Notify.Email(ctx, member); err != nil || got != "member@example.org" {
			t.Fatalf("email %q, %v", got, err)
		}
		if err := a.Notify.SetEmail(ctx, member, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := a.Notify.Email(ctx, member); got != "" {
			t.Fatalf("email after removing %q", got)
		}
		all, err := a.DB.FindAudit(ctx, audit.Filter{PersonID: member.PersonID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var recs []*audit.Record
		for _, r := range all {
			if r.Action == "user.email" {
				recs = append(recs, r)
			}
		}
		if len(recs) != 2 {
			t.Fatalf("audit: %d records of the address", len(recs))
		}
		for _, r := range recs {
			if strings.Contains(r.Before+r.After, "example.org") {
				t.Errorf("the address is in the audit trail: %+v", r)
			}
		}
	})
}

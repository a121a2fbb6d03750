package jobs_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/notify"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// fakeMailer keeps the messages instead of sending them; fail makes the next sends fail.
type fakeMailer struct {
	mu   sync.Mutex
	sent []notify.Message
	fail int
}

func (m *fakeMailer) Send(_ context.Context, msg notify.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail > 0 {
		m.fail--
		return errors.New("451 try again later")
	}
	m.sent = append(m.sent, msg)
	return nil
}

func (m *fakeMailer) messages() []notify.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()) }
func (c *clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

const baseURL = "https://dj.example.org"

// openApp boots a migrated app on cfg with the clock and the fake mailer.
func openApp(t *testing.T, cfg config.Config, c *clock, m notify.Mailer) *app.App {
	t.Helper()
	cfg.BaseURL = baseURL
	a, err := app.Open(context.Background(), cfg, app.Options{LogOutput: io.Discard, Now: c.Now, Mailer: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.DB.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

func testConfig(t *testing.T, d store.Dialect) config.Config {
	cfg := config.Default()
	cfg.Data = t.TempDir()
	if d == store.Postgres {
		cfg.DB = storetest.NewPostgresDB(t)
	}
	return cfg
}

// remindEnv is an app with the demo data, its secretary and member, both with an email
// address, and a settable clock.
type remindEnv struct {
	app         *app.App
	demo        *demo.Data
	clock       *clock
	mail        *fakeMailer
	sec, member *auth.Actor
}

func newRemindEnv(t *testing.T, d store.Dialect) *remindEnv {
	t.Helper()
	e := &remindEnv{clock: &clock{}, mail: &fakeMailer{}}
	e.clock.Set(at("2023-07-10 09:00"))
	e.app = openApp(t, testConfig(t, d), e.clock, e.mail)
	e.setup(t)
	return e
}

func (e *remindEnv) setup(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var err error
	if e.demo, err = demo.Load(ctx, e.app.Org, e.app.Auth, e.clock.Now(), "test-pass-2023"); err != nil {
		t.Fatal(err)
	}
	users, err := e.app.Auth.Users(ctx, auth.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		a, err := e.app.Auth.ActorFor(ctx, u, "")
		if err != nil {
			t.Fatal(err)
		}
		switch u.Username {
		case "secretary":
			e.sec = a
		case "member":
			e.member = a
		}
	}
	// The member reads English.
	if err := e.app.Auth.SetLocale(ctx, e.member, "en"); err != nil {
		t.Fatal(err)
	}
	for addr, a := range map[string]*auth.Actor{"sec@example.org": e.sec, "member@example.org": e.member} {
		if err := e.app.Notify.SetEmail(ctx, a, addr); err != nil {
			t.Fatal(err)
		}
	}
}

// meeting plans a meeting of the Second Branch with the secretary as recorder and invites
// the branch's members.
func (e *remindEnv) meeting(t *testing.T, title, day, start, end string) *activity.Activity {
	t.Helper()
	ctx := context.Background()
	act, err := e.app.Activity.CreateActivity(ctx, e.sec, activity.Plan{OrgID: e.demo.SecondBranch.ID, Types: []string{"general_meeting"},
		Title: title, Place: "三楼党员活动室", StartDate: day, StartTime: start, EndTime: end, RecorderID: e.demo.Secretary.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Activity.Invite(ctx, e.sec, act.ID, activity.Invitation{OrgID: e.demo.SecondBranch.ID, Subtree: true}); err != nil {
		t.Fatal(err)
	}
	return act
}

func (e *remindEnv) invited(t *testing.T, id int64) int {
	t.Helper()
	ps, err := e.app.DB.FindParticipants(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return len(ps)
}

// remind runs the job's work n times at once and returns how many notices were made in all.
func remind(t *testing.T, n int, svcs ...*notify.Service) int {
	t.Helper()
	var wg sync.WaitGroup
	var created atomic.Int64
	errc := make(chan error, n*len(svcs))
	for i := 0; i < n; i++ {
		for _, s := range svcs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Remind(context.Background())
				created.Add(int64(res.Created))
				errc <- err
			}()
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	return int(created.Load())
}

// countNotices counts the notices of a kind about an activity.
func countNotices(t *testing.T, db *store.DB, kind string, activityID int64) int {
	t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM notifications WHERE kind = ? AND activity_id = ?"
	if db.Dialect == store.Postgres {
		q = "SELECT COUNT(*) FROM notifications WHERE kind = $1 AND activity_id = $2"
	}
	if err := db.SQL().QueryRow(q, kind, activityID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func recipients(msgs []notify.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To)
	}
	slices.Sort(out)
	return out
}

// TestRemind: invitees are told once per occasion, whatever the number of concurrent runs;
// approved leave and cancelled or started activities get no notice; a new time gets a new
// notice; the recorder is reminded of a record that was not submitted; one email goes to each
// recipient with an address.
func TestRemind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newRemindEnv(t, d)
		svc := e.app.Notify
		meeting := e.meeting(t, "七月支部党员大会", "2023-07-12", "14:00", "16:00")
		cancelled := e.meeting(t, "取消的支委会", "2023-07-12", "09:00", "10:00")
		started := e.meeting(t, "下午的学习会", "2023-07-11", "14:00", "18:00")
		recorded := e.meeting(t, "已交记录的党小组会", "2023-07-11", "10:00", "11:00")
		if err := e.app.Activity.CancelActivity(ctx, e.sec, cancelled.ID, cancelled.Version); err != nil {
			t.Fatal(err)
		}
		if err := e.app.Activity.AskLeave(ctx, e.member, meeting.ID, "外出进货"); err != nil {
			t.Fatal(err)
		}
		if err := e.app.Activity.DecideLeave(ctx, e.sec, meeting.ID, e.demo.Member.ID, true); err != nil {
			t.Fatal(err)
		}
		invited := e.invited(t, meeting.ID)
		if invited < 3 {
			t.Fatalf("%d invited", invited)
		}

		// More than a day ahead nothing is due yet.
		if n := remind(t, 1, svc); n != 0 {
			t.Fatalf("%d notices two days ahead", n)
		}

		// Within the lead: every invitee but the one on leave is told once, though four runs
		// race; the study session that has just started gets no late notice.
		e.clock.Set(at("2023-07-11 15:00"))
		if n := remind(t, 4, svc); n != invited-1 {
			t.Fatalf("%d notices made, want %d", n, invited-1)
		}
		if n := countNotices(t, e.app.DB, notify.KindActivitySoon, started.ID); n != 0 {
			t.Fatalf("%d notices of a started activity", n)
		}
		if n := remind(t, 2, svc); n != 0 {
			t.Fatalf("%d notices made again", n)
		}
		if n := countNotices(t, e.app.DB, notify.KindActivitySoon, meeting.ID); n != invited-1 {
			t.Fatalf("%d notices stored, want %d", n, invited-1)
		}
		if n := countNotices(t, e.app.DB, notify.KindActivitySoon, cancelled.ID); n != 0 {
			t.Fatalf("%d notices of a cancelled activity", n)
		}
		msgs := e.mail.messages()
		if got := recipients(msgs); !slices.Equal(got, []string{"sec@example.org"}) {
			t.Fatalf("emailed %v, want the secretary only (the member is on leave)", got)
		}
		for _, want := range []string{"七月支部党员大会", "时间：2023-07-12 14:00–16:00", "地点：三楼党员活动室",
			baseURL + "/activities/" + id(meeting.ID)} {
			if !strings.Contains(msgs[0].Body, want) {
				t.Errorf("email body lacks %q:\n%s", want, msgs[0].Body)
			}
		}
		if msgs[0].Subject != "活动提醒：七月支部党员大会" {
			t.Errorf("subject %q", msgs[0].Subject)
		}
		if ns, _, err := svc.Notifications(ctx, e.member, 10, 0); err != nil || len(ns) != 0 {
			t.Fatalf("member on leave: %d notices, %v", len(ns), err)
		}
		if n, err := svc.Unread(ctx, e.sec); err != nil || n != 1 {
			t.Fatalf("secretary: %d unread, %v", n, err)
		}

		// The meeting moves an hour: a new notice (marked as a change) and a new email.
		if _, err := e.app.Activity.UpdateActivity(ctx, e.sec, meeting.ID, activity.Plan{OrgID: e.demo.SecondBranch.ID,
			Types: []string{"general_meeting"}, Title: meeting.Title, Place: meeting.Place, StartDate: "2023-07-12",
			StartTime: "15:00", EndTime: "17:00", RecorderID: e.demo.Secretary.ID, Version: meeting.Version}); err != nil {
			t.Fatal(err)
		}
		if n := remind(t, 3, svc); n != invited-1 {
			t.Fatalf("after the move: %d notices, want %d", n, invited-1)
		}
		ns, total, err := svc.Notifications(ctx, e.sec, 10, 0)
		if err != nil || total != 2 || !ns[0].Params.Changed || ns[1].Params.Changed ||
			!ns[0].Occasion.Equal(at("2023-07-12 15:00")) {
			t.Fatalf("secretary's notices after the move: %d %+v %v", total, ns, err)
		}
		if msgs := e.mail.messages(); len(msgs) != 2 || msgs[1].Subject != "活动时间变更：七月支部党员大会" ||
			!strings.Contains(msgs[1].Body, "2023-07-12 15:00–17:00") {
			t.Fatalf("emails after the move: %+v", msgs)
		}

		// A record submitted in time needs no reminder.
		rec, err := e.app.Activity.SaveRecord(ctx, e.sec, recorded.ID, activity.RecordText{Minutes: "学习了党章。"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.app.Activity.SubmitRecord(ctx, e.sec, recorded.ID, rec.Version); err != nil {
			t.Fatal(err)
		}

		// A day after the meeting ended its recorder is reminded, once; the mail server fails
		// the first try, and the next run sends it.
		e.clock.Set(at("2023-07-13 18:00"))
		e.mail.fail = 1
		// Two reminders: the meeting and the study session, both recorded by the secretary.
		res, err := svc.Remind(ctx)
		if err == nil || res.Created != 2 || res.Failed != 1 || res.Emailed != 1 {
			t.Fatalf("record reminders: %+v, %v", res, err)
		}
		if res, err := svc.Remind(ctx); err != nil || res.Created != 0 || res.Emailed != 1 {
			t.Fatalf("retry: %+v, %v", res, err)
		}
		for _, act := range []*activity.Activity{meeting, started} {
			if n := countNotices(t, e.app.DB, notify.KindRecordDue, act.ID); n != 1 {
				t.Fatalf("%s: %d record reminders", act.Title, n)
			}
		}
		for _, act := range []*activity.Activity{recorded, cancelled} {
			if n := countNotices(t, e.app.DB, notify.KindRecordDue, act.ID); n != 0 {
				t.Fatalf("%s: %d record reminders", act.Title, n)
			}
		}
		msgs = e.mail.messages()
		if len(msgs) != 4 || !strings.HasPrefix(msgs[2].Subject, "请提交活动记录：") ||
			!strings.Contains(msgs[2].Body+msgs[3].Body, baseURL+"/activities/"+id(meeting.ID)+"/record") {
			t.Fatalf("emails: %+v", msgs)
		}
		// What was sent is kept with the notice.
		ns, _, err = svc.Notifications(ctx, e.sec, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		emails, err := e.app.DB.FindNotificationEmails(ctx, ns[0].ID)
		if err != nil || len(emails) != 1 || emails[0].Address != "sec@example.org" || emails[0].SentAt.IsZero() ||
			emails[0].Subject == "" {
			t.Fatalf("emails of the notice: %+v, %v", emails, err)
		}
		if n := remind(t, 2, svc); n != 0 || len(e.mail.messages()) != 4 {
			t.Fatalf("a later run made %d notices, %d emails", n, len(e.mail.messages()))
		}
	})
}

// TestRemindTwoInstances: two app instances on one PostgreSQL database run the reminders at
// the same moment; each notice is made once and each email sent once.
func TestRemindTwoInstances(t *testing.T) {
	cfg := testConfig(t, store.Postgres)
	cfg.KeyFile = cfg.Data + "/shared.key"
	c := &clock{}
	c.Set(at("2023-07-10 09:00"))
	mails := []*fakeMailer{{}, {}}
	apps := []*app.App{openApp(t, cfg, c, mails[0]), openApp(t, cfg, c, mails[1])}
	e := &remindEnv{app: apps[0], clock: c, mail: mails[0]}
	e.setup(t)
	meeting := e.meeting(t, "两个实例的党员大会", "2023-07-11", "08:00", "10:00")
	invited := e.invited(t, meeting.ID)
	if n := remind(t, 3, apps[0].Notify, apps[1].Notify); n != invited {
		t.Fatalf("%d notices made by both instances, want %d", n, invited)
	}
	if n := countNotices(t, apps[1].DB, notify.KindActivitySoon, meeting.ID); n != invited {
		t.Fatalf("%d notices stored, want %d", n, invited)
	}
	all := append(mails[0].messages(), mails[1].messages()...)
	if got := recipients(all); !slices.Equal(got, []string{"member@example.org", "sec@example.org"}) {
		t.Fatalf("emailed %v, want each address once", got)
	}
	// The member's account is in English: so is their email.
	for _, m := range all {
		if m.To == "member@example.org" && (m.Subject != "Reminder: 两个实例的党员大会" || !strings.Contains(m.Body, "Time: 2023-07-11 08:00–10:00")) {
			t.Errorf("member's email %+v", m)
		}
	}
}

// TestRemindJob: the reminder job is registered as a periodic job that runs at start; started,
// it makes the notices through river, on the app's clock.
func TestRemindJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newRemindEnv(t, d)
		if got := e.app.Jobs.PeriodicJobs(); !slices.Equal(got, []string{"remind", "masswork"}) {
			t.Fatalf("periodic jobs %v", got)
		}
		meeting := e.meeting(t, "明天的支委会", "2023-07-11", "08:00", "09:00")
		invited := e.invited(t, meeting.ID)
		if err := e.app.StartJobs(context.Background()); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for countNotices(t, e.app.DB, notify.KindActivitySoon, meeting.ID) < invited {
			if time.Now().After(deadline) {
				t.Fatalf("the job made %d of %d notices", countNotices(t, e.app.DB, notify.KindActivitySoon, meeting.ID), invited)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// A run queued by hand goes beside the schedule.
		if err := e.app.Jobs.EnqueueRemind(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

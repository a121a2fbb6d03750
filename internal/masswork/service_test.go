package masswork_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// The environment of the service tests: the demo data set on a fresh database of each
// dialect, a settable clock, an actor per demo account and the default categories of the
// committee (so that they apply to every branch).

func TestMain(m *testing.M) { storetest.Main(m) }

var shanghai = func() *time.Location {
	z, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return z
}()

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()) }
func (c *clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// at is a wall-clock time in Shanghai: "2026-03-10 09:00".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

type env struct {
	app    *app.App
	svc    *masswork.Service
	demo   *demo.Data
	clock  *clock
	actors map[string]*auth.Actor
	cats   map[string]*masswork.Category // by code
}

func newEnv(t *testing.T, d store.Dialect) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{}
	c.Set(at("2026-03-10 09:00")) // a Tuesday
	a := apptest.Open(t, d, apptest.Options{Now: c.Now})
	e := &env{app: a, svc: a.Masswork, demo: apptest.Demo(t, a, "test-pass-2026"), clock: c, actors: map[string]*auth.Actor{},
		cats: map[string]*masswork.Category{}}
	users, err := a.Auth.Users(ctx, auth.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if e.actors[u.Username], err = a.Auth.ActorFor(ctx, u, "10.1.2.3"); err != nil {
			t.Fatal(err)
		}
	}
	cats, err := e.svc.UseDefaultCategories(ctx, e.actors["admin"], e.demo.Committee.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		e.cats[c.Code] = c
	}
	return e
}

// report files a report by the public form of the Second Branch.
func (e *env) report(t *testing.T, category, text string, edit ...func(r *masswork.Report)) *masswork.Receipt {
	t.Helper()
	r := &masswork.Report{OrgID: e.demo.SecondBranch.ID, CategoryID: e.cats[category].ID, Description: text}
	for _, f := range edit {
		f(r)
	}
	rc, err := e.svc.Submit(context.Background(), nil, r)
	if err != nil {
		t.Fatalf("report %q: %v", text, err)
	}
	return rc
}

// metoo adds a public "me too" to a matter.
func (e *env) metoo(t *testing.T, matterID int64, edit ...func(r *masswork.Report)) *masswork.Receipt {
	t.Helper()
	r := &masswork.Report{OrgID: e.demo.SecondBranch.ID, MeToo: matterID}
	for _, f := range edit {
		f(r)
	}
	rc, err := e.svc.Submit(context.Background(), nil, r)
	if err != nil {
		t.Fatalf("me too on %d: %v", matterID, err)
	}
	return rc
}

func (e *env) matter(t *testing.T, id int64) *masswork.Matter {
	t.Helper()
	m, err := e.app.DB.FindMatterByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) view(t *testing.T, id int64) *masswork.MatterView {
	t.Helper()
	v, err := e.svc.Matter(context.Background(), e.actors["admin"], id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// count runs a COUNT query with ? placeholders on either dialect.
func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	if e.app.DB.Dialect == store.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	var n int
	if err := e.app.DB.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// contact returns a merchant on the Second Branch's register.
func (e *env) contact(t *testing.T, i int) *org.Person {
	t.Helper()
	people, _, err := e.app.Org.People(context.Background(), auth.System("test"), org.PeopleFilter{OrgPath: e.demo.SecondBranch.Path,
		Stage: org.StageMasses, Limit: i + 1})
	if err != nil || len(people) <= i {
		t.Fatalf("no contact %d: %v", i, err)
	}
	return people[i]
}

func fieldOf(err error) map[string]string {
	if e := apperr.As(err); e != nil {
		return e.Fields
	}
	return nil
}

// keyOf returns the message key of an error, or "" for none.
func keyOf(err error) string {
	if err == nil {
		return ""
	}
	if e := apperr.As(err); e != nil {
		return e.Key
	}
	return err.Error()
}

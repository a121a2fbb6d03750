package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/jobs"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/roster"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type env struct {
	db     *store.DB
	orgs   *org.Service
	runner *jobs.Runner
	admin  *auth.Actor
	branch *org.Organization
	group  *org.Organization
}

func setup(t testing.TB, d store.Dialect) *env {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, d, nil)
	orgs := org.NewService(db, db, time.Now)
	runner, err := jobs.New(db, orgs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	orgs.SetImports(db, runner)
	if err := runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runner.Stop(context.Background()) })
	e := &env{db: db, orgs: orgs, runner: runner}
	// The test actor is a real user: imports belong to their uploader.
	users := auth.NewService(db, auth.Policy{IdleTimeout: time.Hour, AbsoluteTimeout: time.Hour, LockoutAttempts: 5, LockoutFor: time.Minute}, time.Now)
	u, err := users.CreateUser(ctx, auth.System("test"), auth.NewUser{Username: "importer", Password: "long enough pw", SysAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	if e.admin, err = users.ActorFor(ctx, u, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	e.branch = &org.Organization{Kind: org.KindBranch, Name: "第二支部"}
	if err := orgs.CreateOrganization(ctx, e.admin, e.branch); err != nil {
		t.Fatal(err)
	}
	e.group = &org.Organization{ParentID: e.branch.ID, Kind: org.KindGroup, Name: "第一党小组"}
	if err := orgs.CreateOrganization(ctx, e.admin, e.group); err != nil {
		t.Fatal(err)
	}
	return e
}

func parse(t *testing.T, csv string) *roster.Sheet {
	t.Helper()
	s, err := roster.Parse(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wait polls the import until its job has finished.
func wait(t *testing.T, e *env, id int64) *org.Import {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		im, err := e.orgs.Import(context.Background(), e.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if im.Status == org.ImportDone || im.Status == org.ImportFailed {
			return im
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("import %d did not finish", id)
	return nil
}

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := setup(t, d)
		good := "姓名,身份证号,手机号,所在党组织,政治面貌,入党时间,转正时间\n" +
			"张三,330681199001011237,13905750001,第一党小组,中共党员,2014-01-10,2015-01-10\n" +
			"李四,330681199001011245,13905750002,,预备党员,2025-07-01,\n" +
			"王五,,,,群众,,\n"
		im, err := e.orgs.PreviewImport(ctx, e.admin, e.branch.ID, "名册.csv", parse(t, good))
		if err != nil {
			t.Fatal(err)
		}
		if im.TotalRows != 3 || im.ErrorRows != 0 || im.Rows[0].OrgName != "第一党小组" || im.Rows[0].IDMask != "330681********1237" {
			t.Fatalf("preview = %+v", im)
		}
		// Nothing is written before the import is started.
		if _, n, _ := e.orgs.People(ctx, e.admin, org.PeopleFilter{}); n != 0 {
			t.Fatalf("%d people before start", n)
		}
		if err := e.orgs.StartImport(ctx, e.admin, im.ID); err != nil {
			t.Fatal(err)
		}
		if done := wait(t, e, im.ID); done.Status != org.ImportDone || done.DoneRows != 3 {
			t.Fatalf("import = %+v", done)
		}
		people, n, _ := e.orgs.People(ctx, e.admin, org.PeopleFilter{Query: "zs"})
		if n != 1 || people[0].OrgID != e.group.ID || people[0].Stage != org.StageFull || people[0].Gender != "male" {
			t.Fatalf("imported 张三 = %+v", people)
		}

		// The same file again: every row with an ID number is a duplicate, and the import
		// cannot start until the file is fixed.
		again, err := e.orgs.PreviewImport(ctx, e.admin, e.branch.ID, "名册.csv", parse(t, good))
		if err != nil {
			t.Fatal(err)
		}
		if again.ErrorRows != 2 || again.Rows[0].Errors["id_number"] != "error.id_duplicate" {
			t.Fatalf("re-import preview = %+v", again.Rows)
		}
		if err := e.orgs.StartImport(ctx, e.admin, again.ID); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("start with errors: err = %v", err)
		}

		// Every kind of row error is reported at once.
		bad := "姓名,身份证号,手机号,所在党组织,政治面貌,入党时间\n" +
			",330681199001011253,139,第九支部,党员,2014-13-01\n" +
			"赵六,330681199001011231,13905750003,第一党小组,路人,\n" +
			"钱七,330681199001011261,13905750004,,群众,\n" +
			"孙八,330681199001011261,13905750005,,群众,\n"
		pv, err := e.orgs.PreviewImport(ctx, e.admin, e.branch.ID, "bad.csv", parse(t, bad))
		if err != nil {
			t.Fatal(err)
		}
		want := []map[string]string{
			{"name": "error.required", "phone": "error.phone", "org": "error.import_unknown_org", "admitted_on": "error.date"},
			{"id_number": "error.id_checksum", "stage": "error.choice"},
			{},
			{"id_number": "error.import_duplicate_in_file"},
		}
		for i, w := range want {
			for f, k := range w {
				if pv.Rows[i].Errors[f] != k {
					t.Errorf("row %d field %s: %q, want %q (all: %v)", i+2, f, pv.Rows[i].Errors[f], k, pv.Rows[i].Errors)
				}
			}
		}
		if pv.ErrorRows != 3 {
			t.Errorf("error rows = %d, want 3", pv.ErrorRows)
		}
	})
}

// TestImportAllOrNothing: when a row fails while the job writes (here a person with the
// same ID number was added after the preview), no row of the import is kept.
func TestImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := setup(t, d)
		csv := "姓名,身份证号\n甲,330681199001011237\n乙,330681199001011245\n丙,330681199001011253\n"
		im, err := e.orgs.PreviewImport(ctx, e.admin, e.branch.ID, "x.csv", parse(t, csv))
		if err != nil || im.ErrorRows != 0 {
			t.Fatalf("preview: %v %+v", err, im)
		}
		late := &org.Person{OrgID: e.branch.ID, Name: "后来者", IDNumber: "330681199001011253"}
		if err := e.orgs.CreatePerson(ctx, e.admin, late); err != nil {
			t.Fatal(err)
		}
		if err := e.orgs.StartImport(ctx, e.admin, im.ID); err != nil {
			t.Fatal(err)
		}
		done := wait(t, e, im.ID)
		if done.Status != org.ImportFailed || done.Failure != "error.import_conflict" {
			t.Fatalf("import = %+v", done)
		}
		if _, n, _ := e.orgs.People(ctx, e.admin, org.PeopleFilter{}); n != 1 {
			t.Fatalf("%d people after a failed import, want only the one added by hand", n)
		}
	})
}

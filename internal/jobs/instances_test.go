package jobs_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestImportInterrupted: a job stopped in the middle of writing (as when the process is
// killed) leaves no row of the import, and the import completes when the job runs again.
func TestImportInterrupted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := setup(t, d)
		var csv strings.Builder
		csv.WriteString("姓名,手机号\n")
		for i := 0; i < 120; i++ {
			fmt.Fprintf(&csv, "群众%03d,1390575%04d\n", i, i)
		}
		im, err := e.orgs.PreviewImport(ctx, e.admin, e.branch.ID, "x.csv", parse(t, csv.String()))
		if err != nil || im.ErrorRows != 0 {
			t.Fatalf("preview: %v, %d errors", err, im.ErrorRows)
		}
		people, err := e.db.ImportPeople(ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		jobCtx, kill := context.WithCancel(ctx)
		err = e.db.ApplyImport(jobCtx, im, people, func(p *org.Person) *audit.Record {
			return &audit.Record{ActorName: "test", Action: "person.import"}
		}, func(n int) {
			if n >= 50 {
				kill() // the process dies after 50 rows were written in the transaction
			}
		})
		if err == nil {
			t.Fatal("the interrupted import reported success")
		}
		if _, n, _ := e.orgs.People(ctx, e.admin, org.PeopleFilter{}); n != 0 {
			t.Fatalf("%d people left by the interrupted import", n)
		}
		// The job runs again (river retries it) and writes everything once.
		if err := e.orgs.StartImport(ctx, e.admin, im.ID); err != nil {
			t.Fatal(err)
		}
		if done := wait(t, e, im.ID); done.Status != org.ImportDone || done.DoneRows != 120 {
			t.Fatalf("after the retry: %+v", done)
		}
		if _, n, _ := e.orgs.People(ctx, e.admin, org.PeopleFilter{}); n != 120 {
			t.Fatalf("%d people after the retry, want 120", n)
		}
		if p, _, err := e.db.VerifyAudit(ctx); err != nil || p != nil {
			t.Fatalf("audit chain: %+v %v", p, err)
		}
	})
}

// TestTwoInstances: two dangjian processes on one PostgreSQL database migrate together,
// write together without breaking the audit chain, and run an import's job once.
func TestTwoInstances(t *testing.T) {
	ctx := context.Background()
	url := storetest.NewPostgresDB(t)
	var apps [2]*app.App
	for i := range apps {
		cfg := config.Default()
		cfg.DB, cfg.Data, cfg.KeyFile = url, t.TempDir(), t.TempDir()+"/shared.key"
		if i == 1 {
			cfg.KeyFile = apps[0].Config.KeyFile
		}
		a, err := app.Open(ctx, cfg, app.Options{LogOutput: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		apps[i] = a
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, a := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := a.DB.Migrate(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	sys := auth.System("test")
	u, err := apps[0].Auth.CreateUser(ctx, sys, auth.NewUser{Username: "importer", Password: "long enough pw", SysAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := apps[0].Auth.ActorFor(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	branch := &org.Organization{Kind: org.KindBranch, Name: "第二支部"}
	if err := apps[0].Org.CreateOrganization(ctx, admin, branch); err != nil {
		t.Fatal(err)
	}
	// Both instances write at once; the audit chain stays whole.
	errc := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &org.Person{OrgID: branch.ID, Name: fmt.Sprintf("并发%02d", i)}
			errc <- apps[i%2].Org.CreatePerson(ctx, admin, p)
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p, n, err := apps[1].DB.VerifyAudit(ctx); err != nil || p != nil || n < 42 {
		t.Fatalf("audit chain after concurrent writes: %+v, %d records, %v", p, n, err)
	}
	for _, a := range apps {
		if err := a.StartJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var csv strings.Builder
	csv.WriteString("姓名\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&csv, "导入%02d\n", i)
	}
	im, err := apps[1].Org.PreviewImport(ctx, admin, branch.ID, "x.csv", parse(t, csv.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := apps[1].Org.StartImport(ctx, admin, im.ID); err != nil {
		t.Fatal(err)
	}
	// Starting again from the other instance queues nothing new: the job is unique per
	// import, or the import has already left the queue.
	if err := apps[0].Org.StartImport(ctx, admin, im.ID); err != nil && apperr.KindOf(err) != apperr.Conflict {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := apps[0].Org.Import(ctx, admin, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == org.ImportDone {
			break
		}
		if got.Status == org.ImportFailed || time.Now().After(deadline) {
			t.Fatalf("import: %+v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, n, _ := apps[0].Org.People(ctx, admin, org.PeopleFilter{Query: "导入"}); n != 30 {
		t.Fatalf("%d imported people, want 30 (the job ran once)", n)
	}
}

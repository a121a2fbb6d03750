package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// idNumber returns a checksum-correct ID number born on 1980-01-01 with sequence n.
func idNumber(n int) string {
	first := fmt.Sprintf("330102%s%03d", "19800101", n)
	return first + string(pii.IDCheckChar(first))
}

// TestBulkCreatePeople checks that a bulk insert writes what CreatePerson writes, gives each
// person its own id, and leaves one audit record for the batch; a duplicate ID number fails
// the whole batch.
func TestBulkCreatePeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		svc := org.NewService(db, db, time.Now)
		top := mustOrg(t, svc, auth.System("test"), 0, org.KindCommittee, "党委")
		var people []*org.Person
		for i := range 1203 { // more than two multi-row statements
			full, initials := org.Pinyin("张三")
			people = append(people, &org.Person{OrgID: top.ID, Name: fmt.Sprintf("张三%d", i), NamePinyin: full,
				NameInitials: initials, Stage: org.StageMasses, Status: org.StatusNormal, IDNumber: idNumber(i),
				Gender: "female", BirthDate: "1980-01-01", Phone: fmt.Sprintf("1390%07d", i), Tags: []string{"商户"}})
		}
		before := auditCount(t, db)
		if err := db.BulkCreatePeople(ctx, people, &audit.Record{ActorName: "test", Action: "person.generate"}); err != nil {
			t.Fatal(err)
		}
		if got := auditCount(t, db) - before; got != 1 {
			t.Errorf("audit records of one batch = %d, want 1", got)
		}
		for _, i := range []int{0, 499, 500, 1202} {
			p := people[i]
			got, err := db.FindPersonByID(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != p.Name || got.IDNumberMask != pii.MaskIDNumber(idNumber(i)) || !got.HasPhone || got.Tags[0] != "商户" {
				t.Errorf("person %d = %+v", i, got)
			}
			clear, err := db.RevealPerson(ctx, p.ID, "id_number", &audit.Record{ActorName: "test", Action: "person.reveal_id_number"})
			if err != nil || clear != idNumber(i) {
				t.Errorf("reveal %d = %q, %v", i, clear, err)
			}
		}
		if p, _, err := db.VerifyAudit(ctx); err != nil || p != nil {
			t.Errorf("audit chain = %+v, %v", p, err)
		}
		// A person already on the register fails the batch, and nothing of it is written.
		dup := []*org.Person{{OrgID: top.ID, Name: "李四", Stage: org.StageMasses, Status: org.StatusNormal},
			{OrgID: top.ID, Name: "王五", Stage: org.StageMasses, Status: org.StatusNormal, IDNumber: idNumber(7)}}
		err := db.BulkCreatePeople(ctx, dup, &audit.Record{ActorName: "test", Action: "person.generate"})
		if apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("duplicate ID number: err = %v, want conflict", err)
		}
		_, total, err := db.FindPeople(ctx, org.PeopleFilter{Roots: []string{"/"}, Limit: 1})
		if err != nil || total != len(people) {
			t.Errorf("total after failed batch = %d, %v; want %d", total, err, len(people))
		}
	})
}

func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow("SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBulkCreateOrganizations checks paths and the one audit record per batch.
func TestBulkCreateOrganizations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := storetest.Open(t, d, nil)
		top := &org.Organization{Kind: org.KindCommittee, Name: "党委", Path: "/"}
		if err := db.BulkCreateOrganizations(ctx, []*org.Organization{top}, &audit.Record{Action: "organization.generate"}); err != nil {
			t.Fatal(err)
		}
		before := auditCount(t, db)
		list := []*org.Organization{
			{Kind: org.KindBranch, Name: "第一支部", ParentID: top.ID, Path: top.Path},
			{Kind: org.KindBranch, Name: "第二支部", ParentID: top.ID, Path: top.Path},
		}
		if err := db.BulkCreateOrganizations(ctx, list, &audit.Record{Action: "organization.generate"}); err != nil {
			t.Fatal(err)
		}
		if got := auditCount(t, db) - before; got != 1 {
			t.Errorf("audit records = %d, want 1", got)
		}
		for _, o := range list {
			got, err := db.FindOrganizationByID(ctx, o.ID)
			if err != nil || got.Path != fmt.Sprintf("%s%d/", top.Path, o.ID) || got.Name != o.Name || got.ParentID != top.ID {
				t.Errorf("organization %d = %+v, %v", o.ID, got, err)
			}
		}
	})
}

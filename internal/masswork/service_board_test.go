package masswork_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

func TestMaskPublicText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"东门停车难", "东门停车难"},
		{"电话13812345678联系我", "电话138****5678联系我"},
		{"打 138 1234 5678 或 +86 139-0000-1111", "打 138****5678 或 139****1111"},
		{"身份证330681199001011234在此", "身份证330681********1234在此"},
		{"身份证33068119900101123X", "身份证330681********123X"},
		{"B区12号摊位，2023年7月15日", "B区12号摊位，2023年7月15日"},
		{"订单号 20230715", "订单号 20230715"},
	} {
		if got := masswork.MaskPublicText(tt.in); got != tt.want {
			t.Errorf("MaskPublicText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// boardSecrets are what the public must never see of the board's matters.
var boardSecrets = []string{"陈老板", "13812345678", "13900001111", "周老板", "13700000003", "吴老板", "货物堵住了消防通道", "A-101",
	"chen@example.com", "公司内部整改"}

// boardWorld files the Second Branch's problems with reporters' names and phones (one in the
// text itself), a withheld matter, a First Branch matter and projects.
func boardWorld(t *testing.T, e *env) (parking, network, fire *masswork.Receipt) {
	t.Helper()
	ctx := context.Background()
	sec := e.actors["secretary"]
	parking = e.report(t, "parking", "东门停车位太少，有事打13900001111", func(r *masswork.Report) {
		r.Name, r.Phone, r.Email, r.Zone, r.Booth = "陈老板", "13812345678", "chen@example.com", "东门", "A-101"
	})
	e.metoo(t, parking.MatterID, func(r *masswork.Report) { r.Name, r.Phone = "吴老板", "13700000003" })
	e.metoo(t, parking.MatterID, func(r *masswork.Report) { r.Anonymous = true })
	network = e.report(t, "network", "B区宽带又断网了", func(r *masswork.Report) { r.Anonymous = true; r.Zone = "B区" })
	fire = e.report(t, "fire_safety", "货物堵住了消防通道", func(r *masswork.Report) { r.Name, r.Phone = "周老板", "13600000004" })
	m := e.matter(t, fire.MatterID)
	if err := e.svc.SetPublic(ctx, sec, m.ID, m.Version, "消防通道整治", "已通知商户限期清理", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Submit(ctx, nil, &masswork.Report{OrgID: e.demo.FirstBranch.ID, CategoryID: e.cats["other"].ID,
		Description: "第一支部门口积水"}); err != nil {
		t.Fatal(err)
	}
	for _, pl := range []masswork.ProjectPlan{
		{OrgID: e.demo.SecondBranch.ID, Title: "东门停车改造", Status: masswork.ProjectActive, Public: true, OwnerID: e.demo.Secretary.ID,
			Milestones:  []masswork.MilestonePlan{{Title: "勘察", Progress: "100"}, {Title: "施工", Weight: "3", Progress: "20"}},
			MatterCodes: []string{parking.MatterCode, fire.MatterCode}},
		{OrgID: e.demo.SecondBranch.ID, Title: "公司内部整改", Status: masswork.ProjectActive, Public: false},
		{OrgID: e.demo.SecondBranch.ID, Title: "已终止的项目", Status: masswork.ProjectDropped, Public: true},
	} {
		if _, err := e.svc.SaveProject(ctx, sec, pl); err != nil {
			t.Fatal(err)
		}
	}
	return parking, network, fire
}

func TestPublicBoard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newEnv(t, d)
		parking, network, fire := boardWorld(t, e)
		m := e.matter(t, network.MatterID)
		if err := e.svc.Accept(ctx, e.actors["secretary"], m.ID, m.Version, "已联系运营商"); err != nil {
			t.Fatal(err)
		}

		b, err := e.svc.PublicBoard(ctx, e.demo.SecondBranch.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if b.OrgName != e.demo.SecondBranch.Name || len(b.Matters) != 3 {
			t.Fatalf("board %s with %d matters", b.OrgName, len(b.Matters))
		}
		top := b.Matters[0]
		if top.ID != parking.MatterID || top.People != 3 || top.Growth != 3 || top.Title != "东门停车位太少，有事打139****1111" || top.Zone != "东门" {
			t.Errorf("top matter = %+v", top)
		}
		for _, m := range b.Matters {
			if m.OrgPath != "" || m.AssigneeName != "" || m.Booth != "" || m.Address != "" || m.Latitude != nil {
				t.Errorf("matter %s shows %+v", m.Code, m)
			}
			if m.ID == fire.MatterID && (m.Title != "" || m.Summary != "已通知商户限期清理" || !m.Withheld) {
				t.Errorf("withheld matter = %+v", m)
			}
		}
		if len(b.Projects) != 1 || b.Projects[0].Title != "东门停车改造" || b.Projects[0].Progress() != 40 || b.Projects[0].Matters != nil {
			t.Errorf("projects = %+v", b.Projects)
		}
		if len(b.Months) != 12 || b.Months[11].Month != "2026-03" || b.Months[0].Month != "2025-04" {
			t.Fatalf("months %d: %v … %v", len(b.Months), b.Months[0].Month, b.Months[len(b.Months)-1].Month)
		}
		if march := b.Months[11]; march.Matters != 3 || march.Accepted != 1 || march.Visits != 0 || march.Contacts != 0 {
			t.Errorf("March = %+v", march)
		}
		raw, _ := json.Marshal(b)
		for _, secret := range boardSecrets {
			if strings.Contains(string(raw), secret) {
				t.Errorf("the board shows %q", secret)
			}
		}
		if strings.Contains(string(raw), "第一支部门口积水") {
			t.Error("the Second Branch's board shows the First Branch's matter")
		}
		committee, err := e.svc.PublicBoard(ctx, e.demo.Committee.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(committee.Matters) != 4 || committee.Months[11].Matters != 4 {
			t.Errorf("committee board: %d matters, March %+v", len(committee.Matters), committee.Months[11])
		}
		if _, err := e.svc.PublicBoard(ctx, 999999, 0); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("unknown organization: %v", err)
		}

		// The public page of a project: public projects only, matters' public faces.
		list, err := e.svc.Projects(ctx, e.actors["secretary"])
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			pub, err := e.svc.PublicProject(ctx, p.ID)
			switch {
			case !p.Public:
				if !errors.Is(err, apperr.ErrNotFound) {
					t.Errorf("private project %q: %v", p.Title, err)
				}
				continue
			case err != nil:
				t.Fatal(err)
			}
			if pub.OrgPath != "" || pub.OwnerID != 0 {
				t.Errorf("public project carries %+v", pub)
			}
			raw, _ := json.Marshal(pub)
			for _, secret := range boardSecrets {
				if strings.Contains(string(raw), secret) {
					t.Errorf("public project %q shows %q", p.Title, secret)
				}
			}
			if p.Title == "东门停车改造" && (len(pub.Matters) != 2 || pub.OwnerName != e.demo.Secretary.Name) {
				t.Errorf("public project %+v", pub)
			}
		}
	})
}

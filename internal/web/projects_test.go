package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/dangjian/dangjian/internal/web/page"
)

// projectSecrets are planted in the fixture's reports and must never reach a public page or
// the ledger: the reporters' names, phones and e-mail, the text of a withheld report, a
// booth, and a private project.
var projectSecrets = []string{"陈老板", "13812345678", "13900001111", "吴老板", "13700000003", "chen@example.com",
	"货物堵住了消防通道", "A-101", "内部整改事项"}

// projectWorld files the Second Branch's problems through the public form, with the
// reporters' names and phones (one phone in the text itself), withholds one, files one of the
// First Branch, and starts a public and a private project as the secretary.
func projectWorld(t *testing.T, f *fixture) (parking, fire, first *masswork.Receipt, public, private *masswork.Project) {
	t.Helper()
	ctx := context.Background()
	mw := f.app.Masswork
	cats, err := mw.UseDefaultCategories(ctx, sysActor(), f.demo.Committee.ID)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]int64{}
	for _, c := range cats {
		byCode[c.Code] = c.ID
	}
	submit := func(orgID int64, category, text string, edit func(r *masswork.Report)) *masswork.Receipt {
		r := &masswork.Report{OrgID: orgID, CategoryID: byCode[category], Description: text}
		if edit != nil {
			edit(r)
		}
		rc, err := mw.Submit(ctx, nil, r)
		if err != nil {
			t.Fatalf("submit %q: %v", text, err)
		}
		return rc
	}
	b2 := f.demo.SecondBranch.ID
	parking = submit(b2, "parking", "东门停车位太少，有事打13900001111", func(r *masswork.Report) {
		r.Name, r.Phone, r.Email, r.Zone, r.Booth = "陈老板", "13812345678", "chen@example.com", "东门", "A-101"
	})
	submit(b2, "parking", "", func(r *masswork.Report) { r.MeToo, r.Name, r.Phone = parking.MatterID, "吴老板", "13700000003" })
	fire = submit(b2, "fire_safety", "货物堵住了消防通道", func(r *masswork.Report) { r.Anonymous = true })
	sec := f.actor(t, "secretary")
	v, err := mw.Matter(ctx, sec, fire.MatterID)
	if err != nil {
		t.Fatal(err)
	}
	if err := mw.SetPublic(ctx, sec, fire.MatterID, v.Matter.Version, "消防通道整治", "已通知商户限期清理", true); err != nil {
		t.Fatal(err)
	}
	first = submit(f.demo.FirstBranch.ID, "other", "第一支部门口积水", nil)
	if public, err = mw.SaveProject(ctx, sec, masswork.ProjectPlan{OrgID: b2, Title: "东门停车改造", Status: masswork.ProjectActive,
		Public: true, OwnerID: f.demo.Secretary.ID, DueOn: "2030-06-30",
		Milestones:  []masswork.MilestonePlan{{Title: "现场勘察", Progress: "100"}, {Title: "划线施工", Weight: "3", Progress: "20"}},
		MatterCodes: []string{parking.MatterCode, fire.MatterCode}}); err != nil {
		t.Fatal(err)
	}
	if private, err = mw.SaveProject(ctx, sec, masswork.ProjectPlan{OrgID: b2, Title: "内部整改事项", Status: masswork.ProjectActive}); err != nil {
		t.Fatal(err)
	}
	return parking, fire, first, public, private
}

func TestProjectPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		dd := f.demo
		parking, _, first, pub, priv := projectWorld(t, f)
		pp := "/projects/" + id(pub.ID)
		good := url.Values{"org_id": {id(dd.SecondBranch.ID)}, "title": {"走廊防暑降温"}, "status": {"active"}, "public": {"1"},
			"owner_id": {id(dd.Secretary.ID)}, "starts_on": {"2030-07-01"}, "due_on": {"2030-07-31"},
			"milestones.0.title": {"装遮阳网"}, "milestones.0.weight": {"1"}, "milestones.0.progress": {"100"}, "milestones.0.done_on": {"2030-07-05"},
			"milestones.1.title": {"装喷雾降温"}, "milestones.1.weight": {"1"}, "milestones.1.progress": {"0"},
			"milestones.2.title": {""}, "matters": {masswork.FormatCode(parking.MatterCode)}}
		bad := url.Values{"org_id": {id(dd.SecondBranch.ID)}, "title": {""}, "status": {"active"}, "due_on": {"2030-01-01"},
			"starts_on": {"2030-02-01"}, "milestones.0.title": {"装遮阳网"}, "milestones.0.progress": {"150"},
			"matters": {first.MatterCode}}
		stale := url.Values{"org_id": {id(dd.SecondBranch.ID)}, "title": {"旧表单"}, "status": {"active"}, "version": {"0"}}
		scenarios := []scenario{
			{user: "secretary", path: "/projects", status: http.StatusOK, want: []string{"我为群众办实事", "东门停车改造", "内部整改事项", "不公开", `value="40"`}},
			{user: "inspector", path: "/projects", status: http.StatusOK, want: []string{"东门停车改造"}, notWant: []string{"立项办实事"}},
			{user: "firstsec", path: "/projects", status: http.StatusOK, notWant: []string{"东门停车改造", "内部整改事项"}},
			{user: "anonymous", path: "/projects", status: http.StatusSeeOther},
			{user: "secretary", path: "/projects/new?matter=" + id(parking.MatterID), status: http.StatusOK,
				want: []string{"立项办实事", "东门停车位太少", parking.MatterCode, "进度节点"}},
			{user: "secretary", path: "/projects/new?matter=" + id(first.MatterID), status: http.StatusNotFound},
			{user: "secretary", path: "/projects/new?matter=x", status: http.StatusNotFound},
			{user: "member", path: "/projects/new", status: http.StatusForbidden},
			{user: "inspector", path: "/projects/new", status: http.StatusForbidden},
			{user: "secretary", method: "POST", path: "/projects", form: bad, status: http.StatusUnprocessableEntity,
				want: []string{"必填", "进度请填写 0 到 100 之间的整数", "结束日期不能早于开始日期", "有跟踪码找不到对应诉求", `value="装遮阳网"`, `value="150"`}},
			{user: "member", method: "POST", path: "/projects", form: good, status: http.StatusForbidden},
			{user: "secretary", path: pp, status: http.StatusOK, want: []string{"东门停车改造", "40%", "现场勘察", "划线施工", masswork.FormatCode(parking.MatterCode),
				"/matters/" + id(parking.MatterID), "/p/" + id(pub.ID), dd.Secretary.Name, "编辑"}},
			{user: "inspector", path: pp, status: http.StatusOK, want: []string{"东门停车改造"}, notWant: []string{pp + "/edit"}},
			{user: "firstsec", path: pp, status: http.StatusNotFound, notWant: []string{"东门停车改造"}},
			{user: "anonymous", path: pp, status: http.StatusSeeOther},
			{user: "secretary", path: pp + "/edit", status: http.StatusOK, want: []string{`value="东门停车改造"`, `value="划线施工"`, `value="3"`, parking.MatterCode}},
			{user: "inspector", path: pp + "/edit", status: http.StatusForbidden},
			{user: "firstsec", path: pp + "/edit", status: http.StatusNotFound},
			{user: "firstsec", method: "POST", path: pp, form: good, status: http.StatusNotFound},
			{user: "secretary", method: "POST", path: pp, form: stale, status: http.StatusUnprocessableEntity, want: []string{"别人刚刚修改过这条记录", `value="旧表单"`}},
			{user: "secretary", path: "/projects/999999", status: http.StatusNotFound},
		}
		for _, sc := range scenarios {
			f.run(t, sc)
		}
		status, loc := f.post(t, "secretary", "/projects", good)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/projects/") {
			t.Fatalf("create: %d %s", status, loc)
		}
		created := strings.SplitN(loc, "?", 2)[0]
		f.run(t, scenario{user: "secretary", path: created, status: http.StatusOK, want: []string{"走廊防暑降温", "50%", "装喷雾降温", masswork.FormatCode(parking.MatterCode)}})
		// Edited from the version read: saved; the edit form keeps the version.
		edit := url.Values{}
		for k, v := range good {
			edit[k] = v
		}
		edit.Set("version", "1")
		edit.Set("milestones.1.progress", "100")
		if status, loc := f.post(t, "secretary", created, edit); status != http.StatusSeeOther || !strings.HasPrefix(loc, created) {
			t.Fatalf("update: %d %s", status, loc)
		}
		f.run(t, scenario{user: "secretary", path: created, status: http.StatusOK, want: []string{"<b>100%</b>"}})
		f.run(t, scenario{user: "anonymous", path: "/p/" + id(priv.ID), status: http.StatusNotFound, notWant: []string{"内部整改事项"}})
	})
}

// TestPublicPagesShowNoPersonalData: the board and a project's public page, for anyone,
// hold nothing of the reporters, whoever looks.
func TestPublicPagesShowNoPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		dd := f.demo
		parking, fire, _, pub, priv := projectWorld(t, f)
		board := "/board/" + id(dd.SecondBranch.ID)
		for _, user := range []string{"anonymous", "secretary", "firstsec"} {
			f.run(t, scenario{user: user, path: board, status: http.StatusOK,
				want: []string{dd.SecondBranch.Name, "群众诉求公示", "东门停车位太少，有事打139****1111", "2 人反映", "近30天新增 2 人", "消防安全", "（具体内容不公开）",
					"已通知商户限期清理", "/t/" + parking.MatterCode, "/t/" + fire.MatterCode, "/report/" + id(dd.SecondBranch.ID),
					`action="/t"`, `name="code"`, "东门停车改造", "/p/" + id(pub.ID), "每月办理情况", "受理率", "满意率"},
				notWant: append(append([]string{}, projectSecrets...), "第一支部门口积水", "/p/"+id(priv.ID))})
			f.run(t, scenario{user: user, path: "/p/" + id(pub.ID), status: http.StatusOK,
				want:    []string{"东门停车改造", "40%", "现场勘察", "划线施工", dd.Secretary.Name, "东门停车位太少", "消防安全", "（具体内容不公开）", "2 人反映"},
				notWant: projectSecrets})
		}
		f.run(t, scenario{user: "anonymous", path: "/board/" + id(dd.Committee.ID), status: http.StatusOK, want: []string{"第一支部门口积水"}, notWant: projectSecrets})
		f.run(t, scenario{user: "anonymous", path: "/board/999999", status: http.StatusNotFound})
		f.run(t, scenario{user: "anonymous", path: "/board/abc", status: http.StatusNotFound})
		f.run(t, scenario{user: "anonymous", path: "/p/999999", status: http.StatusNotFound})
		f.run(t, scenario{user: "anonymous", path: board, header: map[string]string{"Accept-Language": "en"}, status: http.StatusOK,
			want: []string{"Public board", "Prominent problems", "Parking and traffic"}, notWant: projectSecrets})

		// Fresh on every request: nothing kept by a cache on the way.
		for _, path := range []string{board, "/p/" + id(pub.ID)} {
			resp, err := f.clients["anonymous"].Get(f.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s: Cache-Control %q", path, got)
			}
		}
	})
}

func TestInsightPagesAndLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		dd := f.demo
		parking, fire, first, _, _ := projectWorld(t, f)
		ins := "/orgs/" + id(dd.SecondBranch.ID) + "/insight"
		book := "/orgs/" + id(dd.SecondBranch.ID) + "/matters.xlsx"
		for _, sc := range []scenario{
			{user: "secretary", path: ins, status: http.StatusOK, want: []string{"群众工作统计", "停车交通", "消防安全", "网上反映", "反映件次",
				"走访覆盖率", "按期办结率", "matters.xlsx?from="}, notWant: projectSecrets},
			{user: "inspector", path: ins, status: http.StatusOK, want: []string{"群众工作统计"}},
			{user: "firstsec", path: ins, status: http.StatusNotFound},
			{user: "member", path: ins, status: http.StatusNotFound},
			{user: "anonymous", path: ins, status: http.StatusSeeOther},
			{user: "secretary", path: ins + "?from=2026-13&to=x", status: http.StatusUnprocessableEntity, want: []string{"请按“年-月”填写月份"}},
			{user: "secretary", path: ins + "?from=2020-01&to=2024-01", status: http.StatusUnprocessableEntity, want: []string{"一次最多统计 36 个月"}},
			{user: "secretary", path: ins, header: map[string]string{"Accept-Language": "en"}, status: http.StatusOK, want: []string{"Mass work insight", "Parking and traffic"}},
			{user: "firstsec", path: book, status: http.StatusNotFound},
			{user: "member", path: book, status: http.StatusNotFound},
			{user: "anonymous", path: book, status: http.StatusSeeOther},
			{user: "secretary", path: book + "?from=bad", status: http.StatusUnprocessableEntity},
		} {
			f.run(t, sc)
		}

		resp, err := f.clients["secretary"].Get(f.srv.URL + book)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") ||
			resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
		}
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows(page.InsightLedgerSheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("ledger rows = %d, want the header and two matters: %v", len(rows), rows)
		}
		head := strings.Join(rows[0], "|")
		for _, col := range []string{"跟踪码", "类别", "标题", "反映渠道", "首次反映时间", "涉及人数", "状态", "承办组织", "责任人", "受理时间",
			"首次响应时间", "办结时间", "关闭时间", "是否按期", "群众评价", "升级次数"} {
			if !strings.Contains(head, col) {
				t.Errorf("no column %s in %s", col, head)
			}
		}
		codes := map[string][]string{}
		for _, r := range rows[1:] {
			codes[r[1]] = r
		}
		if r := codes[parking.MatterCode]; r == nil || r[2] != "停车交通" || r[4] != "网上反映" || r[6] != "2" || r[7] != "待受理" || r[8] != dd.SecondBranch.Name {
			t.Errorf("parking row = %v", r)
		}
		if codes[fire.MatterCode] == nil || codes[first.MatterCode] != nil {
			t.Errorf("ledger codes = %v", codes)
		}
		months, err := x.GetRows(page.InsightMonthSheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(months) != 13 || months[0][0] != "月份" || months[12][2] != "2" {
			t.Errorf("month sheet: %d rows, last %v", len(months), months[len(months)-1])
		}
		for _, sheet := range []string{page.InsightLedgerSheet, page.InsightMonthSheet} {
			all, _ := x.GetRows(sheet)
			for _, r := range all {
				line := strings.Join(r, "|")
				for _, secret := range projectSecrets[:6] {
					if strings.Contains(line, secret) {
						t.Errorf("sheet %s holds %q", sheet, secret)
					}
				}
			}
		}
	})
}

// TestPublicPagesLimited: one address opens a burst of public pages, then is asked to wait
// (the clock stands still, so nothing refills).
func TestPublicPagesLimited(t *testing.T) {
	frozen := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	a := apptest.Open(t, store.SQLite, apptest.Options{Now: func() time.Time { return frozen }})
	data := apptest.Demo(t, a, password)
	srv := newServer(t, a)
	c := newClient()
	codes := map[int]int{}
	for i := 0; i < 61; i++ {
		resp, err := c.Get(srv.URL + "/p/999999")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes[resp.StatusCode]++
	}
	if codes[http.StatusNotFound] != 60 || codes[http.StatusTooManyRequests] != 1 {
		t.Errorf("answers = %v, want 60 not found and 1 too many", codes)
	}
	resp, err := c.Get(srv.URL + "/board/" + id(data.SecondBranch.ID))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "访问过于频繁") {
		t.Errorf("board after the burst: %d", resp.StatusCode)
	}
}

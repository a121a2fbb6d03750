package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// matterEnv is a running app whose clock the test moves, with problems filed in the Second
// and the First Branch.
type matterEnv struct {
	*fixture
	clock   *atomic.Int64 // Unix nanoseconds
	parking *masswork.Category
	network *masswork.Category
	// overdue was filed two weeks ago and never answered; parking and broadband today;
	// other is the First Branch's.
	overdue, parking1, broadband, other *masswork.Receipt
}

func (e *matterEnv) now() time.Time { return time.Unix(0, e.clock.Load()) }

// newMatterEnv boots the app at a clock two weeks back, files the overdue problem, moves the
// clock to today and logs everyone in.
func newMatterEnv(t *testing.T, d store.Dialect) *matterEnv {
	t.Helper()
	clock := new(atomic.Int64)
	today := time.Now()
	clock.Store(today.AddDate(0, 0, -14).UnixNano())
	a := apptest.Open(t, d, apptest.Options{Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	data := apptest.Demo(t, a, password)
	srv := newServer(t, a)
	f := &fixture{t: t, srv: srv, app: a, demo: data, clients: map[string]*http.Client{}}
	e := &matterEnv{fixture: f, clock: clock}
	ctx := context.Background()
	sec, first := f.actor(t, "secretary"), f.actor(t, "firstsec")
	e.parking, e.network = matterCategory(t, a.Masswork, sec, data.SecondBranch.ID, "parking"), matterCategory(t, a.Masswork, sec, data.SecondBranch.ID, "network")
	firstCat := matterCategory(t, a.Masswork, first, data.FirstBranch.ID, "facilities")
	submit := func(r *masswork.Report) *masswork.Receipt {
		t.Helper()
		rc, err := a.Masswork.Submit(ctx, nil, r)
		if err != nil {
			t.Fatalf("submit %q: %v", r.Description, err)
		}
		return rc
	}
	e.overdue = submit(&masswork.Report{OrgID: data.SecondBranch.ID, CategoryID: e.parking.ID, Description: "北门装卸货车占道，消防车进不来", Anonymous: true})
	clock.Store(today.UnixNano())
	e.parking1 = submit(&masswork.Report{OrgID: data.SecondBranch.ID, CategoryID: e.parking.ID, Description: "东门停车难，车位太少，每天早上都停不下", Anonymous: true})
	e.broadband = submit(&masswork.Report{OrgID: data.SecondBranch.ID, CategoryID: e.network.ID, Description: "B区宽带断网三天了，生意做不成",
		Name: "王老板", Phone: "13812345678", Place: masswork.Place{Zone: "B区", Booth: "B-0218"}})
	e.other = submit(&masswork.Report{OrgID: data.FirstBranch.ID, CategoryID: firstCat.ID, Description: "一支部门口的路灯坏了一个月"})
	for _, name := range []string{"admin", "secretary", "member", "inspector", "firstsec"} {
		f.clients[name] = f.login(name)
	}
	f.clients["anonymous"] = newClient()
	return e
}

// matterCategory returns the category whose code starts with code among those that apply to
// the organization, giving it the default categories first when it has none.
func matterCategory(t *testing.T, mw *masswork.Service, a *auth.Actor, orgID int64, code string) *masswork.Category {
	t.Helper()
	ctx := context.Background()
	cats, err := mw.OrgCategories(ctx, a, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) == 0 {
		if cats, err = mw.UseDefaultCategories(ctx, a, orgID); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cats {
		if strings.HasPrefix(c.Code, code) && c.Active {
			return c
		}
	}
	t.Fatalf("no category %s for organization %d", code, orgID)
	return nil
}

// view reads a matter as the system.
func (e *matterEnv) view(t *testing.T, id int64) *masswork.MatterView {
	t.Helper()
	v, err := e.app.Masswork.Matter(context.Background(), sysActor(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// matterWith returns a copy of v with the pairs of kv set.
func matterWith(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func matterPath(matterID int64) string { return "/matters/" + id(matterID) }

func matterVersionOf(v *masswork.MatterView) string { return id(int64(v.Matter.Version)) }

func TestMatterListAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		dd := e.demo
		second, first := id(dd.SecondBranch.ID), id(dd.FirstBranch.ID)
		park, broad, other, late := e.parking1.MatterCode, e.broadband.MatterCode, e.other.MatterCode, e.overdue.MatterCode
		for _, sc := range []scenario{
			// The secretary's home: the Second Branch's matters only, the overdue one marked.
			{user: "secretary", path: "/matters", status: http.StatusOK,
				want:    []string{"群众诉求", "待处理", "办理中", "待回访", "登记诉求", "突出问题", park, broad, late, "已逾期", "/board/" + second},
				notWant: []string{other}},
			{user: "secretary", path: "/matters?overdue=1", status: http.StatusOK, want: []string{late}, notWant: []string{park, broad}},
			{user: "secretary", path: "/matters?q=" + park, status: http.StatusOK, want: []string{park}, notWant: []string{broad, late}},
			{user: "secretary", path: "/matters?q=" + url.QueryEscape("宽带"), status: http.StatusOK, want: []string{broad}, notWant: []string{park}},
			{user: "secretary", path: "/matters?category=" + id(e.network.ID), status: http.StatusOK, want: []string{broad}, notWant: []string{park}},
			{user: "secretary", path: "/matters?channel=phone", status: http.StatusOK, want: []string{"没有符合条件的事项"}, notWant: []string{park}},
			{user: "secretary", path: "/matters?tab=handling", status: http.StatusOK, notWant: []string{park, broad}},
			{user: "secretary", path: "/matters?tab=all&org=" + second, status: http.StatusOK, want: []string{park}},
			{user: "secretary", path: "/matters?org=" + first, status: http.StatusNotFound, notWant: []string{other}},
			{user: "secretary", path: "/matters?org=abc", status: http.StatusNotFound},
			{user: "firstsec", path: "/matters", status: http.StatusOK, want: []string{other}, notWant: []string{park, broad}},
			{user: "inspector", path: "/matters", status: http.StatusOK, want: []string{other, park, broad}, notWant: []string{"登记诉求"}},
			{user: "member", path: "/matters", status: http.StatusOK, want: []string{"没有符合条件的事项"}, notWant: []string{park, other}},
			{user: "anonymous", path: "/matters", status: http.StatusSeeOther},

			// The prominent problems, scoped.
			{user: "secretary", path: "/matters/prominent", status: http.StatusOK, want: []string{"突出问题", "东门停车难", "1 人反映"}, notWant: []string{"路灯"}},
			{user: "secretary", path: "/matters/prominent?org=" + first, status: http.StatusNotFound},
			{user: "inspector", path: "/matters/prominent?org=" + first, status: http.StatusOK, want: []string{"路灯"}},

			// A matter and who sees it: another branch's, even by its ID, is not found.
			{user: "secretary", path: matterPath(e.broadband.MatterID), status: http.StatusOK,
				want:    []string{"B区宽带断网三天了", "王老板", "138****5678", "显示", "受理", "不予受理", "交办", "合并", "立项办实事", "/projects/new?matter="},
				notWant: []string{"13812345678"}},
			{user: "secretary", path: matterPath(e.parking1.MatterID), status: http.StatusOK, want: []string{"匿名", "网上反映"}},
			{user: "inspector", path: matterPath(e.broadband.MatterID), status: http.StatusOK, want: []string{"138****5678"},
				notWant: []string{"13812345678", "显示</button>", `action="/matters/` + id(e.broadband.MatterID) + `/accept"`}},
			{user: "secretary", path: matterPath(e.other.MatterID), status: http.StatusNotFound, notWant: []string{"路灯"}},
			{user: "member", path: matterPath(e.broadband.MatterID), status: http.StatusNotFound, notWant: []string{"宽带"}},
			{user: "firstsec", path: matterPath(e.broadband.MatterID), status: http.StatusNotFound},
			{user: "secretary", path: "/matters/99999999", status: http.StatusNotFound},
			{user: "secretary", path: "/matters/x", status: http.StatusNotFound},

			// Organization page links.
			{user: "secretary", path: "/orgs/" + second, status: http.StatusOK,
				want: []string{"群众工作", "/matters?org=" + second, "/orgs/" + second + "/categories", "/board/" + second, "/report/" + second}},
		} {
			e.run(t, sc)
		}

		// Pages keep the filter.
		for i := range 20 {
			if _, err := e.app.Masswork.Submit(context.Background(), nil, &masswork.Report{OrgID: dd.SecondBranch.ID, CategoryID: e.parking.ID,
				Description: fmt.Sprintf("第%d号摊位门口被三轮车挡住", i+1), Anonymous: true}); err != nil {
				t.Fatal(err)
			}
		}
		e.run(t, scenario{user: "secretary", path: "/matters?tab=all&category=" + id(e.parking.ID), status: http.StatusOK,
			want: []string{"共 22 件", `href="/matters?category=` + id(e.parking.ID) + `&amp;page=2&amp;tab=all" rel="next"`}})
		e.run(t, scenario{user: "secretary", path: "/matters?tab=all&page=2&category=" + id(e.parking.ID), status: http.StatusOK,
			want: []string{`rel="prev"`, "第 2 / 2 页"}, notWant: []string{`rel="next"`}})
	})
}

func TestMatterHandling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := context.Background()
		b := e.broadband.MatterID
		path := matterPath(b)
		v := e.view(t, b)
		// Someone else writes a note after the page was read: the page's version is stale.
		if err := e.app.Masswork.Reply(ctx, e.actor(t, "admin"), b, "已电话联系", false); err != nil {
			t.Fatal(err)
		}
		stale := matterVersionOf(v)
		v = e.view(t, b)
		for _, sc := range []scenario{
			// Nobody outside may act; a viewer may look, not act.
			{user: "firstsec", method: "POST", path: path + "/accept", form: url.Values{"version": {matterVersionOf(v)}}, status: http.StatusNotFound},
			{user: "member", method: "POST", path: path + "/accept", form: url.Values{"version": {matterVersionOf(v)}}, status: http.StatusNotFound},
			{user: "inspector", method: "POST", path: path + "/accept", form: url.Values{"version": {matterVersionOf(v)}}, status: http.StatusForbidden},
			{user: "inspector", method: "POST", path: path + "/reply", form: url.Values{"body": {"看看"}, "public": {"1"}}, status: http.StatusForbidden},
			{user: "firstsec", method: "POST", path: matterPath(e.other.MatterID) + "/merge", form: url.Values{"code": {e.broadband.MatterCode}, "version": {"1"}},
				status: http.StatusUnprocessableEntity, want: []string{"没有找到这个编号的事项"}},
			// A stale version: 409, the message, and what was typed still there.
			{user: "secretary", method: "POST", path: path + "/accept", form: url.Values{"version": {stale}, "note": {"我们马上联系电信公司"}},
				status: http.StatusConflict, want: []string{"别人刚刚处理过这件事", "我们马上联系电信公司", "刷新页面"}},
			{user: "secretary", method: "POST", path: path + "/start", form: url.Values{"version": {matterVersionOf(v)}}, status: http.StatusConflict,
				want: []string{"当前的状态下不能这样操作"}},
			{user: "secretary", method: "POST", path: path + "/accept", form: url.Values{"version": {matterVersionOf(v)}, "note": {"我们马上联系电信公司"}}, status: http.StatusSeeOther},
			{user: "secretary", path: path, status: http.StatusOK, want: []string{"已受理", "我们马上联系电信公司", "公开", "开始办理"}},
		} {
			e.run(t, sc)
		}

		// Assign to a person of the branch, then reply, note, start, resolve.
		v = e.view(t, b)
		sec := e.demo.Secretary
		for _, sc := range []scenario{
			{user: "secretary", method: "POST", path: path + "/assign", form: url.Values{"version": {matterVersionOf(v)}, "org_id": {id(e.demo.FirstBranch.ID)}},
				status: http.StatusUnprocessableEntity, want: []string{"请选择您管理的党组织"}},
			{user: "secretary", method: "POST", path: path + "/assign", form: url.Values{"version": {matterVersionOf(v)}, "org_id": {id(e.demo.SecondBranch.ID)}, "person_id": {id(sec.ID)}},
				status: http.StatusSeeOther},
			{user: "secretary", method: "POST", path: path + "/reply", form: url.Values{"body": {""}, "public": {"1"}}, status: http.StatusUnprocessableEntity, want: []string{"必填"}},
			{user: "secretary", method: "POST", path: path + "/reply", form: url.Values{"body": {"已约电信周三上门"}, "public": {"1"}}, status: http.StatusSeeOther},
			{user: "secretary", method: "POST", path: path + "/reply", form: url.Values{"body": {"电信经理电话在工作群里"}, "public": {"0"}}, status: http.StatusSeeOther},
			{user: "secretary", path: path, status: http.StatusOK, want: []string{"责任人", sec.Name, "已约电信周三上门", "电信经理电话在工作群里", "内部备注", "内部"}},
		} {
			e.run(t, sc)
		}
		v = e.view(t, b)
		for _, sc := range []scenario{
			{user: "secretary", method: "POST", path: path + "/start", form: url.Values{"version": {matterVersionOf(v)}}, status: http.StatusSeeOther},
			{user: "secretary", method: "POST", path: path + "/resolve", form: url.Values{"version": {id(int64(v.Matter.Version + 1))}, "body": {" "}},
				status: http.StatusUnprocessableEntity, want: []string{"必填"}},
			{user: "secretary", method: "POST", path: path + "/resolve", form: url.Values{"version": {id(int64(v.Matter.Version + 1))}, "body": {"电信更换了B区交换机，已恢复"}},
				status: http.StatusSeeOther},
			{user: "secretary", path: path, status: http.StatusOK, want: []string{"已办结待评价", "群众评价", "尚未评价", "记录电话回访结果", "王老板", "138****5678"}},
			{user: "secretary", path: "/matters?tab=feedback", status: http.StatusOK, want: []string{e.broadband.MatterCode}},
		} {
			e.run(t, sc)
		}

		// The call-back answer: "dissatisfied" reopens it.
		v = e.view(t, b)
		if len(v.Feedback) != 1 {
			t.Fatalf("feedback rows = %d, want 1", len(v.Feedback))
		}
		fb := path + "/feedback/" + id(v.Feedback[0].ID)
		for _, sc := range []scenario{
			{user: "inspector", method: "POST", path: fb, form: url.Values{"solved": {"0"}, "rating": {"dissatisfied"}}, status: http.StatusForbidden},
			{user: "firstsec", method: "POST", path: fb, form: url.Values{"solved": {"0"}, "rating": {"dissatisfied"}}, status: http.StatusNotFound},
			{user: "secretary", method: "POST", path: fb, form: url.Values{"solved": {"0"}, "comment": {"还是经常掉线"}}, status: http.StatusUnprocessableEntity,
				want: []string{"请选择满意程度", "还是经常掉线"}},
			{user: "secretary", method: "POST", path: fb, form: url.Values{"solved": {"0"}, "rating": {"dissatisfied"}, "comment": {"还是经常掉线"}}, status: http.StatusSeeOther},
			{user: "secretary", path: path, status: http.StatusOK, want: []string{"办理中", "不满意", "还是经常掉线", "电话回访", "重新办理"}},
		} {
			e.run(t, sc)
		}
		if got := e.view(t, b).Matter.Status; got != masswork.StatusInProgress {
			t.Errorf("status after a dissatisfied answer = %s, want in_progress", got)
		}

		// Reject needs a reason; the reporters see it.
		p := matterPath(e.parking1.MatterID)
		pv := e.view(t, e.parking1.MatterID)
		for _, sc := range []scenario{
			{user: "secretary", method: "POST", path: p + "/reject", form: url.Values{"version": {matterVersionOf(pv)}}, status: http.StatusUnprocessableEntity, want: []string{"必填"}},
			{user: "secretary", method: "POST", path: p + "/public", form: url.Values{"version": {matterVersionOf(pv)}, "title": {"东门停车难"}, "summary": {"正在协调停车场"}, "withheld": {"1"}},
				status: http.StatusSeeOther},
			{user: "secretary", path: p, status: http.StatusOK, want: []string{"<h1>东门停车难</h1>", "正在协调停车场", "公示栏不显示反映原文"}},
		} {
			e.run(t, sc)
		}
		pv = e.view(t, e.parking1.MatterID)
		e.run(t, scenario{user: "secretary", method: "POST", path: p + "/reject", form: url.Values{"version": {matterVersionOf(pv)}, "reason": {"属于城管职责，已转交"}}, status: http.StatusSeeOther})
		e.run(t, scenario{user: "secretary", path: p, status: http.StatusOK, want: []string{"不予受理", "属于城管职责，已转交"}})
		e.run(t, scenario{user: "secretary", path: "/matters?tab=done", status: http.StatusOK, want: []string{e.parking1.MatterCode}})
		_ = ctx
	})
}

func TestMatterRevealAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := context.Background()
		v := e.view(t, e.broadband.MatterID)
		pid := v.Problems[0].ID
		reveal := matterPath(e.broadband.MatterID) + "/problems/" + id(pid) + "/reveal"
		otherPID := e.view(t, e.other.MatterID).Problems[0].ID
		for _, sc := range []scenario{
			{user: "inspector", method: "POST", path: reveal, status: http.StatusForbidden, notWant: []string{"13812345678"}},
			{user: "firstsec", method: "POST", path: reveal, status: http.StatusNotFound, notWant: []string{"13812345678"}},
			{user: "member", method: "POST", path: reveal, status: http.StatusNotFound},
			// A report of another matter under this matter's address is not found.
			{user: "secretary", method: "POST", path: matterPath(e.broadband.MatterID) + "/problems/" + id(otherPID) + "/reveal", status: http.StatusNotFound},
			{user: "secretary", method: "POST", path: matterPath(e.parking1.MatterID) + "/problems/" + id(pid) + "/reveal", status: http.StatusNotFound},
			{user: "secretary", method: "POST", path: reveal, status: http.StatusOK, want: []string{"13812345678", "B区宽带断网三天了"}},
			{user: "secretary", method: "POST", path: reveal, header: map[string]string{"HX-Request": "true"}, status: http.StatusOK, want: []string{"13812345678"}, notWant: []string{"<html"}},
		} {
			e.run(t, sc)
		}
		recs, err := e.app.Org.AuditTrail(ctx, sysActor(), audit.Filter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, r := range recs {
			if r.Action == "problem.reveal_phone" && r.ObjectID == pid && r.ActorName == "secretary" {
				got++
			}
		}
		if got != 2 {
			t.Errorf("reveal audit records = %d, want 2", got)
		}
	})
}

func TestMatterRecordOnBehalf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := context.Background()
		dd := e.demo
		contacts, _, err := e.app.Org.People(ctx, sysActor(), org.PeopleFilter{OrgPath: dd.SecondBranch.Path, Limit: 1})
		if err != nil || len(contacts) == 0 {
			t.Fatalf("contacts: %v", err)
		}
		base := url.Values{"org_id": {id(dd.SecondBranch.ID)}, "channel": {"phone"}, "category_id": {id(e.parking.ID)}}
		with := func(kv ...string) url.Values { return matterWith(base, kv...) }
		for _, sc := range []scenario{
			{user: "secretary", path: "/matters/new", status: http.StatusOK, want: []string{"登记诉求", "电话反映", "干部代为登记", "名册中的群众", contacts[0].Name}},
			{user: "member", path: "/matters/new", status: http.StatusForbidden},
			{user: "inspector", path: "/matters/new", status: http.StatusForbidden},
			{user: "member", method: "POST", path: "/matters", form: with("description", "随便写写"), status: http.StatusForbidden},
			// Errors come back beside the fields with the input kept.
			{user: "secretary", method: "POST", path: "/matters", form: with("description", "", "name", "李阿姨", "phone", "12345"), status: http.StatusUnprocessableEntity,
				want: []string{"必填", `value="李阿姨"`, `value="12345"`}},
			{user: "secretary", method: "POST", path: "/matters", form: with("description", "东门停车位不够", "org_id", id(dd.FirstBranch.ID)), status: http.StatusUnprocessableEntity,
				want: []string{"请选择您管理的党组织", "东门停车位不够"}},
			// A similar open matter is offered first; nothing is filed yet.
			{user: "secretary", method: "POST", path: "/matters", form: with("description", "东门停车太难了，车位不够用", "name", "李阿姨"), status: http.StatusOK,
				want: []string{"是不是同一件事", e.parking1.MatterCode, `name="checked" value="1"`, "都不是，登记为新问题", "东门停车太难了"}},
			// The live lookup answers with the list alone.
			{user: "secretary", path: "/matters/similar?category_id=" + id(e.parking.ID) + "&description=" + url.QueryEscape("东门停车太难了"), status: http.StatusOK,
				want: []string{e.parking1.MatterCode}, notWant: []string{"<html"}},
			{user: "member", path: "/matters/similar?category_id=" + id(e.parking.ID) + "&description=x", status: http.StatusForbidden},
		} {
			e.run(t, sc)
		}
		before := e.view(t, e.parking1.MatterID).Matter.People
		// "Me too" on the suggested matter: the person joins it.
		status, loc := e.post(t, "secretary", "/matters", with("description", "东门停车太难了，车位不够用", "checked", "1", "me_too", id(e.parking1.MatterID),
			"person_id", id(contacts[0].ID)))
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, matterPath(e.parking1.MatterID)) {
			t.Fatalf("me too: %d %s", status, loc)
		}
		if got := e.view(t, e.parking1.MatterID).Matter.People; got != before+1 {
			t.Errorf("people after me too = %d, want %d", got, before+1)
		}
		// A new one, after the suggestions were seen.
		status, loc = e.post(t, "secretary", "/matters", with("description", "东门停车太难了，车位不够用", "checked", "1", "name", "李阿姨", "phone", "13900001111"))
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/matters/") || strings.HasPrefix(loc, matterPath(e.parking1.MatterID)) {
			t.Fatalf("new matter: %d %s", status, loc)
		}
		newPath := strings.SplitN(loc, "?", 2)[0]
		e.run(t, scenario{user: "secretary", path: newPath, status: http.StatusOK, want: []string{"李阿姨", "139****1111", "电话反映", "代为登记"}})
		newID := mustID(t, strings.TrimPrefix(newPath, "/matters/"))
		nv := e.view(t, newID)

		// Merge the new one into the first by code; split a report out again.
		for _, sc := range []scenario{
			{user: "secretary", method: "POST", path: newPath + "/merge", form: url.Values{"version": {matterVersionOf(nv)}, "code": {""}}, status: http.StatusUnprocessableEntity,
				want: []string{"请填写另一件事的编号"}},
			{user: "secretary", method: "POST", path: newPath + "/merge", form: url.Values{"version": {matterVersionOf(nv)}, "code": {e.other.MatterCode}}, status: http.StatusUnprocessableEntity,
				want: []string{"没有找到这个编号的事项"}},
			{user: "secretary", method: "POST", path: newPath + "/merge", form: url.Values{"version": {matterVersionOf(nv)}, "code": {nv.Matter.Code}}, status: http.StatusUnprocessableEntity,
				want: []string{"不能把事项合并到它自己"}},
			{user: "secretary", method: "POST", path: newPath + "/merge", form: url.Values{"version": {matterVersionOf(nv)}, "code": {e.parking1.MatterCode}, "direction": {"into_other"}},
				status: http.StatusSeeOther},
			{user: "secretary", path: newPath, status: http.StatusOK, want: []string{"这件事已合并到", e.parking1.MatterCode}},
			{user: "secretary", path: matterPath(e.parking1.MatterID), status: http.StatusOK, want: []string{"李阿姨", "群众反映（3）", "拆分"}},
		} {
			e.run(t, sc)
		}
		pv := e.view(t, e.parking1.MatterID)
		var moved int64
		for _, p := range pv.Problems {
			if p.ReporterName == "李阿姨" {
				moved = p.ID
			}
		}
		split := matterPath(e.parking1.MatterID) + "/split"
		e.run(t, scenario{user: "secretary", method: "POST", path: split, form: url.Values{"version": {matterVersionOf(pv)}}, status: http.StatusUnprocessableEntity,
			want: []string{"请选择要拆出去的反映"}})
		status, loc = e.post(t, "secretary", split, url.Values{"version": {matterVersionOf(pv)}, "problem_ids": {id(moved)}})
		if status != http.StatusSeeOther || strings.HasPrefix(loc, matterPath(e.parking1.MatterID)) {
			t.Fatalf("split: %d %s", status, loc)
		}
		e.run(t, scenario{user: "secretary", path: strings.SplitN(loc, "?", 2)[0], status: http.StatusOK, want: []string{"李阿姨", "已提交"}})
		e.run(t, scenario{user: "secretary", path: matterPath(e.parking1.MatterID), status: http.StatusOK, want: []string{"群众反映（2）"}, notWant: []string{"李阿姨"}})
	})
}

func TestMatterCategoriesAndHolidays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		dd := e.demo
		cats := "/orgs/" + id(dd.SecondBranch.ID) + "/categories"
		third := "/orgs/" + id(dd.ThirdBranch.ID) + "/categories"
		good := url.Values{"code": {"pearl_fake"}, "name_zh": {"假冒珍珠"}, "name_en": {"Counterfeit pearls"}, "response_days": {"1"}, "resolve_days": {"5"},
			"active": {"1"}, "fields.0.code": {"vendor"}, "fields.0.datatype": {"singlevaluelist"}, "fields.0.description": {"摊主是哪里的？"},
			"fields.0.values": {"local = 本市场商户\noutside = 外来摊贩"}, "fields.0.required": {"1"}}
		bad := url.Values{"code": {"Bad Code"}, "name_zh": {""}, "response_days": {"1"}, "fields.1.code": {"q"}, "fields.1.datatype": {"singlevaluelist"},
			"fields.1.description": {"问题"}}
		for _, sc := range []scenario{
			{user: "secretary", path: cats, status: http.StatusOK, want: []string{"问题类别", e.parking.NameZh, "新增类别", "补充问题"}},
			{user: "inspector", path: cats, status: http.StatusOK, want: []string{e.parking.NameZh}, notWant: []string{"新增类别"}},
			{user: "member", path: cats, status: http.StatusNotFound},
			{user: "firstsec", path: cats, status: http.StatusNotFound},
			{user: "firstsec", method: "POST", path: cats, form: good, status: http.StatusNotFound},
			{user: "inspector", method: "POST", path: cats, form: good, status: http.StatusForbidden},
			{user: "secretary", method: "POST", path: cats, form: bad, status: http.StatusUnprocessableEntity,
				want: []string{"代码只能用小写字母", "必填", `value="Bad Code"`, `name="fields.1.code" value="q"`}},
			{user: "secretary", method: "POST", path: cats, form: url.Values{"code": {"ok_code"}, "name_zh": {"好"}, "resolve_days": {"十"}},
				status: http.StatusUnprocessableEntity, want: []string{"请填写数字", `value="十"`}},
			{user: "secretary", method: "POST", path: cats, form: good, status: http.StatusSeeOther},
			{user: "secretary", path: cats, status: http.StatusOK, want: []string{"假冒珍珠", "pearl_fake", "1 个补充问题", "5 个工作日内办结"}},
			// A branch without categories is offered the defaults.
			{user: "admin", path: third, status: http.StatusOK, want: []string{"使用默认类别"}},
			{user: "secretary", method: "POST", path: third + "/defaults", status: http.StatusNotFound},
			{user: "admin", method: "POST", path: third + "/defaults", status: http.StatusSeeOther},
			{user: "admin", path: third, status: http.StatusOK, want: []string{"停车交通", "消防安全"}, notWant: []string{"使用默认类别"}},
			{user: "admin", method: "POST", path: third + "/defaults", status: http.StatusUnprocessableEntity},
		} {
			e.run(t, sc)
		}
		// The category form edits one of them.
		var pearl *masswork.Category
		all, _ := e.app.Masswork.OrgCategories(context.Background(), sysActor(), dd.SecondBranch.ID)
		for _, c := range all {
			if c.Code == "pearl_fake" {
				pearl = c
			}
		}
		if pearl == nil || len(pearl.Fields) != 1 || len(pearl.Fields[0].Values) != 2 || pearl.Fields[0].Values[1].Name != "外来摊贩" || !pearl.Fields[0].Required {
			t.Fatalf("saved category = %+v", pearl)
		}
		e.run(t, scenario{user: "secretary", path: cats + "?edit=" + id(pearl.ID), status: http.StatusOK, want: []string{"修改类别", `value="pearl_fake"`, "outside = 外来摊贩"}})
		// The record form asks the category's extra questions once the category is chosen.
		report := url.Values{"org_id": {id(dd.SecondBranch.ID)}, "channel": {"staff"}, "category_id": {id(pearl.ID)}, "description": {"有外地人在卖假珍珠"}}
		e.run(t, scenario{user: "secretary", method: "POST", path: "/matters", form: matterWith(report, "do", "similar"), status: http.StatusOK,
			want: []string{"摊主是哪里的？", `<option value="outside">外来摊贩</option>`, "没有找到相似的诉求"}})
		e.run(t, scenario{user: "secretary", method: "POST", path: "/matters", form: matterWith(report, "checked", "1"), status: http.StatusUnprocessableEntity,
			want: []string{"请填写这一项", "有外地人在卖假珍珠"}})
		status, loc := e.post(t, "secretary", "/matters", matterWith(report, "checked", "1", "attribute.vendor", "outside"))
		if status != http.StatusSeeOther {
			t.Fatalf("report with the extra question: %d", status)
		}
		e.run(t, scenario{user: "secretary", path: strings.SplitN(loc, "?", 2)[0], status: http.StatusOK, want: []string{"<dt>摊主是哪里的？</dt><dd>外来摊贩</dd>"}})
		e.run(t, scenario{user: "firstsec", path: "/orgs/" + id(dd.FirstBranch.ID) + "/categories?edit=" + id(pearl.ID), status: http.StatusNotFound})
		edit := url.Values{"category_id": {id(pearl.ID)}, "version": {id(int64(pearl.Version))}, "code": {"pearl_fake"}, "name_zh": {"假冒伪劣珍珠"},
			"response_days": {"1"}, "resolve_days": {"5"}}
		e.run(t, scenario{user: "secretary", method: "POST", path: cats, form: edit, status: http.StatusSeeOther})
		e.run(t, scenario{user: "secretary", path: cats, status: http.StatusOK, want: []string{"假冒伪劣珍珠", "已停用"}})

		// Holidays: system administrators only.
		year := "2026"
		for _, sc := range []scenario{
			{user: "admin", path: "/admin/holidays?year=" + year, status: http.StatusOK, want: []string{"节假日安排", "2026-10-01 off", "国庆"}},
			{user: "secretary", path: "/admin/holidays", status: http.StatusForbidden},
			{user: "secretary", method: "POST", path: "/admin/holidays", form: url.Values{"year": {year}, "days": {"2026-10-01 off 国庆节"}}, status: http.StatusForbidden},
			{user: "admin", method: "POST", path: "/admin/holidays", form: url.Values{"year": {year}, "days": {"2026-10-01 off 国庆节\n2025-10-02 off 错年\n2026-10-03 rest\n2026-13-01 work"}},
				status: http.StatusUnprocessableEntity, want: []string{"第 2 行", "日期不在这一年", "第 3 行", "请从列表中选择", "第 4 行", "2025-10-02 off 错年"}},
			{user: "admin", method: "POST", path: "/admin/holidays", form: url.Values{"year": {year}, "days": {"2026-10-01 off 国庆节\n2026-10-02 休 国庆节\n\n2026-10-10 班 调休"}},
				status: http.StatusSeeOther},
			{user: "admin", path: "/admin/holidays?year=" + year, status: http.StatusOK, want: []string{"2026-10-02 off 国庆节", "2026-10-10 work 调休"}, notWant: []string{"2026-10-05"}},
			{user: "admin", path: "/admin/holidays?year=1900", status: http.StatusNotFound},
		} {
			e.run(t, sc)
		}
	})
}

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// post sends a form as user and returns the answer's status and Location.
func (f *fixture) post(t *testing.T, user, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := f.clients[user].PostForm(f.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// planToday creates, as the secretary, an all-day activity of the Second Branch today (its
// check-in window is open now) and invites the branch with its groups.
func (f *fixture) planToday(t *testing.T, title string, extra url.Values) int64 {
	t.Helper()
	today := time.Now().In(f.app.Zone).Format(time.DateOnly)
	form := url.Values{"title": {title}, "org_id": {id(f.demo.SecondBranch.ID)}, "types": {"theme_day", "party_lecture"},
		"start_date": {today}, "all_day": {"1"}}
	for k, v := range extra {
		form[k] = v
	}
	status, loc := f.post(t, "secretary", "/activities", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/activities/") {
		t.Fatalf("create activity: %d %s", status, loc)
	}
	actID := mustID(t, strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/activities/"))
	status, _ = f.post(t, "secretary", "/activities/"+id(actID)+"/invite", url.Values{"org_id": {id(f.demo.SecondBranch.ID)}, "subtree": {"1"},
		"stages": {"full", "probationary"}})
	if status != http.StatusSeeOther {
		t.Fatalf("invite: %d", status)
	}
	return actID
}

func (f *fixture) actor(t *testing.T, name string) *auth.Actor {
	t.Helper()
	users, err := f.app.Auth.Users(context.Background(), sysActor())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == name {
			a, err := f.app.Auth.ActorFor(context.Background(), u, "")
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	t.Fatalf("no user %s", name)
	return nil
}

func TestActivityPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		dd := f.demo
		actID := f.planToday(t, "七月主题党日", nil)
		act := "/activities/" + id(actID)
		badPlan := url.Values{"title": {"支部党员大会"}, "org_id": {id(dd.SecondBranch.ID)}, "types": {"general_meeting"},
			"start_date": {"2030-03-20"}, "start_time": {"14:00"}, "end_time": {"13:00"}}
		tripPlan := url.Values{"title": {"两天党建研学团建"}, "org_id": {id(dd.SecondBranch.ID)}, "types": {"red_trip"},
			"start_date": {"2030-07-15"}, "end_date": {"2030-07-16"}, "all_day": {"1"}, "safety_notes": {"高温42℃"},
			"stops.0.day": {"2030-07-15"}, "stops.0.place": {"王村"}, "stops.1.day": {"2030-07-17"}, "stops.1.place": {"南尖岩"}}
		scenarios := []scenario{
			// Plan form: invalid input comes back with what was typed and the error beside it.
			{user: "secretary", path: "/activities/new", status: http.StatusOK, want: []string{"新建活动", "支部党员大会", "行程安排"}},
			{user: "secretary", method: "POST", path: "/activities", form: badPlan, status: http.StatusUnprocessableEntity,
				want: []string{"结束时间要晚于开始时间", `value="支部党员大会"`}},
			{user: "secretary", method: "POST", path: "/activities", form: tripPlan, status: http.StatusUnprocessableEntity,
				want: []string{"日期不在活动期间内", `value="南尖岩"`, `value="王村"`}},
			{user: "member", path: "/activities/new", status: http.StatusForbidden},
			{user: "member", method: "POST", path: "/activities", form: badPlan, status: http.StatusForbidden},

			// The activity and who sees what of it.
			{user: "secretary", path: act, status: http.StatusOK, want: []string{"七月主题党日", "主题党日", "党课", "签到二维码", "应到", "发出邀请"}},
			{user: "member", path: act, status: http.StatusOK, want: []string{"七月主题党日", "我的参加情况", "请假"}, notWant: []string{"签到二维码", "发出邀请", "应到"}},
			{user: "member", path: "/", status: http.StatusOK, want: []string{"我的近期活动", "七月主题党日"}},
			{user: "member", path: "/activities", status: http.StatusOK, want: []string{"七月主题党日"}},
			{user: "inspector", path: act, status: http.StatusOK, want: []string{"七月主题党日", "应到"}, notWant: []string{"发出邀请"}},
			{user: "inspector", path: act + "/attendance", status: http.StatusOK, want: []string{"出勤率"}, notWant: []string{"代签到"}},
			{user: "inspector", path: act + "/checkin", status: http.StatusForbidden},
			{user: "member", path: act + "/attendance", status: http.StatusForbidden},
			{user: "member", path: act + "/checkin", status: http.StatusForbidden},
			{user: "member", path: act + "/edit", status: http.StatusForbidden},
			{user: "firstsec", path: act, status: http.StatusNotFound, notWant: []string{"七月主题党日"}},
			{user: "firstsec", path: act + "/edit", status: http.StatusNotFound},
			{user: "firstsec", path: act + "/attendance", status: http.StatusNotFound},
			{user: "firstsec", path: act + "/checkin", status: http.StatusNotFound},
			{user: "firstsec", method: "POST", path: act, form: badPlan, status: http.StatusNotFound},
			{user: "firstsec", method: "POST", path: act + "/invite", form: url.Values{"org_id": {id(dd.FirstBranch.ID)}}, status: http.StatusNotFound},
			{user: "firstsec", method: "POST", path: act + "/attendance", form: url.Values{"person_id": {id(dd.Secretary.ID)}, "do": {"present"}}, status: http.StatusNotFound},
			{user: "firstsec", method: "POST", path: act + "/cancel", status: http.StatusNotFound},
			{user: "firstsec", path: "/activities", status: http.StatusOK, notWant: []string{"七月主题党日"}},
			{user: "anonymous", path: act, status: http.StatusSeeOther},

			// Invitations outside the organizer's scope are refused beside the field.
			{user: "secretary", method: "POST", path: act + "/invite", form: url.Values{"org_id": {id(dd.FirstBranch.ID)}},
				status: http.StatusUnprocessableEntity, want: []string{"请选择您管理的党组织"}},
			{user: "secretary", method: "POST", path: act + "/invite", form: url.Values{"org_id": {id(dd.SecondBranch.ID)}, "stages": {"masses"}},
				status: http.StatusUnprocessableEntity, want: []string{"这类活动不能邀请此类人员"}},

			// Leave: a reason is required; the request reaches the organizer.
			{user: "member", method: "POST", path: act + "/respond", form: url.Values{"response": {"leave"}}, status: http.StatusUnprocessableEntity,
				want: []string{"请假事由"}},
			{user: "member", method: "POST", path: act + "/respond", form: url.Values{"response": {"leave"}, "reason": {"外出进货"}}, status: http.StatusSeeOther},
			{user: "member", path: act, status: http.StatusOK, want: []string{"已请假，待审批", "外出进货"}},
			{user: "secretary", path: act, status: http.StatusOK, want: []string{"待审批的请假", "外出进货", "准假"}},
			{user: "member", method: "POST", path: act + "/leave/" + id(dd.Member.ID), form: url.Values{"approve": {"1"}}, status: http.StatusForbidden},
			{user: "secretary", method: "POST", path: act + "/leave/" + id(dd.Member.ID), form: url.Values{"approve": {"1"}}, status: http.StatusSeeOther},
			{user: "member", path: act, status: http.StatusOK, want: []string{"请假已批准"}},
			{user: "member", method: "POST", path: act + "/respond", form: url.Values{"response": {"sign_up"}}, status: http.StatusUnprocessableEntity,
				want: []string{"本次活动不需要报名"}},

			// The organizer's check-in screen.
			{user: "secretary", path: act + "/checkin", status: http.StatusOK, want: []string{"data:image/png;base64,", "hx-trigger=\"every "}},
			{user: "secretary", path: act + "/checkin?part=qr", status: http.StatusOK, want: []string{"data:image/png;base64,"}, notWant: []string{"<html"}},
		}
		for _, sc := range scenarios {
			f.run(t, sc)
		}
	})
}

// TestCheckInByScan is the member's path from a scanned code to the attendance sheet: logged
// out first, through the login, to one tap.
func TestCheckInByScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		ctx := context.Background()
		actID := f.planToday(t, "党课", nil)
		act := "/activities/" + id(actID)
		token, _, err := f.app.Activity.QRToken(ctx, f.actor(t, "secretary"), actID)
		if err != nil {
			t.Fatal(err)
		}
		// Logged out: sent to log in with a pass that outlives the code.
		resp, err := newClient().Get(f.srv.URL + "/c/" + token)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=%2Fc%2F") {
			t.Fatalf("logged-out scan: %d %s", resp.StatusCode, loc)
		}
		next, _ := url.QueryUnescape(strings.TrimPrefix(loc, "/login?next="))
		// The member logs in and lands on the page with one button.
		c := newClient()
		resp, err = c.PostForm(f.srv.URL+"/login", url.Values{"login": {"member"}, "password": {password}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); got != next {
			t.Fatalf("after login to %q, want %q", got, next)
		}
		f.clients["member2"] = c
		f.run(t, scenario{user: "member2", path: next, status: http.StatusOK, want: []string{"确认签到", "党课"}})
		f.run(t, scenario{user: "member2", method: "POST", path: next, status: http.StatusSeeOther})
		f.run(t, scenario{user: "member2", path: act + "?flash=flash.checked_in", status: http.StatusOK, want: []string{"签到成功", "已签到"}})
		// Scanning again says so instead of a second row.
		f.run(t, scenario{user: "member2", path: next, status: http.StatusOK, want: []string{"已签到"}, notWant: []string{"确认签到"}})
		f.run(t, scenario{user: "secretary", path: act + "/attendance", status: http.StatusOK, want: []string{"扫码", f.demo.Member.Name}})

		forged := []byte(token)
		forged[12] ^= 2
		f.run(t, scenario{user: "member", path: "/c/" + string(forged), status: http.StatusUnprocessableEntity, want: []string{"二维码无效"}})
		f.run(t, scenario{user: "anonymous", path: "/c/" + string(forged), status: http.StatusUnprocessableEntity, want: []string{"二维码无效"}})
		f.run(t, scenario{user: "member", method: "POST", path: "/c/garbage", status: http.StatusUnprocessableEntity, want: []string{"二维码无效"}})
		// An account without a person on the register cannot check itself in.
		f.run(t, scenario{user: "firstsec", method: "POST", path: "/c/" + token, status: http.StatusUnprocessableEntity, want: []string{"请联系支部书记代为签到"}})

		// By hand: the secretary checks someone in late, then undoes it.
		other := f.demo.Secretary.ID
		status, _ := f.post(t, "secretary", act+"/attendance", url.Values{"person_id": {id(other)}, "day": {time.Now().In(f.app.Zone).Format(time.DateOnly)}, "do": {"late"}})
		if status != http.StatusSeeOther {
			t.Fatalf("manual check-in: %d", status)
		}
		f.run(t, scenario{user: "secretary", path: act + "/attendance", status: http.StatusOK, want: []string{"代签", "迟到"}})
		f.run(t, scenario{user: "secretary", method: "POST", path: act + "/attendance", form: url.Values{"person_id": {id(other)}, "day": {"1999-01-01"}, "do": {"present"}},
			status: http.StatusUnprocessableEntity, want: []string{"日期不在活动期间内"}})
		_, _, sum, err := f.app.Activity.Attendance(ctx, f.actor(t, "secretary"), actID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Present != 2 || sum.Late != 1 {
			t.Errorf("summary after scan and hand check-in: %+v", sum)
		}
	})
}

func TestSitePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		site := url.Values{"name": {"南尖岩景区"}, "kind": {"scenic_area"}, "level": {"AAAA"}, "org_id": {id(f.demo.SecondBranch.ID)},
			"altitude_m": {"1626"}, "area_km2": {"6"}, "spots": {"30"}, "history": {"素有“红尘中遗忘的桃花源”之称"}}
		bad := url.Values{"name": {"南尖岩景区"}, "kind": {"scenic_area"}, "org_id": {id(f.demo.SecondBranch.ID)}, "latitude": {"128"}, "longitude": {"119"}}
		f.run(t, scenario{user: "secretary", method: "POST", path: "/sites", form: bad, status: http.StatusUnprocessableEntity, want: []string{"坐标要成对填写", `value="南尖岩景区"`}})
		f.run(t, scenario{user: "member", path: "/sites/new", status: http.StatusForbidden})
		status, loc := f.post(t, "secretary", "/sites", site)
		if status != http.StatusSeeOther {
			t.Fatalf("create site: %d", status)
		}
		path := strings.SplitN(loc, "?", 2)[0]
		f.run(t, scenario{user: "member", path: path, status: http.StatusOK, want: []string{"南尖岩景区", "1626 米", "30 余处", "红尘中遗忘的桃花源"}, notWant: []string{"/edit"}})
		f.run(t, scenario{user: "member", path: "/sites?q=南尖", status: http.StatusOK, want: []string{"南尖岩景区"}})
		f.run(t, scenario{user: "firstsec", method: "POST", path: path, form: site, status: http.StatusUnprocessableEntity, want: []string{"请选择您管理的党组织"}})
		site.Set("org_id", id(f.demo.FirstBranch.ID))
		f.run(t, scenario{user: "firstsec", method: "POST", path: path, form: site, status: http.StatusForbidden})
		// An itinerary stop at the site lists the activity on the site's page.
		siteID := mustID(t, strings.TrimPrefix(path, "/sites/"))
		_, err := f.app.Activity.CreateActivity(context.Background(), f.actor(t, "secretary"), activity.Plan{OrgID: f.demo.SecondBranch.ID,
			Types: []string{"red_trip"}, Title: "南尖岩研学", StartDate: "2030-07-16", AllDay: true,
			Stops: []activity.StopPlan{{Day: "2030-07-16", SiteID: siteID}}})
		if err != nil {
			t.Fatal(err)
		}
		f.run(t, scenario{user: "secretary", path: path, status: http.StatusOK, want: []string{"南尖岩研学"}})
		f.run(t, scenario{user: "firstsec", path: path, status: http.StatusOK, notWant: []string{"南尖岩研学"}})
	})
}

func TestCompliancePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		dd := f.demo
		branch := "/orgs/" + id(dd.SecondBranch.ID)
		year := id(int64(time.Now().In(f.app.Zone).Year()))
		f.planToday(t, "本月主题党日", url.Values{"types": {"theme_day"}})
		f.run(t, scenario{user: "secretary", path: branch + "/compliance", status: http.StatusOK,
			want: []string{"组织生活落实情况", "主题党日", "每月1次", "《中国共产党支部工作条例（试行）》", "连续6个月未参加组织生活的党员", "安排一次"}})
		f.run(t, scenario{user: "secretary", path: branch + "/compliance?year=2023", status: http.StatusOK, want: []string{"逾期"},
			notWant: []string{"连续6个月未参加组织生活的党员"}})
		f.run(t, scenario{user: "inspector", path: "/orgs/" + id(dd.Committee.ID) + "/compliance?scope=subtree&year=" + year, status: http.StatusOK,
			want: []string{"下级组织汇总", "第二支部", "第一支部"}})
		f.run(t, scenario{user: "inspector", path: branch + "/compliance", status: http.StatusOK, notWant: []string{"安排一次"}})
		f.run(t, scenario{user: "member", path: branch + "/compliance", status: http.StatusNotFound})
		f.run(t, scenario{user: "firstsec", path: branch + "/compliance", status: http.StatusNotFound})
		f.run(t, scenario{user: "firstsec", path: branch + "/rules", status: http.StatusNotFound})

		// Rules: the branch sets a local lecture rule, which then shows on its compliance page.
		f.run(t, scenario{user: "secretary", path: branch + "/rules", status: http.StatusOK, want: []string{"全国默认", "党课", "未启用"}})
		f.run(t, scenario{user: "secretary", method: "POST", path: branch + "/rules", form: url.Values{"code": {"MTG-LEC"}, "period": {"quarter"}, "min_count": {"0"}, "enabled": {"1"}},
			status: http.StatusUnprocessableEntity, want: []string{"次数为1到31"}})
		f.run(t, scenario{user: "secretary", method: "POST", path: branch + "/rules", form: url.Values{"code": {"MTG-LEC"}, "period": {"quarter"}, "min_count": {"1"}, "enabled": {"1"}},
			status: http.StatusSeeOther})
		f.run(t, scenario{user: "secretary", path: branch + "/rules", status: http.StatusOK, want: []string{"每季度1次", "第二支部（珍珠商户）设定", "恢复上级规定"}})
		f.run(t, scenario{user: "inspector", method: "POST", path: branch + "/rules", form: url.Values{"code": {"DAY"}, "period": {"year"}, "min_count": {"1"}},
			status: http.StatusForbidden})
		f.run(t, scenario{user: "secretary", method: "POST", path: "/orgs/" + id(dd.Committee.ID) + "/rules", form: url.Values{"code": {"DAY"}, "period": {"year"}, "min_count": {"1"}},
			status: http.StatusNotFound})
	})
}

func TestLedgerAndPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		dd := f.demo
		actID := f.planToday(t, "本月主题党日", url.Values{"types": {"theme_day"}, "place": {"党员活动室"}})
		act := "/activities/" + id(actID)
		if status, _ := f.post(t, "member", act+"/respond", url.Values{"response": {"leave"}, "reason": {"外出进货"}}); status != http.StatusSeeOther {
			t.Fatalf("leave: %d", status)
		}
		if status, _ := f.post(t, "secretary", act+"/leave/"+id(dd.Member.ID), url.Values{"approve": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("approve: %d", status)
		}
		today := time.Now().In(f.app.Zone).Format(time.DateOnly)
		if status, _ := f.post(t, "secretary", act+"/attendance", url.Values{"person_id": {id(dd.Secretary.ID)}, "day": {today}, "do": {"present"}}); status != http.StatusSeeOther {
			t.Fatalf("check in: %d", status)
		}
		f.run(t, scenario{user: "secretary", path: act + "/print", status: http.StatusOK,
			want: []string{"会议记录", "本月主题党日", "党员活动室", dd.Secretary.Name, dd.Member.Name + "（外出进货）", "记录人签字"}})
		f.run(t, scenario{user: "secretary", path: act + "/attendance/print", status: http.StatusOK, want: []string{"签到表", "本人签名", dd.Secretary.Name}})
		f.run(t, scenario{user: "member", path: act + "/print", status: http.StatusForbidden})
		f.run(t, scenario{user: "firstsec", path: act + "/attendance/print", status: http.StatusNotFound})

		year := time.Now().In(f.app.Zone).Year()
		path := "/orgs/" + id(dd.SecondBranch.ID) + "/ledger.xlsx?year=" + id(int64(year))
		resp, err := f.clients["secretary"].Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("ledger: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("活动台账")
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, r := range rows {
			if len(r) > 3 && r[3] == "本月主题党日" {
				found = r
			}
		}
		// expected, present, leave, absent, walk-ins, rate
		if found == nil || found[4] != "主题党日" || found[8] == "0" || found[9] != "1" || found[10] != "1" {
			t.Errorf("ledger row = %v (of %d rows)", found, len(rows))
		}
		for _, user := range []string{"firstsec", "member"} {
			f.run(t, scenario{user: user, path: path, status: http.StatusNotFound})
		}
		f.run(t, scenario{user: "inspector", path: "/orgs/" + id(dd.Committee.ID) + "/ledger.xlsx", status: http.StatusOK})
	})
}

func TestStudyHoursOnPersonPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		ctx := context.Background()
		sec := f.actor(t, "secretary")
		today := time.Now().In(f.app.Zone).Format(time.DateOnly)
		act, err := f.app.Activity.CreateActivity(ctx, sec, activity.Plan{OrgID: f.demo.SecondBranch.ID, Types: []string{"party_lecture"},
			Title: "党课：面对面做好群众工作", StartDate: today, AllDay: true, StudyHours: "3.5"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.Activity.ManualCheckIn(ctx, sec, act.ID, f.demo.Member.ID, today, false); err != nil {
			t.Fatal(err)
		}
		person := "/people/" + id(f.demo.Member.ID)
		f.run(t, scenario{user: "member", path: person, status: http.StatusOK, want: []string{"今年学时", "3.5 学时", "党课：面对面做好群众工作"}})
		f.run(t, scenario{user: "secretary", path: person, status: http.StatusOK, want: []string{"3.5 学时"}})
		f.run(t, scenario{user: "firstsec", path: person, status: http.StatusNotFound, notWant: []string{"学时"}})
	})
}

// TestMetricsNameLoggedInRoutes is the regression test for logged-in requests counted as
// "unmatched": authentication hands the mux a new request, so the pattern is carried back.
func TestMetricsNameLoggedInRoutes(t *testing.T) {
	f := newFixture(t, store.SQLite)
	f.run(t, scenario{user: "secretary", path: "/activities", status: http.StatusOK})
	resp, err := http.Get(f.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `route="GET /activities"`) {
		t.Errorf("metrics without the logged-in route:\n%s", excerpt(string(body)))
	}
}

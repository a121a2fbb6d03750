package api_test

import (
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/web/api"
)

// testAttendance walks an activity from invitation to attendance through the API: the
// secretary invites, the member answers and asks for leave, the secretary decides, the
// member checks in with a token the secretary's screen obtained, and the secretary corrects
// the sheet by hand; the First Branch's administrator sees none of it and invites nobody
// outside its own subtree.
func (f *fixture) testAttendance(t *testing.T) {
	acts := f.activities(t)
	d := f.demo
	first, second := id(d.FirstBranch.ID), id(d.SecondBranch.ID)
	member := id(d.Member.ID)
	yesterday, today, tomorrow := f.days()

	// A theme party day over three days around today, so that check-in is open now.
	act := f.mustCreateActivity(t, "secretary", `{"org_id": `+second+`, "types": ["theme_day"], "title": "主题党日：走访商户",
		"all_day": true, "start_date": "`+yesterday+`", "end_date": "`+tomorrow+`", "signup_required": true}`)
	path := "/api/v1/activities/" + id(act.ID)
	own := f.mustCreateActivity(t, "firstsec", `{"org_id": `+first+`, "types": ["theme_day"], "title": "第一支部主题党日",
		"all_day": true, "start_date": "`+yesterday+`", "end_date": "`+tomorrow+`"}`)
	ownPath := "/api/v1/activities/" + id(own.ID)
	trip := "/api/v1/activities/" + id(acts.Trip.ID)

	for _, sc := range []scenario{
		// Invitations.
		{name: "invite the member", user: "secretary", method: "POST", path: path + "/invitations", body: `{"person_id": ` + member + `}`,
			status: 201, want: []string{`"added":1`}},
		{name: "invite the member again", user: "secretary", method: "POST", path: path + "/invitations", body: `{"person_id": ` + member + `}`,
			status: 201, want: []string{`"added":0`}},
		{name: "invite the masses to a theme day", user: "secretary", method: "POST", path: path + "/invitations", status: 422,
			body: `{"org_id": ` + second + `, "stages": ["masses"]}`, fields: []string{"stages"}, want: []string{"这类活动不能邀请此类人员"}},
		{name: "invite nobody", user: "secretary", method: "POST", path: path + "/invitations", body: `{}`, status: 422, fields: []string{"org_id"}},
		{name: "first secretary invites to the second branch's activity", user: "firstsec", method: "POST", path: path + "/invitations",
			body: `{"org_id": ` + first + `}`, status: 404, code: "not_found"},
		{name: "first secretary invites the second branch", user: "firstsec", method: "POST", path: ownPath + "/invitations",
			body: `{"org_id": ` + second + `, "subtree": true}`, status: 422, fields: []string{"org_id"}, want: []string{"请选择您管理的党组织"}},
		{name: "first secretary invites the member", user: "firstsec", method: "POST", path: ownPath + "/invitations",
			body: `{"person_id": ` + member + `}`, status: 422, fields: []string{"person_id"}},
		{name: "first secretary invites its branch", user: "firstsec", method: "POST", path: ownPath + "/invitations",
			body: `{"org_id": ` + first + `, "stages": ["full", "probationary"]}`, status: 201, want: []string{`"added":9`}},
		{name: "member invites", user: "member", method: "POST", path: path + "/invitations", body: `{"person_id": ` + member + `}`,
			status: 403, code: "forbidden"},
		{name: "invitations as given", user: "secretary", path: path + "/invitations", status: 200,
			want: []string{d.Member.Name, `"org_id":null`, `"stages":[]`}},
		{name: "member reads the invitations", user: "member", path: path + "/invitations", status: 403},
		{name: "first secretary reads the invitations", user: "firstsec", path: path + "/invitations", status: 404},

		// The member's own answer.
		{name: "member's participation", user: "member", path: path + "/response", status: 200,
			want: []string{`"invited":true`, `"response":"none"`, `"attendance":[]`, `"decided_at":null`}},
		{name: "member reads the activity it is invited to", user: "member", path: path, status: 200, want: []string{"主题党日：走访商户"}},
		{name: "member's participation in the trip", user: "member", path: trip + "/response", status: 404},
		{name: "first secretary has no person", user: "firstsec", path: ownPath + "/response", status: 404},
		{name: "leave without reason", user: "member", method: "POST", path: path + "/response", body: `{"response": "leave"}`,
			status: 422, code: "invalid", fields: []string{"reason"}, want: []string{"必填"}},
		{name: "leave without reason in English", user: "member", method: "POST", path: path + "/response", body: `{"response": "leave", "reason": "  "}`,
			header: map[string]string{"Accept-Language": "en"}, status: 422, fields: []string{"reason"}},
		{name: "unknown answer", user: "member", method: "POST", path: path + "/response", body: `{"response": "maybe"}`, status: 422, fields: []string{"response"}},
		{name: "no answer", user: "member", method: "POST", path: path + "/response", body: `{}`, status: 422, fields: []string{"response"}},
		{name: "sign up", user: "member", method: "POST", path: path + "/response", body: `{"response": "sign_up"}`, status: 200,
			want: []string{`"response":"signed_up"`}},
		{name: "ask for leave", user: "member", method: "POST", path: path + "/response", body: `{"response": "leave", "reason": "外出进货"}`,
			status: 200, want: []string{`"response":"leave_requested"`, `"leave_reason":"外出进货"`}},
		{name: "answer to the trip", user: "member", method: "POST", path: trip + "/response", body: `{"response": "sign_up"}`, status: 404},
		{name: "not invited", user: "secretary", method: "POST", path: path + "/response", body: `{"response": "sign_up"}`, status: 422,
			want: []string{"您不在本次活动的参加对象中"}},

		// The organizer decides.
		{name: "member reads the sheet", user: "member", path: path + "/participants", status: 403, code: "forbidden"},
		{name: "first secretary reads the sheet", user: "firstsec", path: path + "/participants", status: 404, code: "not_found", notWant: []string{d.Member.Name}},
		{name: "first secretary approves", user: "firstsec", method: "POST", path: path + "/participants/" + member + "/leave",
			body: `{"decision": "approve"}`, status: 404},
		{name: "inspector approves", user: "inspector", method: "POST", path: path + "/participants/" + member + "/leave",
			body: `{"decision": "approve"}`, status: 403},
		{name: "undecided decision", user: "secretary", method: "POST", path: path + "/participants/" + member + "/leave",
			body: `{"decision": "later"}`, status: 422, fields: []string{"decision"}},
		{name: "leave of someone who did not ask", user: "secretary", method: "POST", path: path + "/participants/" + id(d.Secretary.ID) + "/leave",
			body: `{"decision": "approve"}`, status: 404},
		{name: "approve", user: "secretary", method: "POST", path: path + "/participants/" + member + "/leave",
			body: `{"decision": "approve"}`, status: 200, want: []string{`"response":"leave_approved"`}},
		{name: "approved leave is not withdrawn", user: "member", method: "POST", path: path + "/response", body: `{"response": "withdraw"}`,
			status: 422, want: []string{"请假已批准"}},
		{name: "decline after all", user: "secretary", method: "POST", path: path + "/participants/" + member + "/leave",
			body: `{"decision": "decline"}`, status: 200, want: []string{`"response":"leave_declined"`}},
		{name: "withdraw", user: "member", method: "POST", path: path + "/response", body: `{"response": "withdraw"}`, status: 200,
			want: []string{`"response":"none"`, `"leave_reason":""`}},
		{name: "sheet with the decision", user: "inspector", path: path + "/participants", status: 200,
			want: []string{d.Member.Name, `"decided_by":`, `"expected":1`, `"days":["` + yesterday + `","` + today + `","` + tomorrow + `"]`}},

		// Check-in tokens are the organizer's.
		{name: "member asks for a token", user: "member", method: "POST", path: path + "/checkin-token", status: 403},
		{name: "first secretary asks for a token", user: "firstsec", method: "POST", path: path + "/checkin-token", status: 404},
		{name: "check in without a token", user: "member", method: "POST", path: "/api/v1/checkins", body: `{}`, status: 422, fields: []string{"token"}},
		{name: "check in with a forged token", user: "member", method: "POST", path: "/api/v1/checkins", status: 422,
			body: `{"token": "AQFxAAAAAAAAAAEAAAAAZQAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, want: []string{"二维码无效"}},
		{name: "check in with a token of the wrong type", user: "member", method: "POST", path: "/api/v1/checkins", body: `{"token": 5}`,
			status: 400, fields: []string{"token"}},
	} {
		f.run(t, sc)
	}

	// The member checks in with a token the secretary's screen obtained through the API.
	tok := mustDecode[api.CheckinToken](t, f.call(t, "secretary", "POST", path+"/checkin-token", "", nil), 200)
	if tok.ActivityID != act.ID || !strings.HasSuffix(tok.URL, "/c/"+tok.Token) || !tok.RefreshAt.Before(tok.ExpiresAt) {
		t.Errorf("token = %+v", tok)
	}
	body := `{"token": "` + tok.Token + `"}`
	res := mustDecode[api.CheckInResult](t, f.call(t, "member", "POST", "/api/v1/checkins", body, nil), 200)
	if !res.Added || res.ActivityID != act.ID || res.Title != act.Title {
		t.Errorf("check-in = %+v", res)
	}
	res = mustDecode[api.CheckInResult](t, f.call(t, "member", "POST", "/api/v1/checkins", body, nil), 200)
	if res.Added {
		t.Errorf("second check-in added again: %+v", res)
	}
	me := mustDecode[api.Participant](t, f.call(t, "member", "GET", path+"/response", "", nil), 200)
	if len(me.Attendance) != 1 || me.Attendance[0].Day != today || me.Attendance[0].Method != "qr" || me.Attendance[0].Late {
		t.Errorf("member's attendance = %+v", me)
	}
	ownTok := mustDecode[api.CheckinToken](t, f.call(t, "firstsec", "POST", ownPath+"/checkin-token", "", nil), 200)
	for _, sc := range []scenario{
		{name: "member checks in to another branch's activity", user: "member", method: "POST", path: "/api/v1/checkins",
			body: `{"token": "` + ownTok.Token + `"}`, status: 403, code: "forbidden", want: []string{"您不在本次活动的参加对象中"}},
		{name: "an account without a person checks in", user: "firstsec", method: "POST", path: "/api/v1/checkins", body: body, status: 422},

		// The organizer corrects the sheet by hand.
		{name: "secretary checks itself in late", user: "secretary", method: "POST", path: path + "/attendance",
			body: `{"person_id": ` + id(d.Secretary.ID) + `, "day": "` + today + `", "late": true}`, status: 200, want: []string{`"present":true`, `"late":true`}},
		{name: "a day outside the activity", user: "secretary", method: "POST", path: path + "/attendance",
			body: `{"person_id": ` + member + `, "day": "2020-01-01"}`, status: 422, fields: []string{"day"}, want: []string{"日期不在活动期间内"}},
		{name: "nobody", user: "secretary", method: "POST", path: path + "/attendance", body: `{"day": "` + today + `"}`, status: 422, fields: []string{"person_id"}},
		{name: "a person of another subtree", user: "secretary", method: "POST", path: path + "/attendance",
			body: `{"person_id": ` + id(f.first.ID) + `, "day": "` + today + `"}`, status: 422, fields: []string{"person_id"}},
		{name: "inspector checks someone in", user: "inspector", method: "POST", path: path + "/attendance",
			body: `{"person_id": ` + member + `, "day": "` + today + `"}`, status: 403},
		{name: "first secretary checks someone in", user: "firstsec", method: "POST", path: path + "/attendance",
			body: `{"person_id": ` + member + `, "day": "` + today + `"}`, status: 404},
		{name: "sheet after check-in", user: "secretary", path: path + "/participants", status: 200,
			want: []string{`"present":1`, `"walk_ins":1`, `"method":"qr"`, `"method":"manual"`, `"rate":1`}},
		{name: "undo with a bad query", user: "secretary", method: "DELETE", path: path + "/attendance?person_id=x&day=today", status: 400,
			fields: []string{"person_id", "day"}},
		{name: "undo the secretary's check-in", user: "secretary", method: "DELETE", path: path + "/attendance?person_id=" + id(d.Secretary.ID) + "&day=" + today,
			status: 200, want: []string{`"present":false`}},
		{name: "undo it again", user: "secretary", method: "DELETE", path: path + "/attendance?person_id=" + id(d.Secretary.ID) + "&day=" + today, status: 404},
		{name: "first secretary undoes", user: "firstsec", method: "DELETE", path: path + "/attendance?person_id=" + member + "&day=" + today, status: 404},
		{name: "member undoes", user: "member", method: "DELETE", path: path + "/attendance?person_id=" + member + "&day=" + today, status: 403},
		{name: "trip sheet of 2023", user: "secretary", path: trip + "/participants", status: 200,
			want: []string{`"days":["2023-07-15","2023-07-16"]`, `"expected":5`, "第二天返回处理市场防汛事务"}},
	} {
		f.run(t, sc)
	}
}

package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dangjian/dangjian/internal/web/api"
)

// testRecords writes a record through its whole way: draft, stale write, submit, return with
// a reason, submit again, approve, amend; and checks who may read and do what.
func (f *fixture) testRecords(t *testing.T) {
	acts := f.activities(t)
	d := f.demo
	second := id(d.SecondBranch.ID)
	trip := "/api/v1/activities/" + id(acts.Trip.ID)
	act := f.mustCreateActivity(t, "secretary", `{"org_id": `+second+`, "types": ["committee_meeting"], "title": "支委会：研究走访安排",
		"start_date": "2024-03-05", "start_time": "09:00", "end_time": "10:30"}`)
	path := "/api/v1/activities/" + id(act.ID)
	f.call(t, "secretary", "POST", path+"/invitations", `{"person_id": `+id(d.Member.ID)+`}`, nil)

	for _, sc := range []scenario{
		{name: "trip record", user: "secretary", path: trip + "/record", status: 200,
			want: []string{`"status":"approved"`, "王村党建研学", `"can_amend":true`, `"can_edit":false`, `"record_approver":"self"`}},
		{name: "trip record read by the inspector", user: "inspector", path: trip + "/record", status: 200, want: []string{"南尖岩"}},
		{name: "trip record of another subtree", user: "firstsec", path: trip + "/record", status: 404, code: "not_found"},
		{name: "trip files", user: "secretary", path: trip + "/files", status: 200, want: []string{`"items":[]`}},
		{name: "trip files of another subtree", user: "firstsec", path: trip + "/files", status: 404},
		{name: "nothing written yet", user: "secretary", path: path + "/record", status: 200,
			want: []string{`"status":"none"`, `"version":0`, `"can_edit":true`}},
		{name: "member writes the record", user: "member", method: "PUT", path: path + "/record", body: `{"version": 0, "minutes": "我来写"}`, status: 403},
		{name: "first secretary writes the record", user: "firstsec", method: "PUT", path: path + "/record", body: `{"version": 0, "minutes": "越权"}`, status: 404},
		{name: "record without version", user: "secretary", method: "PUT", path: path + "/record", body: `{"minutes": "x"}`, status: 422, fields: []string{"version"}},
		{name: "submit an empty record", user: "secretary", method: "POST", path: path + "/record/submit", body: `{"version": 0}`, status: 422,
			want: []string{"记录还是空的"}},
		{name: "reason on submit", user: "secretary", method: "POST", path: path + "/record/submit", body: `{"version": 0, "reason": "x"}`,
			status: 400, fields: []string{"reason"}},
	} {
		f.run(t, sc)
	}

	put := func(body string, want int) api.RecordView {
		t.Helper()
		return mustDecode[api.RecordView](t, f.call(t, "secretary", "PUT", path+"/record", body, nil), want)
	}
	step := func(user, what string, version int, extra string, want int) api.RecordView {
		t.Helper()
		body := `{"version": ` + strconv.Itoa(version) + extra + `}`
		return mustDecode[api.RecordView](t, f.call(t, user, "POST", path+"/record/"+what, body, nil), want)
	}
	v := put(`{"version": 0, "minutes": "## 议题\n1. 研究商户走访安排", "resolutions": "1. 每位支委联系5户商户。"}`, http.StatusOK)
	if v.Status != "draft" || v.Record == nil || v.Record.Version != 1 || v.Record.UpdatedBy == "" || v.Record.CreatedAt == nil {
		t.Fatalf("draft = %+v", v)
	}
	// Fields left out stay.
	v = put(`{"version": 1, "summary": "会议按时召开。"}`, http.StatusOK)
	if v.Record.Version != 2 || v.Record.Resolutions != "1. 每位支委联系5户商户。" || v.Record.Summary != "会议按时召开。" {
		t.Errorf("second draft = %+v", v.Record)
	}
	f.run(t, scenario{name: "stale draft", user: "secretary", method: "PUT", path: path + "/record", body: `{"version": 1, "minutes": "覆盖"}`,
		status: 409, code: "conflict"})
	f.run(t, scenario{name: "member reads the draft", user: "member", path: path + "/record", status: 200,
		want: []string{`"status":"draft"`, `"record":null`, `"can_edit":false`}, notWant: []string{"研究商户走访安排"}})
	f.run(t, scenario{name: "member lists the draft's files", user: "member", path: path + "/files", status: 404})

	v = step("secretary", "submit", 2, "", http.StatusOK)
	if v.Status != "submitted" || v.Record.SubmittedAt == nil || !v.CanApprove {
		t.Errorf("submitted = %+v", v)
	}
	ver := v.Record.Version
	for _, sc := range []scenario{
		{name: "write a submitted record", user: "secretary", method: "PUT", path: path + "/record", body: `{"version": ` + strconv.Itoa(ver) + `, "minutes": "x"}`,
			status: 409, want: []string{"记录已提交"}},
		{name: "return without a reason", user: "secretary", method: "POST", path: path + "/record/return", body: `{"version": ` + strconv.Itoa(ver) + `}`,
			status: 422, fields: []string{"reason"}},
		{name: "return with a blank reason", user: "secretary", method: "POST", path: path + "/record/return", body: `{"version": ` + strconv.Itoa(ver) + `, "reason": " "}`,
			status: 422, fields: []string{"reason"}},
		{name: "inspector approves", user: "inspector", method: "POST", path: path + "/record/approve", body: `{"version": ` + strconv.Itoa(ver) + `}`, status: 403},
		{name: "stale approval", user: "secretary", method: "POST", path: path + "/record/approve", body: `{"version": 1}`, status: 409},
		{name: "amend before approval", user: "secretary", method: "POST", path: path + "/record/amend",
			body: `{"version": ` + strconv.Itoa(ver) + `, "reason": "x", "minutes": "y"}`, status: 409},
	} {
		f.run(t, sc)
	}
	v = step("secretary", "return", ver, `, "reason": "请补充决议的责任人。"`, http.StatusOK)
	if v.Status != "returned" || v.Record.ReturnReason != "请补充决议的责任人。" || v.Record.ReturnedAt == nil || !v.CanEdit {
		t.Errorf("returned = %+v", v)
	}
	v = put(`{"version": `+strconv.Itoa(v.Record.Version)+`, "resolutions": "1. 每位支委联系5户商户，王志强负责汇总。"}`, http.StatusOK)
	v = step("secretary", "submit", v.Record.Version, "", http.StatusOK)
	v = step("secretary", "approve", v.Record.Version, "", http.StatusOK)
	if v.Status != "approved" || v.Record.ApprovedAt == nil || v.CanEdit || !v.CanAmend {
		t.Errorf("approved = %+v", v)
	}
	ver = v.Record.Version
	for _, sc := range []scenario{
		{name: "member reads the approved record", user: "member", path: path + "/record", status: 200, want: []string{"王志强负责汇总"}},
		{name: "member lists the files", user: "member", path: path + "/files", status: 200, want: []string{`"items":[]`}},
		{name: "write an approved record", user: "secretary", method: "PUT", path: path + "/record", body: `{"version": ` + strconv.Itoa(ver) + `, "minutes": "x"}`,
			status: 409, want: []string{"记录已审批锁定"}},
		{name: "amend without a reason", user: "secretary", method: "POST", path: path + "/record/amend",
			body: `{"version": ` + strconv.Itoa(ver) + `, "summary": "改"}`, status: 422, fields: []string{"reason"}},
		{name: "amend nothing", user: "secretary", method: "POST", path: path + "/record/amend",
			body: `{"version": ` + strconv.Itoa(ver) + `, "reason": "核对"}`, status: 422, want: []string{"没有修改任何内容"}},
		{name: "member amends", user: "member", method: "POST", path: path + "/record/amend",
			body: `{"version": ` + strconv.Itoa(ver) + `, "reason": "x", "summary": "y"}`, status: 403},
	} {
		f.run(t, sc)
	}
	r := f.call(t, "secretary", "POST", path+"/record/amend", `{"version": `+strconv.Itoa(ver)+`, "reason": "会议时间记错", "summary": "会议于9:05开始。"}`, nil)
	v = mustDecode[api.RecordView](t, r, http.StatusOK)
	if len(v.Amendments) != 1 || v.Amendments[0].Field != "summary" || v.Amendments[0].Before != "会议按时召开。" ||
		v.Record.Summary != "会议于9:05开始。" || v.Status != "approved" {
		t.Errorf("amended = %+v", v)
	}
}

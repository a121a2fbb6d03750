package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// upload is one file of a multipart post.
type upload struct {
	name string
	data []byte
}

// postMultipart sends a multipart form as user and returns the answer.
func (f *fixture) postMultipart(t *testing.T, user, path string, fields url.Values, files ...upload) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, u := range files {
		w, err := mw.CreateFormFile("file", u.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(u.data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "zh-CN")
	resp, err := f.clients[user].Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// get fetches path as user and returns the answer with its body.
func (f *fixture) get(t *testing.T, user, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := f.clients[user].Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 90, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var fileLink = regexp.MustCompile(`/activities/\d+/files/(\d+)/thumb`)

func TestRecordPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		ctx := context.Background()
		dd := f.demo
		sec := f.actor(t, "secretary")
		act, err := f.app.Activity.CreateActivity(ctx, sec, activity.Plan{OrgID: dd.SecondBranch.ID, Types: []string{"red_trip", "team_building"},
			Title: "两天党建研学团建", StartDate: "2023-07-15", EndDate: "2023-07-16", AllDay: true, RecorderID: dd.Member.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Activity.Invite(ctx, sec, act.ID, activity.Invitation{OrgID: dd.SecondBranch.ID, Subtree: true}); err != nil {
			t.Fatal(err)
		}
		page := "/activities/" + id(act.ID)
		rec := page + "/record"
		minutes := "## 第一天\n参观王村<script>alert(1)</script>\n面对面座谈"

		for _, sc := range []scenario{
			{user: "member", path: page, status: http.StatusOK, want: []string{"活动记录", "未填写"}},
			{user: "member", path: rec, status: http.StatusOK, want: []string{"活动记录", "未填写", "保存草稿", "保存并提交审批", "选择照片或文件", `enctype="multipart/form-data"`}},
			{user: "member", method: "POST", path: rec, form: url.Values{"minutes": {minutes}, "summary": {"传播党的声音。"}, "version": {"0"}}, status: http.StatusSeeOther},
			{user: "member", method: "POST", path: rec, form: url.Values{"minutes": {"覆盖"}, "version": {"0"}}, status: http.StatusConflict,
				want: []string{"别人刚刚修改过", "覆盖"}},
			// The editor sees the text escaped in the form; readers see it rendered and sanitised.
			{user: "secretary", path: rec, status: http.StatusOK, want: []string{"草稿", "&lt;script&gt;alert(1)&lt;/script&gt;"}, notWant: []string{"<script>alert(1)"}},
			{user: "inspector", path: rec, status: http.StatusOK, want: []string{"<h2>第一天</h2>", "参观王村"}, notWant: []string{"<script>alert(1)", "保存草稿", "审批通过"}},
			{user: "firstsec", path: rec, status: http.StatusNotFound, notWant: []string{"参观王村"}},
			{user: "firstsec", method: "POST", path: rec, form: url.Values{"minutes": {"x"}, "version": {"1"}}, status: http.StatusNotFound},
			{user: "anonymous", path: rec, status: http.StatusSeeOther},
		} {
			f.run(t, sc)
		}

		// Uploads: refused or neutralised.
		refused := []struct {
			name  string
			files []upload
			want  string
		}{
			{"wrong type", []upload{{"纪要.txt", []byte("会议纪要")}}, "不支持文件“纪要.txt”的类型"},
			{"HTML disguised as a photo", []upload{{"photo.jpg", []byte("<!DOCTYPE html><script>alert(document.cookie)</script>")}}, "不支持文件“photo.jpg”的类型"},
			{"11 MB", []upload{{"big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 11<<20)...)}}, "一次上传合计不能超过 10 MB"},
			{"nothing chosen", nil, "请选择要上传的文件"},
		}
		for _, tt := range refused {
			resp, body := f.postMultipart(t, "member", page+"/files", nil, tt.files...)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) {
				t.Errorf("%s: status %d, want 422 with %q\n%s", tt.name, resp.StatusCode, tt.want, excerpt(body))
			}
		}
		if resp, _ := f.postMultipart(t, "firstsec", page+"/files", nil, upload{"a.png", testPNG(t, 8, 8)}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("other branch uploads: %d", resp.StatusCode)
		}
		if resp, _ := f.postMultipart(t, "inspector", page+"/files", nil, upload{"a.png", testPNG(t, 8, 8)}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer uploads: %d", resp.StatusCode)
		}
		resp, body := f.postMultipart(t, "member", page+"/files", url.Values{"caption": {"纪念馆前合影"}},
			upload{"../../合影.jpg", testPNG(t, 960, 640)}, upload{"行程.pdf", []byte("%PDF-1.4\n%%EOF\n")})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", resp.StatusCode, excerpt(body))
		}
		html := f.run(t, scenario{user: "member", path: rec, status: http.StatusOK, want: []string{"纪念馆前合影", "行程.pdf", "PDF", "删除"}})
		m := fileLink.FindStringSubmatch(html)
		if m == nil {
			t.Fatal("no thumbnail on the record page")
		}
		photo := page + "/files/" + m[1]
		v, err := f.app.Activity.Record(ctx, sec, act.ID)
		if err != nil || len(v.Files) != 2 {
			t.Fatalf("files: %v %v", v, err)
		}
		pdf := page + "/files/" + id(v.Files[1].ID)

		// Downloads: the stored type, never sniffed, photos inline and the rest as attachments,
		// sandboxed; only for those who may read the record.
		downloads := []struct {
			user, path, ct, disposition string
			status                      int
		}{
			{"member", photo, "image/png", "inline; filename*=utf-8''%E5%90%88%E5%BD%B1.png", http.StatusOK},
			{"inspector", photo + "/thumb", "image/jpeg", "inline; filename*=utf-8''%E5%90%88%E5%BD%B1.png", http.StatusOK},
			{"secretary", pdf, "application/pdf", "attachment; filename*=utf-8''%E8%A1%8C%E7%A8%8B.pdf", http.StatusOK},
			{"firstsec", photo, "", "", http.StatusNotFound},
			{"firstsec", photo + "/thumb", "", "", http.StatusNotFound},
			{"secretary", pdf + "/thumb", "", "", http.StatusNotFound},
			{"secretary", page + "/files/999999", "", "", http.StatusNotFound},
			{"anonymous", photo, "", "", http.StatusSeeOther},
		}
		for _, dl := range downloads {
			resp, b := f.get(t, dl.user, dl.path)
			if resp.StatusCode != dl.status {
				t.Errorf("GET %s as %s: %d, want %d", dl.path, dl.user, resp.StatusCode, dl.status)
				continue
			}
			if dl.status != http.StatusOK {
				continue
			}
			h := resp.Header
			if h.Get("Content-Type") != dl.ct || h.Get("Content-Disposition") != dl.disposition || h.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
				t.Errorf("GET %s: headers %v", dl.path, h)
			}
			if dl.ct == "image/jpeg" {
				cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
				if err != nil || cfg.Width != activity.ThumbSize || cfg.Height != 320 {
					t.Errorf("thumbnail %dx%d, %v", cfg.Width, cfg.Height, err)
				}
			}
		}
		if _, params, err := mime.ParseMediaType("inline; filename*=utf-8''%E5%90%88%E5%BD%B1.png"); err != nil || params["filename"] != "合影.png" {
			t.Errorf("disposition parses to %v, %v", params, err)
		}

		// The upload route takes a whole file of MaxFileSize; other routes keep their 1 MB.
		full := append([]byte("%PDF-1.4\n"), make([]byte, activity.MaxFileSize-9)...)
		if resp, body := f.postMultipart(t, "member", page+"/files", nil, upload{"全文.pdf", full}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("upload of %d bytes: %d\n%s", len(full), resp.StatusCode, excerpt(body))
		}
		f.run(t, scenario{user: "member", path: rec, status: http.StatusOK, want: []string{"全文.pdf", "10.0 MB"}})
		f.run(t, scenario{user: "member", method: "POST", path: rec, form: url.Values{"minutes": {strings.Repeat("长", 1<<19)}, "version": {"1"}},
			status: http.StatusUnprocessableEntity, want: []string{"提交的内容太大"}})

		// Through approval.
		for _, sc := range []scenario{
			{user: "member", method: "POST", path: rec + "/submit", form: url.Values{"minutes": {minutes}, "summary": {"传播党的声音。"}, "version": {"1"}}, status: http.StatusSeeOther},
			{user: "member", path: page, status: http.StatusOK, want: []string{"活动记录</a>：待审批"}},
			{user: "member", method: "POST", path: rec + "/approve", form: url.Values{"version": {"3"}}, status: http.StatusForbidden},
			{user: "secretary", path: rec, status: http.StatusOK, want: []string{"待审批", "审批通过", "退回修改"}, notWant: []string{"保存草稿"}},
			{user: "secretary", method: "POST", path: rec + "/return", form: url.Values{"version": {"3"}}, status: http.StatusUnprocessableEntity, want: []string{"必填"}},
			{user: "secretary", method: "POST", path: rec + "/return", form: url.Values{"version": {"3"}, "reason": {"请补充决议事项"}}, status: http.StatusSeeOther},
			{user: "member", path: rec, status: http.StatusOK, want: []string{"已退回", "请补充决议事项", "保存草稿"}},
			{user: "member", method: "POST", path: rec + "/submit", form: url.Values{"minutes": {minutes}, "resolutions": {"1. 开展走访"}, "summary": {"传播党的声音。"}, "version": {"4"}}, status: http.StatusSeeOther},
			{user: "secretary", method: "POST", path: rec + "/approve", form: url.Values{"version": {"6"}}, status: http.StatusSeeOther},
			{user: "member", path: rec, status: http.StatusOK, want: []string{"已审批", "决议事项", "记录已锁定"}, notWant: []string{"保存草稿", "更正理由", "删除"}},
			{user: "member", method: "POST", path: rec, form: url.Values{"minutes": {"改"}, "version": {"7"}}, status: http.StatusConflict, want: []string{"记录已审批锁定"}},
			{user: "secretary", method: "POST", path: page + "/files/" + m[1] + "/delete", status: http.StatusConflict, want: []string{"记录已审批锁定"}},
			{user: "secretary", path: page, status: http.StatusOK, want: []string{"活动记录</a>：已审批"}},
			// Amendments: a reason, then kept with before and after.
			{user: "secretary", path: rec, status: http.StatusOK, want: []string{"更正记录", "更正理由"}},
			{user: "secretary", method: "POST", path: rec + "/amend", form: url.Values{"minutes": {minutes}, "resolutions": {"1. 开展走访"}, "summary": {"传播党的声音，密切党群关系。"}, "version": {"7"}},
				status: http.StatusUnprocessableEntity, want: []string{"必填"}},
			{user: "secretary", method: "POST", path: rec + "/amend", form: url.Values{"minutes": {minutes}, "resolutions": {"1. 开展走访"}, "summary": {"传播党的声音，密切党群关系。"}, "version": {"7"}, "reason": {"补全总结"}},
				status: http.StatusSeeOther},
			{user: "inspector", path: rec, status: http.StatusOK, want: []string{"更正记录", "补全总结", "活动总结", "密切党群关系"}},
		} {
			f.run(t, sc)
		}
		// A file added after approval is an amendment with its reason.
		if resp, body := f.postMultipart(t, "secretary", page+"/files", nil, upload{"补充.png", testPNG(t, 20, 20)}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "必填") {
			t.Errorf("addition without reason: %d", resp.StatusCode)
		}
		if resp, _ := f.postMultipart(t, "secretary", page+"/files", url.Values{"reason": {"补拍合影"}}, upload{"补充.png", testPNG(t, 20, 20)}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("addition with reason: %d", resp.StatusCode)
		}
		f.run(t, scenario{user: "member", path: rec, status: http.StatusOK, want: []string{"补充上传“补充.png”", "补拍合影"}})
	})
}

func TestActivitySettingsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		settings := "/orgs/" + id(f.demo.SecondBranch.ID) + "/activity-settings"
		for _, sc := range []scenario{
			{user: "secretary", path: settings, status: http.StatusOK, want: []string{"活动记录由谁审批", "本组织", "这些设置由上级组织确定"}, notWant: []string{"<form method=\"post\" action=\"" + settings}},
			{user: "secretary", method: "POST", path: settings, form: url.Values{"record_approver": {"self"}}, status: http.StatusForbidden},
			{user: "firstsec", path: settings, status: http.StatusNotFound},
			{user: "admin", path: settings, status: http.StatusOK, want: []string{`value="parent"`, "须附至少一张照片"}},
			{user: "admin", method: "POST", path: settings, form: url.Values{"record_approver": {"nobody"}}, status: http.StatusUnprocessableEntity, want: []string{"请从列表中选择"}},
			{user: "admin", method: "POST", path: settings, form: url.Values{"record_approver": {"parent"}, "require_photos": {"1"}}, status: http.StatusSeeOther},
			{user: "secretary", path: settings, status: http.StatusOK, want: []string{"上级组织", "提交记录时至少一张"}},
			{user: "admin", method: "POST", path: "/orgs/" + id(f.demo.Committee.ID) + "/activity-settings", form: url.Values{"record_approver": {"parent"}},
				status: http.StatusUnprocessableEntity, want: []string{"该组织没有上级组织"}},
		} {
			f.run(t, sc)
		}
	})
}

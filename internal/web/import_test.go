package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/roster"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

// upload posts a file to the import form as the user and returns the response.
func (f *fixture) upload(user, name string, data []byte, orgID string) *http.Response {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("org_id", orgID)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+"/people/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "zh-CN")
	resp, err := f.clients[user].Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp
}

func TestImportWizard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		if err := f.app.StartJobs(context.Background()); err != nil {
			t.Fatal(err)
		}
		branch := id(f.demo.SecondBranch.ID)
		f.run(t, scenario{user: "secretary", path: "/people/import", status: http.StatusOK, want: []string{"导入人员名册", "下载导入模板"}})
		f.run(t, scenario{user: "member", path: "/people/import", status: http.StatusForbidden})
		f.run(t, scenario{user: "inspector", path: "/people/import", status: http.StatusForbidden})

		// The template downloads as a workbook and imports back without errors.
		resp, err := f.clients["secretary"].Get(f.srv.URL + "/people/import/template.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		tmpl, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Disposition") == "" || !bytes.HasPrefix(tmpl, []byte("PK")) {
			t.Fatalf("template: %v %q", resp.Header, tmpl[:min(10, len(tmpl))])
		}

		// A workbook of two good rows.
		wb := excelize.NewFile()
		wb.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "身份证号", "手机号", "所在党组织", "政治面貌"})
		wb.SetSheetRow("Sheet1", "A2", &[]any{"孔令辉", "330681199203035675", "13905751111", "第二党小组（B区）", "中共党员"})
		wb.SetSheetRow("Sheet1", "A3", &[]any{"<b>吕</b>", "", "", "", "群众"})
		var buf bytes.Buffer
		wb.WriteTo(&buf)
		resp = f.upload("secretary", "名册.xlsx", buf.Bytes(), branch)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: status %d", resp.StatusCode)
		}
		preview := resp.Header.Get("Location")
		if !regexp.MustCompile(`^/imports/\d+$`).MatchString(preview) {
			t.Fatalf("upload went to %q", preview)
		}
		f.run(t, scenario{user: "secretary", path: preview + "?errors=0", status: http.StatusOK,
			want:    []string{"共 2 行，其中 0 行有问题", "孔令辉", "330681********5675", "&lt;b&gt;吕&lt;/b&gt;", "开始导入 2 行"},
			notWant: []string{"330681199203035675", "13905751111"}})
		// Another branch's administrator cannot see or start it.
		f.run(t, scenario{user: "firstsec", path: preview, status: http.StatusNotFound})
		f.run(t, scenario{user: "firstsec", method: "POST", path: preview + "/start", form: url.Values{}, status: http.StatusNotFound})
		f.run(t, scenario{user: "secretary", method: "POST", path: preview + "/start", form: url.Values{}, status: http.StatusSeeOther})
		deadline := time.Now().Add(30 * time.Second)
		for {
			body := f.run(t, scenario{user: "secretary", path: preview + "/progress", status: http.StatusOK})
			if strings.Contains(body, "导入完成") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("import not done: %s", body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		f.run(t, scenario{user: "secretary", path: "/people?q=klh", status: http.StatusOK, want: []string{"孔令辉", "第二党小组（B区）"}})
		f.run(t, scenario{user: "secretary", path: "/audit", status: http.StatusOK, want: []string{"导入人员"}})

		// Bad files get a clear message on the form, with the chosen organization kept.
		for name, tc := range map[string]struct {
			data string
			want string
		}{
			"old.xls":   {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1xx", "另存为 .xlsx"},
			"bomb.xlsx": {"PK\x03\x04broken", "无法读取这个文件"},
			"gbk.csv":   {"\xd0\xd5\xc3\xfb\n\xff\xff\xff\n", "文件编码无法识别"},
			"many.csv":  {"姓名\n" + strings.Repeat("某\n", roster.MaxRows+1), "一次最多导入 20000 行"},
		} {
			resp := f.upload("secretary", name, []byte(tc.data), branch)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), tc.want) ||
				!strings.Contains(string(b), `value="`+branch+`" selected`) {
				t.Errorf("%s: status %d, want the message %q\n%s", name, resp.StatusCode, tc.want, excerpt(string(b)))
			}
		}
		// Over the upload limit.
		resp = f.upload("secretary", "big.csv", bytes.Repeat([]byte("a"), roster.MaxFileSize+100<<10), branch)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "文件太大") {
			t.Errorf("oversized upload: status %d %s", resp.StatusCode, excerpt(string(b)))
		}

		// Export: masked for everyone, clear only on request by someone who may reveal.
		for _, tc := range []struct {
			user, query string
			status      int
			clear       bool
		}{
			{"secretary", "q=klh", http.StatusOK, false},
			{"secretary", "q=klh&reveal=1", http.StatusOK, true},
			{"inspector", "q=klh", http.StatusOK, false},
			{"inspector", "q=klh&reveal=1", http.StatusForbidden, false},
			{"member", "", http.StatusForbidden, false},
			{"firstsec", "q=klh", http.StatusOK, false},
		} {
			var resp *http.Response
			var err error
			if q, ok := strings.CutSuffix(tc.query, "&reveal=1"); ok {
				resp, err = f.clients[tc.user].PostForm(f.srv.URL+"/people/export.xlsx?"+q, url.Values{"reveal": {"1"}})
			} else {
				resp, err = f.clients[tc.user].Get(f.srv.URL + "/people/export.xlsx?" + tc.query)
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("export as %s (%s): status %d, want %d", tc.user, tc.query, resp.StatusCode, tc.status)
				continue
			}
			if tc.status != http.StatusOK {
				continue
			}
			sheet, err := roster.Parse(bytes.NewReader(data))
			if err != nil && tc.user != "firstsec" {
				t.Fatalf("export as %s: %v", tc.user, err)
			}
			if tc.user == "firstsec" {
				if err != roster.ErrEmpty {
					t.Errorf("first branch administrator exported the second branch: %v", err)
				}
				continue
			}
			got := sheet.Rows[0].Values["id_number"]
			if want := map[bool]string{true: "330681199203035675", false: "330681********5675"}[tc.clear]; got != want {
				t.Errorf("export as %s (%s): ID number %q, want %q", tc.user, tc.query, got, want)
			}
		}
		f.run(t, scenario{user: "admin", path: "/audit", status: http.StatusOK, want: []string{"导出名册", "&#34;revealed&#34;:true"}})
		// A link cannot ask for clear numbers: on GET, reveal=1 is ignored.
		resp, err = f.clients["secretary"].Get(f.srv.URL + "/people/export.xlsx?q=klh&reveal=1")
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if sheet, err := roster.Parse(bytes.NewReader(data)); err != nil || sheet.Rows[0].Values["id_number"] != "330681********5675" {
			t.Fatalf("GET with reveal=1 exported clear numbers or failed: %v", err)
		}
	})
}

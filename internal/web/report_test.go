package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// reportFixture is a running app whose public pages are reached from many client addresses:
// the test server's own address is a trusted proxy, so each request names its client in
// X-Forwarded-For and the per-address limits apply to that.
type reportFixture struct {
	*fixture
	parking, network *masswork.Category
	admin            *auth.Actor
	addr             atomic.Int64
}

func newReportFixture(t *testing.T, d store.Dialect) *reportFixture {
	t.Helper()
	// The clock stands still, so that the rate limits count without refilling.
	clk := &reportClock{}
	clk.ns.Store(time.Date(2025, 6, 10, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)).UnixNano())
	a := apptest.Open(t, d, apptest.Options{Now: clk.Now, Configure: func(c *config.Config) { c.TrustedProxies = "127.0.0.1,::1" }})
	data := apptest.Demo(t, a, password)
	f := &fixture{t: t, srv: newServer(t, a), app: a, demo: data, clients: map[string]*http.Client{}}
	for _, name := range []string{"admin", "firstsec"} {
		f.clients[name] = f.login(name)
	}
	f.clients["anonymous"] = newClient()
	ctx := context.Background()
	rf := &reportFixture{fixture: f}
	users, err := a.Auth.Users(ctx, sysActor())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == "admin" {
			if rf.admin, err = a.Auth.ActorFor(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	rf.parking = &masswork.Category{OrgID: data.SecondBranch.ID, Code: "parking_test", NameZh: "停车交通", NameEn: "Parking",
		ResponseDays: 1, ResolveDays: 10, Active: true, Fields: []masswork.Field{
			{Code: "gate", Datatype: masswork.DatatypeSingleValueList, Required: true, Description: "哪个门",
				Values: []masswork.FieldValue{{Key: "east", Name: "东门"}, {Key: "west", Name: "西门"}}},
			{Code: "plate", Datatype: masswork.DatatypeString, Description: "车牌号"},
		}}
	rf.network = &masswork.Category{OrgID: data.SecondBranch.ID, Code: "network_test", NameZh: "网络通信", NameEn: "Network",
		ResponseDays: 1, ResolveDays: 10, Active: true}
	for _, c := range []*masswork.Category{rf.parking, rf.network} {
		if err := a.Masswork.SaveCategory(ctx, rf.admin, c); err != nil {
			t.Fatalf("category %s: %v", c.Code, err)
		}
	}
	return rf
}

// reportClock is a clock that moves only when told.
type reportClock struct{ ns atomic.Int64 }

func (c *reportClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// client returns a new client address for a request.
func (rf *reportFixture) client() string {
	n := rf.addr.Add(1)
	return fmt.Sprintf("198.51.%d.%d", n/250, n%250+1)
}

// reportFile is one photo of a report post.
type reportFile struct {
	name string
	data []byte
}

// reportAnswer is a response read whole.
type reportAnswer struct {
	status int
	header http.Header
	body   string
	// receipt is where a filed report's post redirected to (the receipt page post
	// follows, as a browser does).
	receipt string
}

// do sends a request from the client address ip as user.
func (rf *reportFixture) do(t *testing.T, user, ip string, req *http.Request) reportAnswer {
	t.Helper()
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := rf.clients[user].Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reportAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// getAs fetches a path from ip as user.
func (rf *reportFixture) getAs(t *testing.T, user, ip, path string) reportAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rf.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rf.do(t, user, ip, req)
}

// post sends the report form of the Second Branch as a multipart post from ip.
func (rf *reportFixture) post(t *testing.T, ip string, fields url.Values, files ...reportFile) reportAnswer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("photo", f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, rf.srv.URL+"/report/"+id(rf.demo.SecondBranch.ID), &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	ans := rf.do(t, "anonymous", ip, req)
	if loc := ans.header.Get("Location"); ans.status == http.StatusSeeOther && strings.Contains(loc, "/receipt?") {
		next := rf.getAs(t, "anonymous", ip, loc)
		next.receipt = loc
		return next
	}
	return ans
}

// postForm sends an ordinary form from ip.
func (rf *reportFixture) postForm(t *testing.T, ip, path string, form url.Values) reportAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rf.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return rf.do(t, "anonymous", ip, req)
}

var (
	reportCodeRE = regexp.MustCompile(`id="report-code">(\d{4} \d{4} \d{4})<`)
	reportLinkRE = regexp.MustCompile(`href="(/t/\d{12}\?k=[A-Za-z0-9_-]+)"`)
)

// receipt files a report that must succeed and returns its code and private link.
func (rf *reportFixture) receipt(t *testing.T, fields url.Values, files ...reportFile) (code, link string, ans reportAnswer) {
	t.Helper()
	ans = rf.post(t, rf.client(), fields, files...)
	if ans.status != http.StatusOK {
		t.Fatalf("report: status %d\n%s", ans.status, excerpt(ans.body))
	}
	c, l := reportCodeRE.FindStringSubmatch(ans.body), reportLinkRE.FindStringSubmatch(ans.body)
	if c == nil || l == nil {
		t.Fatalf("no code or link in the receipt\n%s", excerpt(ans.body))
	}
	return strings.ReplaceAll(c[1], " ", ""), html.UnescapeString(l[1]), ans
}

// parkingReport is a complete report of the parking category.
func (rf *reportFixture) parkingReport(desc string) url.Values {
	return url.Values{"category": {id(rf.parking.ID)}, "description": {desc},
		fmt.Sprintf("attr_%d_gate", rf.parking.ID): {"east"}, "zone": {"A区"}, "booth": {"A-108"}, "confirm": {"1"}}
}

// track returns the tracking view of a receipt through the service.
func (rf *reportFixture) track(t *testing.T, code, link string) *masswork.Tracking {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := rf.app.Masswork.Track(context.Background(), code, u.Query().Get("k"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func reportWant(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q\n%s", what, w, excerpt(body))
		}
	}
}

func reportNotWant(t *testing.T, what, body string, notWant ...string) {
	t.Helper()
	for _, w := range notWant {
		if strings.Contains(body, w) {
			t.Errorf("%s: must not contain %q", what, w)
		}
	}
}

func TestReportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		rf := newReportFixture(t, d)
		form := "/report/" + id(rf.demo.SecondBranch.ID)

		t.Run("form", func(t *testing.T) {
			ans := rf.getAs(t, "anonymous", rf.client(), form)
			if ans.status != http.StatusOK {
				t.Fatalf("status %d", ans.status)
			}
			reportWant(t, "form", ans.body, "反映问题", rf.demo.SecondBranch.Name, "停车交通", "网络通信", "哪个门", "东门", "车牌号",
				`name="description"`, `type="file" name="photo"`, `name="anonymous"`, `name="phone"`, `enctype="multipart/form-data"`,
				"/report/"+id(rf.demo.SecondBranch.ID)+"/similar")
			if got := ans.header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy = %q", got)
			}
			if ans := rf.getAs(t, "anonymous", rf.client(), "/report/999999"); ans.status != http.StatusNotFound {
				t.Errorf("unknown organization: status %d", ans.status)
			}
			if ans := rf.getAs(t, "anonymous", rf.client(), "/report/abc"); ans.status != http.StatusNotFound {
				t.Errorf("bad organization: status %d", ans.status)
			}
		})

		t.Run("bad input per field keeps input", func(t *testing.T) {
			gate := fmt.Sprintf("attr_%d_gate", rf.parking.ID)
			plate := fmt.Sprintf("attr_%d_plate", rf.parking.ID)
			tests := []struct {
				name    string
				fields  url.Values
				files   []reportFile
				want    []string
				notWant []string
			}{
				{"nothing chosen", url.Values{"zone": {"B区"}, "booth": {"B-201"}, "name": {"李四"}},
					nil, []string{"请选择问题类别", `value="B区"`, `value="B-201"`, `value="李四"`}, nil},
				{"no description", url.Values{"category": {id(rf.network.ID)}, "address": {"珠宝城三楼"}},
					nil, []string{"必填", `value="珠宝城三楼"`}, nil},
				{"required field", url.Values{"category": {id(rf.parking.ID)}, "description": {"东门车位太少"}, plate: {"浙G12345"}},
					nil, []string{"请填写这一项", `value="浙G12345"`, "东门车位太少"}, nil},
				{"bad phone", url.Values{"category": {id(rf.network.ID)}, "description": {"B区断网"}, "phone": {"12345"}, "name": {"王五"}},
					nil, []string{"手机号格式不对", `value="12345"`, `value="王五"`}, nil},
				{"bad point", url.Values{"category": {id(rf.network.ID)}, "description": {"B区断网"}, "latitude": {"北纬"}, "longitude": {"120"}},
					nil, []string{"请填写数字", `value="北纬"`}, nil},
				{"photos chosen again", url.Values{"category": {id(rf.parking.ID)}, "description": {"东门车位太少"}},
					[]reportFile{{"a.png", testPNG(t, 20, 20)}}, []string{"请重新选择", "请填写这一项"}, nil},
				{"me too on nothing", url.Values{"category": {id(rf.network.ID)}, "me_too": {"999999"}, gate: {"east"}},
					nil, []string{"请从列表中选择"}, nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					ans := rf.post(t, rf.client(), tt.fields, tt.files...)
					if ans.status != http.StatusUnprocessableEntity {
						t.Fatalf("status %d, want 422\n%s", ans.status, excerpt(ans.body))
					}
					reportWant(t, tt.name, ans.body, tt.want...)
					reportNotWant(t, tt.name, ans.body, tt.notWant...)
				})
			}
		})

		t.Run("photos refused", func(t *testing.T) {
			big := append(testPNG(t, 10, 10), make([]byte, masswork.MaxPhotoSize)...)
			base := rf.parkingReport("东门停车场车位不够")
			noGate := rf.parkingReport("东门停车场车位不够")
			noGate.Del(fmt.Sprintf("attr_%d_gate", rf.parking.ID))
			tests := []struct {
				name   string
				files  []reportFile
				status int
				want   string
			}{
				{"html named jpg", []reportFile{{"evil.jpg", []byte("<!doctype html><script>alert(1)</script>")}}, 422, "“evil.jpg”不是照片"},
				{"with another error", []reportFile{{"x.html", []byte("<html></html>")}}, 422, "请填写这一项"},
				{"too large", []reportFile{{"big.png", big}}, 422, "照片“big.png”超过 5 MB"},
				{"four", []reportFile{{"1.png", testPNG(t, 5, 5)}, {"2.png", testPNG(t, 6, 6)}, {"3.png", testPNG(t, 7, 7)},
					{"4.png", testPNG(t, 8, 8)}}, 422, "最多只能附 3 张照片"},
				{"body too large", []reportFile{{"1.png", big}, {"2.png", big}, {"3.png", big}, {"4.png", big}}, 422, "照片合计超过"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					fields := base
					if tt.name == "with another error" {
						fields = noGate
					}
					ans := rf.post(t, rf.client(), fields, tt.files...)
					if ans.status != tt.status {
						t.Fatalf("status %d, want %d\n%s", ans.status, tt.status, excerpt(ans.body))
					}
					reportWant(t, tt.name, ans.body, tt.want, "请重新选择")
					reportWant(t, tt.name, ans.body, "东门停车场车位不够")
				})
			}
		})

		// A named reporter with a phone, and an anonymous one who typed both anyway.
		desc := "东门停车场车位太少，每天早上八点以后就停不下车，客户只能停到很远的地方再走过来，尾巴标记ZX9"
		named := rf.parkingReport(desc)
		named.Set("name", "王秀英")
		named.Set("phone", "13912345678")
		photo := testPNG(t, 64, 48)
		code, link, ans := rf.receipt(t, named, reportFile{"东门.png", photo})
		if !strings.Contains(ans.body, masswork.FormatCode(code)) || ans.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("receipt: code not grouped or referrer policy %q", ans.header.Get("Referrer-Policy"))
		}
		reportWant(t, "receipt", ans.body, "您的专属链接", "已附 1 张照片", "只能看到公开的办理进度")
		// The form redirected to the receipt: reloading it files nothing again, and without
		// the key it is the code's public page.
		before := rf.count(t)
		if again := rf.getAs(t, "anonymous", rf.client(), ans.receipt); again.status != http.StatusOK || !strings.Contains(again.body, masswork.FormatCode(code)) {
			t.Errorf("receipt reloaded: status %d", again.status)
		}
		if after := rf.count(t); after != before {
			t.Errorf("reloading the receipt filed %d reports", after-before)
		}
		if pub := rf.getAs(t, "anonymous", rf.client(), "/t/"+code+"/receipt"); pub.status != http.StatusSeeOther || pub.header.Get("Location") != "/t/"+code {
			t.Errorf("receipt without the key: status %d, location %q", pub.status, pub.header.Get("Location"))
		}
		anon := rf.parkingReport("西门的停车收费太贵了，一小时二十元，商户负担很重，来进货的客户也都嫌贵不愿意来了，尾巴标记QK7")
		anon.Set(fmt.Sprintf("attr_%d_gate", rf.parking.ID), "west")
		anon.Set("anonymous", "1")
		anon.Set("name", "赵匿名")
		anon.Set("phone", "13787654321")
		anonCode, anonLink, _ := rf.receipt(t, anon, reportFile{"西门.png", testPNG(t, 30, 30)})

		t.Run("code page shows no personal data", func(t *testing.T) {
			for _, c := range []struct{ code, name, phone string }{{code, "王秀英", "13912345678"}, {anonCode, "赵匿名", "13787654321"}} {
				ans := rf.getAs(t, "anonymous", rf.client(), "/t/"+c.code)
				if ans.status != http.StatusOK {
					t.Fatalf("status %d\n%s", ans.status, excerpt(ans.body))
				}
				reportWant(t, "public", ans.body, "已提交", "停车交通", "反映人数", masswork.FormatCode(c.code), "提交诉求")
				reportNotWant(t, "public", ans.body, c.name, c.phone, c.phone[:3]+"****"+c.phone[7:], "尾巴标记",
					"问题解决了吗", "/photos/")
				if got := ans.header.Get("Referrer-Policy"); got != "no-referrer" {
					t.Errorf("Referrer-Policy = %q", got)
				}
			}
			// Spaces and dashes as people type them, and the matter's own code.
			tr := rf.track(t, code, link)
			for _, path := range []string{"/t/" + url.PathEscape(masswork.FormatCode(code)), "/t/" + tr.Matter.Code} {
				if ans := rf.getAs(t, "anonymous", rf.client(), path); ans.status != http.StatusOK {
					t.Errorf("%s: status %d", path, ans.status)
				}
			}
			// The anonymous reporter's name and phone were never kept.
			atr := rf.track(t, anonCode, anonLink)
			v, err := rf.app.Masswork.Matter(context.Background(), rf.admin, atr.Matter.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range v.Problems {
				if p.ReporterName != "" || p.HasPhone || p.PhoneMask != "" {
					t.Errorf("anonymous report kept name %q, phone %v %q", p.ReporterName, p.HasPhone, p.PhoneMask)
				}
			}
		})

		t.Run("lookup", func(t *testing.T) {
			ip := rf.client()
			tests := []struct {
				path   string
				status int
				want   string
			}{
				{"/t", 200, "查询码"},
				{"/t?code=" + url.QueryEscape(masswork.FormatCode(code)), 303, ""},
				{"/t?code=12345", 422, "查询码是 12 位数字"},
				{"/t/000000000000", 404, "没有找到这个查询码"},
				{"/t/abc", 404, "没有找到这个查询码"},
			}
			for _, tt := range tests {
				ans := rf.getAs(t, "anonymous", ip, tt.path)
				if ans.status != tt.status {
					t.Errorf("%s: status %d, want %d", tt.path, ans.status, tt.status)
				}
				reportWant(t, tt.path, ans.body, tt.want)
			}
		})

		t.Run("private link shows own report", func(t *testing.T) {
			ans := rf.getAs(t, "anonymous", rf.client(), link)
			if ans.status != http.StatusOK {
				t.Fatalf("status %d", ans.status)
			}
			reportWant(t, "private", ans.body, "您反映的内容", "尾巴标记ZX9", "哪个门", "东门", "/thumb?k=")
			reportNotWant(t, "private", ans.body, "王秀英", "13912345678", "尾巴标记QK7")
			if got := ans.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			// A wrong key shows the public page only.
			bad := rf.getAs(t, "anonymous", rf.client(), "/t/"+code+"?k=wrong")
			reportWant(t, "bad key", bad.body, "链接不完整或已失效")
			reportNotWant(t, "bad key", bad.body, "尾巴标记ZX9", "您反映的内容")
		})

		t.Run("photos", func(t *testing.T) {
			tr := rf.track(t, code, link)
			photos, err := rf.app.Masswork.MatterPhotos(context.Background(), rf.admin, tr.Matter.ID)
			if err != nil || len(photos) != 1 {
				t.Fatalf("photos %v %v", photos, err)
			}
			ph := photos[0]
			key := strings.SplitN(link, "?k=", 2)[1]
			anonKey := strings.SplitN(anonLink, "?k=", 2)[1]
			own := fmt.Sprintf("/t/%s/photos/%d", code, ph.ID)
			tests := []struct {
				name, user, path string
				status           int
				ct               string
			}{
				{"owner", "anonymous", own + "?k=" + key, 200, "image/png"},
				{"owner thumbnail", "anonymous", own + "/thumb?k=" + key, 200, "image/jpeg"},
				{"no key", "anonymous", own, 404, ""},
				{"wrong key", "anonymous", own + "?k=" + anonKey, 404, ""},
				{"another report's code and key", "anonymous", fmt.Sprintf("/t/%s/photos/%d?k=%s", anonCode, ph.ID, anonKey), 404, ""},
				{"staff", "admin", fmt.Sprintf("/matters/%d/photos/%d", tr.Matter.ID, ph.ID), 200, "image/png"},
				{"staff thumbnail", "admin", fmt.Sprintf("/matters/%d/photos/%d/thumb", tr.Matter.ID, ph.ID), 200, "image/jpeg"},
				{"staff, wrong matter", "admin", fmt.Sprintf("/matters/%d/photos/%d", tr.Matter.ID+1, ph.ID), 404, ""},
				{"another organization's staff", "firstsec", fmt.Sprintf("/matters/%d/photos/%d", tr.Matter.ID, ph.ID), 404, ""},
				{"not logged in", "anonymous", fmt.Sprintf("/matters/%d/photos/%d", tr.Matter.ID, ph.ID), 303, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					ans := rf.getAs(t, tt.user, rf.client(), tt.path)
					if ans.status != tt.status {
						t.Fatalf("status %d, want %d", ans.status, tt.status)
					}
					if tt.ct == "" {
						return
					}
					if got := ans.header.Get("Content-Type"); got != tt.ct {
						t.Errorf("Content-Type = %q, want %q", got, tt.ct)
					}
					if got := ans.header.Get("Content-Security-Policy"); !strings.Contains(got, "sandbox") {
						t.Errorf("Content-Security-Policy = %q", got)
					}
					if tt.ct == "image/png" && ans.body != string(photo) {
						t.Errorf("photo bytes differ")
					}
				})
			}
		})

		t.Run("suggestions and me too", func(t *testing.T) {
			tr := rf.track(t, code, link)
			q := url.Values{"category": {id(rf.parking.ID)}, "description": {"东门停车场车位太少，停不下车"}, "zone": {"A区"}}
			ans := rf.getAs(t, "anonymous", rf.client(), form+"/similar?"+q.Encode())
			if ans.status != http.StatusOK {
				t.Fatalf("similar: status %d", ans.status)
			}
			reportWant(t, "similar", ans.body, html.EscapeString(tr.Matter.Title), "我也遇到了", fmt.Sprintf(`name="me_too" value="%d"`, tr.Matter.ID),
				"1 人反映", `name="compared"`)
			reportNotWant(t, "similar", ans.body, "<html", "王秀英")
			// Nothing typed yet: nothing suggested.
			empty := rf.getAs(t, "anonymous", rf.client(), form+"/similar?category="+id(rf.parking.ID))
			reportNotWant(t, "similar, nothing typed", empty.body, "我也遇到了")

			// Without JavaScript, a new report first shows the compare step.
			second := rf.parkingReport("东门停车场车位太少，早上停不下车")
			second.Del("confirm")
			second.Set("name", "钱二")
			cmp := rf.post(t, rf.client(), second, reportFile{"x.png", testPNG(t, 9, 9)})
			if cmp.status != http.StatusOK {
				t.Fatalf("compare: status %d\n%s", cmp.status, excerpt(cmp.body))
			}
			reportWant(t, "compare", cmp.body, "是否是下面这些问题之一", "不是，继续提交", "我也遇到了", "请重新选择",
				`type="hidden" name="name" value="钱二"`)
			// Me too: the receipt names the matter with two people.
			second.Set("me_too", id(tr.Matter.ID))
			mcode, mlink, mans := rf.receipt(t, second)
			reportWant(t, "me too receipt", mans.body, "已记下", "2 人反映")
			mt := rf.track(t, mcode, mlink)
			if mt.Matter.ID != tr.Matter.ID || mt.Matter.People != 2 {
				t.Errorf("me too: matter %d people %d, want %d and 2", mt.Matter.ID, mt.Matter.People, tr.Matter.ID)
			}
			pub := rf.getAs(t, "anonymous", rf.client(), "/t/"+code)
			reportWant(t, "after me too", pub.body, "<dd>2</dd>")
			reportNotWant(t, "after me too", pub.body, "钱二")
		})

		t.Run("answer", func(t *testing.T) {
			ctx := context.Background()
			c, l, _ := rf.receipt(t, url.Values{"category": {id(rf.network.ID)}, "description": {"B区宽带每天下午断网两小时"},
				"phone": {"13811112222"}, "confirm": {"1"}})
			tr := rf.track(t, c, l)
			mid := tr.Matter.ID
			version := func() int {
				v, err := rf.app.Masswork.Matter(ctx, rf.admin, mid)
				if err != nil {
					t.Fatal(err)
				}
				return v.Matter.Version
			}
			// Before resolution nothing is asked.
			before := rf.getAs(t, "anonymous", rf.client(), l)
			reportNotWant(t, "before resolution", before.body, "问题解决了吗")
			if err := rf.app.Masswork.Accept(ctx, rf.admin, mid, version(), "已受理，正在联系运营商"); err != nil {
				t.Fatal(err)
			}
			if err := rf.app.Masswork.Resolve(ctx, rf.admin, mid, version(), "运营商已更换B区交换机"); err != nil {
				t.Fatal(err)
			}
			ans := rf.getAs(t, "anonymous", rf.client(), l)
			reportWant(t, "resolved, private", ans.body, "问题解决了吗？满意吗？", "运营商已更换B区交换机", "已受理，正在联系运营商", "不满意")
			pub := rf.getAs(t, "anonymous", rf.client(), "/t/"+c)
			reportNotWant(t, "resolved, public", pub.body, "问题解决了吗", `name="k"`)

			key := strings.SplitN(l, "?k=", 2)[1]
			answer := "/t/" + c + "/answer"
			// Invalid: no rating.
			bad := rf.postForm(t, rf.client(), answer, url.Values{"k": {key}, "solved": {"no"}, "comment": {"还是断网"}})
			if bad.status != http.StatusUnprocessableEntity {
				t.Fatalf("no rating: status %d\n%s", bad.status, excerpt(bad.body))
			}
			reportWant(t, "no rating", bad.body, "请选择满意程度", "还是断网")
			// A wrong key answers nothing.
			if wrong := rf.postForm(t, rf.client(), answer, url.Values{"k": {"nope"}, "solved": {"no"}, "rating": {"dissatisfied"}}); wrong.status != http.StatusNotFound {
				t.Errorf("wrong key: status %d", wrong.status)
			}
			// Dissatisfied: the matter is handled again, and the page says so.
			ok := rf.postForm(t, rf.client(), answer, url.Values{"k": {key}, "solved": {"no"}, "rating": {"dissatisfied"}, "comment": {"下午还是断网"}})
			if ok.status != http.StatusSeeOther {
				t.Fatalf("answer: status %d\n%s", ok.status, excerpt(ok.body))
			}
			loc := ok.header.Get("Location")
			if !strings.HasPrefix(loc, "/t/"+c+"?k=") || !strings.Contains(loc, "flash.track_reopened") {
				t.Errorf("answer: Location %q", loc)
			}
			after := rf.getAs(t, "anonymous", rf.client(), loc)
			reportWant(t, "reopened", after.body, "已重新交回办理", "办理中", "重新办理")
			reportNotWant(t, "reopened", after.body, "问题解决了吗？满意吗？")
			if m := rf.track(t, c, l).Matter; m.Status != masswork.StatusInProgress {
				t.Errorf("status after dissatisfied = %s", m.Status)
			}
			// Answering again is refused.
			again := rf.postForm(t, rf.client(), answer, url.Values{"k": {key}, "solved": {"yes"}, "rating": {"satisfied"}})
			if again.status == http.StatusSeeOther {
				t.Errorf("a second answer was taken")
			}
		})

		t.Run("rate limits", func(t *testing.T) {
			ip := rf.client()
			for i := 0; i < 5; i++ {
				rf.receiptFrom(t, ip, rf.parkingReport(fmt.Sprintf("第%d次反映：东门停车难", i+1)))
			}
			ans := rf.post(t, ip, rf.parkingReport("第六次反映：东门停车难"))
			if ans.status != http.StatusTooManyRequests {
				t.Fatalf("sixth report: status %d", ans.status)
			}
			reportWant(t, "sixth report", ans.body, "提交太频繁", "第六次反映：东门停车难")
			// Another address is not held up.
			rf.receiptFrom(t, rf.client(), rf.parkingReport("另一个地址：东门停车难"))

			look := rf.client()
			for i := 0; i < 30; i++ {
				if a := rf.getAs(t, "anonymous", look, fmt.Sprintf("/t/%012d", i)); a.status != http.StatusNotFound {
					t.Fatalf("lookup %d: status %d", i, a.status)
				}
			}
			ans = rf.getAs(t, "anonymous", look, "/t/"+code)
			if ans.status != http.StatusTooManyRequests {
				t.Fatalf("31st lookup: status %d", ans.status)
			}
			reportWant(t, "31st lookup", ans.body, "查询太频繁")
		})
	})
}

// receiptFrom files a report from ip that must succeed.
func (rf *reportFixture) receiptFrom(t *testing.T, ip string, fields url.Values) {
	t.Helper()
	if ans := rf.post(t, ip, fields); ans.status != http.StatusOK || !reportCodeRE.MatchString(ans.body) {
		t.Fatalf("report from %s: status %d\n%s", ip, ans.status, excerpt(ans.body))
	}
}

// count returns the number of reports filed.
func (rf *reportFixture) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := rf.app.DB.SQL().QueryRow("SELECT COUNT(*) FROM problems").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
	"github.com/dangjian/dangjian/internal/web/open311"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The documents of GeoReport v2 (section 3 of the civic systems study), by JSON Schema in
// testdata and XML root.
const (
	docDiscovery  = "discovery"
	docServices   = "services"
	docDefinition = "service-definition"
	docRequests   = "requests"
	docPosted     = "post-response"
	docErrors     = "errors"
)

var roots = map[string]string{docDiscovery: "discovery", docServices: "services", docDefinition: "service_definition",
	docRequests: "service_requests", docPosted: "service_requests", docErrors: "errors"}

// env is a running app with the demo data, categories of our own and API keys.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	app    *app.App
	demo   *demo.Data
	key    string // the Second Branch's
	first  string // the First Branch's
	old    string // the Second Branch's, revoked
	schema map[string]*jsonschema.Schema
	addr   atomic.Int32 // the last client address handed out
}

func newEnv(t *testing.T, d store.Dialect) *env {
	t.Helper()
	// Requests come through a "proxy" naming a new client address each time, so that the
	// POST rate limit (tested on its own) does not stop the walk.
	a := apptest.Open(t, d, apptest.Options{Configure: func(c *config.Config) { c.TrustedProxies = "127.0.0.1,::1" }})
	data := apptest.Demo(t, a, "open311-test-password")
	e := &env{t: t, app: a, demo: data, schema: loadSchemas(t)}
	e.srv = httptest.NewServer(a.Web)
	t.Cleanup(e.srv.Close)
	ctx := context.Background()
	sys := auth.System("test")
	for _, c := range []*masswork.Category{
		{OrgID: data.SecondBranch.ID, Code: "o311_stall", NameZh: "摊位设施", NameEn: "Stall facilities", Group: "设施",
			Keywords: "摊位,设施", Description: "摊位的水电、照明、遮阳", ResponseDays: 1, ResolveDays: 10, Active: true,
			Fields: []masswork.Field{
				{Code: "zone", Datatype: masswork.DatatypeSingleValueList, Required: true, Description: "在哪个区",
					Values: []masswork.FieldValue{{Key: "a", Name: "A 区"}, {Key: "b", Name: "B 区"}}},
				{Code: "kinds", Datatype: masswork.DatatypeMultiValueList, Description: "哪些设施",
					Values: []masswork.FieldValue{{Key: "water", Name: "水"}, {Key: "power", Name: "电"}, {Key: "shade", Name: "遮阳"}}},
				{Code: "stalls", Datatype: masswork.DatatypeNumber, Description: "涉及几个摊位"},
				{Code: "since", Datatype: masswork.DatatypeDatetime, Description: "从什么时候开始"},
				{Code: "note", Datatype: masswork.DatatypeText, Description: "补充说明"},
			}},
		{OrgID: data.Committee.ID, Code: "o311_other", NameZh: "其他问题", NameEn: "Other problems", ResponseDays: 2, ResolveDays: 15, Active: true},
		{OrgID: data.FirstBranch.ID, Code: "o311_first", NameZh: "一支部的类别", Active: true},
		{OrgID: data.SecondBranch.ID, Code: "o311_retired", NameZh: "停用的类别", Active: false},
	} {
		if err := a.Masswork.SaveCategory(ctx, sys, c); err != nil {
			t.Fatalf("category %s: %v", c.Code, err)
		}
	}
	var err error
	if e.key, err = a.Masswork.CreateAPIKey(ctx, sys, data.SecondBranch.ID, "城市平台"); err != nil {
		t.Fatal(err)
	}
	if e.first, err = a.Masswork.CreateAPIKey(ctx, sys, data.FirstBranch.ID, "网格系统"); err != nil {
		t.Fatal(err)
	}
	if e.old, err = a.Masswork.CreateAPIKey(ctx, sys, data.SecondBranch.ID, "旧系统"); err != nil {
		t.Fatal(err)
	}
	keys, err := a.Masswork.APIKeys(ctx, sys, data.SecondBranch.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Name == "旧系统" {
			if err := a.Masswork.RevokeAPIKey(ctx, sys, data.SecondBranch.ID, k.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e
}

func loadSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	out := map[string]*jsonschema.Schema{}
	for doc := range roots {
		path := filepath.Join("testdata", doc+".schema.json")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if err := c.AddResource(doc+".schema.json", v); err != nil {
			t.Fatal(err)
		}
		if out[doc], err = c.Compile(doc + ".schema.json"); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return out
}

// call is one request to the API.
type call struct {
	method string // GET when empty
	path   string // below /open311/v2/, with the format suffix
	form   url.Values
	header map[string]string
}

// reply is an answer: its status, headers and body.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(c call) reply {
	e.t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if c.form != nil {
		body = strings.NewReader(c.form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+"/open311/v2/"+c.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if c.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	n := e.addr.Add(1)
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", n/250, n%250+1))
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// both makes a call in XML and in JSON (the path's suffix is added), checks that each answer
// has the status, the content type, the shape of the document (the JSON by its schema; the
// XML by its declaration, its root, and by its conversion to JSON, which must be the JSON
// answer and so pass the same schema), and returns the JSON document.
func (e *env) both(c call, status int, doc string) any {
	e.t.Helper()
	var docs [2]any
	for i, f := range []string{"xml", "json"} {
		fc := c
		fc.path = withFormat(c.path, f)
		if c.form != nil {
			fc.form = url.Values{}
			for k, v := range c.form {
				fc.form[k] = v
			}
		}
		r := e.do(fc)
		if r.status != status {
			e.t.Fatalf("%s %s: status %d, want %d\n%s", c.method, fc.path, r.status, status, r.body)
		}
		docs[i] = e.check(fc.path, r, doc)
	}
	if doc == docPosted {
		// Two POSTs file two requests: compare the shapes, not the IDs.
		for i := range docs {
			for _, item := range docs[i].([]any) {
				item.(map[string]any)["service_request_id"] = "*"
				item.(map[string]any)["service_notice"] = "*"
			}
		}
	}
	if !reflect.DeepEqual(docs[0], docs[1]) {
		e.t.Errorf("%s: XML and JSON differ:\nxml  %v\njson %v", c.path, docs[0], docs[1])
	}
	return docs[1]
}

// withFormat adds the format suffix to the path of a call, before its query.
func withFormat(path, f string) string {
	p, q, ok := strings.Cut(path, "?")
	if ok {
		return p + "." + f + "?" + q
	}
	return p + "." + f
}

// check checks one answer as both does, and returns its document as JSON values.
func (e *env) check(path string, r reply, doc string) any {
	e.t.Helper()
	ct := r.header.Get("Content-Type")
	var v any
	if p, _, _ := strings.Cut(path, "?"); strings.HasSuffix(p, ".json") {
		if ct != "application/json; charset=utf-8" {
			e.t.Errorf("%s: Content-Type %q", path, ct)
		}
		if err := json.Unmarshal(r.body, &v); err != nil {
			e.t.Fatalf("%s: %v\n%s", path, err, r.body)
		}
	} else {
		if ct != "text/xml; charset=utf-8" {
			e.t.Errorf("%s: Content-Type %q", path, ct)
		}
		if !bytes.HasPrefix(r.body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
			e.t.Errorf("%s: no XML declaration with encoding UTF-8:\n%s", path, r.body)
		}
		var root xnode
		d := xml.NewDecoder(bytes.NewReader(r.body))
		d.Strict = true
		if err := d.Decode(&root); err != nil {
			e.t.Fatalf("%s: %v\n%s", path, err, r.body)
		}
		if root.XMLName.Local != roots[doc] {
			e.t.Fatalf("%s: root <%s>, want <%s>", path, root.XMLName.Local, roots[doc])
		}
		v = e.xmlValue(path, "", root)
	}
	if err := e.schema[doc].Validate(v); err != nil {
		e.t.Errorf("%s: not a valid %s document: %v\n%s", path, doc, err, r.body)
	}
	checkDates(e.t, path, v)
	return v
}

// xnode is any XML element.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Kids    []xnode    `xml:",any"`
}

// xmlLists are the XML elements that are lists, with the name of their items; the JSON
// mapping makes them arrays.
var xmlLists = map[string]string{"services": "service", "endpoints": "endpoint", "formats": "format",
	"attributes": "attribute", "values": "value", "service_requests": "request", "errors": "error"}

// xmlBools and xmlNumbers are the leaves that are booleans and numbers in JSON (code only
// in an error).
var (
	xmlBools   = map[string]bool{"metadata": true, "variable": true, "required": true}
	xmlNumbers = map[string]bool{"order": true, "lat": true, "long": true, "code": true}
)

// xmlValue maps an XML element to the JSON value GeoReport's mapping makes of it, refusing
// namespaces, attributes, repeated fields and items of the wrong name.
func (e *env) xmlValue(path, parent string, n xnode) any {
	e.t.Helper()
	name := n.XMLName.Local
	if n.XMLName.Space != "" || len(n.Attrs) > 0 {
		e.t.Errorf("%s: <%s> has a namespace or attributes", path, name)
	}
	if item, ok := xmlLists[name]; ok && (len(n.Kids) > 0 || strings.TrimSpace(n.Text) == "") {
		out := []any{}
		for _, k := range n.Kids {
			if k.XMLName.Local != item {
				e.t.Errorf("%s: <%s> in <%s>, want <%s>", path, k.XMLName.Local, name, item)
			}
			out = append(out, e.xmlValue(path, name, k))
		}
		return out
	}
	if len(n.Kids) == 0 && !isObject(name) {
		switch {
		case xmlBools[name]:
			b, err := strconv.ParseBool(n.Text)
			if err != nil || (n.Text != "true" && n.Text != "false") {
				e.t.Errorf("%s: <%s>%s</%s> is not a boolean", path, name, n.Text, name)
			}
			return b
		case xmlNumbers[name] && (name != "code" || parent == "error"):
			f, err := strconv.ParseFloat(n.Text, 64)
			if err != nil {
				e.t.Errorf("%s: <%s>%s</%s> is not a number", path, name, n.Text, name)
			}
			return f
		}
		return n.Text
	}
	obj := map[string]any{}
	for _, k := range n.Kids {
		if _, dup := obj[k.XMLName.Local]; dup {
			e.t.Errorf("%s: <%s> twice in <%s>", path, k.XMLName.Local, name)
		}
		obj[k.XMLName.Local] = e.xmlValue(path, name, k)
	}
	return obj
}

func isObject(name string) bool {
	switch name {
	case "discovery", "endpoint", "service", "service_definition", "attribute", "value", "request", "error":
		return true
	}
	return false
}

// checkDates checks that every date of a document is a W3C date and time with a zone
// (RFC 3339).
func checkDates(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			checkDates(t, path, x)
		}
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && (strings.HasSuffix(k, "_datetime") || k == "changeset") {
				if _, err := time.Parse(time.RFC3339, s); err != nil {
					t.Errorf("%s: %s = %q is not RFC 3339: %v", path, k, s, err)
				}
			}
			checkDates(t, path, x)
		}
	}
}

// fail makes a call in both formats and checks it fails with the status and, in the body,
// errors whose codes include code.
func (e *env) fail(name string, c call, status, code int) {
	e.t.Helper()
	for _, f := range []string{"xml", "json"} {
		fc := c
		fc.path = withFormat(c.path, f)
		r := e.do(fc)
		if r.status != status {
			e.t.Errorf("%s (%s): status %d, want %d\n%s", name, f, r.status, status, r.body)
			continue
		}
		v := e.check(fc.path, r, docErrors)
		found := false
		for _, item := range v.([]any) {
			if item.(map[string]any)["code"] == float64(code) {
				found = true
			}
		}
		if !found {
			e.t.Errorf("%s (%s): no error with code %d in %s", name, f, code, r.body)
		}
	}
}

func items(v any) []map[string]any {
	var out []map[string]any
	for _, x := range v.([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// post files a request in JSON and returns its ID.
func (e *env) post(form url.Values) string {
	e.t.Helper()
	r := e.do(call{method: http.MethodPost, path: "requests.json", form: form})
	if r.status != http.StatusOK {
		e.t.Fatalf("POST %v: status %d\n%s", form, r.status, r.body)
	}
	list := items(e.check("requests.json", r, docPosted))
	return list[0]["service_request_id"].(string)
}

// one reads one request in both formats.
func (e *env) one(id string) map[string]any {
	e.t.Helper()
	list := items(e.both(call{path: "requests/" + id}, http.StatusOK, docRequests))
	if len(list) != 1 || list[0]["service_request_id"] != id {
		e.t.Fatalf("requests/%s: %v", id, list)
	}
	return list[0]
}

// ids lists the request IDs of a GET requests answer, in order.
func ids(v any) []string {
	var out []string
	for _, m := range items(v) {
		out = append(out, m["service_request_id"].(string))
	}
	return out
}

// stallForm is a valid POST of the stall category with a point and every field.
func (e *env) stallForm() url.Values {
	return url.Values{"api_key": {e.key}, "service_code": {"o311_stall"}, "lat": {"29.708"}, "long": {"120.236"},
		"description": {"B 区 12 号摊位停水三天，冷柜没法用"}, "attribute[zone]": {"b"}, "attribute[kinds][]": {"water", "power"},
		"attribute[stalls]": {"3"}, "attribute[since]": {"2026-07-12T08:00:00+08:00"}, "attribute[note]": {"多行\n说明"},
		"first_name": {"小明"}, "last_name": {"王"}, "phone": {"13800138000"}, "email": {"wang@example.cn"},
		"device_id": {"device-1"}, "account_id": {"acct-1"}, "media_url": {"https://example.cn/1.jpg"}}
}

// TestOpen311Conformance walks every endpoint of GeoReport v2 in XML and JSON on both
// databases: discovery, services, service definitions, POST requests, tokens, GET requests
// with each filter and GET request, then the errors the spec fixes.
func TestOpen311Conformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		second, first, committee := e.demo.SecondBranch, e.demo.FirstBranch, e.demo.Committee
		sid := func(id int64) string { return strconv.FormatInt(id, 10) }

		t.Run("discovery", func(t *testing.T) {
			e.t = t
			v := e.both(call{path: "discovery"}, http.StatusOK, docDiscovery).(map[string]any)
			ep := v["endpoints"].([]any)[0].(map[string]any)
			if got, want := ep["url"], e.srv.URL+"/open311/v2"; got != want {
				t.Errorf("endpoint url = %v, want %v", got, want)
			}
			if ep["type"] != "production" {
				t.Errorf("endpoint type = %v", ep["type"])
			}
		})

		t.Run("services", func(t *testing.T) {
			e.t = t
			byCode := map[string]map[string]any{}
			for _, s := range items(e.both(call{path: "services"}, http.StatusOK, docServices)) {
				byCode[s["service_code"].(string)] = s
			}
			for code, metadata := range map[string]bool{"o311_stall": true, "o311_other": false, "o311_first": false} {
				s := byCode[code]
				if s == nil {
					t.Errorf("service %s missing", code)
					continue
				}
				if s["metadata"] != metadata || s["type"] != "realtime" {
					t.Errorf("service %s = %v", code, s)
				}
			}
			if byCode["o311_stall"]["service_name"] != "摊位设施" || byCode["o311_stall"]["group"] != "设施" {
				t.Errorf("stall = %v", byCode["o311_stall"])
			}
			if byCode["o311_retired"] != nil {
				t.Error("an inactive category is listed")
			}
			// A jurisdiction lists what concerns its subtree: its own and its ancestors'.
			in := map[string]bool{}
			for _, s := range items(e.both(call{path: "services?jurisdiction_id=" + sid(second.ID)}, http.StatusOK, docServices)) {
				in[s["service_code"].(string)] = true
			}
			if !in["o311_stall"] || !in["o311_other"] || in["o311_first"] {
				t.Errorf("services of the Second Branch: %v", in)
			}
			// An empty jurisdiction_id is absent.
			if got := items(e.both(call{path: "services?jurisdiction_id="}, http.StatusOK, docServices)); len(got) != len(byCode) {
				t.Errorf("with an empty jurisdiction_id: %d services, want %d", len(got), len(byCode))
			}
			en := e.do(call{path: "services.json", header: map[string]string{"Accept-Language": "en"}})
			if !bytes.Contains(en.body, []byte(`"service_name":"Stall facilities"`)) {
				t.Errorf("English names: %s", en.body)
			}
		})

		t.Run("service definition", func(t *testing.T) {
			e.t = t
			v := e.both(call{path: "services/o311_stall"}, http.StatusOK, docDefinition).(map[string]any)
			if v["service_code"] != "o311_stall" {
				t.Errorf("service_code = %v", v["service_code"])
			}
			var codes []string
			for i, a := range items(v["attributes"]) {
				codes = append(codes, a["code"].(string))
				if a["order"] != float64(i+1) || a["variable"] != true || a["datatype_description"] == "" {
					t.Errorf("attribute %d = %v", i, a)
				}
			}
			if got, want := strings.Join(codes, ","), "zone,kinds,stalls,since,note"; got != want {
				t.Errorf("attributes %s, want %s", got, want)
			}
			zone := items(v["attributes"])[0]
			if zone["required"] != true || len(zone["values"].([]any)) != 2 {
				t.Errorf("zone = %v", zone)
			}
			e.fail("a service without fields", call{path: "services/o311_other"}, 404, 404)
			e.fail("an unknown service", call{path: "services/o311_nothing"}, 404, 404)
			e.fail("an inactive service", call{path: "services/o311_retired"}, 404, 404)
			e.fail("another subtree's service", call{path: "services/o311_first?jurisdiction_id=" + sid(second.ID)}, 404, 404)
		})

		var pointID, addressID, otherID string
		t.Run("POST requests", func(t *testing.T) {
			e.t = t
			pointID = e.post(e.stallForm())
			// XML and JSON answer the same shape.
			e.both(call{method: http.MethodPost, path: "requests", form: url.Values{"api_key": {e.key}, "service_code": {"o311_other"},
				"address_string": {"东门停车场"}, "description": {"东门停车场晚上没有灯"}, "email": {""}, "lat": {""}, "long": {""}}},
				http.StatusOK, docPosted)
			addressID = e.post(url.Values{"api_key": {e.key}, "service_code": {"o311_other"}, "address_id": {"C-0815"},
				"address_string": {"三楼走廊"}, "description": {"三楼走廊 42 度没有降温设施"}})
			// A jurisdiction containing the key's organization, and a request from another
			// browser's page (no cross-origin refusal: the key is the credential).
			otherID = e.post(url.Values{"api_key": {e.key}, "service_code": {"o311_other"}, "jurisdiction_id": {sid(committee.ID)},
				"address_id": {"D-1"}, "description": {"消防通道被货物堵住"}})
			r := e.do(call{method: http.MethodPost, path: "requests.json", header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://city.example"},
				form: url.Values{"api_key": {e.key}, "service_code": {"o311_other"}, "address_id": {"E-2"}, "description": {"宽带断了"}}})
			if r.status != http.StatusOK {
				t.Errorf("a cross-site POST: status %d\n%s", r.status, r.body)
			}
			for _, id := range []string{pointID, addressID, otherID} {
				if _, ok := masswork.ParseCode(id); !ok {
					t.Errorf("service_request_id %q is not a tracking code", id)
				}
			}
		})

		t.Run("GET request", func(t *testing.T) {
			e.t = t
			got := e.one(pointID)
			for k, want := range map[string]any{"status": "open", "status_notes": "已登记，等待受理。", "service_code": "o311_stall",
				"service_name": "摊位设施", "agency_responsible": second.Name, "lat": nil, "long": nil, "zipcode": ""} {
				if got[k] != want {
					t.Errorf("%s = %v, want %v", k, got[k], want)
				}
			}
			if d := got["description"].(string); d == "" || !strings.HasPrefix("B 区 12 号摊位停水三天，冷柜没法用", d) {
				t.Errorf("description = %q", d)
			}
			requested, _ := time.Parse(time.RFC3339, got["requested_datetime"].(string))
			expected, _ := time.Parse(time.RFC3339, got["expected_datetime"].(string))
			if !expected.After(requested) || !strings.HasSuffix(got["requested_datetime"].(string), "+08:00") {
				t.Errorf("requested %v, expected %v", got["requested_datetime"], got["expected_datetime"])
			}
			if got["service_notice"] == "" {
				t.Error("no service_notice")
			}
			addr := e.one(addressID)
			// The public read gives the market zone at most: never the booth, the address or the
			// map point a reporter gave, which could point at them.
			if addr["address"] != "" || addr["address_id"] != "" || addr["lat"] != nil || addr["long"] != nil {
				t.Errorf("address request = %v", addr)
			}
			// Nobody's name, phone, email or device reaches the public read.
			for _, f := range []string{"xml", "json"} {
				r := e.do(call{path: "requests/" + pointID + "." + f})
				for _, secret := range []string{"王小明", "小明", "13800138000", "138****", "wang@example", "device-1", "acct-1", "example.cn/1.jpg"} {
					if bytes.Contains(r.body, []byte(secret)) {
						t.Errorf("requests/%s.%s shows %q", pointID, f, secret)
					}
				}
			}
			// A report's own tracking code (what the public form gives) names its matter.
			m, err := e.app.DB.FindMatterByCode(context.Background(), addressID)
			if err != nil {
				t.Fatal(err)
			}
			reports, err := e.app.DB.FindProblems(context.Background(), m.ID)
			if err != nil || len(reports) != 1 {
				t.Fatalf("reports: %v %v", err, reports)
			}
			if reports[0].Code != addressID {
				list := items(e.both(call{path: "requests/" + reports[0].Code}, http.StatusOK, docRequests))
				if len(list) != 1 || list[0]["service_request_id"] != addressID {
					t.Errorf("requests/%s (a report's code) = %v, want matter %s", reports[0].Code, list, addressID)
				}
			}
			e.fail("an unknown request", call{path: "requests/000000000000"}, 404, 404)
			e.fail("a request outside the jurisdiction", call{path: "requests/" + pointID + "?jurisdiction_id=" + sid(first.ID)}, 404, 404)
			e.fail("an unknown jurisdiction", call{path: "requests/" + pointID + "?jurisdiction_id=999999"}, 404, 404)
		})

		t.Run("status mapping", func(t *testing.T) {
			e.t = t
			ctx := context.Background()
			sys := auth.System("test")
			matter := func(code string) *masswork.Matter {
				m, err := e.app.DB.FindMatterByCode(ctx, code)
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			m := matter(addressID)
			if err := e.app.Masswork.Accept(ctx, sys, m.ID, m.Version, ""); err != nil {
				t.Fatal(err)
			}
			if got := e.one(addressID); got["status"] != "open" || got["status_notes"] != "已受理。" {
				t.Errorf("accepted: %v / %v", got["status"], got["status_notes"])
			}
			m = matter(otherID)
			if err := e.app.Masswork.Reject(ctx, sys, m.ID, m.Version, "不属于本支部职责"); err != nil {
				t.Fatal(err)
			}
			rejected := e.one(otherID)
			if rejected["status"] != "closed" || !strings.Contains(rejected["status_notes"].(string), "不属于本支部职责") {
				t.Errorf("rejected: %v / %v", rejected["status"], rejected["status_notes"])
			}
			into, from := matter(addressID), matter(pointID)
			if err := e.app.Masswork.Merge(ctx, sys, into.ID, into.Version, from.ID, from.Version); err != nil {
				t.Fatal(err)
			}
			merged := e.one(pointID)
			if merged["status"] != "closed" || merged["status_notes"] != "已并入 "+addressID {
				t.Errorf("merged: %v / %v", merged["status"], merged["status_notes"])
			}
			if _, err := time.Parse(time.RFC3339, merged["updated_datetime"].(string)); err != nil {
				t.Error(err)
			}
		})

		t.Run("GET requests", func(t *testing.T) {
			e.t = t
			all := ids(e.both(call{path: "requests"}, http.StatusOK, docRequests))
			last := indexOf(all, pointID)
			if a, o := indexOf(all, addressID), indexOf(all, otherID); o < 0 || a <= o || last <= a {
				t.Fatalf("requests = %v, want %s, %s, %s in this order (newest first)", all, otherID, addressID, pointID)
			}
			for _, tc := range []struct {
				query string
				want  []string // in this order; nil: none of ours
				not   []string
			}{
				{"service_code=o311_stall", []string{pointID}, []string{addressID, otherID}},
				{"service_code=o311_stall,o311_other", []string{otherID, addressID, pointID}, nil},
				{"status=closed", []string{otherID, pointID}, []string{addressID}},
				{"status=open", []string{addressID}, []string{otherID, pointID}},
				{"status=open,closed", []string{otherID, addressID, pointID}, nil},
				{"service_request_id=" + pointID + ",000000000000," + addressID + "&status=open", []string{pointID, addressID}, []string{otherID}},
				{"jurisdiction_id=" + sid(second.ID), []string{otherID, addressID, pointID}, nil},
				{"jurisdiction_id=" + sid(first.ID), nil, []string{otherID, addressID, pointID}},
				{"service_request_id=" + pointID + "&jurisdiction_id=" + sid(first.ID), nil, []string{pointID}},
				{"start_date=" + url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339)) + "&end_date=" +
					url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), []string{otherID, addressID, pointID}, nil},
				{"end_date=" + url.QueryEscape(time.Now().Add(-24*time.Hour).Format(time.RFC3339)), nil, []string{otherID, addressID, pointID}},
				{"start_date=&end_date=&status=&service_code=&jurisdiction_id=&page=&page_size=", []string{otherID, addressID, pointID}, nil},
				{"page_size=1&page=" + strconv.Itoa(last+1), []string{pointID}, []string{addressID}},
			} {
				got := ids(e.both(call{path: "requests?" + tc.query}, http.StatusOK, docRequests))
				pos := -1
				for _, id := range tc.want {
					i := indexOf(got, id)
					if i < 0 || i < pos {
						t.Errorf("requests?%s = %v, want %v in this order", tc.query, got, tc.want)
						break
					}
					pos = i
				}
				for _, id := range tc.not {
					if indexOf(got, id) >= 0 {
						t.Errorf("requests?%s = %v holds %s", tc.query, got, id)
					}
				}
			}
			if got := items(e.both(call{path: "requests?page_size=2"}, http.StatusOK, docRequests)); len(got) != 2 {
				t.Errorf("page_size=2: %d requests", len(got))
			}
		})

		t.Run("tokens", func(t *testing.T) {
			e.t = t
			e.fail("a token", call{path: "tokens/123456"}, 404, 404)
		})

		t.Run("errors", func(t *testing.T) {
			e.t = t
			post := func(change func(v url.Values)) call {
				v := e.stallForm()
				change(v)
				return call{method: http.MethodPost, path: "requests", form: v}
			}
			for _, tc := range []struct {
				name         string
				c            call
				status, code int
			}{
				{"no api_key", post(func(v url.Values) { v.Del("api_key") }), 403, 403},
				{"an empty api_key", post(func(v url.Values) { v.Set("api_key", "") }), 403, 403},
				{"a wrong api_key", post(func(v url.Values) { v.Set("api_key", "not-a-key") }), 403, 403},
				{"a revoked api_key", post(func(v url.Values) { v.Set("api_key", e.old) }), 403, 403},
				{"no api_key and no service_code", post(func(v url.Values) { v.Del("api_key"); v.Del("service_code") }), 403, 403},
				{"no service_code", post(func(v url.Values) { v.Del("service_code") }), 400, 400},
				{"an unknown service", post(func(v url.Values) { v.Set("service_code", "o311_nothing") }), 404, 404},
				{"an inactive service", post(func(v url.Values) { v.Set("service_code", "o311_retired") }), 404, 404},
				{"another branch's service", post(func(v url.Values) { v.Set("service_code", "o311_first") }), 404, 404},
				{"the other branch's key for this service", post(func(v url.Values) { v.Set("api_key", e.first) }), 404, 404},
				{"an unknown jurisdiction", post(func(v url.Values) { v.Set("jurisdiction_id", "999999") }), 404, 404},
				{"a jurisdiction not the key's", post(func(v url.Values) { v.Set("jurisdiction_id", sid(first.ID)) }), 403, 403},
				{"no location", post(func(v url.Values) { v.Del("lat"); v.Del("long") }), 400, 400},
				{"lat without long", post(func(v url.Values) { v.Del("long") }), 400, 400},
				{"lat out of range", post(func(v url.Values) { v.Set("lat", "90.5") }), 400, 400},
				{"long out of range", post(func(v url.Values) { v.Set("long", "-181") }), 400, 400},
				{"lat not a number", post(func(v url.Values) { v.Set("lat", "北纬29度") }), 400, 400},
				{"a description too long", post(func(v url.Values) { v.Set("description", strings.Repeat("水", 4001)) }), 400, 400},
				{"no description", post(func(v url.Values) { v.Del("description") }), 400, 400},
				{"a malformed attribute", post(func(v url.Values) { v.Set("attribute[zone", "b") }), 400, 400},
				{"an unknown attribute", post(func(v url.Values) { v.Set("attribute[color]", "red") }), 400, 400},
				{"a required attribute missing", post(func(v url.Values) { v.Del("attribute[zone]") }), 400, 400},
				{"an attribute not a choice", post(func(v url.Values) { v.Set("attribute[zone]", "z") }), 400, 400},
				{"an attribute not a number", post(func(v url.Values) { v.Set("attribute[stalls]", "三个") }), 400, 400},
				{"a bad phone", post(func(v url.Values) { v.Set("phone", "12") }), 400, 400},
				{"a bad email", post(func(v url.Values) { v.Set("email", "wang") }), 400, 400},
				{"a bad media_url", post(func(v url.Values) { v.Set("media_url", "file:///etc/passwd") }), 400, 400},
				{"a bad start_date", call{path: "requests?start_date=yesterday"}, 400, 400},
				{"more than 90 days", call{path: "requests?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"}, 400, 400},
				{"end before start", call{path: "requests?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"}, 400, 400},
				{"an unknown status", call{path: "requests?status=pending"}, 400, 400},
				{"a bad page", call{path: "requests?page=0"}, 400, 400},
				{"an unknown jurisdiction to GET", call{path: "requests?jurisdiction_id=example.org"}, 404, 404},
				{"an unknown service to GET", call{path: "requests?service_code=o311_nothing"}, 404, 404},
				{"a jurisdiction to services", call{path: "services?jurisdiction_id=999999"}, 404, 404},
				{"a method", call{method: http.MethodDelete, path: "requests"}, 400, 405},
				{"POST to services", call{method: http.MethodPost, path: "services", form: url.Values{}}, 400, 405},
				{"an unknown document", call{path: "nothing"}, 404, 404},
			} {
				e.fail(tc.name, tc.c, tc.status, tc.code)
			}
			// A body over the limit is refused in Open311's shape.
			big := url.Values{"api_key": {e.key}, "service_code": {"o311_other"}, "address_id": {"X"}, "description": {strings.Repeat("x", 1<<20)}}
			r := e.do(call{method: http.MethodPost, path: "requests.json", form: big})
			if r.status != http.StatusBadRequest {
				t.Errorf("a body of 1 MB: status %d", r.status)
			} else {
				e.check("requests.json", r, docErrors)
			}
			// Several errors come together.
			r = e.do(call{method: http.MethodPost, path: "requests.json", form: url.Values{"api_key": {e.key}, "service_code": {"o311_stall"},
				"lat": {"100"}, "attribute[zone]": {"z"}, "description": {strings.Repeat("水", 4001)}}})
			if n := len(items(e.check("requests.json", r, docErrors))); r.status != http.StatusBadRequest || n < 3 {
				t.Errorf("several errors: status %d, %d errors\n%s", r.status, n, r.body)
			}
			// Unknown formats are unknown resources.
			for _, p := range []string{"services.yaml", "requests/" + pointID + ".txt", "discovery", "services/o311_stall.html"} {
				if r := e.do(call{path: p}); r.status != http.StatusNotFound {
					t.Errorf("%s: status %d, want 404", p, r.status)
				}
			}
		})

		t.Run("read rate limit", func(t *testing.T) {
			e.t = t
			// One client behind the proxy reads until refused: at least a burst is served
			// (the clock runs, so a slow machine may earn a read or two more), then GeoReport's
			// 400 with code 429 in the format asked for; another client is still served.
			client := map[string]string{"X-Forwarded-For": "203.0.113.50"}
			served := 0
			var refused reply
			for served <= open311.ReadBurst+20 {
				r := e.do(call{path: "requests.json?status=open", header: client})
				if r.status != http.StatusOK {
					refused = r
					break
				}
				served++
			}
			if served < open311.ReadBurst || refused.status != http.StatusBadRequest {
				t.Fatalf("%d reads served, then status %d\n%s", served, refused.status, refused.body)
			}
			for _, f := range []string{"json", "xml"} {
				path := "requests." + f
				r := e.do(call{path: path, header: client})
				for i := 0; i < 5 && r.status == http.StatusOK; i++ { // a read earned meanwhile
					r = e.do(call{path: path, header: client})
				}
				if r.status != http.StatusBadRequest {
					t.Errorf("%s over the limit: status %d, want 400", path, r.status)
					continue
				}
				list := items(e.check(path, r, docErrors))
				if len(list) != 1 || list[0]["code"] != float64(429) || r.header.Get("Retry-After") == "" {
					t.Errorf("%s over the limit: %s, Retry-After %q", path, r.body, r.header.Get("Retry-After"))
				}
			}
			if r := e.do(call{path: "requests.json?status=open", header: map[string]string{"X-Forwarded-For": "203.0.113.51"}}); r.status != http.StatusOK {
				t.Errorf("another client: status %d, want 200\n%s", r.status, r.body)
			}
		})
	})
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

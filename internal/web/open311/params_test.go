package open311

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/view"
)

var (
	shanghai = time.FixedZone("CST", 8*3600)
	testNow  = time.Date(2026, 7, 15, 9, 30, 0, 0, shanghai)
)

// keys returns the message keys of errors, for comparing.
func keys(errs []*Error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Key
	}
	return out
}

func values(s string) url.Values {
	v, err := url.ParseQuery(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestParseRequestQuery(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name       string
		query      string
		want       Query
		wantErrs   []string
		wantStatus int
	}{
		{name: "defaults: the last 90 days, the first 1000", query: "",
			want: Query{Page: 1, PageSize: 1000, Start: testNow.Add(-90 * day), End: testNow}},
		{name: "empty arguments are absent", query: "jurisdiction_id=&service_code=&status=&start_date=&end_date=&page=&page_size=&service_request_id=",
			want: Query{Page: 1, PageSize: 1000, Start: testNow.Add(-90 * day), End: testNow}},
		{name: "ids override every other filter", query: "service_request_id=111122223333,%20444455556666,111122223333&status=bogus&start_date=x",
			want: Query{Page: 1, PageSize: 1000, IDs: []string{"111122223333", "444455556666"}}},
		{name: "codes and statuses as comma lists", query: "service_code=parking,network&status=OPEN,closed,open&jurisdiction_id=7",
			want: Query{Jurisdiction: 7, Page: 1, PageSize: 1000, ServiceCodes: []string{"parking", "network"},
				Statuses: []string{"open", "closed"}, Start: testNow.Add(-90 * day), End: testNow}},
		{name: "repeated list parameters join", query: "status=open&status=closed",
			want: Query{Page: 1, PageSize: 1000, Statuses: []string{"open", "closed"}, Start: testNow.Add(-90 * day), End: testNow}},
		{name: "start only runs 90 days", query: "start_date=2026-01-01T00:00:00Z",
			want: Query{Page: 1, PageSize: 1000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "end only runs 90 days back", query: "end_date=2026-04-01T08:00:00%2B08:00",
			want: Query{Page: 1, PageSize: 1000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "an unescaped plus of the zone", query: "start_date=2026-07-01T00:00:00+08:00&end_date=2026-07-02T00:00:00+08:00",
			want: Query{Page: 1, PageSize: 1000, Start: time.Date(2026, 6, 30, 16, 0, 0, 0, time.UTC), End: time.Date(2026, 7, 1, 16, 0, 0, 0, time.UTC)}},
		{name: "exactly 90 days", query: "start_date=2026-01-01&end_date=2026-04-01",
			want: Query{Page: 1, PageSize: 1000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai), End: time.Date(2026, 4, 1, 0, 0, 0, 0, shanghai)}},
		{name: "pages", query: "page=3&page_size=50",
			want: Query{Page: 3, PageSize: 50, Start: testNow.Add(-90 * day), End: testNow}},
		{name: "page size capped", query: "page_size=5000",
			want: Query{Page: 1, PageSize: 1000, Start: testNow.Add(-90 * day), End: testNow}},
		{name: "more than 90 days", query: "start_date=2026-01-01&end_date=2026-04-02", wantErrs: []string{"open311.error.date_range"}, wantStatus: 400},
		{name: "end before start", query: "start_date=2026-02-01&end_date=2026-01-01", wantErrs: []string{"open311.error.date_order"}, wantStatus: 400},
		{name: "not a date", query: "start_date=yesterday", wantErrs: []string{"open311.error.date"}, wantStatus: 400},
		{name: "a date twice", query: "start_date=2026-01-01&start_date=2026-01-02", wantErrs: []string{"open311.error.repeated"}, wantStatus: 400},
		{name: "unknown status", query: "status=pending", wantErrs: []string{"open311.error.status"}, wantStatus: 400},
		{name: "bad page", query: "page=0&page_size=-5", wantErrs: []string{"open311.error.page", "open311.error.page"}, wantStatus: 400},
		{name: "jurisdiction not a number is unknown", query: "jurisdiction_id=sfgov.org", wantErrs: []string{"open311.error.jurisdiction_unknown"}, wantStatus: 404},
		{name: "too many ids", query: "service_request_id=" + manyIDs(101),
			wantErrs: []string{"open311.error.too_many"}, wantStatus: 400},
		{name: "control characters", query: "service_code=a%00b", wantErrs: []string{"open311.error.bad_text"}, wantStatus: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := ParseRequestQuery(values(tc.query), testNow, shanghai)
			if g := keys(errs); !slices.Equal(g, tc.wantErrs) {
				t.Fatalf("errors = %v, want %v", g, tc.wantErrs)
			}
			if len(errs) > 0 {
				if g := status(errs); g != tc.wantStatus {
					t.Errorf("status = %d, want %d", g, tc.wantStatus)
				}
				return
			}
			if !got.Start.Equal(tc.want.Start) || !got.End.Equal(tc.want.End) {
				t.Errorf("window = %v – %v, want %v – %v", got.Start, got.End, tc.want.Start, tc.want.End)
			}
			got.Start, got.End, tc.want.Start, tc.want.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if !equalQuery(got, tc.want) {
				t.Errorf("query = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// manyIDs returns a comma list of n distinct request IDs.
func manyIDs(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%012d", i)
	}
	return strings.Join(ids, ",")
}

func equalQuery(a, b Query) bool {
	return a.Jurisdiction == b.Jurisdiction && slices.Equal(a.IDs, b.IDs) && slices.Equal(a.ServiceCodes, b.ServiceCodes) &&
		slices.Equal(a.Statuses, b.Statuses) && a.Page == b.Page && a.PageSize == b.PageSize
}

func TestParsePost(t *testing.T) {
	const ok = "api_key=k&service_code=parking&lat=29.7&long=120.24&description=东门停车难"
	for _, tc := range []struct {
		name     string
		body     string
		wantErrs []string
		check    func(t *testing.T, p *Post)
	}{
		{name: "point", body: ok, check: func(t *testing.T, p *Post) {
			if p.Lat == nil || *p.Lat != 29.7 || p.Long == nil || *p.Long != 120.24 || p.Description != "东门停车难" {
				t.Errorf("post = %+v", p)
			}
		}},
		{name: "address only", body: "service_code=parking&address_string=东门"},
		{name: "address_id only", body: "service_code=parking&address_id=B-1023"},
		{name: "empty arguments are absent", body: "service_code=parking&address_id=B-1023&lat=&long=&email=&media_url=&jurisdiction_id="},
		{name: "missing service_code", body: "api_key=k&lat=1&long=2", wantErrs: []string{"open311.error.service_code_missing"}},
		{name: "missing location", body: "service_code=parking&description=x", wantErrs: []string{"open311.error.location_missing"}},
		{name: "lat without long", body: "service_code=parking&lat=29.7", wantErrs: []string{"open311.error.latlong_pair"}},
		{name: "lat out of range", body: "service_code=parking&lat=91&long=120", wantErrs: []string{"open311.error.lat_range"}},
		{name: "long out of range", body: "service_code=parking&lat=29&long=-180.5", wantErrs: []string{"open311.error.long_range"}},
		{name: "lat not a number", body: "service_code=parking&lat=NaN&long=120", wantErrs: []string{"open311.error.lat_range"}},
		{name: "long infinite", body: "service_code=parking&lat=1&long=Inf", wantErrs: []string{"open311.error.long_range"}},
		{name: "description of 4000 characters", body: "service_code=parking&address_id=1&description=" + strings.Repeat("堵", 4000)},
		{name: "description of 4001 characters", body: "service_code=parking&address_id=1&description=" + strings.Repeat("堵", 4001),
			wantErrs: []string{"open311.error.too_long"}},
		{name: "description on lines", body: "service_code=parking&address_id=1&description=a%0D%0Ab%09c"},
		{name: "control character", body: "service_code=parking&address_id=1&first_name=a%07", wantErrs: []string{"open311.error.bad_text"}},
		{name: "invalid UTF-8", body: "service_code=parking&address_id=1&description=%FF%FE", wantErrs: []string{"open311.error.bad_text"}},
		{name: "bad email", body: "service_code=parking&address_id=1&email=not-an-address", wantErrs: []string{"open311.error.email"}},
		{name: "bad media_url", body: "service_code=parking&address_id=1&media_url=javascript:alert(1)", wantErrs: []string{"open311.error.media_url"}},
		{name: "service_code twice", body: "service_code=a&service_code=b&address_id=1", wantErrs: []string{"open311.error.repeated"}},
		{name: "attributes", body: "service_code=parking&address_id=1&attribute[zone]=B&attribute[kinds][]=x&attribute[kinds][]=y",
			check: func(t *testing.T, p *Post) {
				if !slices.Equal(p.Attributes["zone"], []string{"B"}) || !slices.Equal(p.Attributes["kinds"], []string{"x", "y"}) {
					t.Errorf("attributes = %v", p.Attributes)
				}
			}},
		{name: "attribute without brackets", body: "service_code=parking&address_id=1&attribute=x", wantErrs: []string{"open311.error.attribute_malformed"}},
		{name: "attribute without code", body: "service_code=parking&address_id=1&attribute[]=x", wantErrs: []string{"open311.error.attribute_malformed"}},
		{name: "attribute unclosed", body: "service_code=parking&address_id=1&attribute[zone=x", wantErrs: []string{"open311.error.attribute_malformed"}},
		{name: "attribute nested", body: "service_code=parking&address_id=1&attribute[a][b]=x", wantErrs: []string{"open311.error.attribute_malformed"}},
		{name: "attribute twice without []", body: "service_code=parking&address_id=1&attribute[zone]=a&attribute[zone]=b", wantErrs: []string{"open311.error.repeated"}},
		{name: "jurisdiction not a number", body: "service_code=parking&address_id=1&jurisdiction_id=x", wantErrs: []string{"open311.error.jurisdiction_unknown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, errs := ParsePost(values(tc.body))
			if g := keys(errs); !slices.Equal(g, tc.wantErrs) {
				t.Fatalf("errors = %v, want %v", g, tc.wantErrs)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

func TestCheckAttributes(t *testing.T) {
	fields := []masswork.Field{
		{Code: "zone", Datatype: "singlevaluelist", Required: true, Description: "区域", Values: []masswork.FieldValue{{Key: "a", Name: "A 区"}, {Key: "b", Name: "B 区"}}},
		{Code: "kinds", Datatype: "multivaluelist", Description: "类型", Values: []masswork.FieldValue{{Key: "x", Name: "X"}, {Key: "y", Name: "Y"}}},
		{Code: "cars", Datatype: "number", Description: "车辆数"},
		{Code: "since", Datatype: "datetime", Description: "开始时间"},
		{Code: "note", Datatype: "text", Description: "备注"},
	}
	for _, tc := range []struct {
		name  string
		attrs map[string][]string
		want  []string
	}{
		{"all fine", map[string][]string{"zone": {"a"}, "kinds": {"x", "y"}, "cars": {"12.5"}, "since": {"2026-07-15T09:00:00+08:00"}, "note": {"多行\n文字"}}, nil},
		{"required missing", map[string][]string{"cars": {"3"}}, []string{"open311.error.attribute_required"}},
		{"unknown code", map[string][]string{"zone": {"a"}, "color": {"red"}}, []string{"open311.error.attribute_unknown"}},
		{"not a choice", map[string][]string{"zone": {"c"}}, []string{"open311.error.attribute_value"}},
		{"two values for a single list", map[string][]string{"zone": {"a", "b"}}, []string{"open311.error.attribute_single"}},
		{"one bad value of a multi list", map[string][]string{"zone": {"a"}, "kinds": {"x", "z"}}, []string{"open311.error.attribute_value"}},
		{"not a number", map[string][]string{"zone": {"a"}, "cars": {"many"}}, []string{"open311.error.attribute_number"}},
		{"not a date", map[string][]string{"zone": {"a"}, "since": {"15/07/2026"}}, []string{"open311.error.attribute_datetime"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := keys(checkAttributes("parking", fields, tc.attrs, shanghai)); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("errors = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2010-01-01T00:00:00Z", time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2026-07-15T09:00:00+08:00", time.Date(2026, 7, 15, 1, 0, 0, 0, time.UTC), true},
		{"2026-07-15T09:00:00.250-05:00", time.Date(2026, 7, 15, 14, 0, 0, 250e6, time.UTC), true},
		{"2026-07-15T09:00+08:00", time.Date(2026, 7, 15, 1, 0, 0, 0, time.UTC), true},
		{"2026-07-15T09:00:00 08:00", time.Date(2026, 7, 15, 1, 0, 0, 0, time.UTC), true},
		{"2026-07-15", time.Date(2026, 7, 14, 16, 0, 0, 0, time.UTC), true},
		{"2026-07-15T09:00:00", time.Date(2026, 7, 15, 1, 0, 0, 0, time.UTC), true},
		{"2026-13-01", time.Time{}, false},
		{"15/07/2026", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, err := ParseDate(tc.in, shanghai)
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(tc.want)) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestStatusRule(t *testing.T) {
	for _, tc := range []struct {
		codes []int
		want  int
	}{
		{[]int{400}, http.StatusBadRequest},
		{[]int{404}, http.StatusNotFound},
		{[]int{403}, http.StatusForbidden},
		{[]int{400, 404}, http.StatusNotFound},
		{[]int{404, 403, 400}, http.StatusForbidden},
		{[]int{429}, http.StatusBadRequest},
		{[]int{500}, http.StatusBadRequest},
		{[]int{405}, http.StatusBadRequest},
	} {
		var errs []*Error
		for _, c := range tc.codes {
			errs = append(errs, newError(c, "k"))
		}
		if got := status(errs); got != tc.want {
			t.Errorf("status(%v) = %d, want %d", tc.codes, got, tc.want)
		}
	}
}

func TestFullName(t *testing.T) {
	for _, tc := range []struct{ first, last, want string }{
		{"小明", "王", "王小明"},
		{"Ming", "Wang", "Ming Wang"},
		{"", "王", "王"},
		{"小明", "", "小明"},
	} {
		if got := fullName(tc.first, tc.last); got != tc.want {
			t.Errorf("fullName(%q, %q) = %q, want %q", tc.first, tc.last, got, tc.want)
		}
	}
}

var (
	catalogOnce sync.Once
	catalog     *view.Catalog
)

// mustDescribe checks that every error reads as a full message in both languages: its key
// exists and every placeholder is filled.
func mustDescribe(t testing.TB, errs []*Error) {
	t.Helper()
	catalogOnce.Do(func() {
		var err error
		if catalog, err = view.NewCatalog(); err != nil {
			panic(err)
		}
	})
	for _, e := range errs {
		for _, lang := range []string{"zh-CN", "en"} {
			d := describe(catalog.For(lang), e)
			if d == e.Key || strings.Contains(d, "<no value>") || d == "" {
				t.Fatalf("%s: %s reads %q", lang, e.Key, d)
			}
		}
	}
}

func TestErrorsRead(t *testing.T) {
	for _, q := range []string{"status=x", "start_date=x", "page=0", "jurisdiction_id=x", "start_date=2026-01-01&end_date=2026-06-01",
		"start_date=2026-02-01&end_date=2026-01-01", "service_code=%01", "service_request_id=" + manyIDs(101), "page=1&page=2"} {
		_, errs := ParseRequestQuery(values(q), testNow, shanghai)
		if len(errs) == 0 {
			t.Errorf("%s: no error", q)
		}
		mustDescribe(t, errs)
	}
	for _, b := range []string{"", "lat=1", "lat=100&long=1", "lat=1&long=500", "attribute=1", "email=x&address_id=1",
		"media_url=x&address_id=1", "description=" + strings.Repeat("a", 4001), "service_code=a&service_code=b"} {
		_, errs := ParsePost(values(b))
		if len(errs) == 0 {
			t.Errorf("%s: no error", b)
		}
		mustDescribe(t, errs)
	}
	mustDescribe(t, checkAttributes("s", []masswork.Field{{Code: "a", Datatype: "number", Required: true}}, map[string][]string{"b": {"1"}}, shanghai))
	for _, key := range []string{"not_found", "method", "token_unknown", "api_key_missing", "api_key_invalid", "api_key_jurisdiction",
		"body", "body_too_large", "internal"} {
		mustDescribe(t, []*Error{newError(400, "open311.error."+key)})
	}
	mustDescribe(t, []*Error{newError(404, "open311.error.service_unknown", "Code", "x"), newError(404, "open311.error.no_definition", "Code", "x"),
		newError(404, "open311.error.request_unknown", "ID", "1"), newError(429, "open311.error.rate_limited", "Seconds", 30),
		newError(400, "open311.error.field", "Param", "phone", "MessageKey", "error.phone")})
}

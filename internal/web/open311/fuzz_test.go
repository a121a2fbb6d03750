package open311

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseRequestQuery: any query string parses without panicking into either errors that
// read as messages, with GeoReport's codes, or a query within the limits: a window of at most
// 90 days in order, pages from 1, page sizes from 1 to 1000, statuses open or closed.
func FuzzParseRequestQuery(f *testing.F) {
	for _, s := range []string{"", "status=open,closed&service_code=parking,network", "start_date=2026-01-01&end_date=2026-03-01",
		"start_date=2026-07-01T00:00:00+08:00", "service_request_id=111122223333,1", "page=2&page_size=10", "jurisdiction_id=12",
		"end_date=2026-07-15T09:00:00Z&status=closed", "page=-1", "start_date=%FF", "status=open&status=OPEN", "page_size=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, errs := ParseRequestQuery(v, testNow, shanghai)
		if len(errs) > 0 {
			for _, e := range errs {
				if e.Code != 400 && e.Code != 404 {
					t.Fatalf("error %s with code %d", e.Key, e.Code)
				}
			}
			mustDescribe(t, errs)
			return
		}
		if q.Page < 1 || q.Page > maxPage || q.PageSize < 1 || q.PageSize > MaxPageSize {
			t.Fatalf("page %d size %d", q.Page, q.PageSize)
		}
		if q.Jurisdiction < 0 || len(q.IDs) > maxListItems || len(q.ServiceCodes) > maxListItems {
			t.Fatalf("query %+v", q)
		}
		for _, s := range q.Statuses {
			if s != "open" && s != "closed" {
				t.Fatalf("status %q", s)
			}
		}
		for _, id := range append(q.IDs, q.ServiceCodes...) {
			if id == "" || !utf8.ValidString(id) || strings.Contains(id, ",") {
				t.Fatalf("item %q", id)
			}
		}
		if len(q.IDs) == 0 && (q.Start.IsZero() || q.End.Before(q.Start) || q.End.Sub(q.Start) > MaxRange) {
			t.Fatalf("window %v – %v", q.Start, q.End)
		}
	})
}

// FuzzParsePost: any form parses without panicking into either errors that read as messages,
// or a post that keeps GeoReport's rules: a service code, a location (a point in range, an
// address or an address ID), clean text within its limits, well-formed attribute codes.
func FuzzParsePost(f *testing.F) {
	for _, s := range []string{"api_key=k&service_code=parking&lat=29.7&long=120.24&description=东门停车难",
		"service_code=parking&address_string=东门&attribute[zone]=a&attribute[kinds][]=x&attribute[kinds][]=y",
		"service_code=parking&address_id=B-1&email=a@b.cn&media_url=https://x.cn/1.jpg&first_name=小明&last_name=王&phone=13800138000",
		"service_code=a&lat=91&long=0", "attribute[=1", "attribute[a][b]=1", "service_code=x&lat=1e308&long=-0",
		"service_code=x&address_id=1&description=%00", "jurisdiction_id=99999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, errs := ParsePost(v)
		if p == nil {
			t.Fatal("no post")
		}
		if len(errs) > 0 {
			for _, e := range errs {
				if e.Code != 400 && e.Code != 404 {
					t.Fatalf("error %s with code %d", e.Key, e.Code)
				}
			}
			mustDescribe(t, errs)
			return
		}
		if p.ServiceCode == "" {
			t.Fatal("no service code and no error")
		}
		if (p.Lat == nil) != (p.Long == nil) {
			t.Fatal("half a point")
		}
		if p.Lat == nil && p.AddressString == "" && p.AddressID == "" {
			t.Fatal("no location and no error")
		}
		if p.Lat != nil && (math.IsNaN(*p.Lat) || math.Abs(*p.Lat) > 90 || math.IsNaN(*p.Long) || math.Abs(*p.Long) > 180) {
			t.Fatalf("point %v, %v", *p.Lat, *p.Long)
		}
		for name, s := range map[string]string{"description": p.Description, "address_string": p.AddressString,
			"first_name": p.FirstName, "last_name": p.LastName, "phone": p.Phone, "email": p.Email, "service_code": p.ServiceCode} {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > lengths[name] {
				t.Fatalf("%s = %q", name, s)
			}
		}
		if len(p.Attributes) > maxAttributes {
			t.Fatalf("%d attributes", len(p.Attributes))
		}
		for code, vals := range p.Attributes {
			if _, _, ok := attributeCode("attribute[" + code + "]"); !ok || len(vals) == 0 {
				t.Fatalf("attribute %q = %q", code, vals)
			}
		}
		if p.Jurisdiction < 0 {
			t.Fatalf("jurisdiction %d", p.Jurisdiction)
		}
	})
}

package open311

import (
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of what a request may carry.
const (
	MaxDescription = 4000 // characters of description (GeoReport v2)
	MaxRange       = 90 * 24 * time.Hour
	MaxPageSize    = 1000 // also the default: GeoReport v2's "first 1000 requests"
	maxListItems   = 100  // IDs or codes in a comma list
	maxAttributes  = 50   // attribute[...] parameters
	maxValues      = 100  // values of all attributes together
	maxPage        = 1_000_000
)

// lengths caps the scalar parameters, in characters.
var lengths = map[string]int{
	"jurisdiction_id": 20,
	"api_key":         200,
	"service_code":    100,
	"address_string":  500,
	"address_id":      100,
	"email":           254,
	"device_id":       200,
	"account_id":      200,
	"first_name":      50,
	"last_name":       50,
	"phone":           40,
	"description":     MaxDescription,
	"media_url":       2000,
	"lat":             40,
	"long":            40,
	"start_date":      40,
	"end_date":        40,
	"page":            20,
	"page_size":       20,
}

// maxAttributeValue caps one attribute value, in characters.
const maxAttributeValue = 4000

// Query is a parsed GET requests query. Empty arguments count as absent.
type Query struct {
	Jurisdiction int64    // 0: none given
	IDs          []string // service_request_id: when given, every filter below is ignored
	ServiceCodes []string
	Statuses     []string // "open", "closed"
	Start, End   time.Time
	Page         int // from 1
	PageSize     int
}

// Post is a parsed POST requests body. Empty arguments count as absent.
type Post struct {
	Jurisdiction  int64
	APIKey        string
	ServiceCode   string
	Lat, Long     *float64
	AddressString string
	AddressID     string
	Email         string
	DeviceID      string
	AccountID     string
	FirstName     string
	LastName      string
	Phone         string
	Description   string
	MediaURL      string
	// Attributes are attribute[CODE] and attribute[CODE][] by code, in the order given.
	Attributes map[string][]string
}

// scalar returns the one value of a parameter: empty values are absent, a parameter given
// twice with values is an error, and the value must be clean text within its length.
// multiline allows line breaks and tabs.
func scalar(v url.Values, name string, multiline bool, errs *[]*Error) string {
	var got string
	n := 0
	for _, s := range v[name] {
		if s != "" {
			got = s
			n++
		}
	}
	if n > 1 {
		*errs = append(*errs, newError(400, "open311.error.repeated", "Param", name))
		return ""
	}
	if got == "" {
		return ""
	}
	if e := checkText(name, got, lengths[name], multiline); e != nil {
		*errs = append(*errs, e)
		return ""
	}
	return strings.TrimSpace(got)
}

// checkText refuses invalid UTF-8, control characters (but line breaks and tabs where
// multiline) and values longer than max characters.
func checkText(name, s string, max int, multiline bool) *Error {
	if !utf8.ValidString(s) {
		return newError(400, "open311.error.bad_text", "Param", name)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return newError(400, "open311.error.bad_text", "Param", name)
		}
	}
	if max > 0 && utf8.RuneCountInString(s) > max {
		return newError(400, "open311.error.too_long", "Param", name, "Max", max)
	}
	return nil
}

// list returns the items of a comma list (repeated parameters are joined), trimmed, without
// empty ones and duplicates.
func list(v url.Values, name string, errs *[]*Error) []string {
	var out []string
	seen := map[string]bool{}
	for _, raw := range v[name] {
		for item := range strings.SplitSeq(raw, ",") {
			item = strings.TrimSpace(item)
			if item == "" || seen[item] {
				continue
			}
			if e := checkText(name, item, 100, false); e != nil {
				*errs = append(*errs, e)
				return nil
			}
			seen[item] = true
			out = append(out, item)
		}
	}
	if len(out) > maxListItems {
		*errs = append(*errs, newError(400, "open311.error.too_many", "Param", name, "Max", maxListItems))
		return nil
	}
	return out
}

// jurisdiction parses jurisdiction_id: an organization's ID. Anything that cannot be one
// names no known jurisdiction (404).
func jurisdiction(v url.Values, errs *[]*Error) int64 {
	s := scalar(v, "jurisdiction_id", false, errs)
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		*errs = append(*errs, newError(404, "open311.error.jurisdiction_unknown", "ID", s))
		return 0
	}
	return id
}

// ParseRequestQuery parses the arguments of GET requests at the instant now, in zone (for
// dates given without a zone). Without service_request_id the window defaults to the 90
// days before now; a window given by one end runs 90 days from it; a window may not be
// longer than 90 days.
func ParseRequestQuery(v url.Values, now time.Time, zone *time.Location) (Query, []*Error) {
	var errs []*Error
	q := Query{Page: 1, PageSize: MaxPageSize}
	q.Jurisdiction = jurisdiction(v, &errs)
	q.IDs = list(v, "service_request_id", &errs)
	if n := positive(v, "page", &errs); n > 0 {
		if n > maxPage {
			errs = append(errs, newError(400, "open311.error.page", "Param", "page"))
		} else {
			q.Page = n
		}
	}
	if n := positive(v, "page_size", &errs); n > 0 {
		q.PageSize = min(n, MaxPageSize)
	}
	if len(q.IDs) > 0 {
		return q, errs // service_request_id overrides every other filter
	}
	q.ServiceCodes = list(v, "service_code", &errs)
	for _, s := range list(v, "status", &errs) {
		s = strings.ToLower(s)
		if s != "open" && s != "closed" {
			errs = append(errs, newError(400, "open311.error.status", "Value", s))
			continue
		}
		if !contains(q.Statuses, s) {
			q.Statuses = append(q.Statuses, s)
		}
	}
	start, okStart := date(v, "start_date", zone, &errs)
	end, okEnd := date(v, "end_date", zone, &errs)
	switch {
	case !okStart || !okEnd:
		// reported
	case start.IsZero() && end.IsZero():
		q.Start, q.End = now.Add(-MaxRange), now
	case end.IsZero():
		q.Start, q.End = start, start.Add(MaxRange)
	case start.IsZero():
		q.Start, q.End = end.Add(-MaxRange), end
	case end.Before(start):
		errs = append(errs, newError(400, "open311.error.date_order"))
	case end.Sub(start) > MaxRange:
		errs = append(errs, newError(400, "open311.error.date_range", "Days", int(MaxRange/(24*time.Hour))))
	default:
		q.Start, q.End = start, end
	}
	return q, errs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// positive parses an optional positive integer; 0 means absent.
func positive(v url.Values, name string, errs *[]*Error) int {
	s := scalar(v, name, false, errs)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		*errs = append(*errs, newError(400, "open311.error.page", "Param", name))
		return 0
	}
	return n
}

// date parses an optional date argument; ok is false when it was given and bad.
func date(v url.Values, name string, zone *time.Location, errs *[]*Error) (time.Time, bool) {
	s := scalar(v, name, false, errs)
	if s == "" {
		return time.Time{}, true
	}
	t, err := ParseDate(s, zone)
	if err != nil {
		*errs = append(*errs, newError(400, "open311.error.date", "Param", name))
		return time.Time{}, false
	}
	return t, true
}

// dateLayouts are the W3C date and time forms GeoReport v2 speaks, with a zone; forms without
// one are read in the service's zone.
var (
	zonedLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"}
	localLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", time.DateOnly}
)

// ParseDate reads a W3C date and time (ISO 8601 profile), such as 2010-01-01T00:00:00Z or
// 2026-07-15T09:00:00+08:00, or a date alone (midnight in zone). A "+" of the zone that a
// client forgot to escape in the query (and so arrives as a space) is taken as "+".
func ParseDate(s string, zone *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.Contains(s[:i], "T") {
		s = s[:i] + "+" + s[i+1:]
	}
	var err error
	for _, l := range zonedLayouts {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, l := range localLayouts {
		var t time.Time
		if t, err = time.ParseInLocation(l, s, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// ParsePost parses the form of POST requests. It checks each argument on its own and the
// location rule (lat and long, or address_string, or address_id); the api_key, the service
// and the attributes against the service's fields are the handler's to check.
func ParsePost(v url.Values) (*Post, []*Error) {
	var errs []*Error
	p := &Post{Attributes: map[string][]string{}}
	p.Jurisdiction = jurisdiction(v, &errs)
	p.APIKey = scalar(v, "api_key", false, &errs)
	p.ServiceCode = scalar(v, "service_code", false, &errs)
	if p.ServiceCode == "" && !hasParam(errs, "service_code") {
		errs = append(errs, newError(400, "open311.error.service_code_missing"))
	}
	p.AddressString = scalar(v, "address_string", false, &errs)
	p.AddressID = scalar(v, "address_id", false, &errs)
	p.Email = scalar(v, "email", false, &errs)
	p.DeviceID = scalar(v, "device_id", false, &errs)
	p.AccountID = scalar(v, "account_id", false, &errs)
	p.FirstName = scalar(v, "first_name", false, &errs)
	p.LastName = scalar(v, "last_name", false, &errs)
	p.Phone = scalar(v, "phone", false, &errs)
	p.Description = scalar(v, "description", true, &errs)
	p.MediaURL = scalar(v, "media_url", false, &errs)
	p.Lat = degree(v, "lat", 90, &errs)
	p.Long = degree(v, "long", 180, &errs)
	given := func(name string) bool { return strings.TrimSpace(strings.Join(v[name], "")) != "" }
	switch {
	case given("lat") != given("long"):
		errs = append(errs, newError(400, "open311.error.latlong_pair"))
	case !given("lat") && p.AddressString == "" && p.AddressID == "" && !hasParam(errs, "address_string") && !hasParam(errs, "address_id"):
		errs = append(errs, newError(400, "open311.error.location_missing"))
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			errs = append(errs, newError(400, "open311.error.email"))
			p.Email = ""
		}
	}
	if p.MediaURL != "" {
		if u, err := url.Parse(p.MediaURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, newError(400, "open311.error.media_url"))
			p.MediaURL = ""
		}
	}
	errs = append(errs, attributes(v, p.Attributes)...)
	return p, errs
}

// hasParam reports whether errs already hold an error about the parameter.
func hasParam(errs []*Error, name string) bool {
	for _, e := range errs {
		for i := 0; i+1 < len(e.Args); i += 2 {
			if e.Args[i] == "Param" && e.Args[i+1] == name {
				return true
			}
		}
	}
	return false
}

// degree parses an optional coordinate within ±limit degrees.
func degree(v url.Values, name string, limit float64, errs *[]*Error) *float64 {
	s := scalar(v, name, false, errs)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < -limit || f > limit {
		*errs = append(*errs, newError(400, "open311.error."+name+"_range", "Value", s))
		return nil
	}
	return &f
}

// attributes collects attribute[CODE]=v and attribute[CODE][]=v into attrs; any other
// parameter beginning "attribute" is malformed.
func attributes(v url.Values, attrs map[string][]string) []*Error {
	var errs []*Error
	values := 0
	for name, vals := range v {
		if !strings.HasPrefix(name, "attribute") {
			continue
		}
		code, multi, ok := attributeCode(name)
		if !ok {
			errs = append(errs, newError(400, "open311.error.attribute_malformed", "Param", clip(name)))
			continue
		}
		if _, seen := attrs[code]; !seen && len(attrs) >= maxAttributes {
			errs = append(errs, newError(400, "open311.error.too_many", "Param", "attribute", "Max", maxAttributes))
			return errs
		}
		var kept []string
		for _, s := range vals {
			if s == "" {
				continue
			}
			if e := checkText(name, s, maxAttributeValue, true); e != nil {
				e.Args = []any{"Param", clip(name), "Max", maxAttributeValue}
				errs = append(errs, e)
				continue
			}
			kept = append(kept, strings.TrimSpace(s))
		}
		if !multi && len(kept) > 1 {
			errs = append(errs, newError(400, "open311.error.repeated", "Param", clip(name)))
			continue
		}
		if values += len(kept); values > maxValues {
			errs = append(errs, newError(400, "open311.error.too_many", "Param", "attribute", "Max", maxValues))
			return errs
		}
		if len(kept) > 0 {
			attrs[code] = append(attrs[code], kept...)
		}
	}
	return errs
}

// attributeCode splits attribute[CODE] and attribute[CODE][]; the code is 1 to 64 characters
// of letters, digits and -_.: (what a field code may be).
func attributeCode(name string) (code string, multi bool, ok bool) {
	rest, ok := strings.CutPrefix(name, "attribute[")
	if !ok {
		return "", false, false
	}
	if r, cut := strings.CutSuffix(rest, "][]"); cut {
		rest, multi = r, true
	} else if r, cut := strings.CutSuffix(rest, "]"); cut {
		rest = r
	} else {
		return "", false, false
	}
	if rest == "" || len(rest) > 64 {
		return "", false, false
	}
	for _, r := range rest {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' || r == ':') {
			return "", false, false
		}
	}
	return rest, multi, true
}

// clip shortens a parameter name quoted back in an error, keeping it valid UTF-8.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "�")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:80]) + "…"
	}
	return s
}

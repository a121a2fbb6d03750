package masswork

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
)

// Intake: a problem comes in by the public form (no account), the Open311 API (an API key)
// or a cadre (staff, on someone's behalf, from a phone call or a visit). It opens a new matter
// or, as a "me too", joins an open one. Either way the report gets its own tracking code and
// private key; a new matter gets a code of its own as well, and the tracking page accepts
// either.

// Limits of a report's fields, in characters.
const (
	MaxDescription = 4000 // Open311's limit
	MaxName        = 50
	MaxEmail       = 254
	MaxZone        = 50
	MaxBooth       = 50
	MaxAddress     = 200
	TitleLen       = 30 // a new matter's title: the first characters of its first report
)

// Actor names of the audit records of intake without an account.
const (
	ActorPublic  = "public"
	ActorOpen311 = "open311"
)

// matterIntake is a checked report: where it goes and what it says, cleaned.
type matterIntake struct {
	org      *org.Organization
	category *Category
	matter   *Matter // the matter a me-too joins
	channel  string
	report   Report
}

// ValidateReport checks a report as Submit would, without writing anything: a visit checks
// the problems raised in it before it is saved.
func (s *Service) ValidateReport(ctx context.Context, a *auth.Actor, r *Report) error {
	_, err := s.matterCheckReport(ctx, a, r)
	return err
}

// matterCheckReport validates a report by the rules of its channel and returns it cleaned.
func (s *Service) matterCheckReport(ctx context.Context, a *auth.Actor, r *Report) (*matterIntake, error) {
	if r == nil {
		return nil, apperr.New(apperr.Invalid, "error.bad_request")
	}
	in := &matterIntake{report: *r}
	c := &in.report
	var v apperr.Validation

	// Where the report goes, by channel. Without an account the organization and its
	// categories come from the intake copy (one small read while nothing changed); a
	// dissolved organization takes no reports.
	var cats []*Category // every category, when read with the organization
	switch {
	case a == nil && r.Key != nil: // Open311
		in.channel = ChannelOpen311
		o, all, err := s.store.FindIntakeOrg(ctx, r.Key.OrgID)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			return nil, apperr.New(apperr.Forbidden, "matter.error.api_key")
		case err != nil:
			return nil, err
		}
		in.org, cats = o, all
	case a == nil: // the public form
		in.channel = ChannelWeb
		if r.OrgID == 0 {
			v.Add("org_id", "error.required")
			return nil, v.Err()
		}
		o, all, err := s.store.FindIntakeOrg(ctx, r.OrgID)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			v.Add("org_id", "error.choice")
			return nil, v.Err()
		case err != nil:
			return nil, err
		}
		in.org, cats = o, all
	default: // staff
		in.channel = r.Channel
		if in.channel == "" {
			in.channel = ChannelStaff
		}
		if in.channel != ChannelStaff && in.channel != ChannelPhone && in.channel != ChannelVisit {
			v.Add("channel", "matter.error.channel")
		}
		if r.OrgID == 0 {
			v.Add("org_id", "error.required")
			return nil, v.Err()
		}
		o, err := s.orgs.FindOrganizationByID(ctx, r.OrgID)
		if err != nil || !a.CanAdmin(o.Path) {
			v.Add("org_id", "error.org_out_of_scope")
			return nil, v.Err()
		}
		in.org = o
	}
	c.Channel = in.channel
	if a == nil {
		c.PersonID, c.VisitID = 0, 0
	}

	// A me-too joins an open matter of a category that applies to the organization.
	if r.MeToo != 0 {
		m, err := s.matterSurvivor(ctx, r.MeToo)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			v.Add("me_too", "error.choice")
		case err != nil:
			return nil, err
		case !Open(m.Status):
			v.Add("me_too", "matter.error.not_open")
		case in.org == nil || !strings.HasPrefix(m.OrgPath, in.org.Path):
			// Only a matter the organization (or one below it) handles: a form or a cadre of
			// one branch never writes into another's matter.
			v.Add("me_too", "error.choice")
		default:
			in.matter = m
			if c.CategoryID == 0 && c.CategoryCode == "" {
				c.CategoryID = m.CategoryID
			}
		}
	}

	// The category: by ID, or by code for Open311.
	var cat *Category
	var err error
	code := strings.TrimSpace(c.CategoryCode)
	switch {
	case cats != nil && (c.CategoryID != 0 || code != ""):
		err = apperr.ErrNotFound
		for _, x := range cats {
			if c.CategoryID != 0 && x.ID == c.CategoryID || c.CategoryID == 0 && x.Code == code {
				cat, err = x, nil
				break
			}
		}
	case c.CategoryID != 0:
		cat, err = s.store.FindCategoryByID(ctx, c.CategoryID)
	case code != "":
		cat, err = s.store.FindCategoryByCode(ctx, code)
	default:
		err = apperr.ErrNotFound
	}
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		v.Add("category_id", "matter.error.category")
	case err != nil:
		return nil, err
	case !cat.Applies(in.org.Path):
		v.Add("category_id", "matter.error.category")
	case !cat.Active:
		v.Add("category_id", "matter.error.category_inactive")
	default:
		in.category = cat
		c.CategoryID, c.CategoryCode = cat.ID, cat.Code
		if in.matter != nil && in.matter.CategoryID != cat.ID {
			v.Add("me_too", "matter.error.other_category")
		}
	}

	// What and where.
	c.Description = matterCleanText(c.Description)
	switch {
	case c.Description == "" && in.matter == nil:
		v.Add("description", "error.required")
	case matterRuneLen(c.Description) > MaxDescription:
		v.Add("description", "error.too_long")
	}
	c.Zone, c.Booth, c.Address = matterCleanLine(c.Zone), matterCleanLine(c.Booth), matterCleanLine(c.Address)
	for _, f := range []struct {
		name, value string
		max         int
	}{{"zone", c.Zone, MaxZone}, {"booth", c.Booth, MaxBooth}, {"address", c.Address, MaxAddress}} {
		if matterRuneLen(f.value) > f.max {
			v.Add(f.name, "error.too_long")
		}
	}
	matterCheckPoint(c.Latitude, c.Longitude, &v)
	if in.category != nil {
		// A me-too joins a matter whose first report answered the questions: what the
		// reporter adds is checked, nothing more is required of them.
		c.Attributes = matterCheckAttributes(in.category.Fields, c.Attributes, in.matter == nil, &v)
	} else {
		c.Attributes = nil
	}

	// Who: nobody, when anonymous.
	if c.Anonymous {
		c.Name, c.Phone, c.Email, c.PersonID = "", "", "", 0
	}
	c.Name = matterCleanLine(c.Name)
	if matterRuneLen(c.Name) > MaxName {
		v.Add("name", "error.too_long")
	}
	if c.Phone = strings.TrimSpace(c.Phone); c.Phone != "" {
		phone, ok := matterPhone(c.Phone)
		if !ok {
			v.Add("phone", "error.phone")
		}
		c.Phone = phone
	}
	if c.Email = strings.TrimSpace(c.Email); c.Email != "" && !matterEmail(c.Email) {
		v.Add("email", "matter.error.email")
	}
	if c.PersonID != 0 {
		p, err := s.orgs.FindPersonByID(ctx, c.PersonID)
		if err != nil || !a.CanView(p.OrgPath) {
			v.Add("person_id", "error.person_out_of_scope")
		} else if c.Name == "" {
			c.Name = p.Name
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// matterPhone normalises a phone number (pii.ParsePhone) and checks it is a mainland mobile
// (11 digits starting with 1) or a landline: an area code starting with 0 and the number (10
// to 12 digits), or a local number of 7 or 8 digits.
func matterPhone(raw string) (string, bool) {
	s, err := pii.ParsePhone(raw)
	if err != nil {
		return "", false
	}
	switch {
	case s[0] == '1':
		return s, len(s) == 11
	case s[0] == '0':
		return s, len(s) >= 10 && len(s) <= 12
	default:
		return s, len(s) == 7 || len(s) == 8
	}
}

// matterCheckPoint checks a map point: both coordinates or neither, in range.
func matterCheckPoint(lat, long *float64, v *apperr.Validation) {
	if (lat == nil) != (long == nil) {
		if lat == nil {
			v.Add("latitude", "error.coordinates")
		} else {
			v.Add("longitude", "error.coordinates")
		}
		return
	}
	if lat == nil {
		return
	}
	if math.IsNaN(*lat) || *lat < -90 || *lat > 90 {
		v.Add("latitude", "error.coordinates")
	}
	if math.IsNaN(*long) || *long < -180 || *long > 180 {
		v.Add("longitude", "error.coordinates")
	}
}

// matterEmail checks the shape of an email address: one @, something before it, a dotted
// domain after it, no spaces or brackets.
func matterEmail(s string) bool {
	if len(s) > MaxEmail || strings.ContainsAny(s, " \t\r\n<>\"(),;:[]\\") || strings.Count(s, "@") != 1 {
		return false
	}
	at := strings.IndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	return local != "" && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") &&
		!strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// Datetime layouts an extra field of datatype datetime accepts.
var matterDatetimeLayouts = []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// matterCheckAttributes checks the values of a category's extra fields and returns those of
// the category's fields only, cleaned. Errors are on "attribute.<code>".
func matterCheckAttributes(fields []Field, in map[string][]string, required bool, v *apperr.Validation) map[string][]string {
	out := map[string][]string{}
	for _, f := range fields {
		name := "attribute." + f.Code
		var vals []string
		for _, x := range in[f.Code] {
			if x = matterCleanText(x); x != "" {
				vals = append(vals, x)
			}
		}
		if len(vals) == 0 {
			if f.Required && required {
				v.Add(name, "matter.error.field_required")
			}
			continue
		}
		if f.Datatype != DatatypeMultiValueList && len(vals) > 1 {
			vals = vals[:1]
		}
		switch f.Datatype {
		case DatatypeNumber:
			if n, err := strconv.ParseFloat(vals[0], 64); err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
				v.Add(name, "error.number")
			}
		case DatatypeDatetime:
			ok := false
			for _, layout := range matterDatetimeLayouts {
				if _, err := time.Parse(layout, vals[0]); err == nil {
					ok = true
					break
				}
			}
			if !ok {
				v.Add(name, "error.datetime")
			}
		case DatatypeSingleValueList, DatatypeMultiValueList:
			if len(vals) > len(f.Values) {
				v.Add(name, "error.choice")
			}
			for _, x := range vals {
				found := false
				for _, fv := range f.Values {
					found = found || fv.Key == x
				}
				if !found {
					v.Add(name, "error.choice")
				}
			}
		case DatatypeText:
			if matterRuneLen(vals[0]) > 2000 {
				v.Add(name, "error.too_long")
			}
		default:
			vals[0] = matterCleanLine(vals[0])
			if matterRuneLen(vals[0]) > 200 {
				v.Add(name, "error.too_long")
			}
		}
		out[f.Code] = vals
	}
	return out
}

// matterSurvivor returns a matter, or the matter it was merged into (and so on).
func (s *Service) matterSurvivor(ctx context.Context, id int64) (*Matter, error) {
	m, err := s.store.FindMatterByID(ctx, id)
	for hops := 0; err == nil && m.Status == StatusMerged && m.MergedInto != 0 && hops < 20; hops++ {
		m, err = s.store.FindMatterByID(ctx, m.MergedInto)
	}
	return m, err
}

// matterCodeTries is how often intake draws new codes after a unique conflict (two codes
// colliding among 10^12 is rare; three times in a row means something else is wrong).
const matterCodeTries = 3

// Submit files a report. Without an actor it is the public form (channel web) or the Open311
// API (channel open311, r.Key set); with one, a cadre records it on someone's behalf.
func (s *Service) Submit(ctx context.Context, a *auth.Actor, r *Report) (*Receipt, error) {
	in, err := s.matterCheckReport(ctx, a, r)
	if err != nil {
		return nil, err
	}
	c := &in.report
	now := s.now()
	grams := Grams(c.Description)
	for try := 1; ; try++ {
		key, hash := NewKey()
		p := &Problem{Code: NewCode(), SecretHash: hash, Kind: KindReport, Channel: in.channel, CategoryID: in.category.ID,
			Description: c.Description, Attributes: c.Attributes, Place: c.Place, Anonymous: c.Anonymous,
			PersonID: c.PersonID, ReporterName: c.Name, Phone: c.Phone, Email: c.Email, VisitID: c.VisitID, CreatedAt: now}
		ev := &Event{Kind: EventSubmitted, Public: true, ToStatus: StatusSubmitted, At: now}
		rec := &audit.Record{ActorName: ActorPublic, Action: "problem.create", ObjectType: "problem", OrgPath: in.org.Path}
		if in.channel == ChannelOpen311 {
			rec.ActorName = ActorOpen311
		}
		if a != nil {
			rec = record(a, "problem.create", "problem")
			rec.OrgPath = in.org.Path
			p.CreatedBy, p.CreatedByName = a.UserID, a.Name
			ev.ByUser, ev.ByName = a.UserID, a.Name
		}
		var m *Matter
		if in.matter != nil {
			m = in.matter
			p.Kind, p.MatterID, p.OriginalMatterID = KindMeToo, m.ID, m.ID
			ev.Kind, ev.ToStatus, ev.MatterID = EventMeToo, "", m.ID
			rec.Action, rec.OrgPath = "problem.metoo", m.OrgPath
			rec.After = audit.JSON(matterIntakeAudit(p, m))
			err = s.store.AddProblem(ctx, p, grams, ev, rec)
		} else {
			if m, err = s.matterNew(ctx, in, now); err != nil {
				return nil, err
			}
			m.Grams = len(grams)
			rec.After = audit.JSON(matterIntakeAudit(p, m))
			err = s.store.CreateMatter(ctx, m, p, grams, ev, rec)
		}
		if errors.Is(err, apperr.ErrConflict) && try < matterCodeTries {
			continue // a code was taken: draw new ones
		}
		if err != nil {
			return nil, fmt.Errorf("masswork: submit: %w", err)
		}
		return &Receipt{Code: p.Code, Key: key, MatterID: m.ID, MatterCode: m.Code, ProblemID: p.ID}, nil
	}
}

// matterNew returns the new matter a report opens, with its deadlines.
func (s *Service) matterNew(ctx context.Context, in *matterIntake, now time.Time) (*Matter, error) {
	c := &in.report
	respond, err := s.Deadline(ctx, now, in.category.ResponseDays)
	if err != nil {
		return nil, err
	}
	resolve, err := s.Deadline(ctx, now, in.category.ResolveDays)
	if err != nil {
		return nil, err
	}
	m := &Matter{Code: NewCode(), OrgID: in.org.ID, OrgName: in.org.Name, OrgPath: in.org.Path, CategoryID: in.category.ID,
		CategoryCode: in.category.Code, CategoryName: in.category.NameZh, CategoryNameEn: in.category.NameEn,
		Title: matterFirstRunes(c.Description, TitleLen), Status: StatusSubmitted, Place: c.Place, People: 1,
		RankKey: RankKey([]time.Time{now}), ResponseDue: respond, ResolveDue: resolve, CreatedAt: now, UpdatedAt: now, Version: 1}
	return m, nil
}

// matterIntakeAudit is what the audit trail keeps of a report: never the reporter's name,
// phone or email, nor the text.
func matterIntakeAudit(p *Problem, m *Matter) any {
	return struct {
		Code, Matter, Kind, Channel string
		CategoryID                  int64
		Anonymous, HasPhone         bool
		PersonID, VisitID           int64 `json:",omitempty"`
	}{p.Code, m.Code, p.Kind, p.Channel, p.CategoryID, p.Anonymous, p.Phone != "", p.PersonID, p.VisitID}
}

package masswork

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
)

// Visit rules.
const (
	// MaxVisitProblems is how many problems one visit's form files at once.
	MaxVisitProblems = 3
	// ReservationDays is how long a reservation to visit a contact lasts.
	ReservationDays = 7
	// DefaultCoverageMonths is the window of coverage when none is asked for.
	DefaultCoverageMonths = 6
	// MaxCoverageMonths bounds the window of coverage.
	MaxCoverageMonths = 36
	// MaxReserve bounds the contacts one request reserves or releases.
	MaxReserve = 200

	visitMaxSummary = 2000
	visitMaxName    = 50
	// visitFormLayout is the form's date and minute (an <input type="datetime-local">).
	visitFormLayout = "2006-01-02T15:04"
)

// People adds people to the register: the organization service, which validates, encrypts
// and audits them.
type People interface {
	CreatePerson(ctx context.Context, a *auth.Actor, p *org.Person) error
}

// SetPeople gives the service the register it adds new contacts to. It is called once when
// the application is wired, before any request.
func (s *Service) SetPeople(p People) { s.people = p }

// VisitInput is a visit as a cadre logs it.
type VisitInput struct {
	// OrgID is the organization the visit is logged for; 0 means the first one the actor
	// administers.
	OrgID int64
	// ContactID is the contact visited, from the register; or NewContact, someone not on it yet.
	ContactID  int64
	NewContact *NewContact
	// Place is where the visit happened; empty fields are taken from the contact.
	Place
	// VisitedAt is the date and minute in the service's zone (YYYY-MM-DDTHH:MM); empty means now.
	VisitedAt string
	Summary   string
	// Problems raised, each filed as a problem of channel visit; rows left empty are ignored.
	Problems []VisitProblem
}

// NewContact is someone visited who is not on the register yet: they are added to the
// visit's organization as one of the masses.
type NewContact struct {
	Name  string
	Zone  string
	Booth string
	Phone string
}

// VisitProblem is one problem raised during a visit.
type VisitProblem struct {
	CategoryID  int64
	Description string
}

// empty reports whether the row was left blank.
func (p VisitProblem) empty() bool {
	return p.CategoryID == 0 && strings.TrimSpace(p.Description) == ""
}

// ErrProblemsNotFiled is returned with the saved visit when a problem raised in it could not
// be filed after the visit was saved: the visit stands; the problem is to be filed again.
var ErrProblemsNotFiled = apperr.New(apperr.Internal, "visit.error.problems_not_filed")

// VisitView is one visit as staff see it.
type VisitView struct {
	Visit *Visit
	// Contact is the person visited, phone masked; nil when the actor may not read the
	// contact's organization's register.
	Contact *org.Person
}

// LogVisit records a cadre's visit to a contact and files the problems raised in it. The actor
// must administer the organization the visit is logged for and be able to read the register
// of the contact's organization (CanView: the register's search lists no one else, and a
// problem is filed for a contact only so). Everything is validated first (the visit, a new
// contact and every problem); then the new contact is added to the register, the visit saved
// (releasing the contact's reservation), and each problem filed with Submit. A problem that
// fails after the visit was saved returns the visit with ErrProblemsNotFiled.
func (s *Service) LogVisit(ctx context.Context, a *auth.Actor, in VisitInput) (*Visit, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	if !a.IsAdmin() {
		return nil, apperr.ErrDenied
	}
	now := s.now()
	var v apperr.Validation
	o, err := s.visitOrg(ctx, a, in.OrgID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		v.Add("org_id", "error.org_out_of_scope")
	case err != nil:
		return nil, err
	}
	visit := &Visit{VisitorID: a.PersonID, VisitorName: a.Name, CreatedBy: a.UserID, CreatedAt: now,
		Summary: visitClean(in.Summary, true)}
	if visit.VisitorName == "" {
		visit.VisitorName = a.Username
	}
	if o != nil {
		visit.OrgID, visit.OrgName, visit.OrgPath = o.ID, o.Name, o.Path
	}
	contact, fresh, err := s.visitContact(ctx, a, in, visit.OrgID, &v)
	if err != nil {
		return nil, err
	}
	s.visitCheck(in, visit, contact, fresh, now, &v)
	var reports []*Report
	if o != nil {
		if reports, err = s.visitReports(ctx, a, in.Problems, visit, contact, fresh, &v); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	// Write: the new contact, the visit, then its problems.
	if fresh != nil {
		if s.people == nil {
			return nil, errors.New("masswork: log visit: no register to add the contact to")
		}
		if err := s.people.CreatePerson(ctx, a, fresh); err != nil {
			return nil, visitContactError(err)
		}
		contact = fresh
	}
	visit.ContactID, visit.ContactName = contact.ID, contact.Name
	rec := record(a, "visit.create", "visit")
	rec.OrgPath, rec.PersonID = visit.OrgPath, contact.ID
	rec.After = audit.JSON(visitAudit(visit))
	if err := s.store.CreateVisit(ctx, visit, rec); err != nil {
		return nil, err
	}
	for i, r := range reports {
		s.visitReport(r, visit, contact, nil)
		r.VisitID = visit.ID
		rc, err := s.Submit(ctx, a, r)
		if err != nil {
			return visit, fmt.Errorf("masswork: log visit %d: problem %d: %w: %w", visit.ID, i+1, ErrProblemsNotFiled, err)
		}
		visit.Problems = append(visit.Problems, &Problem{ID: rc.ProblemID, Code: rc.Code, MatterID: rc.MatterID,
			MatterCode: rc.MatterCode, Channel: ChannelVisit, CategoryID: r.CategoryID, Description: r.Description,
			Place: r.Place, PersonID: r.PersonID, VisitID: visit.ID, CreatedBy: a.UserID, CreatedAt: now})
	}
	return visit, nil
}

// visitContact returns the contact a visit names, from the register, or the new contact to
// add to the register of the organization orgID; what is wrong goes to v.
func (s *Service) visitContact(ctx context.Context, a *auth.Actor, in VisitInput, orgID int64, v *apperr.Validation) (contact, fresh *org.Person, err error) {
	switch {
	case in.ContactID != 0:
		p, err := s.orgs.FindPersonByID(ctx, in.ContactID)
		switch {
		case errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanView(p.OrgPath)):
			v.Add("contact_id", "visit.error.contact")
		case err != nil:
			return nil, nil, err
		default:
			contact = p
		}
	case in.NewContact != nil:
		fresh = &org.Person{OrgID: orgID, Name: visitClean(in.NewContact.Name, false), Zone: visitClean(in.NewContact.Zone, false),
			Booth: visitClean(in.NewContact.Booth, false), Phone: strings.TrimSpace(in.NewContact.Phone),
			Stage: org.StageMasses, Status: org.StatusNormal}
		checkNewContact(v, fresh)
	default:
		v.Add("contact_id", "visit.error.contact_required")
	}
	return contact, fresh, nil
}

// visitCheck fills and checks a visit's place (what was typed, else the contact's), time (the
// minute typed, in the zone, not in the future; else now) and summary.
func (s *Service) visitCheck(in VisitInput, visit *Visit, contact, fresh *org.Person, now time.Time, v *apperr.Validation) {
	visit.Place = Place{Zone: visitClean(in.Zone, false), Booth: visitClean(in.Booth, false), Address: visitClean(in.Address, false)}
	from := contact
	if from == nil {
		from = fresh
	}
	if from != nil {
		if visit.Zone == "" {
			visit.Zone = from.Zone
		}
		if visit.Booth == "" {
			visit.Booth = from.Booth
		}
		if visit.Address == "" {
			visit.Address = from.Address
		}
	}
	// The limits of a report's place, which the problems raised take.
	visitCheckLen(v, "zone", visit.Zone, MaxZone)
	visitCheckLen(v, "booth", visit.Booth, MaxBooth)
	visitCheckLen(v, "address", visit.Address, MaxAddress)

	visit.VisitedAt = now
	if when := strings.TrimSpace(in.VisitedAt); when != "" {
		t, err := time.ParseInLocation(visitFormLayout, when, s.zone)
		switch {
		case err != nil || t.Year() < 2000:
			v.Add("visited_at", "error.datetime")
		case t.After(now.Add(5 * time.Minute)):
			v.Add("visited_at", "visit.error.future")
		default:
			visit.VisitedAt = t
		}
	}
	switch {
	case visit.Summary == "":
		v.Add("summary", "error.required")
	default:
		visitCheckLen(v, "summary", visit.Summary, visitMaxSummary)
	}
}

// visitReports returns the problems raised, each checked as Submit will check it; their
// errors go to v as problems.<form row>.<field>.
func (s *Service) visitReports(ctx context.Context, a *auth.Actor, rows []VisitProblem, visit *Visit, contact, fresh *org.Person, v *apperr.Validation) ([]*Report, error) {
	var reports []*Report
	for _, p := range rows {
		if !p.empty() {
			reports = append(reports, &Report{CategoryID: p.CategoryID, Description: p.Description})
		}
	}
	if len(reports) > MaxVisitProblems {
		v.Add("problems", "visit.error.too_many_problems")
		return nil, nil
	}
	for i, r := range reports {
		s.visitReport(r, visit, contact, fresh)
		if err := s.ValidateReport(ctx, a, r); err != nil {
			e := apperr.As(err)
			if e == nil || len(e.Fields) == 0 {
				return nil, fmt.Errorf("masswork: log visit: problem %d: %w", i+1, err)
			}
			for field, key := range e.Fields {
				v.Add("problems."+strconv.Itoa(visitProblemIndex(rows, i))+"."+field, key)
			}
		}
	}
	return reports, nil
}

// visitReport fills a problem raised during a visit: filed by the cadre for the contact,
// where the visit was.
func (s *Service) visitReport(r *Report, visit *Visit, contact, fresh *org.Person) {
	r.OrgID, r.Channel, r.Place = visit.OrgID, ChannelVisit, visit.Place
	switch {
	case contact != nil:
		r.PersonID, r.Name = contact.ID, contact.Name
	case fresh != nil:
		r.Name = fresh.Name
	}
}

// visitProblemIndex returns the form row of the i-th problem that was filled in.
func visitProblemIndex(rows []VisitProblem, i int) int {
	n := -1
	for j, p := range rows {
		if !p.empty() {
			n++
			if n == i {
				return j
			}
		}
	}
	return i
}

// visitOrg returns the organization a visit is logged for: the one asked for, which the actor
// must administer, or the actor's first administered one.
func (s *Service) visitOrg(ctx context.Context, a *auth.Actor, orgID int64) (*org.Organization, error) {
	if orgID == 0 {
		orgID = visitFirstOrg(a)
	}
	if orgID == 0 {
		return nil, apperr.ErrNotFound
	}
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !a.CanAdmin(o.Path) {
		return nil, apperr.ErrNotFound
	}
	return o, nil
}

// visitFirstOrg returns the ID of the organization at the top of the actor's first
// administered subtree (paths are the IDs from the root: /1/4/), or 0 for the whole tree.
func visitFirstOrg(a *auth.Actor) int64 {
	roots := a.AdminRoots()
	if len(roots) == 0 {
		return 0
	}
	return visitPathID(roots[0])
}

// visitPathID returns the ID of the organization a materialized path ends with, or 0.
func visitPathID(path string) int64 {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	id, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// checkNewContact validates a new contact as the register will, so that nothing is written
// before the whole form is valid.
func checkNewContact(v *apperr.Validation, p *org.Person) {
	switch {
	case p.Name == "":
		v.Add("new_name", "error.required")
	default:
		visitCheckLen(v, "new_name", p.Name, visitMaxName)
	}
	visitCheckLen(v, "new_zone", p.Zone, MaxZone)
	visitCheckLen(v, "new_booth", p.Booth, MaxBooth)
	if p.Phone != "" {
		if _, err := pii.ParsePhone(p.Phone); err != nil {
			v.Add("new_phone", "error.phone")
		}
	}
}

// visitContactError maps the register's field errors on a new contact to the form's fields.
func visitContactError(err error) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	var v apperr.Validation
	for field, key := range e.Fields {
		switch field {
		case "name", "zone", "booth", "phone":
			v.Add("new_"+field, key)
		default:
			v.Add("contact_id", key)
		}
	}
	return v.Err()
}

// visitClean trims a text field and drops control and invisible format characters; single
// line fields also fold line breaks into spaces.
func visitClean(s string, multiline bool) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && multiline:
			return r
		case r == '\r':
			if multiline {
				return -1
			}
			return ' '
		case r == '\t' || r == '\n':
			return ' '
		case unicode.Is(unicode.Cf, r) && r != '\u00b7', unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func visitCheckLen(v *apperr.Validation, field, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		v.Add(field, "error.too_long")
	}
}

// visitAuditView is what the audit trail keeps of a visit.
type visitAuditView struct {
	OrgID, ContactID, VisitorID int64
	Visitor                     string
	Zone, Booth, Address        string
	VisitedAt                   time.Time
	Summary                     string
}

func visitAudit(v *Visit) visitAuditView {
	return visitAuditView{OrgID: v.OrgID, ContactID: v.ContactID, VisitorID: v.VisitorID, Visitor: v.VisitorName,
		Zone: v.Zone, Booth: v.Booth, Address: v.Address, VisitedAt: v.VisitedAt, Summary: v.Summary}
}

// Visits lists the visits logged for organizations in the actor's readable subtrees, newest
// first, and how many the filter selects.
func (s *Service) Visits(ctx context.Context, a *auth.Actor, f VisitFilter) ([]*Visit, int, error) {
	if a == nil {
		return nil, 0, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	f.Roots = a.ReadRoots()
	if len(f.Roots) == 0 {
		return nil, 0, apperr.ErrDenied
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 20
	}
	f.Offset = max(f.Offset, 0)
	f.Zone = visitClean(f.Zone, false)
	return s.store.FindVisits(ctx, f)
}

// Visit returns one visit the actor may see, with the contact when the actor may read the
// contact's register. A visit of another organization is not found.
func (s *Service) Visit(ctx context.Context, a *auth.Actor, id int64) (*VisitView, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	v, err := s.store.FindVisitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.CanView(v.OrgPath) {
		return nil, apperr.ErrNotFound
	}
	view := &VisitView{Visit: v}
	p, err := s.orgs.FindPersonByID(ctx, v.ContactID)
	switch {
	case err == nil && a.CanView(p.OrgPath):
		view.Contact = p
	case err != nil && !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	}
	return view, nil
}

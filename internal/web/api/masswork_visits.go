package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
)

// Visit is a cadre's face-to-face visit to a contact, with the problems raised in it (schema
// Visit).
type Visit struct {
	ID          int64          `json:"id"`
	OrgID       int64          `json:"org_id"`
	OrgName     string         `json:"org_name"`
	VisitorID   *int64         `json:"visitor_id"`
	VisitorName string         `json:"visitor_name"`
	ContactID   int64          `json:"contact_id"`
	ContactName string         `json:"contact_name"`
	Zone        string         `json:"zone"`
	Booth       string         `json:"booth"`
	Address     string         `json:"address"`
	VisitedAt   time.Time      `json:"visited_at"`
	Summary     string         `json:"summary"`
	CreatedAt   time.Time      `json:"created_at"`
	Problems    []VisitProblem `json:"problems"`
}

// VisitProblem is a problem raised during a visit, filed as a report of a matter (schema
// VisitProblem).
type VisitProblem struct {
	ReportID     int64  `json:"report_id"`
	ReportCode   string `json:"report_code"`
	MatterID     int64  `json:"matter_id"`
	MatterCode   string `json:"matter_code"`
	CategoryID   int64  `json:"category_id"`
	CategoryName string `json:"category_name"`
	Description  string `json:"description"`
}

// VisitDetail is one visit with the contact visited, when the caller may read the contact's
// register (schema VisitDetail).
type VisitDetail struct {
	Visit
	Contact *VisitContact `json:"contact"`
}

// VisitContact is the person visited, phone masked (schema VisitContact).
type VisitContact struct {
	ID          int64  `json:"id"`
	OrgID       int64  `json:"org_id"`
	OrgName     string `json:"org_name"`
	Name        string `json:"name"`
	Stage       string `json:"stage"`
	Zone        string `json:"zone"`
	Booth       string `json:"booth"`
	Address     string `json:"address"`
	PhoneMasked string `json:"phone_masked"`
}

// VisitPage is one page of visits, newest first (schema VisitPage).
type VisitPage struct {
	Items  []Visit `json:"items"`
	Total  int     `json:"total"`
	Limit  int     `json:"limit"`
	Offset int     `json:"offset"`
}

// VisitCreate is the body of POST /visits (schema VisitCreate): the contact visited (a
// contact on the register, or a new one), where and when, what was discussed and the
// problems raised.
type VisitCreate struct {
	OrgID      int64                `json:"org_id"`
	ContactID  int64                `json:"contact_id"`
	NewContact *VisitNewContact     `json:"new_contact"`
	Zone       string               `json:"zone"`
	Booth      string               `json:"booth"`
	Address    string               `json:"address"`
	VisitedAt  string               `json:"visited_at"`
	Summary    string               `json:"summary"`
	Problems   []VisitProblemCreate `json:"problems"`
}

// VisitNewContact is someone visited who is not on the register yet (schema VisitNewContact).
type VisitNewContact struct {
	Name  string `json:"name"`
	Zone  string `json:"zone"`
	Booth string `json:"booth"`
	Phone string `json:"phone"`
}

// VisitProblemCreate is one problem raised during a visit (schema VisitProblemCreate).
type VisitProblemCreate struct {
	CategoryID  int64  `json:"category_id"`
	Description string `json:"description"`
}

// Coverage is who of an area was visited in a window and who never was, or, without an area,
// the summary of each area (schema Coverage).
type Coverage struct {
	OrgID      *int64         `json:"org_id"`
	OrgName    string         `json:"org_name"`
	Zone       string         `json:"zone"`
	Mine       bool           `json:"mine"`
	Months     int            `json:"months"`
	Since      time.Time      `json:"since"`
	Contacts   int            `json:"contacts"`
	Visited    int            `json:"visited"`
	Lapsed     int            `json:"lapsed"`
	Never      int            `json:"never"`
	Reserved   int            `json:"reserved"`
	Percent    float64        `json:"percent"`
	CanReserve bool           `json:"can_reserve"`
	Areas      []AreaCoverage `json:"areas"`
	Rows       []CoverageRow  `json:"rows"`
}

// AreaCoverage is the coverage of one area (schema AreaCoverage).
type AreaCoverage struct {
	Zone     string `json:"zone"`
	Contacts int    `json:"contacts"`
	Visited  int    `json:"visited"`
}

// CoverageRow is one contact of an area with its visits in the window and its reservation
// (schema CoverageRow).
type CoverageRow struct {
	ContactID       int64      `json:"contact_id"`
	ContactName     string     `json:"contact_name"`
	Zone            string     `json:"zone"`
	Booth           string     `json:"booth"`
	LastVisitAt     *time.Time `json:"last_visit_at"`
	LastVisitorName string     `json:"last_visitor_name"`
	Visits          int        `json:"visits"`
	EverVisited     bool       `json:"ever_visited"`
	ReservedBy      string     `json:"reserved_by"`
	ReservedByID    *int64     `json:"reserved_by_id"`
	ReservedUntil   *time.Time `json:"reserved_until"`
}

// ContactIDs is the body of POST /visits/reserve and /visits/release (schema ContactIDs).
type ContactIDs struct {
	ContactIDs *[]int64 `json:"contact_ids"`
}

// Reservations answers a reservation or a release: how many contacts were reserved and how
// many were held by someone else (reserve only), and the caller's reservations now (schema
// Reservations).
type Reservations struct {
	Reserved int           `json:"reserved"`
	Taken    int           `json:"taken"`
	Mine     []CoverageRow `json:"mine"`
}

func (h *Handler) toVisit(v *masswork.Visit, lang string) Visit {
	zone := h.massZone()
	out := Visit{ID: v.ID, OrgID: v.OrgID, OrgName: v.OrgName, VisitorID: idOrNull(v.VisitorID), VisitorName: v.VisitorName,
		ContactID: v.ContactID, ContactName: v.ContactName, Zone: v.Zone, Booth: v.Booth, Address: v.Address,
		VisitedAt: v.VisitedAt.In(zone), Summary: v.Summary, CreatedAt: v.CreatedAt.In(zone),
		Problems: make([]VisitProblem, 0, len(v.Problems))}
	for _, p := range v.Problems {
		name := p.CategoryName
		if lang == "en" && p.CategoryNameEn != "" {
			name = p.CategoryNameEn
		}
		out.Problems = append(out.Problems, VisitProblem{ReportID: p.ID, ReportCode: p.Code, MatterID: p.MatterID,
			MatterCode: p.MatterCode, CategoryID: p.CategoryID, CategoryName: name, Description: masswork.MaskPublicText(p.Description)})
	}
	return out
}

func (h *Handler) toCoverageRows(rows []*masswork.CoverageRow) []CoverageRow {
	zone := h.massZone()
	out := make([]CoverageRow, 0, len(rows))
	for _, c := range rows {
		out = append(out, CoverageRow{ContactID: c.ContactID, ContactName: c.ContactName, Zone: c.Zone, Booth: c.Booth,
			LastVisitAt: timeOrNull(c.LastVisitAt, zone), LastVisitorName: c.LastVisitorName, Visits: c.Visits,
			EverVisited: c.EverVisited, ReservedBy: c.ReservedBy, ReservedByID: idOrNull(c.ReservedByID),
			ReservedUntil: timeOrNull(c.ReservedUntil, zone)})
	}
	return out
}

// visitQuery parses the query of GET /visits; since is a day in the organization's zone.
func (h *Handler) visitQuery(r *http.Request) (masswork.VisitFilter, error) {
	q := r.URL.Query()
	fields := map[string]string{}
	f := masswork.VisitFilter{Zone: q.Get("zone")}
	f.Limit, f.Offset = limitOffset(r, fields)
	f.ContactID = queryID(r, "contact_id", fields)
	f.VisitorID = queryID(r, "visitor_id", fields)
	if s := q.Get("since"); s != "" {
		t, err := time.ParseInLocation(time.DateOnly, s, h.massZone())
		if err != nil {
			fields["since"] = "error.date"
		}
		f.Since = t
	}
	if len([]rune(f.Zone)) > masswork.MaxZone {
		fields["zone"] = "error.too_long"
	}
	if len(fields) > 0 {
		return f, badRequest(fields)
	}
	return f, nil
}

func (h *Handler) listVisits(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	f, err := h.visitQuery(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	list, total, err := h.mass.Visits(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	lang := h.massLang(r, a)
	out := VisitPage{Items: make([]Visit, 0, len(list)), Total: total, Limit: f.Limit, Offset: f.Offset}
	for _, v := range list {
		out.Items = append(out.Items, h.toVisit(v, lang))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) getVisit(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerVisit(w, r, a, http.StatusOK, id)
}

// answerVisit reads a visit and writes it with a Location header.
func (h *Handler) answerVisit(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, id int64) {
	v, err := h.mass.Visit(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := VisitDetail{Visit: h.toVisit(v.Visit, h.massLang(r, a))}
	if p := v.Contact; p != nil {
		out.Contact = &VisitContact{ID: p.ID, OrgID: p.OrgID, OrgName: p.OrgName, Name: p.Name, Stage: p.Stage, Zone: p.Zone,
			Booth: p.Booth, Address: p.Address, PhoneMasked: p.PhoneMask}
	}
	location(w, "visits", v.Visit.ID)
	h.writeJSON(w, r, status, out)
}

// createVisit logs a visit. visited_at is an instant in RFC 3339 (or the minute as the form
// gives it, YYYY-MM-DDTHH:MM in the organization's zone); empty means now. The problems
// raised are filed as reports of channel visit; their errors are named problems.N.field.
func (h *Handler) createVisit(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in VisitCreate
	if err := decode(w, r, &in, "visitor_id", "visitor_name", "contact_name", "problem_ids"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	vi := masswork.VisitInput{OrgID: in.OrgID, ContactID: in.ContactID, Place: masswork.Place{Zone: in.Zone, Booth: in.Booth,
		Address: in.Address}, VisitedAt: localDateTime(in.VisitedAt, h.massZone()), Summary: in.Summary}
	if in.ContactID != 0 && in.NewContact != nil {
		h.fail(w, r, a.Locale, invalid("contact_id", "visit.error.contact_both"))
		return
	}
	if c := in.NewContact; c != nil {
		vi.NewContact = &masswork.NewContact{Name: c.Name, Zone: c.Zone, Booth: c.Booth, Phone: c.Phone}
	}
	for _, p := range in.Problems {
		vi.Problems = append(vi.Problems, masswork.VisitProblem{CategoryID: p.CategoryID, Description: p.Description})
	}
	v, err := h.mass.LogVisit(r.Context(), a, vi)
	if err != nil && (v == nil || !errors.Is(err, masswork.ErrProblemsNotFiled)) {
		h.fail(w, r, a.Locale, err)
		return
	}
	if err != nil {
		// The visit stands but a problem raised in it was not filed: say so, naming the visit.
		location(w, "visits", v.ID)
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerVisit(w, r, a, http.StatusCreated, v.ID)
}

// getCoverage answers the coverage of an organization's subtree (org_id; every subtree the
// caller reads when left out): with zone, the contacts of that area; with mine=true, the
// contacts the caller reserved; otherwise the summary of each area.
func (h *Handler) getCoverage(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	q := r.URL.Query()
	fields := map[string]string{}
	req := masswork.CoverageRequest{OrgID: queryID(r, "org_id", fields), Zone: q.Get("zone"), Mine: queryBool(r, "mine", fields)}
	if s := q.Get("months"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > masswork.MaxCoverageMonths {
			fields["months"] = "api.wrong_type"
		} else {
			req.Months = n
		}
	}
	if len([]rune(req.Zone)) > masswork.MaxZone {
		fields["zone"] = "error.too_long"
	}
	if len(fields) > 0 {
		h.fail(w, r, a.Locale, badRequest(fields))
		return
	}
	c, err := h.mass.Coverage(r.Context(), a, req)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := Coverage{OrgID: idOrNull(c.OrgID), OrgName: c.OrgName, Zone: c.Zone, Mine: c.Mine, Months: c.Months,
		Since: c.Since.In(h.massZone()), Contacts: c.Contacts, Visited: c.Visited, Lapsed: c.Lapsed, Never: c.Never,
		Reserved: c.Reserved, Percent: c.Percent(), CanReserve: c.CanReserve, Areas: make([]AreaCoverage, 0, len(c.Areas)),
		Rows: h.toCoverageRows(c.Rows)}
	for _, ar := range c.Areas {
		out.Areas = append(out.Areas, AreaCoverage{Zone: ar.Zone, Contacts: ar.Contacts, Visited: ar.Visited})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// reserveContacts reserves contacts for the caller to visit.
func (h *Handler) reserveContacts(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in ContactIDs
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.ContactIDs == nil {
		h.fail(w, r, a.Locale, invalid("contact_ids", "error.required"))
		return
	}
	reserved, taken, err := h.mass.Reserve(r.Context(), a, *in.ContactIDs)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerReservations(w, r, a, reserved, taken)
}

// releaseContacts releases the caller's reservations of the contacts, or all of them when
// contact_ids is left out.
func (h *Handler) releaseContacts(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in ContactIDs
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var ids []int64
	if in.ContactIDs != nil {
		ids = append([]int64{}, *in.ContactIDs...)
	}
	if err := h.mass.Release(r.Context(), a, ids); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerReservations(w, r, a, 0, 0)
}

// answerReservations writes the counts with the caller's reservations as they now stand.
func (h *Handler) answerReservations(w http.ResponseWriter, r *http.Request, a *auth.Actor, reserved, taken int) {
	out := Reservations{Reserved: reserved, Taken: taken, Mine: []CoverageRow{}}
	c, err := h.mass.Coverage(r.Context(), a, masswork.CoverageRequest{Mine: true})
	switch {
	case err == nil:
		out.Mine = h.toCoverageRows(c.Rows)
	case apperr.KindOf(err) != apperr.Forbidden: // one who may not read coverage has no reservations
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

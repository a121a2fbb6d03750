package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
)

// MatterSummary is a matter as lists show it (schema MatterSummary). Instants are in the
// organization's zone; those not reached yet are null. Numbers in texts that look like a
// phone or an ID number are masked, as everywhere in the API: a reporter's own words may
// carry their number, and their phone is kept (and revealed, audited) on its own. A caller who may see the board of an
// organization but not its matters (GET /matters/prominent for a member) gets their public
// face: no place finer than the zone, no assignee, and no title when staff withheld it.
type MatterSummary struct {
	ID              int64      `json:"id"`
	Code            string     `json:"code"`
	OrgID           int64      `json:"org_id"`
	OrgName         string     `json:"org_name"`
	CategoryID      int64      `json:"category_id"`
	CategoryCode    string     `json:"category_code"`
	CategoryName    string     `json:"category_name"`
	Title           string     `json:"title"`
	Summary         string     `json:"summary"`
	Withheld        bool       `json:"withheld"`
	Status          string     `json:"status"`
	Zone            string     `json:"zone"`
	Booth           string     `json:"booth"`
	Address         string     `json:"address"`
	Latitude        *float64   `json:"latitude"`
	Longitude       *float64   `json:"longitude"`
	AssigneeID      *int64     `json:"assignee_id"`
	AssigneeName    string     `json:"assignee_name"`
	People          int        `json:"people"`
	Growth          int        `json:"growth"`
	Prominence      float64    `json:"prominence"`
	Overdue         bool       `json:"overdue"`
	ResponseDue     *time.Time `json:"response_due"`
	ResolveDue      *time.Time `json:"resolve_due"`
	RespondedAt     *time.Time `json:"responded_at"`
	AcceptedAt      *time.Time `json:"accepted_at"`
	ResolvedAt      *time.Time `json:"resolved_at"`
	ClosedAt        *time.Time `json:"closed_at"`
	CloseReason     string     `json:"close_reason"`
	RejectReason    string     `json:"reject_reason"`
	MergedIntoID    *int64     `json:"merged_into_id"`
	MergedIntoCode  string     `json:"merged_into_code"`
	EscalatedOrgID  *int64     `json:"escalated_org_id"`
	EscalatedOrg    string     `json:"escalated_org_name"`
	Escalations     int        `json:"escalations"`
	Round           int        `json:"round"`
	PendingFeedback int        `json:"pending_feedback"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       *time.Time `json:"updated_at"`
}

// MatterPage is one page of matters (schema MatterPage).
type MatterPage struct {
	Items  []MatterSummary `json:"items"`
	Total  int             `json:"total"`
	Limit  int             `json:"limit"`
	Offset int             `json:"offset"`
}

// MatterList lists matters without paging (schema MatterList).
type MatterList struct {
	Items []MatterSummary `json:"items"`
}

// Matter is one matter as staff see it, with its reports, timeline and the current round of
// the reporters' say (schema Matter).
type Matter struct {
	MatterSummary
	Reports   []MatterReport   `json:"reports"`
	Events    []MatterEvent    `json:"events"`
	Feedback  []MatterFeedback `json:"feedback"`
	CanHandle bool             `json:"can_handle"`
	Actions   []string         `json:"actions"`
}

// MatterReport is one report of a matter (schema MatterReport). The phone is masked; an
// anonymous report carries no name, phone or person.
type MatterReport struct {
	ID            int64               `json:"id"`
	Code          string              `json:"code"`
	Kind          string              `json:"kind"`
	Channel       string              `json:"channel"`
	CategoryID    int64               `json:"category_id"`
	Description   string              `json:"description"`
	Attributes    map[string][]string `json:"attributes"`
	Zone          string              `json:"zone"`
	Booth         string              `json:"booth"`
	Address       string              `json:"address"`
	Latitude      *float64            `json:"latitude"`
	Longitude     *float64            `json:"longitude"`
	Anonymous     bool                `json:"anonymous"`
	PersonID      *int64              `json:"person_id"`
	ReporterName  string              `json:"reporter_name"`
	PhoneMasked   string              `json:"phone_masked"`
	HasPhone      bool                `json:"has_phone"`
	VisitID       *int64              `json:"visit_id"`
	CreatedByName string              `json:"created_by_name"`
	CreatedAt     time.Time           `json:"created_at"`
}

// MatterEvent is one entry of a matter's timeline (schema MatterEvent).
type MatterEvent struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	Public     bool      `json:"public"`
	Body       string    `json:"body"`
	FromStatus string    `json:"from_status"`
	ToStatus   string    `json:"to_status"`
	ByName     string    `json:"by_name"`
	At         time.Time `json:"at"`
}

// MatterFeedback is one reporter's say asked after a resolution (schema MatterFeedback).
type MatterFeedback struct {
	ID           int64      `json:"id"`
	ReportID     int64      `json:"report_id"`
	ReportCode   string     `json:"report_code"`
	Round        int        `json:"round"`
	AskedAt      time.Time  `json:"asked_at"`
	AnsweredAt   *time.Time `json:"answered_at"`
	Solved       *bool      `json:"solved"`
	Rating       string     `json:"rating"`
	Comment      string     `json:"comment"`
	Via          string     `json:"via"`
	ReporterName string     `json:"reporter_name"`
	PhoneMasked  string     `json:"phone_masked"`
}

// MatterCreate is the body of POST /matters: a problem a cadre files on someone's behalf
// (schema MatterCreate).
type MatterCreate struct {
	OrgID       *int64              `json:"org_id"`
	CategoryID  int64               `json:"category_id"`
	Description string              `json:"description"`
	Attributes  map[string][]string `json:"attributes"`
	Zone        string              `json:"zone"`
	Booth       string              `json:"booth"`
	Address     string              `json:"address"`
	Latitude    *float64            `json:"latitude"`
	Longitude   *float64            `json:"longitude"`
	PersonID    int64               `json:"person_id"`
	Name        string              `json:"name"`
	Phone       string              `json:"phone"`
	Email       string              `json:"email"`
	Anonymous   bool                `json:"anonymous"`
	Channel     string              `json:"channel"`
	MeToo       int64               `json:"me_too"`
}

// MatterReceipt is what filing a problem returns: the report's tracking code and its matter
// (schema MatterReceipt). The private key of the reporter's link is not returned: a problem
// filed by a cadre is followed by its code, and the reporter's say is collected by calling
// back (POST /matters/{id}/feedback/{fid}).
type MatterReceipt struct {
	ReportID   int64  `json:"report_id"`
	ReportCode string `json:"report_code"`
	MatterID   int64  `json:"matter_id"`
	MatterCode string `json:"matter_code"`
	MeToo      bool   `json:"me_too"`
}

// Similar is an open matter like a text being typed: public fields only (schema Similar).
type Similar struct {
	MatterID int64   `json:"matter_id"`
	Code     string  `json:"code"`
	Title    string  `json:"title"`
	Status   string  `json:"status"`
	People   int     `json:"people"`
	Place    string  `json:"place"`
	Score    float64 `json:"score"`
}

// SimilarList lists similar matters, nearest first (schema SimilarList).
type SimilarList struct {
	Items []Similar `json:"items"`
}

// Bodies of the actions on a matter. Version is the matter's version the caller read.
type (
	// MatterAccept is the body of accept (schema MatterAccept).
	MatterAccept struct {
		Version *int   `json:"version"`
		Note    string `json:"note"`
	}
	// MatterReject is the body of reject (schema MatterReject).
	MatterReject struct {
		Version *int    `json:"version"`
		Reason  *string `json:"reason"`
	}
	// MatterAssign is the body of assign (schema MatterAssign).
	MatterAssign struct {
		Version  *int   `json:"version"`
		OrgID    *int64 `json:"org_id"`
		PersonID *int64 `json:"person_id"`
	}
	// MatterVersion is the body of start (schema MatterVersion).
	MatterVersion struct {
		Version *int `json:"version"`
	}
	// MatterReply is the body of reply (schema MatterReply); version is optional.
	MatterReply struct {
		Version *int    `json:"version"`
		Body    *string `json:"body"`
		Public  *bool   `json:"public"`
	}
	// MatterResolve is the body of resolve (schema MatterResolve).
	MatterResolve struct {
		Version *int    `json:"version"`
		Body    *string `json:"body"`
	}
	// MatterMerge is the body of merge (schema MatterMerge): the matter from_id is merged
	// into the matter of the path.
	MatterMerge struct {
		Version     *int   `json:"version"`
		FromID      *int64 `json:"from_id"`
		FromVersion *int   `json:"from_version"`
	}
	// MatterSplit is the body of split (schema MatterSplit).
	MatterSplit struct {
		Version   *int    `json:"version"`
		ReportIDs []int64 `json:"report_ids"`
	}
	// MatterPublic is the body of public (schema MatterPublic).
	MatterPublic struct {
		Version  *int    `json:"version"`
		Title    *string `json:"title"`
		Summary  string  `json:"summary"`
		Withheld bool    `json:"withheld"`
	}
	// MatterAnswer is the body of POST /matters/{id}/feedback/{fid} (schema MatterAnswer).
	MatterAnswer struct {
		Solved  *bool   `json:"solved"`
		Rating  *string `json:"rating"`
		Comment string  `json:"comment"`
	}
)

// matterSorts are the orders GET /matters offers.
var matterSorts = []string{"newest", "prominence", "due"}

func (h *Handler) toMatterSummary(m *masswork.Matter, lang string) MatterSummary {
	zone, now := h.massZone(), h.now()
	name := m.CategoryName
	if lang == "en" && m.CategoryNameEn != "" {
		name = m.CategoryNameEn
	}
	open := masswork.Open(m.Status)
	overdue := open && ((m.RespondedAt.IsZero() && !m.ResponseDue.IsZero() && m.ResponseDue.Before(now)) ||
		(m.ResolvedAt.IsZero() && !m.ResolveDue.IsZero() && m.ResolveDue.Before(now)))
	return MatterSummary{ID: m.ID, Code: m.Code, OrgID: m.OrgID, OrgName: m.OrgName, CategoryID: m.CategoryID,
		CategoryCode: m.CategoryCode, CategoryName: name, Title: masswork.MaskPublicText(m.Title),
		Summary: masswork.MaskPublicText(m.Summary), Withheld: m.Withheld,
		Status: m.Status, Zone: m.Zone, Booth: m.Booth, Address: m.Address, Latitude: m.Latitude, Longitude: m.Longitude,
		AssigneeID: idOrNull(m.AssigneeID), AssigneeName: m.AssigneeName, People: m.People, Growth: m.Growth,
		Prominence: m.RankKey, Overdue: overdue, ResponseDue: timeOrNull(m.ResponseDue, zone),
		ResolveDue: timeOrNull(m.ResolveDue, zone), RespondedAt: timeOrNull(m.RespondedAt, zone),
		AcceptedAt: timeOrNull(m.AcceptedAt, zone), ResolvedAt: timeOrNull(m.ResolvedAt, zone),
		ClosedAt: timeOrNull(m.ClosedAt, zone), CloseReason: m.CloseReason, RejectReason: m.RejectReason,
		MergedIntoID: idOrNull(m.MergedInto), MergedIntoCode: m.MergedIntoCode, EscalatedOrgID: idOrNull(m.EscalatedOrgID),
		EscalatedOrg: m.EscalatedOrg, Escalations: m.Escalations, Round: m.Round, PendingFeedback: m.PendingFeedback,
		Version: m.Version, CreatedAt: m.CreatedAt.In(zone), UpdatedAt: timeOrNull(m.UpdatedAt, zone)}
}

func (h *Handler) toMatter(v *masswork.MatterView, lang string) Matter {
	zone := h.massZone()
	out := Matter{MatterSummary: h.toMatterSummary(v.Matter, lang), Reports: make([]MatterReport, 0, len(v.Problems)),
		Events: make([]MatterEvent, 0, len(v.Events)), Feedback: make([]MatterFeedback, 0, len(v.Feedback)),
		CanHandle: v.CanHandle, Actions: append([]string{}, v.Actions...)}
	for _, p := range v.Problems {
		attrs := p.Attributes
		if attrs == nil {
			attrs = map[string][]string{}
		}
		rep := MatterReport{ID: p.ID, Code: p.Code, Kind: p.Kind, Channel: p.Channel, CategoryID: p.CategoryID,
			Description: masswork.MaskPublicText(p.Description), Attributes: attrs, Zone: p.Zone, Booth: p.Booth, Address: p.Address,
			Latitude: p.Latitude, Longitude: p.Longitude, Anonymous: p.Anonymous, PersonID: idOrNull(p.PersonID),
			ReporterName: p.ReporterName, PhoneMasked: p.PhoneMask, HasPhone: p.HasPhone, VisitID: idOrNull(p.VisitID),
			CreatedByName: p.CreatedByName, CreatedAt: p.CreatedAt.In(zone)}
		if p.Anonymous {
			// The service strips an anonymous report already; the API never relies on it alone.
			rep.PersonID, rep.ReporterName, rep.PhoneMasked, rep.HasPhone = nil, "", "", false
		}
		out.Reports = append(out.Reports, rep)
	}
	for _, e := range v.Events {
		out.Events = append(out.Events, MatterEvent{ID: e.ID, Kind: e.Kind, Public: e.Public, Body: e.Body,
			FromStatus: e.FromStatus, ToStatus: e.ToStatus, ByName: e.ByName, At: e.At.In(zone)})
	}
	for _, f := range v.Feedback {
		fb := MatterFeedback{ID: f.ID, ReportID: f.ProblemID, ReportCode: f.ProblemCode, Round: f.Round,
			AskedAt: f.AskedAt.In(zone), AnsweredAt: timeOrNull(f.AnsweredAt, zone), Rating: f.Rating, Comment: f.Comment,
			Via: f.Via, ReporterName: f.ReporterName, PhoneMasked: f.PhoneMask}
		if !f.AnsweredAt.IsZero() {
			solved := f.Solved
			fb.Solved = &solved
		}
		out.Feedback = append(out.Feedback, fb)
	}
	return out
}

// matterQuery parses the query of GET /matters into a filter; malformed parameters are a 400
// naming each.
func (h *Handler) matterQuery(r *http.Request) (masswork.MatterFilter, error) {
	q := r.URL.Query()
	fields := map[string]string{}
	f := masswork.MatterFilter{Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
	f.Limit, f.Offset = limitOffset(r, fields)
	f.OrgID = queryID(r, "org_id", fields)
	f.CategoryID = queryID(r, "category_id", fields)
	f.Overdue = queryBool(r, "overdue", fields)
	if s := q.Get("status"); s != "" {
		for _, st := range strings.Split(s, ",") {
			st = strings.TrimSpace(st)
			if !slices.Contains(masswork.Statuses, st) {
				fields["status"] = "error.choice"
				break
			}
			if !slices.Contains(f.Status, st) {
				f.Status = append(f.Status, st)
			}
		}
	}
	if c := q.Get("channel"); c != "" {
		if !slices.Contains(masswork.Channels, c) {
			fields["channel"] = "error.choice"
		}
		f.Channel = c
	}
	if f.Sort == "" {
		f.Sort = "newest"
	} else if !slices.Contains(matterSorts, f.Sort) {
		fields["sort"] = "error.choice"
	}
	if len([]rune(f.Query)) > 100 {
		fields["q"] = "error.too_long"
	}
	if len(fields) > 0 {
		return f, badRequest(fields)
	}
	return f, nil
}

func (h *Handler) listMatters(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	f, err := h.matterQuery(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	list, total, err := h.mass.Matters(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	lang := h.massLang(r, a)
	out := MatterPage{Items: make([]MatterSummary, 0, len(list)), Total: total, Limit: f.Limit, Offset: f.Offset}
	for _, m := range list {
		out.Items = append(out.Items, h.toMatterSummary(m, lang))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) getMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerMatter(w, r, a, http.StatusOK, id)
}

// answerMatter reads a matter as it now stands and writes it with a Location header.
func (h *Handler) answerMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, id int64) {
	v, err := h.mass.Matter(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	location(w, "matters", v.Matter.ID)
	h.writeJSON(w, r, status, h.toMatter(v, h.massLang(r, a)))
}

// matterChannels are the channels a cadre files a problem by through the API; problems
// raised during a visit are filed with the visit (POST /visits).
var matterChannels = []string{masswork.ChannelStaff, masswork.ChannelPhone}

func (h *Handler) createMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in MatterCreate
	if err := decode(w, r, &in, "version", "status", "code", "visit_id"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	switch {
	case in.OrgID == nil:
		h.fail(w, r, a.Locale, invalid("org_id", "error.required"))
		return
	case in.Channel != "" && !slices.Contains(matterChannels, in.Channel):
		h.fail(w, r, a.Locale, invalid("channel", "matter.error.channel"))
		return
	}
	rep := &masswork.Report{OrgID: *in.OrgID, CategoryID: in.CategoryID, Description: in.Description,
		Attributes: in.Attributes, Place: masswork.Place{Zone: in.Zone, Booth: in.Booth, Address: in.Address,
			Latitude: in.Latitude, Longitude: in.Longitude},
		Anonymous: in.Anonymous, Name: in.Name, Phone: in.Phone, Email: in.Email, PersonID: in.PersonID,
		Channel: in.Channel, MeToo: in.MeToo}
	if rep.Channel == "" {
		rep.Channel = masswork.ChannelStaff
	}
	rc, err := h.mass.Submit(r.Context(), a, rep)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	location(w, "matters", rc.MatterID)
	h.writeJSON(w, r, http.StatusCreated, MatterReceipt{ReportID: rc.ProblemID, ReportCode: rc.Code, MatterID: rc.MatterID,
		MatterCode: rc.MatterCode, MeToo: in.MeToo != 0})
}

// listProminent ranks the open matters of an organization's subtree by the people affected,
// weighted by recency, with their growth in the last 30 days. The organization must be one
// the caller sees; a caller who sees it without viewing its matters (a member of it) gets
// the matters' public faces, as the public board shows them.
func (h *Handler) listProminent(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	fields := map[string]string{}
	orgID := queryID(r, "org_id", fields)
	limit := 10
	if s := r.URL.Query().Get("limit"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 100 {
			fields["limit"] = "api.wrong_type"
		} else {
			limit = n
		}
	}
	if len(fields) > 0 {
		h.fail(w, r, a.Locale, badRequest(fields))
		return
	}
	if orgID == 0 {
		h.fail(w, r, a.Locale, badRequest(map[string]string{"org_id": "error.required"}))
		return
	}
	if _, err := h.org.Organization(r.Context(), a, orgID); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	list, err := h.mass.Prominent(r.Context(), a, orgID, limit)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	lang := h.massLang(r, a)
	out := MatterList{Items: make([]MatterSummary, 0, len(list))}
	for _, m := range list {
		out.Items = append(out.Items, h.toMatterSummary(m, lang))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// listSimilar suggests open matters of a category similar to a text, as the report form does
// while someone types: public fields only.
func (h *Handler) listSimilar(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	q := r.URL.Query()
	fields := map[string]string{}
	categoryID := queryID(r, "category_id", fields)
	limit := 5
	if s := q.Get("limit"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 10 {
			fields["limit"] = "api.wrong_type"
		} else {
			limit = n
		}
	}
	text := q.Get("text")
	switch {
	case categoryID == 0 && fields["category_id"] == "":
		fields["category_id"] = "error.required"
	case len([]rune(text)) > masswork.MaxDescription:
		fields["text"] = "error.too_long"
	}
	if len(fields) > 0 {
		h.fail(w, r, a.Locale, badRequest(fields))
		return
	}
	list, err := h.mass.Suggest(r.Context(), categoryID, text, masswork.Place{Zone: q.Get("zone"), Booth: q.Get("booth")}, limit)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := SimilarList{Items: make([]Similar, 0, len(list))}
	for _, s := range list {
		out.Items = append(out.Items, Similar{MatterID: s.MatterID, Code: s.Code, Title: s.Title, Status: s.Status,
			People: s.People, Place: s.Place, Score: s.Score})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// matterAction decodes the body of an action on the matter of the path, checks that the
// version is there when required, runs the action and answers the matter as it now stands.
func matterAction[T any](h *Handler, w http.ResponseWriter, r *http.Request, a *auth.Actor, version func(*T) *int,
	act func(id int64, in *T) error) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in T
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if version != nil && version(&in) == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	if err := act(id, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerMatter(w, r, a, http.StatusOK, id)
}

func (h *Handler) acceptMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	matterAction(h, w, r, a, func(in *MatterAccept) *int { return in.Version }, func(id int64, in *MatterAccept) error {
		return h.mass.Accept(r.Context(), a, id, *in.Version, in.Note)
	})
}

func (h *Handler) rejectMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	matterAction(h, w, r, a, func(in *MatterReject) *int { return in.Version }, func(id int64, in *MatterReject) error {
		if in.Reason == nil {
			return invalid("reason", "error.required")
		}
		return h.mass.Reject(r.Context(), a, id, *in.Version, *in.Reason)
	})
}

func (h *Handler) assignMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	matterAction(h, w, r, a, func(in *MatterAssign) *int { return in.Version }, func(id int64, in *MatterAssign) error {
		if in.OrgID == nil {
			return invalid("org_id", "error.required")
		}
		var person int64
		if in.PersonID != nil {
			person = *in.PersonID
		}
		return h.mass.Assign(r.Context(), a, id, *in.Version, *in.OrgID, person)
	})
}

func (h *Handler) startMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	matterAction(h, w, r, a, func(in *MatterVersion) *int { return in.Version }, func(id int64, in *MatterVersion) error {
		return h.mass.Start(r.Context(), a, id, *in.Version)
	})
}

// replyMatter adds a public reply or an internal note. A reply changes no status, so the
// version is optional; when sent, a stale one answers 409 as for the other actions.
func (h *Handler) replyMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	matterAction(h, w, r, a, nil, func(id int64, in *MatterReply) error {
		if in.Body == nil {
			return invalid("body", "error.required")
		}
		if in.Version != nil {
			v, err := h.mass.Matter(r.Context(), a, id)
			if err != nil {
				return err
			}
			if v.Matter.Version != *in.Version {
				return apperr.ErrStale
			}
		}
		public := true
		if in.Public != nil {
			public = *in.Public
		}
		return h.mass.Reply(r.Context(), a, id, *in.Body, public)
	})
}

func (h *Handler) resolveMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	matterAction(h, w, r, a, func(in *MatterResolve) *int { return in.Version }, func(id int64, in *MatterResolve) error {
		if in.Body == nil {
			return invalid("body", "error.required")
		}
		return h.mass.Resolve(r.Context(), a, id, *in.Version, *in.Body)
	})
}

func (h *Handler) mergeMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	matterAction(h, w, r, a, func(in *MatterMerge) *int { return in.Version }, func(id int64, in *MatterMerge) error {
		switch {
		case in.FromID == nil && in.FromVersion == nil:
			return massInvalid(map[string]string{"from_id": "error.required", "from_version": "error.required"})
		case in.FromID == nil:
			return invalid("from_id", "error.required")
		case in.FromVersion == nil:
			return invalid("from_version", "error.required")
		}
		return h.mass.Merge(r.Context(), a, id, *in.Version, *in.FromID, *in.FromVersion)
	})
}

func (h *Handler) publicMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	matterAction(h, w, r, a, func(in *MatterPublic) *int { return in.Version }, func(id int64, in *MatterPublic) error {
		if in.Title == nil {
			return invalid("title", "error.required")
		}
		return h.mass.SetPublic(r.Context(), a, id, *in.Version, *in.Title, in.Summary, in.Withheld)
	})
}

// splitMatter moves reports of the matter into a new matter, and answers the new one (201).
func (h *Handler) splitMatter(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in MatterSplit
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	n, err := h.mass.Split(r.Context(), a, id, *in.Version, in.ReportIDs)
	if err != nil {
		h.fail(w, r, a.Locale, renameFields(err, map[string]string{"problem_ids": "report_ids"}))
		return
	}
	h.answerMatter(w, r, a, http.StatusCreated, n.ID)
}

// matterFeedback records the say of a reporter that staff collected by calling back. The
// feedback must be one asked in the matter's current round.
func (h *Handler) matterFeedback(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	fid, err := pathInt(r, "fid")
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in MatterAnswer
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	fields := map[string]string{}
	if in.Solved == nil {
		fields["solved"] = "error.required"
	}
	if in.Rating == nil {
		fields["rating"] = "error.required"
	}
	if len(fields) > 0 {
		h.fail(w, r, a.Locale, massInvalid(fields))
		return
	}
	v, err := h.mass.Matter(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if !slices.ContainsFunc(v.Feedback, func(f *masswork.Feedback) bool { return f.ID == fid }) {
		h.fail(w, r, a.Locale, apperr.ErrNotFound)
		return
	}
	if err := h.mass.RecordFeedback(r.Context(), a, fid, *in.Solved, *in.Rating, in.Comment); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerMatter(w, r, a, http.StatusOK, id)
}

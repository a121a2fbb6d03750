package masswork

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Limits of staff texts on a matter, in characters.
const (
	MaxReply        = 2000
	MaxRejectReason = 500
	MaxPublicTitle  = 60
	MaxSummary      = 1000
)

// matterAuditView is what the audit trail keeps of a matter's state.
type matterAuditView struct {
	Code, Status, CloseReason         string
	OrgID, AssigneeID, EscalatedOrgID int64 `json:",omitempty"`
	Escalations, Round                int   `json:",omitempty"`
	MergedInto                        int64 `json:",omitempty"`
}

func matterAudit(m *Matter) matterAuditView {
	return matterAuditView{Code: m.Code, Status: m.Status, CloseReason: m.CloseReason, OrgID: m.OrgID, AssigneeID: m.AssigneeID,
		EscalatedOrgID: m.EscalatedOrgID, Escalations: m.Escalations, Round: m.Round, MergedInto: m.MergedInto}
}

// matterRecord returns the audit record of an action of the actor on a matter, with its
// state before.
func matterRecord(a *auth.Actor, action string, m *Matter) *audit.Record {
	rec := record(a, "matter."+action, "matter")
	rec.ObjectID, rec.OrgPath, rec.Before = m.ID, m.OrgPath, audit.JSON(matterAudit(m))
	return rec
}

// matterSystemRecord is the record of an action of a job or of a reporter through their link.
func matterSystemRecord(actor, action string, m *Matter) *audit.Record {
	return &audit.Record{ActorName: actor, Action: "matter." + action, ObjectType: "matter", ObjectID: m.ID,
		OrgPath: m.OrgPath, Before: audit.JSON(matterAudit(m))}
}

// matterEvent returns an event of the actor on m.
func matterEvent(a *auth.Actor, m *Matter, kind string, public bool, body string, from string, at time.Time) *Event {
	ev := &Event{MatterID: m.ID, Kind: kind, Public: public, Body: body, FromStatus: from, At: at}
	if from != "" && from != m.Status {
		ev.ToStatus = m.Status
	} else {
		ev.FromStatus = ""
	}
	if a != nil {
		ev.ByUser, ev.ByName = a.UserID, a.Name
	}
	return ev
}

// matterUpdate writes m with its events and the record's state after.
func (s *Service) matterUpdate(ctx context.Context, m *Matter, rec *audit.Record, evs ...*Event) error {
	m.UpdatedAt = s.now()
	rec.After = audit.JSON(matterAudit(m))
	if err := s.store.UpdateMatter(ctx, m, evs, rec); err != nil {
		return fmt.Errorf("masswork: %s: %w", rec.Action, err)
	}
	return nil
}

// matterBody checks a required text of at most max characters.
func matterBody(field, body string, max int) (string, error) {
	body = matterCleanText(body)
	var v apperr.Validation
	switch {
	case body == "":
		v.Add(field, "error.required")
	case matterRuneLen(body) > max:
		v.Add(field, "error.too_long")
	}
	return body, v.Err()
}

// Accept accepts a submitted matter; note is an optional public reply.
func (s *Service) Accept(ctx context.Context, a *auth.Actor, id int64, version int, note string) error {
	note = matterCleanText(note)
	if matterRuneLen(note) > MaxReply {
		var v apperr.Validation
		v.Add("note", "error.too_long")
		return v.Err()
	}
	m, err := s.matterHandle(ctx, a, id, version, ActAccept)
	if err != nil {
		return err
	}
	rec, from, now := matterRecord(a, ActAccept, m), m.Status, s.now()
	if err := matterTransit(m, ActAccept); err != nil {
		return err
	}
	if m.RespondedAt.IsZero() {
		m.RespondedAt = now
	}
	if m.AcceptedAt.IsZero() {
		m.AcceptedAt = now
	}
	return s.matterUpdate(ctx, m, rec, matterEvent(a, m, EventAccepted, true, note, from, now))
}

// Reject rejects a matter with a reason its reporters see; it is closed.
func (s *Service) Reject(ctx context.Context, a *auth.Actor, id int64, version int, reason string) error {
	reason, err := matterBody("reason", reason, MaxRejectReason)
	if err != nil {
		return err
	}
	m, err := s.matterHandle(ctx, a, id, version, ActReject)
	if err != nil {
		return err
	}
	rec, from, now := matterRecord(a, ActReject, m), m.Status, s.now()
	if err := matterTransit(m, ActReject); err != nil {
		return err
	}
	if m.RespondedAt.IsZero() {
		m.RespondedAt = now
	}
	m.RejectReason, m.CloseReason, m.ClosedAt = reason, CloseRejected, now
	return s.matterUpdate(ctx, m, rec, matterEvent(a, m, EventRejected, true, reason, from, now))
}

// Assign gives a matter to an organization (in the actor's subtree) and a responsible person
// of that organization's subtree (or none, personID 0). Giving it to another organization
// moves the matter there.
func (s *Service) Assign(ctx context.Context, a *auth.Actor, id int64, version int, orgID, personID int64) error {
	m, err := s.matterHandle(ctx, a, id, version, ActAssign)
	if err != nil {
		return err
	}
	var v apperr.Validation
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil || !a.CanAdmin(o.Path) {
		v.Add("org_id", "error.org_out_of_scope")
		return v.Err()
	}
	var name string
	if personID != 0 {
		p, err := s.orgs.FindPersonByID(ctx, personID)
		if err != nil || !strings.HasPrefix(p.OrgPath, o.Path) {
			v.Add("person_id", "error.person_out_of_scope")
			return v.Err()
		}
		name = p.Name
	}
	rec, now := matterRecord(a, ActAssign, m), s.now()
	if m.EscalatedOrgID != 0 {
		// An organization the matter was escalated to keeps following it only while it is
		// still above the one handling it (the escalation level stays recorded).
		if up, err := s.orgs.FindOrganizationByID(ctx, m.EscalatedOrgID); err != nil || !strings.HasPrefix(o.Path, up.Path) {
			m.EscalatedOrgID, m.EscalatedOrg = 0, ""
		}
	}
	m.OrgID, m.OrgPath, m.OrgName = o.ID, o.Path, o.Name
	m.AssigneeID, m.AssigneeName = personID, name
	return s.matterUpdate(ctx, m, rec, matterEvent(a, m, EventAssigned, true, o.Name, "", now))
}

// Start marks an accepted matter in progress.
func (s *Service) Start(ctx context.Context, a *auth.Actor, id int64, version int) error {
	m, err := s.matterHandle(ctx, a, id, version, ActStart)
	if err != nil {
		return err
	}
	rec, from, now := matterRecord(a, ActStart, m), m.Status, s.now()
	if err := matterTransit(m, ActStart); err != nil {
		return err
	}
	return s.matterUpdate(ctx, m, rec, matterEvent(a, m, EventStarted, true, "", from, now))
}

// Reply adds a public reply (the reporters see it; the first one is the matter's first
// response) or an internal note to the timeline.
func (s *Service) Reply(ctx context.Context, a *auth.Actor, id int64, body string, public bool) error {
	body, err := matterBody("body", body, MaxReply)
	if err != nil {
		return err
	}
	m, err := s.matterHandle(ctx, a, id, 0, ActReply)
	if err != nil {
		return err
	}
	rec, now := matterRecord(a, ActReply, m), s.now()
	kind := EventNote
	if public {
		kind = EventReply
		if m.RespondedAt.IsZero() {
			m.RespondedAt = now
		}
	}
	return s.matterUpdate(ctx, m, rec, matterEvent(a, m, kind, public, body, "", now))
}

// Resolve marks a matter resolved with a public account of what was done, and asks every
// reporter for their say: one question per distinct person, on their latest report.
func (s *Service) Resolve(ctx context.Context, a *auth.Actor, id int64, version int, body string) error {
	body, err := matterBody("body", body, MaxReply)
	if err != nil {
		return err
	}
	m, err := s.matterHandle(ctx, a, id, version, ActResolve)
	if err != nil {
		return err
	}
	rec, from, now := matterRecord(a, ActResolve, m), m.Status, s.now()
	if err := matterTransit(m, ActResolve); err != nil {
		return err
	}
	m.Round++
	m.ResolvedAt = now
	if m.RespondedAt.IsZero() {
		m.RespondedAt = now
	}
	m.UpdatedAt = now
	rec.After = audit.JSON(matterAudit(m))
	// The matter and the questions in one transaction: a resolved matter always has them.
	ask := func(problems []*Problem) []*Feedback {
		var fb []*Feedback
		for _, p := range matterLatestPerPerson(problems) {
			fb = append(fb, &Feedback{MatterID: m.ID, ProblemID: p.ID, ProblemCode: p.Code, Round: m.Round, AskedAt: now})
		}
		return fb
	}
	// The resolution keeps the deadline of its round: a dissatisfied answer sets a new one on
	// the matter, and this resolution is still judged by the one it was due by.
	ev := matterEvent(a, m, EventResolved, true, body, from, now)
	ev.Due = m.ResolveDue
	if err := s.store.ResolveMatter(ctx, m, []*Event{ev}, ask, rec); err != nil {
		return fmt.Errorf("masswork: resolve: %w", err)
	}
	return nil
}

// matterPersonKey returns who a report is from: its person key, or the report itself.
func matterPersonKey(p *Problem) string {
	if p.PersonKey != "" {
		return p.PersonKey
	}
	return fmt.Sprintf("r:%d", p.ID)
}

// matterLatestPerPerson returns the latest report of each distinct person, in the order of
// the reports.
func matterLatestPerPerson(problems []*Problem) []*Problem {
	latest := map[string]*Problem{}
	for _, p := range problems {
		k := matterPersonKey(p)
		if q, ok := latest[k]; !ok || p.CreatedAt.After(q.CreatedAt) || (p.CreatedAt.Equal(q.CreatedAt) && p.ID > q.ID) {
			latest[k] = p
		}
	}
	var out []*Problem
	for _, p := range problems {
		if latest[matterPersonKey(p)] == p {
			out = append(out, p)
		}
	}
	return out
}

// SetPublic sets a matter's public title and summary and whether its reports' text is
// withheld from the public board.
func (s *Service) SetPublic(ctx context.Context, a *auth.Actor, id int64, version int, title, summary string, withheld bool) error {
	var v apperr.Validation
	title, summary = matterCleanLine(title), matterCleanText(summary)
	switch {
	case title == "":
		v.Add("title", "error.required")
	case matterRuneLen(title) > MaxPublicTitle:
		v.Add("title", "error.too_long")
	}
	if matterRuneLen(summary) > MaxSummary {
		v.Add("summary", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return err
	}
	m, err := s.matterHandle(ctx, a, id, version, ActPublic)
	if err != nil {
		return err
	}
	rec := matterRecord(a, ActPublic, m)
	m.Title, m.Summary, m.Withheld = title, summary, withheld
	return s.matterUpdate(ctx, m, rec)
}

// RevealPhone returns a report's phone to an actor with the reveal right who sees the
// matter's organization; the store audits the reveal.
func (s *Service) RevealPhone(ctx context.Context, a *auth.Actor, problemID int64) (string, error) {
	if a == nil {
		return "", apperr.New(apperr.Unauthorized, "error.login_required")
	}
	matterID, err := s.store.FindProblemMatterID(ctx, problemID)
	if err != nil {
		return "", err
	}
	m, err := s.store.FindMatterByID(ctx, matterID)
	if err != nil {
		return "", err
	}
	if !a.CanSee(m.OrgPath) && !s.matterCanRead(ctx, a, m) {
		return "", apperr.ErrNotFound
	}
	if !a.CanReveal || !a.CanSee(m.OrgPath) {
		return "", apperr.ErrDenied
	}
	rec := record(a, "problem.reveal_phone", "problem")
	rec.ObjectID, rec.OrgPath = problemID, m.OrgPath
	return s.store.RevealProblemPhone(ctx, problemID, rec)
}

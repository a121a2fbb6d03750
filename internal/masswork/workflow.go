package masswork

import (
	"context"
	"errors"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

// The handling of a matter, in one table: which action may be taken in which status, what
// status it leads to, and who may take it.
//
// Who: administrators of the handling organization's subtree (which includes every
// organization above it the matter can be escalated to) or of the organization it was
// escalated to; the responsible person (the assignee) may also start, reply to and resolve
// it. The jobs (escalation, closing unanswered matters) and the reporters' answers act as
// the system.
//
// What an event's Body holds, by kind, so that pages can show it in the reader's language:
// submitted, metoo, accepted (a public note, or ""), started, reopened: text or ""; rejected:
// the reason; assigned, escalated: the organization's name; resolved, reply, note: the text;
// closed: the close reason (CloseAnswered, CloseNoReply); feedback: the rating; merged,
// split: the other matter's code. Bodies never hold a reporter's personal data.

// Actions on a matter.
const (
	ActAccept  = "accept"
	ActReject  = "reject"
	ActAssign  = "assign"
	ActStart   = "start"
	ActReply   = "reply" // a public reply or an internal note
	ActResolve = "resolve"
	ActReopen  = "reopen" // a dissatisfied answer
	ActClose   = "close"  // every answer in, or seven days without
	ActMerge   = "merge"
	ActSplit   = "split"
	ActPublic  = "public" // the public title, summary and withholding
)

// matterTransition is one row of the table.
type matterTransition struct {
	from     []string // statuses the action may be taken in
	to       string   // the status it leads to; "" keeps it
	assignee bool     // the assignee may take it too
	system   bool     // taken by the system, not by staff
}

var matterOpen = []string{StatusSubmitted, StatusAccepted, StatusInProgress, StatusResolved}

// matterHandling are the statuses of a matter being handled before its resolution.
var matterHandling = []string{StatusSubmitted, StatusAccepted, StatusInProgress}

// matterTransitions is the workflow.
var matterTransitions = map[string]matterTransition{
	ActAccept:  {from: []string{StatusSubmitted}, to: StatusAccepted},
	ActReject:  {from: []string{StatusSubmitted, StatusAccepted}, to: StatusRejected},
	ActAssign:  {from: []string{StatusSubmitted, StatusAccepted, StatusInProgress}},
	ActStart:   {from: []string{StatusAccepted}, to: StatusInProgress, assignee: true},
	ActReply:   {from: []string{StatusSubmitted, StatusAccepted, StatusInProgress, StatusResolved, StatusClosed, StatusRejected}, assignee: true},
	ActResolve: {from: []string{StatusAccepted, StatusInProgress}, to: StatusResolved, assignee: true},
	ActReopen:  {from: []string{StatusResolved}, to: StatusInProgress, system: true},
	ActClose:   {from: []string{StatusResolved}, to: StatusClosed, system: true},
	// Not while the reporters' say is being asked: reports moving in or out would be asked
	// twice or never. A resolved matter is merged or split once it is reopened or closed.
	ActMerge:  {from: matterHandling},
	ActSplit:  {from: matterHandling},
	ActPublic: {from: Statuses},
}

// CanTake reports whether an action may be taken on a matter in its status.
func CanTake(action, status string) bool {
	t, ok := matterTransitions[action]
	return ok && matterContains(t.from, status)
}

// Actions returns the staff actions the status allows, in workflow order.
func Actions(status string) []string {
	var out []string
	for _, act := range []string{ActAccept, ActReject, ActAssign, ActStart, ActReply, ActResolve, ActMerge, ActSplit, ActPublic} {
		if CanTake(act, status) {
			out = append(out, act)
		}
	}
	return out
}

// errMatterTransition is the error of an action the matter's status does not allow.
var errMatterTransition = apperr.New(apperr.Conflict, "matter.error.transition")

// matterTransit checks that the action may be taken on m and moves m to its status.
func matterTransit(m *Matter, action string) error {
	t := matterTransitions[action]
	if !matterContains(t.from, m.Status) {
		return errMatterTransition
	}
	if t.to != "" {
		m.Status = t.to
	}
	return nil
}

// matterCanHandle reports whether the actor may handle the matter: administer its organization's
// subtree or the organization it was escalated to.
func (s *Service) matterCanHandle(ctx context.Context, a *auth.Actor, m *Matter) bool {
	if a == nil {
		return false
	}
	if a.CanAdmin(m.OrgPath) {
		return true
	}
	if m.EscalatedOrgID != 0 {
		if o, err := s.orgs.FindOrganizationByID(ctx, m.EscalatedOrgID); err == nil && a.CanAdmin(o.Path) {
			return true
		}
	}
	return false
}

// matterIsAssignee reports whether the actor is the matter's responsible person.
func matterIsAssignee(a *auth.Actor, m *Matter) bool {
	return a != nil && a.PersonID != 0 && a.PersonID == m.AssigneeID
}

// matterCanRead reports whether the actor may see the matter as staff do: whoever views its
// organization, may handle it, or is responsible for it.
func (s *Service) matterCanRead(ctx context.Context, a *auth.Actor, m *Matter) bool {
	return a != nil && (a.CanView(m.OrgPath) || matterIsAssignee(a, m) || s.matterCanHandle(ctx, a, m))
}

// matterHandle returns the matter for an action of the actor: not found when the actor may not
// see it, forbidden when it may see but not take the action, a conflict when the version is
// stale (version 0 skips that check) or the status does not allow the action. The status is
// not changed yet.
func (s *Service) matterHandle(ctx context.Context, a *auth.Actor, id int64, version int, action string) (*Matter, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	m, err := s.store.FindMatterByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.matterCanRead(ctx, a, m) {
		return nil, apperr.ErrNotFound
	}
	t := matterTransitions[action]
	if !s.matterCanHandle(ctx, a, m) && !(t.assignee && matterIsAssignee(a, m)) {
		return nil, apperr.ErrDenied
	}
	if version != 0 && version != m.Version {
		return nil, apperr.ErrStale
	}
	if !matterContains(t.from, m.Status) {
		return nil, errMatterTransition
	}
	return m, nil
}

// matterNotFound reports whether err is a not-found error.
func matterNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }

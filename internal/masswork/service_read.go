package masswork

import (
	"context"
	"errors"
	"fmt"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

// Matters lists the matters the actor may see: those of the subtrees it administers or
// views (f.OrgID narrows them to one organization's subtree), or, for someone who sees no
// organization, those they are responsible for.
func (s *Service) Matters(ctx context.Context, a *auth.Actor, f MatterFilter) ([]*Matter, int, error) {
	if a == nil {
		return nil, 0, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	f.Roots = a.ReadRoots()
	if f.OrgID != 0 {
		o, err := s.orgs.FindOrganizationByID(ctx, f.OrgID)
		if err != nil || !a.CanView(o.Path) {
			return nil, 0, apperr.ErrNotFound
		}
		f.Roots, f.OrgID = []string{o.Path}, 0
	}
	if len(f.Roots) == 0 {
		if a.PersonID == 0 {
			return []*Matter{}, 0, nil
		}
		f.Roots, f.AssigneeID = []string{"/"}, a.PersonID
	}
	for _, st := range f.Status {
		if !matterContains(Statuses, st) {
			var v apperr.Validation
			v.Add("status", "error.choice")
			return nil, 0, v.Err()
		}
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	f.Now = s.now()
	list, total, err := s.store.FindMatters(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("masswork: matters: %w", err)
	}
	return list, total, nil
}

// Matter returns one matter as staff see it: its reports (phones masked, anonymous ones
// without name or phone), its whole timeline, the current round's feedback and what the
// actor may do with it.
func (s *Service) Matter(ctx context.Context, a *auth.Actor, id int64) (*MatterView, error) {
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
	v := &MatterView{Matter: m}
	if v.Category, err = s.store.FindCategoryByID(ctx, m.CategoryID); err != nil {
		return nil, fmt.Errorf("masswork: matter: %w", err)
	}
	if v.Problems, err = s.store.FindProblems(ctx, m.ID); err != nil {
		return nil, fmt.Errorf("masswork: matter: %w", err)
	}
	for _, p := range v.Problems {
		matterStaffProblem(p)
	}
	if v.Events, err = s.store.FindEvents(ctx, m.ID, false); err != nil {
		return nil, fmt.Errorf("masswork: matter: %w", err)
	}
	if m.Round > 0 {
		if v.Feedback, err = s.store.FindFeedback(ctx, m.ID, m.Round); err != nil {
			return nil, fmt.Errorf("masswork: matter: %w", err)
		}
	}
	handler, assignee := s.matterCanHandle(ctx, a, m), matterIsAssignee(a, m)
	v.CanHandle = handler
	for _, act := range Actions(m.Status) {
		if handler || (assignee && matterTransitions[act].assignee) {
			v.Actions = append(v.Actions, act)
		}
	}
	return v, nil
}

// matterStaffProblem strips what staff never see of a report: the clear phone, the hash of
// its private key and, when anonymous, anything about the reporter.
func matterStaffProblem(p *Problem) {
	p.Phone, p.SecretHash = "", ""
	if p.Anonymous {
		p.ReporterName, p.PhoneMask, p.HasPhone, p.Email, p.PersonID = "", "", false, "", 0
	}
}

// Prominent ranks the open matters of an organization's subtree by prominence, with their
// growth in the last 30 days. Whoever does not view the organization (the public board: a
// nil actor) gets their public face only.
func (s *Service) Prominent(ctx context.Context, a *auth.Actor, orgID int64, limit int) ([]*Matter, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 10
	}
	list, _, err := s.store.FindMatters(ctx, MatterFilter{Roots: []string{o.Path}, Status: matterOpen, Sort: "prominence",
		Limit: limit, Now: s.now(), NoTotal: true})
	if err != nil {
		return nil, fmt.Errorf("masswork: prominent: %w", err)
	}
	if !a.CanView(o.Path) {
		for i, m := range list {
			list[i] = boardMatter(m)
		}
	}
	return list, nil
}

// Track returns the tracking view of a report or matter code; key is the private key of the
// reporter's link, or empty. A merged matter is followed to the matter it was merged into.
// Without the key it shows what anyone may see.
func (s *Service) Track(ctx context.Context, code, key string) (*Tracking, error) {
	c, ok := ParseCode(code)
	if !ok {
		return nil, apperr.ErrNotFound
	}
	t := &Tracking{}
	matterID := int64(0)
	p, err := s.store.FindProblemByCode(ctx, c)
	switch {
	case err == nil:
		matterID = p.MatterID
		t.Owner = KeyMatches(key, p.SecretHash)
	case errors.Is(err, apperr.ErrNotFound):
		m, err := s.store.FindMatterByCode(ctx, c)
		if err != nil {
			return nil, err
		}
		matterID = m.ID
	default:
		return nil, err
	}
	m, err := s.matterSurvivor(ctx, matterID)
	if err != nil {
		return nil, err
	}
	if t.Category, err = s.store.FindCategoryByID(ctx, m.CategoryID); err != nil {
		return nil, fmt.Errorf("masswork: track: %w", err)
	}
	if t.Events, err = s.store.FindEvents(ctx, m.ID, true); err != nil {
		return nil, fmt.Errorf("masswork: track: %w", err)
	}
	t.Matter = matterTrackFace(m, t.Owner)
	if p == nil {
		return t, nil
	}
	if !t.Owner {
		t.Problem = &Problem{ID: p.ID, MatterID: m.ID, MatterCode: m.Code, Code: p.Code, Kind: p.Kind, Channel: p.Channel,
			CategoryID: p.CategoryID, Anonymous: p.Anonymous, CreatedAt: p.CreatedAt}
		return t, nil
	}
	own := *p
	own.Phone, own.SecretHash, own.MatterCode = "", "", m.Code
	t.Problem = &own
	if m.Status == StatusResolved {
		round, err := s.store.FindFeedback(ctx, m.ID, m.Round)
		if err != nil {
			return nil, fmt.Errorf("masswork: track: %w", err)
		}
		for _, f := range round {
			if f.ProblemID == p.ID && f.AnsweredAt.IsZero() {
				f.ReporterName, f.PhoneMask = "", ""
				t.Feedback = f
			}
		}
	}
	return t, nil
}

// matterTrackFace is what the tracking page shows of a matter: its public face, with what its
// reporters are told (the reason of a rejection, the deadlines, the way it closed). A withheld
// title stays withheld even for the holder of a private key: anyone can become one with a
// "me too"; owners see their own report's text instead.
func matterTrackFace(m *Matter, _ bool) *Matter {
	pub := boardMatter(m)
	pub.RejectReason, pub.CloseReason = m.RejectReason, m.CloseReason
	pub.ResponseDue, pub.ResolveDue, pub.RespondedAt, pub.AcceptedAt = m.ResponseDue, m.ResolveDue, m.RespondedAt, m.AcceptedAt
	pub.MergedInto, pub.MergedIntoCode, pub.Round, pub.UpdatedAt = m.MergedInto, m.MergedIntoCode, m.Round, m.UpdatedAt
	return pub
}

package activity

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// OpenTo returns the widest group of people the activity's types admit: members, activists
// (everyone on the way to membership) or the masses.
func (s *Service) OpenTo(ctx context.Context, act *Activity) (string, error) {
	types, err := s.store.FindActivityTypes(ctx)
	if err != nil {
		return "", err
	}
	return OpenToOf(types, act), nil
}

// OpenToOf is OpenTo with the types already at hand.
func OpenToOf(types []*Type, act *Activity) string {
	open := OpenMembers
	for _, code := range act.Types {
		t := findType(types, code)
		switch {
		case t == nil:
		case t.OpenTo == OpenMasses:
			open = OpenMasses
		case t.OpenTo == OpenActivists && open == OpenMembers:
			open = OpenActivists
		}
	}
	return open
}

// Invite invites an organization (with its subtree when inv.Subtree, limited to inv.Stages,
// members by default) or one person (inv.PersonID). Both must lie in the actor's
// administration; stages beyond what the activity's types admit are refused. It returns how
// many people were added to the participants.
func (s *Service) Invite(ctx context.Context, a *auth.Actor, activityID int64, inv Invitation) (int, error) {
	act, err := s.manage(ctx, a, activityID)
	if err != nil {
		return 0, err
	}
	if act.Status == StatusCancelled {
		return 0, apperr.New(apperr.Invalid, "error.activity_cancelled")
	}
	open, err := s.OpenTo(ctx, act)
	if err != nil {
		return 0, err
	}
	fail := func(field, key string) (int, error) {
		return 0, &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{field: key}}
	}
	inv.ActivityID, inv.CreatedBy = act.ID, a.UserID
	rec := record(a, "activity.invite", "activity")
	rec.OrgPath, rec.ObjectID = act.OrgPath, act.ID
	var paths []string
	var after map[string]any
	switch {
	case inv.PersonID != 0:
		p, err := s.orgs.FindPersonByID(ctx, inv.PersonID)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanAdmin(p.OrgPath)) {
			return fail("person_id", "error.person_out_of_scope")
		}
		if err != nil {
			return 0, err
		}
		if !mayInviteStage(open, p.Stage) {
			return fail("person_id", "error.stage_not_open")
		}
		inv.OrgID, inv.Stages, inv.PersonName = 0, nil, p.Name
		after = map[string]any{"person_id": p.ID, "person": p.Name}
	case inv.OrgID != 0:
		o, err := s.orgs.FindOrganizationByID(ctx, inv.OrgID)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanAdmin(o.Path)) {
			return fail("org_id", "error.org_out_of_scope")
		}
		if err != nil {
			return 0, err
		}
		if len(inv.Stages) == 0 {
			inv.Stages = []string{org.StageFull, org.StageProbationary}
		}
		for _, st := range inv.Stages {
			if !containsString(org.Stages, st) {
				return fail("stages", "error.choice")
			}
			if !mayInviteStage(open, st) {
				return fail("stages", "error.stage_not_open")
			}
		}
		inv.OrgName = o.Name
		paths = []string{o.Path}
		after = map[string]any{"org_id": o.ID, "org": o.Name, "subtree": inv.Subtree, "stages": strings.Join(inv.Stages, ",")}
	default:
		return fail("org_id", "error.required")
	}
	// The audit record says how many people the invitation added, known only as it is written.
	return s.store.Invite(ctx, &inv, paths, func(added int) *audit.Record {
		after["added"] = added
		rec.After = audit.JSON(after)
		return rec
	})
}

// Invitations returns the invitations of an activity as given.
func (s *Service) Invitations(ctx context.Context, a *auth.Actor, activityID int64) ([]*Invitation, error) {
	act, err := s.Activity(ctx, a, activityID)
	if err != nil {
		return nil, err
	}
	if !a.CanView(act.OrgPath) {
		return nil, apperr.ErrDenied
	}
	return s.store.FindInvitations(ctx, activityID)
}

// Me returns the actor's own participation in an activity; not found when the actor was not
// invited and did not attend.
func (s *Service) Me(ctx context.Context, a *auth.Actor, activityID int64) (*Participant, error) {
	if a == nil || a.PersonID == 0 {
		return nil, apperr.ErrNotFound
	}
	return s.store.FindParticipant(ctx, activityID, a.PersonID)
}

// respondable returns the actor's participation in an activity that is still open for
// answers: not cancelled and not ended.
func (s *Service) respondable(ctx context.Context, a *auth.Actor, activityID int64) (*Activity, *Participant, error) {
	act, err := s.Activity(ctx, a, activityID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Me(ctx, a, activityID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, apperr.New(apperr.Invalid, "error.not_invited")
	}
	if err != nil {
		return nil, nil, err
	}
	switch {
	case act.Status == StatusCancelled:
		return nil, nil, apperr.New(apperr.Invalid, "error.activity_cancelled")
	case !s.now().Before(act.EndsAt):
		return nil, nil, apperr.New(apperr.Invalid, "error.activity_over")
	}
	return act, p, nil
}

// SignUp records that the actor will come, where the activity asks for sign-up.
func (s *Service) SignUp(ctx context.Context, a *auth.Actor, activityID int64) error {
	act, p, err := s.respondable(ctx, a, activityID)
	if err != nil {
		return err
	}
	if !act.SignupRequired {
		return apperr.New(apperr.Invalid, "error.signup_not_asked")
	}
	p.Response, p.LeaveReason = ResponseSignedUp, ""
	rec := record(a, "activity.sign_up", "activity")
	rec.OrgPath, rec.ObjectID, rec.PersonID = act.OrgPath, act.ID, p.PersonID
	return s.store.UpdateParticipant(ctx, p, rec)
}

// AskLeave asks the organizer for leave, with a reason.
func (s *Service) AskLeave(ctx context.Context, a *auth.Actor, activityID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"reason": "error.required"}}
	case utf8.RuneCountInString(reason) > 500:
		return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"reason": "error.too_long"}}
	}
	act, p, err := s.respondable(ctx, a, activityID)
	if err != nil {
		return err
	}
	p.Response, p.LeaveReason, p.DecidedBy = ResponseLeaveRequested, reason, ""
	rec := record(a, "activity.ask_leave", "activity")
	rec.OrgPath, rec.ObjectID, rec.PersonID = act.OrgPath, act.ID, p.PersonID
	rec.After = audit.JSON(map[string]any{"reason": reason})
	return s.store.UpdateParticipant(ctx, p, rec)
}

// WithdrawResponse takes back the actor's sign-up or leave request.
func (s *Service) WithdrawResponse(ctx context.Context, a *auth.Actor, activityID int64) error {
	act, p, err := s.respondable(ctx, a, activityID)
	if err != nil {
		return err
	}
	if p.Response == ResponseLeaveApproved {
		return apperr.New(apperr.Invalid, "error.leave_already_decided")
	}
	p.Response, p.LeaveReason = ResponseNone, ""
	rec := record(a, "activity.withdraw_response", "activity")
	rec.OrgPath, rec.ObjectID, rec.PersonID = act.OrgPath, act.ID, p.PersonID
	return s.store.UpdateParticipant(ctx, p, rec)
}

// DecideLeave approves or declines a participant's leave request.
func (s *Service) DecideLeave(ctx context.Context, a *auth.Actor, activityID, personID int64, approve bool) error {
	act, err := s.manage(ctx, a, activityID)
	if err != nil {
		return err
	}
	p, err := s.store.FindParticipant(ctx, act.ID, personID)
	if err != nil {
		return err
	}
	if p.Response != ResponseLeaveRequested && p.Response != ResponseLeaveApproved && p.Response != ResponseLeaveDeclined {
		return apperr.New(apperr.Invalid, "error.no_leave_request")
	}
	p.Response, p.DecidedBy, p.DecidedAt = ResponseLeaveDeclined, a.Name, s.now()
	if approve {
		p.Response = ResponseLeaveApproved
	}
	rec := record(a, "activity.decide_leave", "activity")
	rec.OrgPath, rec.ObjectID, rec.PersonID = act.OrgPath, act.ID, p.PersonID
	rec.After = audit.JSON(map[string]any{"response": p.Response})
	return s.store.UpdateParticipant(ctx, p, rec)
}

// SetAbsentReason records why an expected participant did not come.
func (s *Service) SetAbsentReason(ctx context.Context, a *auth.Actor, activityID, personID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"reason": "error.too_long"}}
	}
	act, err := s.manage(ctx, a, activityID)
	if err != nil {
		return err
	}
	p, err := s.store.FindParticipant(ctx, act.ID, personID)
	if err != nil {
		return err
	}
	p.AbsentReason = reason
	rec := record(a, "activity.absent_reason", "activity")
	rec.OrgPath, rec.ObjectID, rec.PersonID = act.OrgPath, act.ID, p.PersonID
	rec.After = audit.JSON(map[string]any{"reason": reason})
	return s.store.UpdateParticipant(ctx, p, rec)
}

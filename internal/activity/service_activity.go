package activity

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// Types returns every activity type in display order.
func (s *Service) Types(ctx context.Context) ([]*Type, error) {
	return s.store.FindActivityTypes(ctx)
}

// Activity returns one activity with its itinerary, if the actor may see it: whoever views
// the organization, its own members, everyone invited, and its host and recorder.
func (s *Service) Activity(ctx context.Context, a *auth.Actor, id int64) (*Activity, error) {
	act, err := s.store.FindActivityByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := s.canRead(ctx, a, act); err != nil || !ok {
		if err == nil {
			err = apperr.ErrNotFound
		}
		return nil, err
	}
	return act, nil
}

func (s *Service) canRead(ctx context.Context, a *auth.Actor, act *Activity) (bool, error) {
	if a == nil {
		return false, nil
	}
	if a.CanSee(act.OrgPath) {
		return true, nil
	}
	if a.PersonID == 0 {
		return false, nil
	}
	if a.PersonID == act.HostID || a.PersonID == act.RecorderID {
		return true, nil // the host and the recorder, even when not invited
	}
	_, err := s.store.FindParticipant(ctx, act.ID, a.PersonID)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// CanManage reports whether the actor may change the activity, invite to it and take its
// attendance.
func CanManage(a *auth.Actor, act *Activity) bool { return a.CanAdmin(act.OrgPath) }

// manage returns the activity if the actor may change it.
func (s *Service) manage(ctx context.Context, a *auth.Actor, id int64) (*Activity, error) {
	act, err := s.Activity(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !CanManage(a, act) {
		return nil, apperr.ErrDenied
	}
	return act, nil
}

// Activities lists, within f's other conditions, the activities the actor may see: those of
// the subtrees it views, of its own organization, and those it is invited to or attended;
// with f.OrgID, those of that organization only.
func (s *Service) Activities(ctx context.Context, a *auth.Actor, f Filter) ([]*Activity, int, error) {
	if a == nil {
		return nil, 0, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	f.Roots, f.MemberPath, f.PersonID = a.ReadRoots(), "", a.PersonID
	if a.MemberPath != "" && !a.CanView(a.MemberPath) {
		f.MemberPath = a.MemberPath
	}
	if f.OrgID != 0 {
		o, err := s.orgs.FindOrganizationByID(ctx, f.OrgID)
		if err != nil || !a.CanSee(o.Path) {
			return nil, 0, apperr.ErrNotFound
		}
		// One organization's own activities: all of them are visible to whoever may see it.
		f.Roots, f.MemberPath, f.PersonID = []string{o.Path}, "", 0
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	return s.store.FindActivities(ctx, f)
}

// Upcoming returns the actor's own coming activities (invited, not cancelled, not yet ended).
func (s *Service) Upcoming(ctx context.Context, a *auth.Actor, limit int) ([]*Activity, error) {
	if a == nil || a.PersonID == 0 {
		return nil, nil
	}
	return s.store.FindUpcoming(ctx, a.PersonID, s.now(), limit)
}

// CreateActivity plans a new activity of an organization the actor administers.
func (s *Service) CreateActivity(ctx context.Context, a *auth.Actor, p Plan) (*Activity, error) {
	act, err := s.check(ctx, a, p)
	if err != nil {
		return nil, err
	}
	act.CreatedBy = a.UserID
	rec := record(a, "activity.create", "activity")
	rec.OrgPath = act.OrgPath
	rec.After = audit.JSON(activityAudit(act, s.zone))
	if err := s.store.CreateActivity(ctx, act, rec); err != nil {
		return nil, err
	}
	return act, nil
}

// UpdateActivity changes an activity; p.Version must be the version the form was made from.
// Its organization may change to another the actor administers.
func (s *Service) UpdateActivity(ctx context.Context, a *auth.Actor, id int64, p Plan) (*Activity, error) {
	old, err := s.manage(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if old.Status == StatusCancelled {
		return nil, apperr.New(apperr.Invalid, "error.activity_cancelled")
	}
	act, err := s.check(ctx, a, p)
	if err != nil {
		return nil, err
	}
	act.ID, act.CreatedBy, act.CreatedAt = old.ID, old.CreatedBy, old.CreatedAt
	rec := record(a, "activity.update", "activity")
	rec.OrgPath, rec.ObjectID = act.OrgPath, act.ID
	rec.Before = audit.JSON(activityAudit(old, s.zone))
	rec.After = audit.JSON(activityAudit(act, s.zone))
	if err := s.store.UpdateActivity(ctx, act, rec); err != nil {
		return nil, err
	}
	return act, nil
}

// CancelActivity cancels a planned activity; it stays on record, and calendars show it
// cancelled.
func (s *Service) CancelActivity(ctx context.Context, a *auth.Actor, id int64, version int) error {
	act, err := s.manage(ctx, a, id)
	if err != nil {
		return err
	}
	if act.Status == StatusCancelled {
		return nil
	}
	before := activityAudit(act, s.zone)
	act.Status, act.Version = StatusCancelled, version
	rec := record(a, "activity.cancel", "activity")
	rec.OrgPath, rec.ObjectID = act.OrgPath, act.ID
	rec.Before = audit.JSON(before)
	return s.store.UpdateActivity(ctx, act, rec)
}

// check validates a plan and everything it refers to, and returns the activity to write.
func (s *Service) check(ctx context.Context, a *auth.Actor, p Plan) (*Activity, error) {
	var v apperr.Validation
	act := p.resolve(s.zone, &v)
	if p.OrgID != 0 {
		o, err := s.orgs.FindOrganizationByID(ctx, p.OrgID)
		switch {
		case errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanAdmin(o.Path)):
			v.Add("org_id", "error.org_out_of_scope")
		case err != nil:
			return nil, err
		default:
			act.OrgPath, act.OrgName = o.Path, o.Name
		}
	}
	if len(act.Types) > 0 {
		types, err := s.store.FindActivityTypes(ctx)
		if err != nil {
			return nil, err
		}
		for _, code := range act.Types {
			if findType(types, code) == nil {
				v.Add("types", "error.choice")
			}
		}
	}
	for field, id := range map[string]*int64{"host_id": &act.HostID, "recorder_id": &act.RecorderID} {
		if *id == 0 {
			continue
		}
		person, err := s.orgs.FindPersonByID(ctx, *id)
		switch {
		case errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanView(person.OrgPath)):
			v.Add(field, "error.person_out_of_scope")
		case err != nil:
			return nil, err
		case field == "host_id":
			act.HostName = person.Name
		default:
			act.RecorderName = person.Name
		}
	}
	if act.SiteID != 0 {
		site, err := s.store.FindSiteByID(ctx, act.SiteID)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			v.Add("site_id", "error.choice")
		case err != nil:
			return nil, err
		default:
			act.SiteName = site.Name
			if act.Place == "" {
				act.Place = site.Name
			}
		}
	}
	for i, stop := range act.Stops {
		if stop.SiteID == 0 {
			continue
		}
		site, err := s.store.FindSiteByID(ctx, stop.SiteID)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			v.Add("stops."+strconv.Itoa(i)+".site_id", "error.choice")
		case err != nil:
			return nil, err
		default:
			stop.SiteName = site.Name
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return act, nil
}

func findType(types []*Type, code string) *Type {
	for _, t := range types {
		if t.Code == code {
			return t
		}
	}
	return nil
}

// activityAudit is what the audit trail keeps of an activity.
func activityAudit(act *Activity, zone *time.Location) map[string]any {
	return map[string]any{
		"org_id": act.OrgID, "title": act.Title, "types": strings.Join(act.Types, ","),
		"starts_at": act.StartsAt.In(zone).Format(time.RFC3339), "ends_at": act.EndsAt.In(zone).Format(time.RFC3339),
		"all_day": act.AllDay, "place": act.Place, "site_id": act.SiteID, "host_id": act.HostID,
		"recorder_id": act.RecorderID, "status": act.Status, "stops": len(act.Stops),
		"checkin_opens":  act.CheckinOpens.In(zone).Format(time.RFC3339),
		"checkin_closes": act.CheckinCloses.In(zone).Format(time.RFC3339),
	}
}

// CreateType adds an activity type; only a system administrator may.
func (s *Service) CreateType(ctx context.Context, a *auth.Actor, t *Type) error {
	if !a.SysAdmin {
		return apperr.ErrDenied
	}
	var v apperr.Validation
	t.Code, t.NameZh, t.NameEn = strings.TrimSpace(t.Code), strings.TrimSpace(t.NameZh), strings.TrimSpace(t.NameEn)
	if !validCode(t.Code) {
		v.Add("code", "error.code")
	}
	if t.NameZh == "" {
		v.Add("name_zh", "error.required")
	}
	if t.NameEn == "" {
		v.Add("name_en", "error.required")
	}
	switch t.OpenTo {
	case OpenMembers, OpenActivists, OpenMasses:
	case "":
		t.OpenTo = OpenMembers
	default:
		v.Add("open_to", "error.choice")
	}
	if err := v.Err(); err != nil {
		return err
	}
	t.Builtin = false
	rec := record(a, "activity_type.create", "activity_type")
	rec.After = audit.JSON(t)
	err := s.store.CreateActivityType(ctx, t, rec)
	if apperr.KindOf(err) == apperr.Conflict {
		return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"code": "error.taken"}}
	}
	return err
}

// validCode accepts lower-case ASCII letters, digits and underscores, 2 to 40 long.
func validCode(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// mayInviteStage reports whether a type open to openTo admits people of stage.
func mayInviteStage(openTo, stage string) bool {
	switch openTo {
	case OpenMasses:
		return true
	case OpenActivists:
		return stage != org.StageMasses
	default:
		return org.IsMember(stage)
	}
}

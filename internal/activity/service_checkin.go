package activity

import (
	"context"
	"errors"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// LateAfter is how long after the start a QR check-in on the first day counts as late; an
// all-day activity has no late QR check-ins (the organizer marks them by hand).
const LateAfter = 10 * time.Minute

// QRToken returns the token the organizer's screen shows now, and when the screen should
// show the next one.
func (s *Service) QRToken(ctx context.Context, a *auth.Actor, activityID int64) (string, time.Time, error) {
	act, err := s.manage(ctx, a, activityID)
	if err != nil {
		return "", time.Time{}, err
	}
	if act.Status == StatusCancelled {
		return "", time.Time{}, apperr.New(apperr.Invalid, "error.activity_cancelled")
	}
	now := s.now()
	return signToken(s.key, kindQR, act.ID, now), now.Add(QRRefresh), nil
}

// tokenError turns a token error into what the member is told.
func tokenError(err error) error {
	if errors.Is(err, ErrTokenExpired) {
		return apperr.Wrap(apperr.Invalid, "error.checkin_token_expired", err)
	}
	return apperr.Wrap(apperr.Invalid, "error.checkin_token_invalid", err)
}

// Pass turns a freshly scanned QR token into a pass token that stays good while a logged-out
// member logs in. A pass token given again is returned unchanged.
func (s *Service) Pass(token string) (string, error) {
	t, err := parseToken(s.key, token, s.now())
	if err != nil {
		return "", tokenError(err)
	}
	if t.kind == kindPass {
		return token, nil
	}
	return signToken(s.key, kindPass, t.activityID, s.now()), nil
}

// CheckInTarget returns the activity a token checks into, once the token is checked, and the
// actor's attendance of today if there is one already.
func (s *Service) CheckInTarget(ctx context.Context, a *auth.Actor, token string) (*Activity, *Attendance, error) {
	t, err := parseToken(s.key, token, s.now())
	if err != nil {
		return nil, nil, tokenError(err)
	}
	act, err := s.store.FindActivityByID(ctx, t.activityID)
	if err != nil {
		return nil, nil, tokenError(ErrTokenInvalid)
	}
	p, err := s.Me(ctx, a, act.ID)
	if err != nil || p.Days == nil {
		return act, nil, nil
	}
	return act, p.Days[s.today()], nil
}

func (s *Service) today() string { return s.now().In(s.zone).Format(dateLayout) }

// CheckIn checks the actor in by a scanned token: the token must be good, the activity's
// check-in window open, and the actor invited (or the activity admitting walk-ins of the
// actor's stage). It reports false when the actor was already checked in today.
func (s *Service) CheckIn(ctx context.Context, a *auth.Actor, token string) (*Activity, bool, error) {
	t, err := parseToken(s.key, token, s.now())
	if err != nil {
		return nil, false, tokenError(err)
	}
	if a == nil || a.PersonID == 0 {
		act, err := s.store.FindActivityByID(ctx, t.activityID)
		if err != nil {
			return nil, false, tokenError(ErrTokenInvalid)
		}
		return act, false, apperr.New(apperr.Invalid, "error.checkin_no_person")
	}
	act, part, err := s.store.FindCheckIn(ctx, t.activityID, a.PersonID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, false, tokenError(ErrTokenInvalid)
	}
	if err != nil {
		return nil, false, err
	}
	// fail refuses the check-in with the whole activity, for the page that says why.
	fail := func(kind apperr.Kind, key string) (*Activity, bool, error) {
		if full, err := s.store.FindActivityByID(ctx, act.ID); err == nil {
			act = full
		}
		return act, false, apperr.New(kind, key)
	}
	now := s.now()
	switch {
	case act.Status == StatusCancelled:
		return fail(apperr.Invalid, "error.activity_cancelled")
	case now.Before(act.CheckinOpens):
		return fail(apperr.Invalid, "error.checkin_not_open")
	case !now.Before(act.CheckinCloses):
		return fail(apperr.Invalid, "error.checkin_closed")
	}
	walkIn := false
	switch {
	case part == ParticipantInvited:
	case !act.WalkIns:
		return fail(apperr.Forbidden, "error.checkin_not_invited")
	case part == ParticipantNone:
		// A walk-in: the types (loaded now) must admit the person's stage.
		full, err := s.store.FindActivityByID(ctx, act.ID)
		if err != nil {
			return act, false, err
		}
		person, err := s.orgs.FindPersonByID(ctx, a.PersonID)
		if err != nil {
			return act, false, err
		}
		open, err := s.OpenTo(ctx, full)
		if err != nil {
			return act, false, err
		}
		if !mayInviteStage(open, person.Stage) {
			return full, false, apperr.New(apperr.Forbidden, "error.checkin_not_invited")
		}
		walkIn = true
	}
	day := s.attendanceDay(act, now)
	att := &Attendance{ActivityID: act.ID, PersonID: a.PersonID, Day: day, Method: MethodQR, ByUser: a.UserID, ByName: a.Name, At: now}
	att.Late = !act.AllDay && day == act.Days(s.zone)[0] && now.After(act.StartsAt.Add(LateAfter))
	rec := record(a, "activity.check_in", "activity")
	rec.OrgPath, rec.ObjectID, rec.PersonID = act.OrgPath, act.ID, a.PersonID
	rec.After = audit.JSON(map[string]any{"day": day, "method": MethodQR, "late": att.Late, "walk_in": walkIn})
	added, err := s.store.CheckIn(ctx, att, walkIn, false, rec)
	return act, added, err
}

// attendanceDay is the activity day an instant falls on: today in the zone, held to the
// activity's first and last day (check-in may open the evening before).
func (s *Service) attendanceDay(act *Activity, now time.Time) string {
	days := act.Days(s.zone)
	d := now.In(s.zone).Format(dateLayout)
	switch {
	case d < days[0]:
		return days[0]
	case d > days[len(days)-1]:
		return days[len(days)-1]
	}
	return d
}

// ManualCheckIn records by hand that a person was present on a day of the activity (someone
// without a phone), or changes the late mark of one already checked in. The person must be a
// participant, or on a register the actor administers (then recorded as not invited).
func (s *Service) ManualCheckIn(ctx context.Context, a *auth.Actor, activityID, personID int64, day string, late bool) error {
	act, err := s.manage(ctx, a, activityID)
	if err != nil {
		return err
	}
	if act.Status == StatusCancelled {
		return apperr.New(apperr.Invalid, "error.activity_cancelled")
	}
	if !containsString(act.Days(s.zone), day) {
		return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"day": "error.stop_outside_dates"}}
	}
	walkIn := false
	if _, err := s.store.FindParticipant(ctx, act.ID, personID); errors.Is(err, apperr.ErrNotFound) {
		person, err := s.orgs.FindPersonByID(ctx, personID)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanAdmin(person.OrgPath)) {
			return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"person_id": "error.person_out_of_scope"}}
		}
		if err != nil {
			return err
		}
		walkIn = true
	} else if err != nil {
		return err
	}
	now := s.now()
	att := &Attendance{ActivityID: act.ID, PersonID: personID, Day: day, Late: late, Method: MethodManual, ByUser: a.UserID, ByName: a.Name, At: now}
	rec := record(a, "activity.check_in", "activity")
	rec.OrgPath, rec.ObjectID, rec.PersonID = act.OrgPath, act.ID, personID
	rec.After = audit.JSON(map[string]any{"day": day, "method": MethodManual, "late": late, "walk_in": walkIn})
	_, err = s.store.CheckIn(ctx, att, walkIn, true, rec)
	return err
}

// UndoCheckIn removes a person's attendance of a day, recorded in error.
func (s *Service) UndoCheckIn(ctx context.Context, a *auth.Actor, activityID, personID int64, day string) error {
	act, err := s.manage(ctx, a, activityID)
	if err != nil {
		return err
	}
	rec := record(a, "activity.undo_check_in", "activity")
	rec.OrgPath, rec.ObjectID, rec.PersonID = act.OrgPath, act.ID, personID
	rec.Before = audit.JSON(map[string]any{"day": day})
	return s.store.UndoCheckIn(ctx, act.ID, personID, day, rec)
}

// Summary is an activity's attendance: expected (invited), present on at least one day, on
// approved leave, absent, walk-ins (attended, not invited), and the rate present/expected.
type Summary struct {
	Expected int
	Present  int
	Late     int
	Leave    int
	Absent   int
	WalkIns  int
	Rate     float64 // 0 to 1; 0 when nobody was expected
	Days     []DaySummary
}

// DaySummary is the attendance of one day of a multi-day activity.
type DaySummary struct {
	Day     string
	Present int
	Late    int
	Rate    float64
}

// RatePercent returns the rate as a whole percentage.
func (s Summary) RatePercent() int { return int(s.Rate*100 + 0.5) }

// RatePercent returns the day's rate as a whole percentage.
func (d DaySummary) RatePercent() int { return int(d.Rate*100 + 0.5) }

// Attendance returns an activity's participants with their attendance per day, and the
// summary. Those who view the organization may read it.
func (s *Service) Attendance(ctx context.Context, a *auth.Actor, activityID int64) (*Activity, []*Participant, Summary, error) {
	act, err := s.Activity(ctx, a, activityID)
	if err != nil {
		return nil, nil, Summary{}, err
	}
	if !a.CanView(act.OrgPath) {
		return nil, nil, Summary{}, apperr.ErrDenied
	}
	ps, err := s.store.FindParticipants(ctx, act.ID)
	if err != nil {
		return nil, nil, Summary{}, err
	}
	return act, ps, Summarize(act.Days(s.zone), ps), nil
}

// Summarize counts the attendance of participants over days.
func Summarize(days []string, ps []*Participant) Summary {
	var sum Summary
	byDay := make([]DaySummary, len(days))
	for i, d := range days {
		byDay[i].Day = d
	}
	for _, p := range ps {
		present, late := len(p.Days) > 0, false
		for i, d := range days {
			if att := p.Days[d]; att != nil && p.Invited {
				byDay[i].Present++
				if att.Late {
					byDay[i].Late++
					late = true
				}
			}
		}
		switch {
		case !p.Invited:
			if present {
				sum.WalkIns++
			}
			continue
		case present:
			sum.Present++
			if late {
				sum.Late++
			}
		case p.Response == ResponseLeaveApproved:
			sum.Leave++
		default:
			sum.Absent++
		}
		sum.Expected++
	}
	if sum.Expected > 0 {
		sum.Rate = float64(sum.Present) / float64(sum.Expected)
		for i := range byDay {
			byDay[i].Rate = float64(byDay[i].Present) / float64(sum.Expected)
		}
	}
	sum.Days = byDay
	return sum
}

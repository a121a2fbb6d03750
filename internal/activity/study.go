package activity

import (
	"context"
	"math"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

// Study hours (学时): attending an activity of a study type (party lecture, study session,
// red-education trip; Type.Study) credits the attendee. The hours are derived from the
// attendance and the activity, never typed again: the activity's set value, shared over its
// days, or else its length — the hours of a timed activity, 8 a day for an all-day one
// (reference b.6, EDU-HRS: full-time training counts 8 学时 a day). A later study issue reads
// the same entries.

// StudyDayCap is the most hours one day of attendance credits.
const StudyDayCap = 8

// StudyAttendance is a study activity a person attended, with how many of its days.
type StudyAttendance struct {
	ActivityID   int64
	Title        string
	StartsAt     time.Time
	EndsAt       time.Time
	AllDay       bool
	StudyHours   float64
	DaysAttended int
	Days         int // the activity's days, filled by the service
}

// StudyEntry is the hours one activity credited.
type StudyEntry struct {
	StudyAttendance
	Hours float64
}

// StudyStore reads attendance of study activities.
type StudyStore interface {
	// FindStudyAttendance returns the activities of a study type starting in [from, to) that
	// the person attended, with the number of days attended.
	FindStudyAttendance(ctx context.Context, personID int64, from, to time.Time) ([]*StudyAttendance, error)
}

// hoursFor computes the hours an attendance credits.
func hoursFor(sa *StudyAttendance) float64 {
	days := max(sa.Days, 1)
	var perDay float64
	switch {
	case sa.StudyHours > 0:
		perDay = sa.StudyHours / float64(days)
	case sa.AllDay:
		perDay = StudyDayCap
	default:
		perDay = math.Min(sa.EndsAt.Sub(sa.StartsAt).Hours()/float64(days), StudyDayCap)
	}
	return math.Round(perDay*float64(min(sa.DaysAttended, days))*2) / 2
}

// StudyHours returns a person's study hours of a year, with the activities that credited
// them: to the person, and to those who view the person's organization.
func (s *Service) StudyHours(ctx context.Context, a *auth.Actor, personID int64, year int) (float64, []*StudyEntry, error) {
	p, err := s.orgs.FindPersonByID(ctx, personID)
	if err != nil {
		return 0, nil, err
	}
	if a == nil || !(a.CanView(p.OrgPath) || a.PersonID == p.ID) {
		return 0, nil, apperr.ErrNotFound
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.zone)
	list, err := s.store.FindStudyAttendance(ctx, personID, from, from.AddDate(1, 0, 0))
	if err != nil {
		return 0, nil, err
	}
	total := 0.0
	out := make([]*StudyEntry, 0, len(list))
	for _, sa := range list {
		act := &Activity{StartsAt: sa.StartsAt, EndsAt: sa.EndsAt, AllDay: sa.AllDay}
		sa.Days = len(act.Days(s.zone))
		e := &StudyEntry{StudyAttendance: *sa, Hours: hoursFor(sa)}
		total += e.Hours
		out = append(out, e)
	}
	return total, out, nil
}

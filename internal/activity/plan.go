package activity

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
)

// Plan is an activity as a form or an API call gives it: dates and times as text in the
// organization's zone, so that each field's error can be reported where it was typed.
type Plan struct {
	OrgID          int64
	Types          []string
	Title          string
	Theme          string
	Purpose        string
	Place          string
	SiteID         int64
	StartDate      string // YYYY-MM-DD
	StartTime      string // HH:MM; ignored for all-day activities
	EndDate        string // YYYY-MM-DD; empty means the start date
	EndTime        string
	AllDay         bool
	HostID         int64
	RecorderID     int64
	Lecturer       string
	LectureTopic   string
	Agenda         string
	SafetyNotes    string
	SignupRequired bool
	WalkIns        bool
	CheckinOpens   string // YYYY-MM-DDTHH:MM; empty: 30 minutes before the start
	CheckinCloses  string // empty: the end
	StudyHours     string // study hours for the whole activity; empty: by its length
	Stops          []StopPlan
	Version        int
}

// StopPlan is one itinerary stop as typed.
type StopPlan struct {
	Day       string
	StartTime string
	EndTime   string
	Place     string
	SiteID    int64
	What      string
}

// Length limits of text fields, in characters.
const (
	maxTitle = 120
	maxLine  = 200
	maxText  = 20000
	maxStops = 100
	maxDays  = 31
	// maxStudyHours bounds a set study-hours value: 8 a day for the longest activity.
	maxStudyHours = 8 * maxDays
)

// CheckinLead is how long before the start check-in opens unless the organizer sets it.
const CheckinLead = 30 * time.Minute

const (
	dateLayout     = "2006-01-02"
	timeLayout     = "15:04"
	dateTimeLayout = "2006-01-02T15:04"
)

// PlanOf returns the plan of an existing activity, for its edit form.
func PlanOf(act *Activity, zone *time.Location) Plan {
	start, end := act.StartsAt.In(zone), act.EndsAt.In(zone)
	p := Plan{OrgID: act.OrgID, Types: act.Types, Title: act.Title, Theme: act.Theme, Purpose: act.Purpose,
		Place: act.Place, SiteID: act.SiteID, AllDay: act.AllDay, HostID: act.HostID, RecorderID: act.RecorderID,
		Lecturer: act.Lecturer, LectureTopic: act.LectureTopic, Agenda: act.Agenda, SafetyNotes: act.SafetyNotes,
		SignupRequired: act.SignupRequired, WalkIns: act.WalkIns, Version: act.Version,
		StartDate: start.Format(dateLayout), StartTime: start.Format(timeLayout),
		EndDate: end.Format(dateLayout), EndTime: end.Format(timeLayout)}
	if act.AllDay {
		p.StartTime, p.EndTime = "", ""
		p.EndDate = end.AddDate(0, 0, -1).Format(dateLayout)
	}
	if !act.CheckinOpens.Equal(act.StartsAt.Add(-CheckinLead)) {
		p.CheckinOpens = act.CheckinOpens.In(zone).Format(dateTimeLayout)
	}
	if !act.CheckinCloses.Equal(act.EndsAt) {
		p.CheckinCloses = act.CheckinCloses.In(zone).Format(dateTimeLayout)
	}
	if act.StudyHours > 0 {
		p.StudyHours = strconv.FormatFloat(act.StudyHours, 'f', -1, 64)
	}
	for _, s := range act.Stops {
		p.Stops = append(p.Stops, StopPlan{Day: s.Day, StartTime: s.StartTime, EndTime: s.EndTime, Place: s.Place, SiteID: s.SiteID, What: s.What})
	}
	return p
}

// resolve checks the plan's own fields and turns it into an activity (without the checks
// that need the database: organization, types, people, sites).
func (p *Plan) resolve(zone *time.Location, v *apperr.Validation) *Activity {
	act := &Activity{OrgID: p.OrgID, Title: strings.TrimSpace(p.Title), Theme: strings.TrimSpace(p.Theme),
		Purpose: strings.TrimSpace(p.Purpose), Place: strings.TrimSpace(p.Place), SiteID: p.SiteID, AllDay: p.AllDay,
		HostID: p.HostID, RecorderID: p.RecorderID, Lecturer: strings.TrimSpace(p.Lecturer),
		LectureTopic: strings.TrimSpace(p.LectureTopic), Agenda: strings.TrimSpace(p.Agenda),
		SafetyNotes: strings.TrimSpace(p.SafetyNotes), SignupRequired: p.SignupRequired, WalkIns: p.WalkIns,
		Status: StatusPlanned, Version: p.Version}
	for _, t := range p.Types {
		if t = strings.TrimSpace(t); t != "" && !act.HasType(t) {
			act.Types = append(act.Types, t)
		}
	}
	switch {
	case act.Title == "":
		v.Add("title", "error.required")
	case utf8.RuneCountInString(act.Title) > maxTitle:
		v.Add("title", "error.too_long")
	}
	if len(act.Types) == 0 {
		v.Add("types", "error.required")
	}
	if p.OrgID == 0 {
		v.Add("org_id", "error.required")
	}
	for field, s := range map[string]string{"theme": act.Theme, "place": act.Place, "lecturer": act.Lecturer, "lecture_topic": act.LectureTopic} {
		if utf8.RuneCountInString(s) > maxLine {
			v.Add(field, "error.too_long")
		}
	}
	for field, s := range map[string]string{"purpose": act.Purpose, "agenda": act.Agenda, "safety_notes": act.SafetyNotes} {
		if utf8.RuneCountInString(s) > maxText {
			v.Add(field, "error.too_long")
		}
	}
	if h := strings.TrimSpace(p.StudyHours); h != "" {
		x, err := strconv.ParseFloat(h, 64)
		switch {
		case err != nil:
			v.Add("study_hours", "error.number")
		case x < 0 || x > maxStudyHours:
			v.Add("study_hours", "error.study_hours")
		default:
			act.StudyHours = math.Round(x*2) / 2
		}
	}
	p.resolveTimes(act, zone, v)
	act.Stops = p.resolveStops(act, zone, v)
	return act
}

func (p *Plan) resolveTimes(act *Activity, zone *time.Location, v *apperr.Validation) {
	startDay, err := time.ParseInLocation(dateLayout, strings.TrimSpace(p.StartDate), zone)
	if err != nil {
		v.Add("start_date", "error.date")
		return
	}
	endDay := startDay
	if s := strings.TrimSpace(p.EndDate); s != "" {
		if endDay, err = time.ParseInLocation(dateLayout, s, zone); err != nil {
			v.Add("end_date", "error.date")
			return
		}
	}
	if act.AllDay {
		act.StartsAt, act.EndsAt = startDay, endDay.AddDate(0, 0, 1)
	} else {
		st, err1 := clock(startDay, p.StartTime)
		et, err2 := clock(endDay, p.EndTime)
		if err1 != nil {
			v.Add("start_time", "error.time")
		}
		if err2 != nil {
			v.Add("end_time", "error.time")
		}
		if err1 != nil || err2 != nil {
			return
		}
		act.StartsAt, act.EndsAt = st, et
	}
	switch {
	case !act.EndsAt.After(act.StartsAt):
		v.Add("end_date", "error.end_before_start")
		return
	case act.EndsAt.Sub(act.StartsAt) > maxDays*24*time.Hour:
		v.Add("end_date", "error.too_long_span")
		return
	}
	act.CheckinOpens, act.CheckinCloses = act.StartsAt.Add(-CheckinLead), act.EndsAt
	if s := strings.TrimSpace(p.CheckinOpens); s != "" {
		t, err := time.ParseInLocation(dateTimeLayout, s, zone)
		if err != nil {
			v.Add("checkin_opens", "error.datetime")
		}
		act.CheckinOpens = t
	}
	if s := strings.TrimSpace(p.CheckinCloses); s != "" {
		t, err := time.ParseInLocation(dateTimeLayout, s, zone)
		if err != nil {
			v.Add("checkin_closes", "error.datetime")
		}
		act.CheckinCloses = t
	}
	if !act.CheckinCloses.After(act.CheckinOpens) {
		v.Add("checkin_closes", "error.end_before_start")
	}
	act.StartsAt, act.EndsAt = act.StartsAt.UTC(), act.EndsAt.UTC()
	act.CheckinOpens, act.CheckinCloses = act.CheckinOpens.UTC(), act.CheckinCloses.UTC()
}

// clock sets the HH:MM of hm on day.
func clock(day time.Time, hm string) (time.Time, error) {
	t, err := time.Parse(timeLayout, strings.TrimSpace(hm))
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, day.Location()), nil
}

// Days returns the activity's days (YYYY-MM-DD) in zone, first to last.
func (a *Activity) Days(zone *time.Location) []string {
	if a.EndsAt.IsZero() || !a.EndsAt.After(a.StartsAt) {
		return nil
	}
	first := a.StartsAt.In(zone)
	last := a.EndsAt.In(zone)
	if a.AllDay || (last.Hour() == 0 && last.Minute() == 0 && last.Second() == 0) {
		last = last.Add(-time.Nanosecond)
	}
	var days []string
	for d := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, zone); !d.After(last) && len(days) <= maxDays; d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(dateLayout))
	}
	return days
}

func (p *Plan) resolveStops(act *Activity, zone *time.Location, v *apperr.Validation) []*Stop {
	var stops []*Stop
	days := act.Days(zone)
	if len(p.Stops) > maxStops {
		v.Add("stops", "error.too_many")
		return nil
	}
	for i, sp := range p.Stops {
		s := &Stop{Day: strings.TrimSpace(sp.Day), StartTime: strings.TrimSpace(sp.StartTime), EndTime: strings.TrimSpace(sp.EndTime),
			Place: strings.TrimSpace(sp.Place), SiteID: sp.SiteID, What: strings.TrimSpace(sp.What), SortOrder: i}
		if s.Day == "" && s.Place == "" && s.SiteID == 0 && s.What == "" && s.StartTime == "" {
			continue // an empty row of the form
		}
		field := func(name string) string { return "stops." + strconv.Itoa(i) + "." + name }
		if _, err := time.Parse(dateLayout, s.Day); err != nil {
			v.Add(field("day"), "error.date")
		} else if days != nil && !containsString(days, s.Day) {
			v.Add(field("day"), "error.stop_outside_dates")
		}
		for name, hm := range map[string]string{"start_time": s.StartTime, "end_time": s.EndTime} {
			if hm != "" {
				if _, err := time.Parse(timeLayout, hm); err != nil {
					v.Add(field(name), "error.time")
				}
			}
		}
		if s.StartTime != "" && s.EndTime != "" && s.EndTime < s.StartTime {
			v.Add(field("end_time"), "error.end_before_start")
		}
		if s.Place == "" && s.SiteID == 0 {
			v.Add(field("place"), "error.required")
		}
		if utf8.RuneCountInString(s.Place) > maxLine {
			v.Add(field("place"), "error.too_long")
		}
		if utf8.RuneCountInString(s.What) > maxText {
			v.Add(field("what"), "error.too_long")
		}
		stops = append(stops, s)
	}
	return stops
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

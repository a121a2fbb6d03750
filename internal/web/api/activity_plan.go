package api

import (
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
)

// PlanFields are the writable fields of an activity's plan (schema ActivityCreate, and
// ActivityUpdate with version). In a PATCH a field left out stays as it is; site_id, host_id
// and recorder_id sent as null remove the reference; stops, when sent, replace the whole
// itinerary. Dates and clock times are in the organization's zone, as a form would give them,
// so that each field's error names the field.
type PlanFields struct {
	OrgID          *int64          `json:"org_id"`
	Types          *[]string       `json:"types"`
	Title          *string         `json:"title"`
	Theme          *string         `json:"theme"`
	Purpose        *string         `json:"purpose"`
	Place          *string         `json:"place"`
	SiteID         Nullable[int64] `json:"site_id"`
	StartDate      *string         `json:"start_date"`
	StartTime      *string         `json:"start_time"`
	EndDate        *string         `json:"end_date"`
	EndTime        *string         `json:"end_time"`
	AllDay         *bool           `json:"all_day"`
	HostID         Nullable[int64] `json:"host_id"`
	RecorderID     Nullable[int64] `json:"recorder_id"`
	Lecturer       *string         `json:"lecturer"`
	LectureTopic   *string         `json:"lecture_topic"`
	Agenda         *string         `json:"agenda"`
	SafetyNotes    *string         `json:"safety_notes"`
	SignupRequired *bool           `json:"signup_required"`
	WalkIns        *bool           `json:"walk_ins"`
	CheckinOpens   *string         `json:"checkin_opens"`
	CheckinCloses  *string         `json:"checkin_closes"`
	Stops          *[]StopFields   `json:"stops"`
}

// PlanUpdate is the body of PATCH /activities/{id}: the fields to change and the version the
// caller read.
type PlanUpdate struct {
	PlanFields
	Version *int `json:"version"`
}

// StopFields is one itinerary stop as sent (schema StopCreate).
type StopFields struct {
	Day       string `json:"day"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	Place     string `json:"place"`
	SiteID    *int64 `json:"site_id"`
	What      string `json:"what"`
}

// apply copies the fields sent onto p.
func (f *PlanFields) apply(p *activity.Plan, zone *time.Location) {
	if f.OrgID != nil {
		p.OrgID = *f.OrgID
	}
	if f.Types != nil {
		p.Types = append([]string(nil), (*f.Types)...)
	}
	for dst, v := range map[*string]*string{&p.Title: f.Title, &p.Theme: f.Theme, &p.Purpose: f.Purpose, &p.Place: f.Place,
		&p.StartDate: f.StartDate, &p.StartTime: f.StartTime, &p.EndDate: f.EndDate, &p.EndTime: f.EndTime,
		&p.Lecturer: f.Lecturer, &p.LectureTopic: f.LectureTopic, &p.Agenda: f.Agenda, &p.SafetyNotes: f.SafetyNotes} {
		setString(dst, v)
	}
	for dst, v := range map[*bool]*bool{&p.AllDay: f.AllDay, &p.SignupRequired: f.SignupRequired, &p.WalkIns: f.WalkIns} {
		if v != nil {
			*dst = *v
		}
	}
	for dst, v := range map[*int64]Nullable[int64]{&p.SiteID: f.SiteID, &p.HostID: f.HostID, &p.RecorderID: f.RecorderID} {
		if v.Set {
			*dst = v.orZero()
		}
	}
	if f.CheckinOpens != nil {
		p.CheckinOpens = localDateTime(*f.CheckinOpens, zone)
	}
	if f.CheckinCloses != nil {
		p.CheckinCloses = localDateTime(*f.CheckinCloses, zone)
	}
	if f.Stops != nil {
		p.Stops = make([]activity.StopPlan, 0, len(*f.Stops))
		for _, s := range *f.Stops {
			sp := activity.StopPlan{Day: s.Day, StartTime: s.StartTime, EndTime: s.EndTime, Place: s.Place, What: s.What}
			if s.SiteID != nil {
				sp.SiteID = *s.SiteID
			}
			p.Stops = append(p.Stops, sp)
		}
	}
}

// localDateTime accepts a check-in time as the plan takes it (YYYY-MM-DDTHH:MM in the
// organization's zone) or as the API answers it (RFC 3339 with an offset), and returns the
// plan's form; anything else is left for the service to refuse on its field.
func localDateTime(s string, zone *time.Location) string {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(zone).Format("2006-01-02T15:04")
	}
	return s
}

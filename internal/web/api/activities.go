package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
)

// ActivityType is a kind of activity (schema ActivityType).
type ActivityType struct {
	Code      string `json:"code"`
	Name      string `json:"name"` // in the caller's language
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Study     bool   `json:"study"`
	OpenTo    string `json:"open_to"`
	Builtin   bool   `json:"builtin"`
	SortOrder int    `json:"sort_order"`
}

// ActivityTypeList lists every activity type (schema ActivityTypeList).
type ActivityTypeList struct {
	Items []ActivityType `json:"items"`
}

// ActivitySummary is an activity as a list shows it: everything but the itinerary (schema
// ActivitySummary). Instants are in the organization's zone; start_date and end_date are its
// first and last day there.
type ActivitySummary struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"org_id"`
	OrgName        string    `json:"org_name"`
	Types          []string  `json:"types"`
	Title          string    `json:"title"`
	Theme          string    `json:"theme"`
	Purpose        string    `json:"purpose"`
	Place          string    `json:"place"`
	SiteID         *int64    `json:"site_id"`
	SiteName       string    `json:"site_name"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
	AllDay         bool      `json:"all_day"`
	StartDate      string    `json:"start_date"`
	StartTime      string    `json:"start_time"`
	EndDate        string    `json:"end_date"`
	EndTime        string    `json:"end_time"`
	HostID         *int64    `json:"host_id"`
	HostName       string    `json:"host_name"`
	RecorderID     *int64    `json:"recorder_id"`
	RecorderName   string    `json:"recorder_name"`
	Lecturer       string    `json:"lecturer"`
	LectureTopic   string    `json:"lecture_topic"`
	Agenda         string    `json:"agenda"`
	SafetyNotes    string    `json:"safety_notes"`
	SignupRequired bool      `json:"signup_required"`
	WalkIns        bool      `json:"walk_ins"`
	CheckinOpens   time.Time `json:"checkin_opens"`
	CheckinCloses  time.Time `json:"checkin_closes"`
	Status         string    `json:"status"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Activity is one activity with its day-by-day itinerary (schema Activity).
type Activity struct {
	ActivitySummary
	Stops []Stop `json:"stops"`
}

// Stop is one entry of an itinerary (schema Stop).
type Stop struct {
	Day       string `json:"day"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	Place     string `json:"place"`
	SiteID    *int64 `json:"site_id"`
	SiteName  string `json:"site_name"`
	What      string `json:"what"`
}

// ActivityPage is one page of activities (schema ActivityPage).
type ActivityPage struct {
	Items  []ActivitySummary `json:"items"`
	Total  int               `json:"total"`
	Limit  int               `json:"limit"`
	Offset int               `json:"offset"`
}

// ActivityCancel is the body of POST /activities/{id}/cancel (schema ActivityCancel).
type ActivityCancel struct {
	Version *int `json:"version"`
}

func toActivitySummary(act *activity.Activity, zone *time.Location) ActivitySummary {
	p := activity.PlanOf(act, zone)
	types := act.Types
	if types == nil {
		types = []string{}
	}
	return ActivitySummary{ID: act.ID, OrgID: act.OrgID, OrgName: act.OrgName, Types: types, Title: act.Title,
		Theme: act.Theme, Purpose: act.Purpose, Place: act.Place, SiteID: idOrNull(act.SiteID), SiteName: act.SiteName,
		StartsAt: act.StartsAt.In(zone), EndsAt: act.EndsAt.In(zone), AllDay: act.AllDay, StartDate: p.StartDate,
		StartTime: p.StartTime, EndDate: p.EndDate, EndTime: p.EndTime, HostID: idOrNull(act.HostID), HostName: act.HostName,
		RecorderID: idOrNull(act.RecorderID), RecorderName: act.RecorderName, Lecturer: act.Lecturer,
		LectureTopic: act.LectureTopic, Agenda: act.Agenda, SafetyNotes: act.SafetyNotes, SignupRequired: act.SignupRequired,
		WalkIns: act.WalkIns, CheckinOpens: act.CheckinOpens.In(zone), CheckinCloses: act.CheckinCloses.In(zone),
		Status: act.Status, Version: act.Version, CreatedAt: act.CreatedAt.In(zone), UpdatedAt: act.UpdatedAt.In(zone)}
}

func toActivity(act *activity.Activity, zone *time.Location) Activity {
	out := Activity{ActivitySummary: toActivitySummary(act, zone), Stops: make([]Stop, 0, len(act.Stops))}
	for _, s := range act.Stops {
		out.Stops = append(out.Stops, Stop{Day: s.Day, StartTime: s.StartTime, EndTime: s.EndTime, Place: s.Place,
			SiteID: idOrNull(s.SiteID), SiteName: s.SiteName, What: s.What})
	}
	return out
}

func (h *Handler) listActivityTypes(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	types, err := h.activity.Types(r.Context())
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	lang := h.translator(r, a.Locale).Lang
	out := ActivityTypeList{Items: make([]ActivityType, 0, len(types))}
	for _, t := range types {
		out.Items = append(out.Items, ActivityType{Code: t.Code, Name: t.Name(lang), NameZh: t.NameZh, NameEn: t.NameEn,
			Study: t.Study, OpenTo: t.OpenTo, Builtin: t.Builtin, SortOrder: t.SortOrder})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// activityQuery parses the query of GET /activities into a filter. Dates are days in the
// organization's zone, both included; when=upcoming keeps what has not ended, when=past what
// has started, newest first. Malformed parameters are a 400 naming each.
func (h *Handler) activityQuery(r *http.Request) (activity.Filter, error) {
	q := r.URL.Query()
	fields := map[string]string{}
	zone := h.activity.Zone()
	f := activity.Filter{Type: q.Get("type"), Status: q.Get("status")}
	f.Limit, f.Offset = limitOffset(r, fields)
	if s := q.Get("org_id"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || n < 1 {
			fields["org_id"] = "api.wrong_type"
		} else {
			f.OrgID = n
		}
	}
	day := func(name string) time.Time {
		s := q.Get(name)
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, s, zone)
		if err != nil {
			fields[name] = "error.date"
		}
		return t
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fields["to"] = "error.date_order"
	}
	if s := f.Status; s != "" && s != activity.StatusPlanned && s != activity.StatusCancelled {
		fields["status"] = "error.choice"
	}
	now := h.now()
	switch q.Get("when") {
	case "":
	case "upcoming":
		if f.From.Before(now) {
			f.From = now
		}
	case "past":
		if f.To.IsZero() || f.To.After(now) {
			f.To = now
		}
		f.Desc = true
	default:
		fields["when"] = "error.choice"
	}
	if len(fields) > 0 {
		return f, badRequest(fields)
	}
	return f, nil
}

func (h *Handler) listActivities(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	f, err := h.activityQuery(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	list, total, err := h.activity.Activities(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	zone := h.activity.Zone()
	out := ActivityPage{Items: make([]ActivitySummary, 0, len(list)), Total: total, Limit: f.Limit, Offset: f.Offset}
	for _, act := range list {
		out.Items = append(out.Items, toActivitySummary(act, zone))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) getActivity(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	act, err := h.activity.Activity(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toActivity(act, h.activity.Zone()))
}

func (h *Handler) createActivity(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	var in PlanFields
	if err := decode(w, r, &in, "version", "status"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var p activity.Plan
	in.apply(&p, h.activity.Zone())
	act, err := h.activity.CreateActivity(r.Context(), a, p)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerActivity(w, r, a, http.StatusCreated, act.ID)
}

// updateActivity changes an activity as PATCH /people/{id} changes a person: the fields sent
// replace those of the stored plan, the others stay, and the whole plan is checked again
// with the version the caller read.
func (h *Handler) updateActivity(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in PlanUpdate
	if err := decode(w, r, &in, "status"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	cur, err := h.activity.Activity(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	zone := h.activity.Zone()
	p := activity.PlanOf(cur, zone)
	in.apply(&p, zone)
	p.Version = *in.Version
	if _, err := h.activity.UpdateActivity(r.Context(), a, id, p); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerActivity(w, r, a, http.StatusOK, id)
}

func (h *Handler) cancelActivity(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in ActivityCancel
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	if err := h.activity.CancelActivity(r.Context(), a, id, *in.Version); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerActivity(w, r, a, http.StatusOK, id)
}

// answerActivity reads a just-written activity back and writes it with a Location header.
func (h *Handler) answerActivity(w http.ResponseWriter, r *http.Request, a *auth.Actor, status int, id int64) {
	act, err := h.activity.Activity(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	w.Header().Set("Location", Prefix+"activities/"+strconv.FormatInt(act.ID, 10))
	h.writeJSON(w, r, status, toActivity(act, h.activity.Zone()))
}

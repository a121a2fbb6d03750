package page

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// ActivitiesPage lists activities: coming ones soonest first, or past ones newest first.
type ActivitiesPage struct {
	view.Base
	Activities []*ActivityRow
	Total      int
	Past       bool
	Type       string
	Types      []view.Option
	CanPlan    bool
	Page       int
	Pages      int
	Query      string // the filter as a query string, without the page
	OrgID      string // one organization's activities only
	OrgName    string
}

// ActivityRow is an activity ready for a list.
type ActivityRow struct {
	*activity.Activity
	TypeNames []string
	When      string
}

const activitiesPerPage = 20

// ListActivities shows the activities the caller may see.
func (h *Handlers) ListActivities(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &ActivitiesPage{Base: h.View.NewBase(r, "activities.title"), Past: q.Get("when") == "past", Type: q.Get("type"),
		CanPlan: a.IsAdmin(), Page: max(1, atoi(q.Get("page")))}
	p.NavItem = "activities"
	types, err := h.Activity.Types(r.Context())
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Types = typeOptions(types, p.Lang, p.Type)
	f := activity.Filter{Type: p.Type, Limit: activitiesPerPage, Offset: (p.Page - 1) * activitiesPerPage}
	if p.OrgID = q.Get("org"); p.OrgID != "" {
		if f.OrgID, err = strconv.ParseInt(p.OrgID, 10, 64); err != nil {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
	}
	if p.Past {
		f.To, f.Desc = h.Now(), true
	} else {
		f.From = h.Now()
	}
	acts, total, err := h.Activity.Activities(r.Context(), a, f)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Total, p.Pages = total, (total+activitiesPerPage-1)/activitiesPerPage
	p.Activities = activityRows(acts, types, p.Lang, p.Zone)
	p.Query = "when=" + q.Get("when") + "&type=" + p.Type + "&org=" + p.OrgID
	if len(acts) > 0 && f.OrgID != 0 {
		p.OrgName = acts[0].OrgName
	}
	h.View.Render(w, r, http.StatusOK, "activities", p)
}

func typeOptions(types []*activity.Type, lang, selected string) []view.Option {
	out := make([]view.Option, len(types))
	for i, t := range types {
		out[i] = view.Option{Value: t.Code, Label: t.Name(lang), Selected: t.Code == selected}
	}
	return out
}

func activityRows(acts []*activity.Activity, types []*activity.Type, lang string, zone *time.Location) []*ActivityRow {
	names := map[string]string{}
	for _, t := range types {
		names[t.Code] = t.Name(lang)
	}
	rows := make([]*ActivityRow, len(acts))
	for i, act := range acts {
		row := &ActivityRow{Activity: act, When: when(act, zone)}
		for _, code := range act.Types {
			row.TypeNames = append(row.TypeNames, names[code])
		}
		rows[i] = row
	}
	return rows
}

// when formats an activity's time span in zone: "2023-07-15 至 07-16" for all-day ones,
// "2023-07-20 14:00–16:00" for an afternoon.
func when(act *activity.Activity, zone *time.Location) string {
	start, end := act.StartsAt.In(zone), act.EndsAt.In(zone)
	if act.AllDay {
		last := end.AddDate(0, 0, -1)
		if last.Format(time.DateOnly) == start.Format(time.DateOnly) {
			return start.Format(time.DateOnly)
		}
		return start.Format(time.DateOnly) + " – " + last.Format("01-02")
	}
	if start.Format(time.DateOnly) == end.Format(time.DateOnly) {
		return start.Format("2006-01-02 15:04") + "–" + end.Format("15:04")
	}
	return start.Format("2006-01-02 15:04") + " – " + end.Format("01-02 15:04")
}

// ActivityFormPage is the plan form of a new or existing activity.
type ActivityFormPage struct {
	view.Base
	Form     *view.Form
	Activity *activity.Activity // nil for a new one
	Orgs     []*org.Organization
	Types    []*activity.Type
	People   []*org.Person
	Sites    []*activity.Site
	Stops    []int // indexes of the itinerary rows to show
}

// TypeChecked reports whether a type is among the submitted types.
func (p *ActivityFormPage) TypeChecked(code string) bool {
	for _, v := range p.Form.Values["types"] {
		if v == code {
			return true
		}
	}
	return false
}

// Stop returns field of itinerary row i as submitted.
func (p *ActivityFormPage) Stop(i int, field string) string {
	return p.Form.Get("stops." + strconv.Itoa(i) + "." + field)
}

// StopError returns the translated error of field of itinerary row i.
func (p *ActivityFormPage) StopError(i int, field string) string {
	return p.Form.ErrorOf("stops." + strconv.Itoa(i) + "." + field)
}

// StopsOpen reports whether the itinerary part of the form starts unfolded: for all-day
// activities, and when a stop is filled in or has an error.
func (p *ActivityFormPage) StopsOpen() bool {
	if p.Form.Get("all_day") != "" || len(p.Stops) > blankStops {
		return true
	}
	for k := range p.Form.Errors {
		if strings.HasPrefix(k, "stops.") {
			return true
		}
	}
	return false
}

// blankStops is how many empty itinerary rows the form offers below the filled ones.
const blankStops = 3

func (h *Handlers) activityForm(r *http.Request, a *auth.Actor, title string) (*ActivityFormPage, error) {
	ctx := r.Context()
	tree, err := h.Org.Tree(ctx, a)
	if err != nil {
		return nil, err
	}
	p := &ActivityFormPage{Base: h.View.NewBase(r, title)}
	p.NavItem = "activities"
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			p.Orgs = append(p.Orgs, o)
		}
	}
	if len(p.Orgs) == 0 {
		return nil, apperr.ErrDenied
	}
	if p.Types, err = h.Activity.Types(ctx); err != nil {
		return nil, err
	}
	if p.People, _, err = h.Org.People(ctx, a, org.PeopleFilter{Members: true, Limit: org.MaxPageSize, Brief: true}); err != nil {
		return nil, err
	}
	if p.Sites, err = h.Activity.Sites(ctx, a, ""); err != nil {
		return nil, err
	}
	return p, nil
}

// withStops sets the itinerary rows: the submitted or stored ones and a few blank ones.
func (p *ActivityFormPage) withStops() {
	n := 0
	for i := 0; i < 100; i++ {
		if p.Stop(i, "day") != "" || p.Stop(i, "place") != "" || p.Stop(i, "site_id") != "" || p.Stop(i, "what") != "" {
			n = i + 1
		}
	}
	p.Stops = make([]int, n+blankStops)
	for i := range p.Stops {
		p.Stops[i] = i
	}
}

// planValues fills form values from a plan, for the edit form.
func planValues(f *view.Form, pl activity.Plan) {
	v := f.Values
	v.Set("org_id", strconv.FormatInt(pl.OrgID, 10))
	v["types"] = append([]string(nil), pl.Types...)
	for k, s := range map[string]string{"title": pl.Title, "theme": pl.Theme, "purpose": pl.Purpose, "place": pl.Place,
		"start_date": pl.StartDate, "start_time": pl.StartTime, "end_date": pl.EndDate, "end_time": pl.EndTime,
		"lecturer": pl.Lecturer, "lecture_topic": pl.LectureTopic, "agenda": pl.Agenda, "safety_notes": pl.SafetyNotes,
		"checkin_opens": pl.CheckinOpens, "checkin_closes": pl.CheckinCloses, "study_hours": pl.StudyHours} {
		v.Set(k, s)
	}
	for k, id := range map[string]int64{"site_id": pl.SiteID, "host_id": pl.HostID, "recorder_id": pl.RecorderID} {
		if id != 0 {
			v.Set(k, strconv.FormatInt(id, 10))
		}
	}
	for k, b := range map[string]bool{"all_day": pl.AllDay, "signup_required": pl.SignupRequired, "walk_ins": pl.WalkIns} {
		if b {
			v.Set(k, "1")
		}
	}
	v.Set("version", strconv.Itoa(pl.Version))
	for i, s := range pl.Stops {
		pre := "stops." + strconv.Itoa(i) + "."
		v.Set(pre+"day", s.Day)
		v.Set(pre+"start_time", s.StartTime)
		v.Set(pre+"end_time", s.EndTime)
		v.Set(pre+"place", s.Place)
		v.Set(pre+"what", s.What)
		if s.SiteID != 0 {
			v.Set(pre+"site_id", strconv.FormatInt(s.SiteID, 10))
		}
	}
}

// planFromForm reads a plan from a submitted form.
func planFromForm(r *http.Request) activity.Plan {
	f := r.PostForm
	id := func(k string) int64 { n, _ := strconv.ParseInt(f.Get(k), 10, 64); return n }
	p := activity.Plan{OrgID: id("org_id"), Types: f["types"], Title: f.Get("title"), Theme: f.Get("theme"),
		Purpose: f.Get("purpose"), Place: f.Get("place"), SiteID: id("site_id"), StartDate: f.Get("start_date"),
		StartTime: f.Get("start_time"), EndDate: f.Get("end_date"), EndTime: f.Get("end_time"), AllDay: f.Get("all_day") != "",
		HostID: id("host_id"), RecorderID: id("recorder_id"), Lecturer: f.Get("lecturer"), LectureTopic: f.Get("lecture_topic"),
		Agenda: f.Get("agenda"), SafetyNotes: f.Get("safety_notes"), SignupRequired: f.Get("signup_required") != "",
		WalkIns: f.Get("walk_ins") != "", CheckinOpens: f.Get("checkin_opens"), CheckinCloses: f.Get("checkin_closes"),
		StudyHours: f.Get("study_hours"),
		Version:    atoi(f.Get("version"))}
	for i := 0; i < 100; i++ {
		pre := "stops." + strconv.Itoa(i) + "."
		if _, ok := f[pre+"day"]; !ok {
			continue
		}
		p.Stops = append(p.Stops, activity.StopPlan{Day: f.Get(pre + "day"), StartTime: f.Get(pre + "start_time"),
			EndTime: f.Get(pre + "end_time"), Place: f.Get(pre + "place"), SiteID: id(pre + "site_id"), What: f.Get(pre + "what")})
	}
	return p
}

// NewActivity shows the empty plan form; ?org=ID and ?type=CODE preselect.
func (h *Handlers) NewActivity(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.activityForm(r, a, "activities.new")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, nil)
	q := r.URL.Query()
	p.Form.Values.Set("org_id", q.Get("org"))
	if q.Get("org") == "" {
		p.Form.Values.Set("org_id", strconv.FormatInt(p.Orgs[0].ID, 10))
	}
	if t := q.Get("type"); t != "" {
		p.Form.Values.Set("types", t)
	}
	p.Form.Values.Set("start_date", h.Now().In(p.Zone).AddDate(0, 0, 7).Format(time.DateOnly))
	p.Form.Values.Set("start_time", "14:00")
	p.Form.Values.Set("end_time", "16:00")
	p.withStops()
	h.View.Render(w, r, http.StatusOK, "activity_form", p)
}

// CreateActivity saves a new activity and shows it.
func (h *Handlers) CreateActivity(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	act, err := h.Activity.CreateActivity(r.Context(), a, planFromForm(r))
	if err != nil {
		h.activityFormError(w, r, a, nil, err)
		return
	}
	redirect(w, r, "/activities/"+strconv.FormatInt(act.ID, 10), "flash.activity_created")
}

func (h *Handlers) activityFormError(w http.ResponseWriter, r *http.Request, a *auth.Actor, act *activity.Activity, err error) {
	title := "activities.new"
	if act != nil {
		title = "activities.edit"
	}
	p, perr := h.activityForm(r, a, title)
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	p.Activity = act
	p.Form = view.NewForm(p.Translator, r.PostForm)
	if !p.Form.Fail(err) {
		h.View.Error(w, r, err)
		return
	}
	p.withStops()
	h.View.Render(w, r, http.StatusUnprocessableEntity, "activity_form", p)
}

// EditActivity shows the plan form of an activity.
func (h *Handlers) EditActivity(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	act, err := h.Activity.Activity(r.Context(), a, id)
	if err == nil && !activity.CanManage(a, act) {
		err = apperr.ErrDenied
	}
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.activityForm(r, a, "activities.edit")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Activity = act
	p.Form = view.NewForm(p.Translator, nil)
	planValues(p.Form, activity.PlanOf(act, p.Zone))
	p.withStops()
	h.View.Render(w, r, http.StatusOK, "activity_form", p)
}

// UpdateActivity saves the plan form of an activity.
func (h *Handlers) UpdateActivity(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	act, err := h.Activity.UpdateActivity(r.Context(), a, id, planFromForm(r))
	if err != nil {
		old, oerr := h.Activity.Activity(r.Context(), a, id)
		if oerr != nil {
			h.View.Error(w, r, oerr)
			return
		}
		h.activityFormError(w, r, a, old, err)
		return
	}
	redirect(w, r, "/activities/"+strconv.FormatInt(act.ID, 10), "flash.saved")
}

// CancelActivity cancels an activity.
func (h *Handlers) CancelActivity(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Activity.CancelActivity(r.Context(), a, id, atoi(r.PostForm.Get("version"))); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/activities/"+strconv.FormatInt(id, 10), "flash.activity_cancelled")
}

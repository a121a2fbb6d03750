package page

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// ActivityPage shows one activity: the plan and itinerary to everyone who may see it, the
// caller's own answer, and to its organizers the invitations, leave requests and attendance.
type ActivityPage struct {
	view.Base
	Activity    *ActivityRow
	Days        []*DayStops
	Me          *activity.Participant
	MeToday     *activity.Attendance
	CanRespond  bool
	CanManage   bool
	CanView     bool
	Over        bool
	Invitations []*activity.Invitation
	Requests    []*activity.Participant // leave requests waiting for a decision
	Summary     activity.Summary
	Invite      *view.Form
	Respond     *view.Form
	InviteOrgs  []*org.Organization
	Stages      []view.Option
	OpenTo      string
	// RecordStatus is the status of the activity's record, "" before anything is written.
	RecordStatus string
}

// DayStops is one day of an itinerary.
type DayStops struct {
	Day   string
	Index int // 1-based day number
	Stops []*activity.Stop
}

// ShowActivity renders an activity.
func (h *Handlers) ShowActivity(w http.ResponseWriter, r *http.Request) {
	p, err := h.activityPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "activity", p)
}

func (h *Handlers) activityPage(r *http.Request) (*ActivityPage, error) {
	a, id, err := actorID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	act, err := h.Activity.Activity(ctx, a, id)
	if err != nil {
		return nil, err
	}
	types, err := h.Activity.Types(ctx)
	if err != nil {
		return nil, err
	}
	p := &ActivityPage{Base: h.View.NewBase(r, "activities.title"), CanManage: activity.CanManage(a, act), CanView: a.CanView(act.OrgPath)}
	p.NavItem = "activities"
	p.Title = act.Title
	p.Activity = activityRows([]*activity.Activity{act}, types, p.Lang, p.Zone)[0]
	p.Over = !h.Now().Before(act.EndsAt)
	for i, d := range act.Days(p.Zone) {
		day := &DayStops{Day: d, Index: i + 1}
		for _, s := range act.Stops {
			if s.Day == d {
				day.Stops = append(day.Stops, s)
			}
		}
		p.Days = append(p.Days, day)
	}
	switch me, err := h.Activity.Me(ctx, a, act.ID); {
	case err == nil:
		p.Me = me
		p.MeToday = me.Days[h.Now().In(p.Zone).Format("2006-01-02")]
		p.CanRespond = !p.Over && act.Status == activity.StatusPlanned && me.Invited
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	}
	p.Invite, p.Respond = view.NewForm(p.Translator, nil), view.NewForm(p.Translator, nil)
	if p.RecordStatus, err = h.Activity.RecordStatus(ctx, a, act.ID); err != nil {
		return nil, err
	}
	if p.CanView {
		_, ps, sum, err := h.Activity.Attendance(ctx, a, act.ID)
		if err != nil {
			return nil, err
		}
		p.Summary = sum
		for _, pa := range ps {
			if pa.Response == activity.ResponseLeaveRequested {
				p.Requests = append(p.Requests, pa)
			}
		}
		if p.Invitations, err = h.Activity.Invitations(ctx, a, act.ID); err != nil {
			return nil, err
		}
	}
	if p.CanManage {
		tree, err := h.Org.Tree(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, o := range tree {
			if a.CanAdmin(o.Path) {
				p.InviteOrgs = append(p.InviteOrgs, o)
			}
		}
		p.OpenTo = activity.OpenToOf(types, act) // the types read above: no second query
		for _, st := range org.Stages {
			if p.OpenTo == activity.OpenMasses || (p.OpenTo == activity.OpenActivists && st != org.StageMasses) || org.IsMember(st) {
				p.Stages = append(p.Stages, view.Option{Value: st, Label: p.T("stage." + st), Selected: org.IsMember(st)})
			}
		}
		p.Invite.Values.Set("org_id", strconv.FormatInt(act.OrgID, 10))
		p.Invite.Values.Set("subtree", "1")
	}
	return p, nil
}

// rerender shows the activity page again with a failed form's input and errors.
func (h *Handlers) rerenderActivity(w http.ResponseWriter, r *http.Request, which string, err error) {
	p, perr := h.activityPage(r)
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	f := p.Respond
	if which == "invite" {
		f = p.Invite
	}
	f.Values = r.PostForm
	if !f.Fail(err) {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusUnprocessableEntity, "activity", p)
}

// InviteToActivity invites an organization or a person.
func (h *Handlers) InviteToActivity(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	f := r.PostForm
	inv := activity.Invitation{Subtree: f.Get("subtree") != "", Stages: f["stages"]}
	inv.OrgID, _ = strconv.ParseInt(f.Get("org_id"), 10, 64)
	inv.PersonID, _ = strconv.ParseInt(f.Get("person_id"), 10, 64)
	n, err := h.Activity.Invite(r.Context(), a, id, inv)
	if err != nil {
		h.rerenderActivity(w, r, "invite", err)
		return
	}
	redirect(w, r, "/activities/"+strconv.FormatInt(id, 10)+"?invited="+strconv.Itoa(n), "flash.invited")
}

// RespondToActivity records the caller's sign-up, leave request or withdrawal.
func (h *Handlers) RespondToActivity(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	flash := "flash.saved"
	switch r.PostForm.Get("response") {
	case "sign_up":
		err, flash = h.Activity.SignUp(r.Context(), a, id), "flash.signed_up"
	case "leave":
		err, flash = h.Activity.AskLeave(r.Context(), a, id, r.PostForm.Get("reason")), "flash.leave_requested"
	case "withdraw":
		err = h.Activity.WithdrawResponse(r.Context(), a, id)
	default:
		err = apperr.New(apperr.Invalid, "error.invalid_form")
	}
	if err != nil {
		h.rerenderActivity(w, r, "respond", err)
		return
	}
	redirect(w, r, "/activities/"+strconv.FormatInt(id, 10), flash)
}

// DecideLeave approves or declines a leave request.
func (h *Handlers) DecideLeave(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pid, err := idParam(r, "pid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	approve := r.PostForm.Get("approve") == "1"
	if err := h.Activity.DecideLeave(r.Context(), a, id, pid, approve); err != nil {
		h.View.Error(w, r, err)
		return
	}
	flash := "flash.leave_declined"
	if approve {
		flash = "flash.leave_approved"
	}
	next := "/activities/" + strconv.FormatInt(id, 10)
	if strings.HasSuffix(r.PostForm.Get("from"), "attendance") {
		next += "/attendance"
	}
	redirect(w, r, next, flash)
}

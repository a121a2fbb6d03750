package page

import (
	"net/http"
	"strconv"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/web/view"
)

// AttendancePage is an activity's attendance sheet: every participant with each day's
// presence, and for the organizer the buttons to check people in by hand.
type AttendancePage struct {
	view.Base
	Activity  *activity.Activity
	When      string
	Days      []string
	Rows      []*AttendanceRow
	Summary   activity.Summary
	CanManage bool
	Form      *view.Form
}

// AttendanceRow is one participant with a cell per day.
type AttendanceRow struct {
	*activity.Participant
	Cells []AttendanceCell
}

// AttendanceCell is one participant's presence on one day.
type AttendanceCell struct {
	Day string
	*activity.Attendance
}

// ShowAttendance renders the attendance sheet.
func (h *Handlers) ShowAttendance(w http.ResponseWriter, r *http.Request) {
	p, err := h.attendancePage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "activity_attendance", p)
}

func (h *Handlers) attendancePage(r *http.Request) (*AttendancePage, error) {
	a, id, err := actorID(r)
	if err != nil {
		return nil, err
	}
	act, ps, sum, err := h.Activity.Attendance(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := &AttendancePage{Base: h.View.NewBase(r, "attendance.title"), Activity: act, Summary: sum,
		CanManage: activity.CanManage(a, act), When: when(act, h.Activity.Zone())}
	p.NavItem = "activities"
	p.Days = act.Days(p.Zone)
	p.Form = view.NewForm(p.Translator, nil)
	for _, pa := range ps {
		row := &AttendanceRow{Participant: pa}
		for _, d := range p.Days {
			row.Cells = append(row.Cells, AttendanceCell{Day: d, Attendance: pa.Days[d]})
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// MarkAttendance checks a person in by hand for a day, marks them late, undoes a check-in or
// records why they were absent, by the form's "do" value.
func (h *Handlers) MarkAttendance(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	f := r.PostForm
	person, _ := strconv.ParseInt(f.Get("person_id"), 10, 64)
	day := f.Get("day")
	ctx := r.Context()
	switch f.Get("do") {
	case "present":
		err = h.Activity.ManualCheckIn(ctx, a, id, person, day, false)
	case "late":
		err = h.Activity.ManualCheckIn(ctx, a, id, person, day, true)
	case "undo":
		err = h.Activity.UndoCheckIn(ctx, a, id, person, day)
	case "absent_reason":
		err = h.Activity.SetAbsentReason(ctx, a, id, person, f.Get("reason"))
	default:
		err = errBadAction
	}
	if err != nil {
		p, perr := h.attendancePage(r)
		if perr != nil {
			h.View.Error(w, r, perr)
			return
		}
		p.Form.Values = f
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "activity_attendance", p)
		return
	}
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(id, 10)+"/attendance?flash=flash.saved#p"+strconv.FormatInt(person, 10), http.StatusSeeOther)
}

// errBadAction answers a form whose action is none of those offered.
var errBadAction = apperr.New(apperr.Invalid, "error.invalid_form")

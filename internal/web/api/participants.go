package api

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
)

// Invitation is one invitation as given: an organization, with its subtree or not, limited
// to some stages; or one person (schema Invitation).
type Invitation struct {
	ID         int64     `json:"id"`
	OrgID      *int64    `json:"org_id"`
	OrgName    string    `json:"org_name"`
	Subtree    bool      `json:"subtree"`
	Stages     []string  `json:"stages"`
	PersonID   *int64    `json:"person_id"`
	PersonName string    `json:"person_name"`
	CreatedAt  time.Time `json:"created_at"`
}

// InvitationList lists an activity's invitations (schema InvitationList).
type InvitationList struct {
	Items []Invitation `json:"items"`
}

// InvitationCreate is the body of POST /activities/{id}/invitations: an organization
// (org_id, subtree, stages) or a person (person_id) (schema InvitationCreate).
type InvitationCreate struct {
	OrgID    *int64    `json:"org_id"`
	Subtree  *bool     `json:"subtree"`
	Stages   *[]string `json:"stages"`
	PersonID *int64    `json:"person_id"`
}

// InviteResult says how many people an invitation added to the participants (schema
// InviteResult).
type InviteResult struct {
	Added int `json:"added"`
}

// Participant is a person expected at an activity, or who came without an invitation, with
// their answer and their attendance per day (schema Participant).
type Participant struct {
	PersonID     int64           `json:"person_id"`
	PersonName   string          `json:"person_name"`
	Stage        string          `json:"stage"`
	OrgName      string          `json:"org_name"`
	Invited      bool            `json:"invited"`
	Response     string          `json:"response"`
	LeaveReason  string          `json:"leave_reason"`
	DecidedBy    string          `json:"decided_by"`
	DecidedAt    *time.Time      `json:"decided_at"`
	AbsentReason string          `json:"absent_reason"`
	Attendance   []AttendanceDay `json:"attendance"`
}

// AttendanceDay is a participant's presence on one day (schema AttendanceDay).
type AttendanceDay struct {
	Day    string    `json:"day"`
	Late   bool      `json:"late"`
	Method string    `json:"method"`
	ByName string    `json:"by_name"`
	At     time.Time `json:"at"`
}

// ParticipantList is an activity's attendance sheet: its days, the summary and every
// participant (schema ParticipantList).
type ParticipantList struct {
	ActivityID int64         `json:"activity_id"`
	Days       []string      `json:"days"`
	Summary    Summary       `json:"summary"`
	Items      []Participant `json:"items"`
}

// Summary counts an activity's attendance (schema AttendanceSummary).
type Summary struct {
	Expected int          `json:"expected"`
	Present  int          `json:"present"`
	Late     int          `json:"late"`
	Leave    int          `json:"leave"`
	Absent   int          `json:"absent"`
	WalkIns  int          `json:"walk_ins"`
	Rate     float64      `json:"rate"`
	Days     []DaySummary `json:"days"`
}

// DaySummary is the attendance of one day (schema DaySummary).
type DaySummary struct {
	Day     string  `json:"day"`
	Present int     `json:"present"`
	Late    int     `json:"late"`
	Rate    float64 `json:"rate"`
}

// ResponseCreate is the body of POST /activities/{id}/response (schema ResponseCreate).
type ResponseCreate struct {
	Response *string `json:"response"`
	Reason   string  `json:"reason"`
}

// LeaveDecision is the body of POST /activities/{id}/participants/{person_id}/leave (schema
// LeaveDecision).
type LeaveDecision struct {
	Decision *string `json:"decision"`
}

// LeaveDecided is the answer to a leave decision (schema LeaveDecided).
type LeaveDecided struct {
	PersonID int64  `json:"person_id"`
	Response string `json:"response"`
}

// responseNone is how the API names "no answer yet" (the service's "").
const responseNone = "none"

func toParticipant(p *activity.Participant, zone *time.Location) Participant {
	out := Participant{PersonID: p.PersonID, PersonName: p.PersonName, Stage: p.Stage, OrgName: p.OrgName,
		Invited: p.Invited, Response: p.Response, LeaveReason: p.LeaveReason, DecidedBy: p.DecidedBy,
		DecidedAt: timeOrNull(p.DecidedAt, zone), AbsentReason: p.AbsentReason, Attendance: make([]AttendanceDay, 0, len(p.Days))}
	if out.Response == activity.ResponseNone {
		out.Response = responseNone
	}
	for _, att := range p.Days {
		out.Attendance = append(out.Attendance, AttendanceDay{Day: att.Day, Late: att.Late, Method: att.Method,
			ByName: att.ByName, At: att.At.In(zone)})
	}
	sort.Slice(out.Attendance, func(i, j int) bool { return out.Attendance[i].Day < out.Attendance[j].Day })
	return out
}

func toSummary(s activity.Summary) Summary {
	out := Summary{Expected: s.Expected, Present: s.Present, Late: s.Late, Leave: s.Leave, Absent: s.Absent,
		WalkIns: s.WalkIns, Rate: s.Rate, Days: make([]DaySummary, 0, len(s.Days))}
	for _, d := range s.Days {
		out.Days = append(out.Days, DaySummary{Day: d.Day, Present: d.Present, Late: d.Late, Rate: d.Rate})
	}
	return out
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	list, err := h.activity.Invitations(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	zone := h.activity.Zone()
	out := InvitationList{Items: make([]Invitation, 0, len(list))}
	for _, inv := range list {
		stages := inv.Stages
		if stages == nil {
			stages = []string{}
		}
		out.Items = append(out.Items, Invitation{ID: inv.ID, OrgID: idOrNull(inv.OrgID), OrgName: inv.OrgName, Subtree: inv.Subtree,
			Stages: stages, PersonID: idOrNull(inv.PersonID), PersonName: inv.PersonName, CreatedAt: inv.CreatedAt.In(zone)})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) invite(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in InvitationCreate
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var inv activity.Invitation
	if in.OrgID != nil {
		inv.OrgID = *in.OrgID
	}
	if in.PersonID != nil {
		inv.PersonID = *in.PersonID
	}
	if in.Subtree != nil {
		inv.Subtree = *in.Subtree
	}
	if in.Stages != nil {
		inv.Stages = *in.Stages
	}
	n, err := h.activity.Invite(r.Context(), a, id, inv)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	w.Header().Set("Location", Prefix+"activities/"+strconv.FormatInt(id, 10)+"/invitations")
	h.writeJSON(w, r, http.StatusCreated, InviteResult{Added: n})
}

func (h *Handler) listParticipants(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	act, ps, sum, err := h.activity.Attendance(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	zone := h.activity.Zone()
	days := act.Days(zone)
	if days == nil {
		days = []string{}
	}
	out := ParticipantList{ActivityID: act.ID, Days: days, Summary: toSummary(sum), Items: make([]Participant, 0, len(ps))}
	for _, p := range ps {
		out.Items = append(out.Items, toParticipant(p, zone))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// getResponse answers the caller's own participation: invited or not, the answer given, and
// the days attended.
func (h *Handler) getResponse(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerResponse(w, r, a, id)
}

func (h *Handler) answerResponse(w http.ResponseWriter, r *http.Request, a *auth.Actor, id int64) {
	p, err := h.activity.Me(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toParticipant(p, h.activity.Zone()))
}

// respond records the caller's sign-up, leave request (with a reason) or withdrawal, and
// answers the caller's participation as it now stands.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in ResponseCreate
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	ctx := r.Context()
	switch {
	case in.Response == nil:
		err = invalid("response", "error.required")
	case *in.Response == "sign_up":
		err = h.activity.SignUp(ctx, a, id)
	case *in.Response == "leave":
		err = h.activity.AskLeave(ctx, a, id, in.Reason)
	case *in.Response == "withdraw":
		err = h.activity.WithdrawResponse(ctx, a, id)
	default:
		err = invalid("response", "error.choice")
	}
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerResponse(w, r, a, id)
}

func (h *Handler) decideLeave(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	personID, err := pathInt(r, "person_id")
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in LeaveDecision
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var approve bool
	switch {
	case in.Decision == nil:
		err = invalid("decision", "error.required")
	case *in.Decision == "approve":
		approve = true
	case *in.Decision != "decline":
		err = invalid("decision", "error.choice")
	}
	if err == nil {
		err = h.activity.DecideLeave(r.Context(), a, id, personID, approve)
	}
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := LeaveDecided{PersonID: personID, Response: activity.ResponseLeaveDeclined}
	if approve {
		out.Response = activity.ResponseLeaveApproved
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

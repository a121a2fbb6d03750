package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

// Rule is a meeting rule that binds an organization: the national default or the version of
// an organization at or above it (schema Rule).
type Rule struct {
	ID            int64    `json:"id"`
	Code          string   `json:"code"`
	OrgID         *int64   `json:"org_id"`
	OrgName       string   `json:"org_name"`
	TypeCode      string   `json:"type_code"`
	Period        string   `json:"period"`
	MinCount      int      `json:"min_count"`
	OrgKinds      []string `json:"org_kinds"`
	AppliesIf     string   `json:"applies_if"`
	DueQuarter    int      `json:"due_quarter"`
	Source        string   `json:"source"`
	Note          string   `json:"note"`
	EffectiveFrom string   `json:"effective_from"`
	Enabled       bool     `json:"enabled"`
}

// RuleList lists the rules that bind an organization (schema RuleList).
type RuleList struct {
	OrgID int64  `json:"org_id"`
	Items []Rule `json:"items"`
}

// RuleChange is the body of PUT /organizations/{id}/rules/{code} (schema RuleChange).
type RuleChange struct {
	Period   *string `json:"period"`
	MinCount *int    `json:"min_count"`
	Enabled  *bool   `json:"enabled"`
	Note     string  `json:"note"`
}

// Compliance is an organization's compliance with its meeting rules in a year (schema
// Compliance).
type Compliance struct {
	Scope     string       `json:"scope"` // organization
	OrgID     int64        `json:"org_id"`
	OrgName   string       `json:"org_name"`
	OrgKind   string       `json:"org_kind"`
	Year      int          `json:"year"`
	Committee int          `json:"committee"`
	Overdue   int          `json:"overdue"`
	DueSoon   int          `json:"due_soon"`
	Below     int          `json:"below"`
	Rules     []RuleReport `json:"rules"`
}

// RuleReport is one rule with the state of each of its periods (schema RuleReport).
type RuleReport struct {
	Rule          Rule          `json:"rule"`
	Applies       bool          `json:"applies"`
	Overdue       int           `json:"overdue"`
	HeldYear      int           `json:"held_year"`
	CurrentPeriod *string       `json:"current_period"`
	Periods       []PeriodState `json:"periods"`
}

// PeriodState is one period of a rule (schema PeriodState); from and to are its first and
// last day.
type PeriodState struct {
	Key        string         `json:"key"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	State      string         `json:"state"`
	Held       int            `json:"held"`
	Planned    int            `json:"planned"`
	DaysLeft   int            `json:"days_left"`
	Activities []HeldActivity `json:"activities"`
}

// HeldActivity is an activity counted for a period (schema HeldActivity).
type HeldActivity struct {
	ActivityID int64     `json:"activity_id"`
	Title      string    `json:"title"`
	StartsAt   time.Time `json:"starts_at"`
}

// SubtreeCompliance is the compliance of every organization of a subtree, those with the
// most overdue periods first (schema SubtreeCompliance).
type SubtreeCompliance struct {
	Scope string       `json:"scope"` // subtree
	OrgID int64        `json:"org_id"`
	Year  int          `json:"year"`
	Items []SubtreeRow `json:"items"`
}

// SubtreeRow is one organization of a subtree's compliance (schema SubtreeRow).
type SubtreeRow struct {
	OrgID     int64      `json:"org_id"`
	ParentID  *int64     `json:"parent_id"`
	OrgName   string     `json:"org_name"`
	OrgKind   string     `json:"org_kind"`
	Depth     int        `json:"depth"`
	Committee int        `json:"committee"`
	Overdue   int        `json:"overdue"`
	DueSoon   int        `json:"due_soon"`
	Rules     []RuleCell `json:"rules"`
}

// RuleCell is one rule of one organization in a subtree's compliance: the counts and the
// current period, without the periods themselves (schema RuleCell).
type RuleCell struct {
	Code          string  `json:"code"`
	TypeCode      string  `json:"type_code"`
	Period        string  `json:"period"`
	MinCount      int     `json:"min_count"`
	Applies       bool    `json:"applies"`
	Overdue       int     `json:"overdue"`
	HeldYear      int     `json:"held_year"`
	CurrentPeriod *string `json:"current_period"`
	CurrentState  *string `json:"current_state"`
}

// InactiveList is the members of a subtree without any attendance for Months months (schema
// InactiveList).
type InactiveList struct {
	Months int              `json:"months"`
	Items  []InactiveMember `json:"items"`
}

// InactiveMember is one member without organizational life on record (schema InactiveMember).
type InactiveMember struct {
	PersonID     int64  `json:"person_id"`
	Name         string `json:"name"`
	OrgName      string `json:"org_name"`
	Stage        string `json:"stage"`
	LastAttended string `json:"last_attended"`
	OnLeave      int    `json:"on_leave"`
}

func toRule(r *activity.Rule) Rule {
	kinds := r.OrgKinds
	if kinds == nil {
		kinds = []string{}
	}
	return Rule{ID: r.ID, Code: r.Code, OrgID: idOrNull(r.OrgID), OrgName: r.OrgName, TypeCode: r.TypeCode, Period: r.Period,
		MinCount: r.MinCount, OrgKinds: kinds, AppliesIf: r.AppliesIf, DueQuarter: r.DueQuarter, Source: r.Source,
		Note: r.Note, EffectiveFrom: r.EffectiveFrom, Enabled: r.Enabled}
}

func toPeriodState(ps activity.PeriodState, zone *time.Location) PeriodState {
	out := PeriodState{Key: ps.Key, From: ps.From.In(zone).Format(time.DateOnly), To: ps.To.In(zone).AddDate(0, 0, -1).Format(time.DateOnly),
		State: ps.State, Held: ps.Held, Planned: ps.Planned, DaysLeft: ps.DaysLeft, Activities: make([]HeldActivity, 0, len(ps.Activities))}
	for _, h := range ps.Activities {
		out.Activities = append(out.Activities, HeldActivity{ActivityID: h.ActivityID, Title: h.Title, StartsAt: h.StartsAt.In(zone)})
	}
	return out
}

func currentKey(rr *activity.RuleReport) *string {
	if rr.Current == nil {
		return nil
	}
	k := rr.Current.Key
	return &k
}

// complianceQuery parses ?year= (2000 to next year; this year by default) and ?scope=
// (organization or subtree).
func (h *Handler) complianceQuery(r *http.Request) (year int, subtree bool, err error) {
	q := r.URL.Query()
	fields := map[string]string{}
	this := h.now().In(h.activity.Zone()).Year()
	year = this
	if s := q.Get("year"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 2000 || n > this+1 {
			fields["year"] = "error.number"
		} else {
			year = n
		}
	}
	switch q.Get("scope") {
	case "", "organization":
	case "subtree":
		subtree = true
	default:
		fields["scope"] = "error.choice"
	}
	if len(fields) > 0 {
		return 0, false, badRequest(fields)
	}
	return year, subtree, nil
}

func (h *Handler) getCompliance(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	year, subtree, err := h.complianceQuery(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if subtree {
		h.subtreeCompliance(w, r, a, id, year)
		return
	}
	rep, err := h.activity.Compliance(r.Context(), a, id, year)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	zone := h.activity.Zone()
	out := Compliance{Scope: "organization", OrgID: rep.OrgID, OrgName: rep.OrgName, OrgKind: rep.OrgKind, Year: rep.Year,
		Committee: rep.Committee, Overdue: rep.Overdue, DueSoon: rep.DueSoon, Below: rep.Below, Rules: make([]RuleReport, 0, len(rep.Rules))}
	for _, rr := range rep.Rules {
		v := RuleReport{Rule: toRule(rr.Rule), Applies: rr.Applies, Overdue: rr.Overdue, HeldYear: rr.HeldYear,
			CurrentPeriod: currentKey(rr), Periods: make([]PeriodState, 0, len(rr.Periods))}
		for _, ps := range rr.Periods {
			v.Periods = append(v.Periods, toPeriodState(ps, zone))
		}
		out.Rules = append(out.Rules, v)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) subtreeCompliance(w http.ResponseWriter, r *http.Request, a *auth.Actor, id int64, year int) {
	rows, err := h.activity.SubtreeCompliance(r.Context(), a, id, year)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := SubtreeCompliance{Scope: "subtree", OrgID: id, Year: year, Items: make([]SubtreeRow, 0, len(rows))}
	for _, row := range rows {
		v := SubtreeRow{OrgID: row.Org.ID, OrgName: row.Org.Name, OrgKind: row.Org.Kind, Depth: row.Depth,
			Committee: row.Org.Committee, Overdue: row.Overdue, DueSoon: row.DueSoon, Rules: make([]RuleCell, 0, len(row.Report.Rules))}
		v.ParentID = idOrNull(row.Org.ParentID)
		for _, rr := range row.Report.Rules {
			c := RuleCell{Code: rr.Rule.Code, TypeCode: rr.Rule.TypeCode, Period: rr.Rule.Period, MinCount: rr.Rule.MinCount,
				Applies: rr.Applies, Overdue: rr.Overdue, HeldYear: rr.HeldYear, CurrentPeriod: currentKey(rr)}
			if rr.Current != nil {
				st := rr.Current.State
				c.CurrentState = &st
			}
			v.Rules = append(v.Rules, c)
		}
		out.Items = append(out.Items, v)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *Handler) listRules(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerRules(w, r, a, id, "")
}

// answerRules writes the rules that bind an organization; with code, only that rule.
func (h *Handler) answerRules(w http.ResponseWriter, r *http.Request, a *auth.Actor, id int64, code string) {
	rules, err := h.activity.Rules(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := RuleList{OrgID: id, Items: make([]Rule, 0, len(rules))}
	for _, rule := range rules {
		if code != "" && rule.Code == code {
			h.writeJSON(w, r, http.StatusOK, toRule(rule))
			return
		}
		out.Items = append(out.Items, toRule(rule))
	}
	if code != "" {
		h.fail(w, r, a.Locale, apperr.ErrNotFound)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// overrideRule sets the organization's own version of a rule and answers it.
func (h *Handler) overrideRule(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in RuleChange
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	switch {
	case in.Period == nil:
		err = invalid("period", "error.required")
	case in.MinCount == nil:
		err = invalid("min_count", "error.required")
	case in.Enabled == nil:
		err = invalid("enabled", "error.required")
	default:
		err = h.activity.OverrideRule(r.Context(), a, id, activity.RuleChange{Code: r.PathValue("code"), Period: *in.Period,
			MinCount: *in.MinCount, Enabled: *in.Enabled, Note: in.Note})
	}
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerRules(w, r, a, id, r.PathValue("code"))
}

// resetRule removes the organization's own version of a rule and answers the rules that
// bind it now.
func (h *Handler) resetRule(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if err := h.activity.ResetRule(r.Context(), a, id, r.PathValue("code")); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerRules(w, r, a, id, "")
}

func (h *Handler) listInactiveMembers(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	list, err := h.activity.InactiveMembers(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	out := InactiveList{Months: activity.InactiveMonths, Items: make([]InactiveMember, 0, len(list))}
	for _, m := range list {
		out.Items = append(out.Items, InactiveMember{PersonID: m.PersonID, Name: m.Name, OrgName: m.OrgName, Stage: m.Stage,
			LastAttended: m.LastAttended, OnLeave: m.OnLeave})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

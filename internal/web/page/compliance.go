package page

import (
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// CompliancePage is an organization's compliance with its meeting rules in a year, or the
// summary of its subtree.
type CompliancePage struct {
	view.Base
	Org       *org.Organization
	Year      int
	ThisYear  int
	Subtree   bool
	HasBelow  bool
	Report    *activity.Report
	Rules     []*RuleView
	Rows      []*SubtreeRowView
	Columns   []string // rule names, the columns of the subtree table
	Inactive  []*activity.Inactive
	CanAdmin  bool
	TypeNames map[string]string
}

// SubtreeRowView is one organization of the subtree table with a ready cell per column: a
// thousand rows are rendered with few template actions.
type SubtreeRowView struct {
	OrgID   int64
	Name    string
	Overdue int
	DueSoon int
	Cells   []Cell
	// CellsHTML is the row's cells rendered once in Go: a thousand rows of eight cells
	// through template actions cost more than the rest of the page.
	CellsHTML template.HTML
}

// Cell is one rule of one organization in the subtree table.
type Cell struct {
	Text  string
	Class string // bad, ok, muted; "" for an empty cell
	State string // the current period's state, for the dot
}

// subtreeTable lays out the subtree's rows with one column per rule code that binds any of
// them.
func (p *CompliancePage) subtreeTable(rows []*activity.SubtreeRow) {
	var codes []string
	col := map[string]int{}
	for _, row := range rows {
		for _, rr := range row.Report.Rules {
			if _, ok := col[rr.Rule.Code]; rr.Applies && !ok {
				col[rr.Rule.Code] = len(codes)
				codes = append(codes, rr.Rule.Code)
				p.Columns = append(p.Columns, p.TypeNames[rr.Rule.TypeCode])
			}
		}
	}
	held := p.T("state.held")
	states := map[string]string{}
	for _, st := range []string{activity.StateDue, activity.StateDueSoon, activity.StatePlanned, activity.StateUpcoming, activity.StateNotYet} {
		states[st] = p.T("state." + st)
	}
	for _, row := range rows {
		v := &SubtreeRowView{OrgID: row.Org.ID, Name: row.Org.Name, Overdue: row.Overdue, DueSoon: row.DueSoon, Cells: make([]Cell, len(codes))}
		for _, rr := range row.Report.Rules {
			if !rr.Applies {
				continue
			}
			c := Cell{Text: "✓", Class: "ok"}
			if rr.Current != nil {
				c.State = rr.Current.State
			}
			switch {
			case rr.Overdue > 0:
				c.Text, c.Class = p.T("compliance.overdue_n", "N", rr.Overdue), "bad"
			case c.State != "" && c.State != activity.StateHeld:
				c.Text, c.Class = states[c.State], "muted"
			default:
				c.Text = held
			}
			v.Cells[col[rr.Rule.Code]] = c
		}
		v.CellsHTML = cellsHTML(v.Cells)
		p.Rows = append(p.Rows, v)
	}
}

// cellsHTML renders table cells; every text is escaped, classes and states come from fixed
// lists.
func cellsHTML(cells []Cell) template.HTML {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString("<td>")
		if c.Class != "" {
			b.WriteString(`<span class="` + html.EscapeString(c.Class) + `">` + html.EscapeString(c.Text) + "</span>")
			if c.State != "" {
				b.WriteString(` <span class="dot dot-` + html.EscapeString(c.State) + `"></span>`)
			}
		}
		b.WriteString("</td>")
	}
	return template.HTML(b.String())
}

// RuleView is a rule's report ready for the page.
type RuleView struct {
	*activity.RuleReport
	Name    string
	Periods []PeriodView
}

// PeriodView is one period chip.
type PeriodView struct {
	activity.PeriodState
	Label string
	Link  string // the first counted activity
}

// yearParam reads ?year=, this year by default.
func yearParam(r *http.Request, now time.Time) int {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < 2000 || y > now.Year()+1 {
		return now.Year()
	}
	return y
}

// ShowCompliance renders an organization's compliance (?scope=subtree: its subtree's).
func (h *Handlers) ShowCompliance(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ctx := r.Context()
	o, err := h.Org.Organization(ctx, a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &CompliancePage{Base: h.View.NewBase(r, "compliance.title"), Org: o, CanAdmin: a.CanAdmin(o.Path),
		Subtree: r.URL.Query().Get("scope") == "subtree"}
	p.NavItem = "orgs"
	now := h.Now().In(p.Zone)
	p.Year, p.ThisYear = yearParam(r, now), now.Year()
	types, err := h.Activity.Types(ctx)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.TypeNames = map[string]string{}
	for _, t := range types {
		p.TypeNames[t.Code] = t.Name(p.Lang)
	}
	if p.Subtree {
		rows, err := h.Activity.SubtreeCompliance(ctx, a, id, p.Year)
		if err != nil {
			h.View.Error(w, r, err)
			return
		}
		p.HasBelow = len(rows) > 1
		p.subtreeTable(rows)
	} else {
		if p.Report, err = h.Activity.Compliance(ctx, a, id, p.Year); err != nil {
			h.View.Error(w, r, err)
			return
		}
		p.HasBelow = p.Report.Below > 0
		for _, rr := range p.Report.Rules {
			p.Rules = append(p.Rules, h.ruleView(rr, p))
		}
		if p.Year == p.ThisYear {
			if p.Inactive, err = h.Activity.InactiveMembers(ctx, a, id); err != nil {
				h.View.Error(w, r, err)
				return
			}
		}
	}
	h.View.Render(w, r, http.StatusOK, "compliance", p)
}

func (h *Handlers) ruleView(rr *activity.RuleReport, p *CompliancePage) *RuleView {
	v := &RuleView{RuleReport: rr, Name: p.TypeNames[rr.Rule.TypeCode]}
	for _, ps := range rr.Periods {
		pv := PeriodView{PeriodState: ps, Label: periodLabel(p.Translator, rr.Rule.Period, ps.Key)}
		if len(ps.Activities) > 0 {
			pv.Link = "/activities/" + strconv.FormatInt(ps.Activities[0].ActivityID, 10)
		}
		v.Periods = append(v.Periods, pv)
	}
	return v
}

// periodLabel names a period briefly: 7月, Q3, 2023.
func periodLabel(tr *view.Translator, period, key string) string {
	switch period {
	case activity.PeriodMonth:
		m, _ := strconv.Atoi(key[5:])
		return tr.T("compliance.month_n", "N", m)
	case activity.PeriodQuarter:
		return tr.T("compliance.quarter_n", "N", strings.TrimPrefix(key[5:], "Q"))
	}
	return key
}

// RulesPage lists the rules that bind an organization, for its viewers, with the forms to
// set a local version for its administrators.
type RulesPage struct {
	view.Base
	Org       *org.Organization
	Rules     []*activity.Rule
	TypeNames map[string]string
	CanAdmin  bool
	Periods   []string
	Form      *view.Form
}

// ShowRules renders the meeting rules of an organization.
func (h *Handlers) ShowRules(w http.ResponseWriter, r *http.Request) {
	p, err := h.rulesPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "rules", p)
}

func (h *Handlers) rulesPage(r *http.Request) (*RulesPage, error) {
	a, id, err := actorID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	o, err := h.Org.Organization(ctx, a, id)
	if err != nil {
		return nil, err
	}
	rules, err := h.Activity.Rules(ctx, a, id)
	if err != nil {
		return nil, err
	}
	types, err := h.Activity.Types(ctx)
	if err != nil {
		return nil, err
	}
	p := &RulesPage{Base: h.View.NewBase(r, "rules.title"), Org: o, Rules: rules, CanAdmin: a.CanAdmin(o.Path),
		Periods: activity.Periods, TypeNames: map[string]string{}}
	p.NavItem = "orgs"
	p.Form = view.NewForm(p.Translator, nil)
	for _, t := range types {
		p.TypeNames[t.Code] = t.Name(p.Lang)
	}
	return p, nil
}

// SaveRule sets the organization's own version of a rule, or resets it (reset=1).
func (h *Handlers) SaveRule(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	f := r.PostForm
	code := f.Get("code")
	if f.Get("reset") == "1" {
		err = h.Activity.ResetRule(r.Context(), a, id, code)
	} else {
		err = h.Activity.OverrideRule(r.Context(), a, id, activity.RuleChange{Code: code, Period: f.Get("period"),
			MinCount: atoi(f.Get("min_count")), Enabled: f.Get("enabled") != "", Note: f.Get("note")})
	}
	if err != nil {
		p, perr := h.rulesPage(r)
		if perr != nil {
			h.View.Error(w, r, perr)
			return
		}
		p.Form.Values = f
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "rules", p)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10)+"/rules", "flash.saved")
}

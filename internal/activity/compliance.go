package activity

import (
	"strconv"
	"strings"
	"time"
)

// Rule is a meeting rule: an organization of the listed kinds must hold at least MinCount
// activities of a type in each period. Rules without an organization are the national
// defaults; a rule of an organization overrides the default of the same code for its subtree
// (the nearest organization's rule wins) or adds a local rule.
type Rule struct {
	ID            int64
	Code          string
	OrgID         int64 // 0: the national default
	OrgPath       string
	OrgName       string
	TypeCode      string
	Period        string // month, quarter, year
	MinCount      int
	OrgKinds      []string
	AppliesIf     string // "" or has_committee
	DueQuarter    int    // a yearly rule usually met in this quarter; 0 any
	Source        string
	Note          string
	EffectiveFrom string // YYYY-MM-DD
	Enabled       bool
}

// Periods a rule counts in.
const (
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodYear    = "year"
)

// Periods lists the rule periods, shortest first.
var Periods = []string{PeriodMonth, PeriodQuarter, PeriodYear}

// AppliesIfCommittee limits a rule to organizations with a branch committee (支委会: three or
// more current committee members).
const AppliesIfCommittee = "has_committee"

// CommitteeMin is the smallest branch committee: 支部委员会 has 3 to 5 members (reference
// b.2, ORG-CMT); below it a branch has a secretary only and no committee meetings.
const CommitteeMin = 3

// appliesTo reports whether the rule binds an organization of kind with committee members.
func (r *Rule) appliesTo(kind string, committee int) bool {
	if !r.Enabled || !containsString(r.OrgKinds, kind) {
		return false
	}
	return r.AppliesIf != AppliesIfCommittee || committee >= CommitteeMin
}

// EffectiveRules returns the rules that bind an organization at path: for each code, the rule
// of the nearest organization at or above it, else the national default. Disabled rules are
// included (the page shows them as off).
func EffectiveRules(all []*Rule, path string) []*Rule {
	best := map[string]*Rule{}
	var order []string
	for _, r := range all {
		if r.OrgID != 0 && !strings.HasPrefix(path, r.OrgPath) {
			continue
		}
		cur, ok := best[r.Code]
		if !ok {
			order = append(order, r.Code)
		}
		if !ok || len(r.OrgPath) > len(cur.OrgPath) {
			best[r.Code] = r
		}
	}
	out := make([]*Rule, 0, len(order))
	for _, code := range order {
		out = append(out, best[code])
	}
	return out
}

// Period is one period of a rule in a year, in the organization's zone.
type Period struct {
	Key  string // 2023-07, 2023-Q3, 2023
	From time.Time
	To   time.Time // exclusive
}

// periodsOf returns the periods of a year.
func periodsOf(period string, year int, zone *time.Location) []Period {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, zone)
	var out []Period
	switch period {
	case PeriodMonth:
		for m := 0; m < 12; m++ {
			from := start.AddDate(0, m, 0)
			out = append(out, Period{Key: from.Format("2006-01"), From: from, To: from.AddDate(0, 1, 0)})
		}
	case PeriodQuarter:
		for q := 0; q < 4; q++ {
			from := start.AddDate(0, 3*q, 0)
			out = append(out, Period{Key: strconv.Itoa(year) + "-Q" + strconv.Itoa(q+1), From: from, To: from.AddDate(0, 3, 0)})
		}
	default:
		out = append(out, Period{Key: strconv.Itoa(year), From: start, To: start.AddDate(1, 0, 0)})
	}
	return out
}

// Compliance states of a period.
const (
	StateHeld     = "held"     // enough activities held
	StateOverdue  = "overdue"  // the period closed without enough
	StateDue      = "due"      // the current period, not yet met
	StateDueSoon  = "due_soon" // the current period closes soon and is not met
	StatePlanned  = "planned"  // not yet met, but activities are planned in the period
	StateUpcoming = "upcoming" // a period still to come
	StateNotYet   = "not_yet"  // before the rule took effect
)

// warnBefore is how long before a period closes an unmet rule is flagged.
func warnBefore(period string) time.Duration {
	switch period {
	case PeriodMonth:
		return 7 * 24 * time.Hour
	case PeriodQuarter:
		return 15 * 24 * time.Hour
	}
	return 30 * 24 * time.Hour
}

// Held is an activity counted for compliance: of an organization (its own, or one it was
// invited to as an organization), with one of its types.
type Held struct {
	OrgID      int64
	TypeCode   string
	ActivityID int64
	Title      string
	StartsAt   time.Time
}

// Tally counts an organization's activities of one type in each month of a year: held
// (started before now) and planned (starting later).
type Tally struct {
	OrgID    int64
	TypeCode string
	Held     [12]int
	Planned  [12]int
}

// tallyOf counts held activities by month of year in zone.
func tallyOf(held []Held, typeCode string, year int, now time.Time, zone *time.Location) *Tally {
	t := &Tally{TypeCode: typeCode}
	for _, h := range held {
		if h.TypeCode != typeCode {
			continue
		}
		local := h.StartsAt.In(zone)
		if local.Year() != year {
			continue
		}
		if h.StartsAt.Before(now) {
			t.Held[local.Month()-1]++
		} else {
			t.Planned[local.Month()-1]++
		}
	}
	return t
}

// PeriodState is one period of a rule with what was held in it.
type PeriodState struct {
	Period
	State      string
	Held       int    // held by now
	Planned    int    // planned later in the period
	DaysLeft   int    // for the current period
	Activities []Held // the counted activities, when the report was asked with them
}

// monthsOf returns the months (0-11) a period of a year covers.
func monthsOf(period string, i int) (first, last int) {
	switch period {
	case PeriodMonth:
		return i, i
	case PeriodQuarter:
		return 3 * i, 3*i + 2
	}
	return 0, 11
}

// evaluate sets the state of each period of a rule from an organization's tally.
func evaluate(r *Rule, periods []Period, t *Tally, now time.Time, zone *time.Location) []PeriodState {
	out := make([]PeriodState, len(periods))
	from, _ := time.ParseInLocation(dateLayout, r.EffectiveFrom, zone)
	for i, p := range periods {
		ps := PeriodState{Period: p}
		if t != nil {
			first, last := monthsOf(r.Period, i)
			for m := first; m <= last; m++ {
				ps.Held += t.Held[m]
				ps.Planned += t.Planned[m]
			}
		}
		switch {
		case !p.To.After(from):
			ps.State = StateNotYet
		case ps.Held >= r.MinCount:
			ps.State = StateHeld
		case !p.To.After(now):
			ps.State = StateOverdue
		case p.From.After(now):
			ps.State = StateUpcoming
		case ps.Held+ps.Planned >= r.MinCount:
			ps.State = StatePlanned
		case p.To.Sub(now) <= warnBefore(r.Period):
			ps.State = StateDueSoon
		default:
			ps.State = StateDue
		}
		if !p.From.After(now) && p.To.After(now) {
			ps.DaysLeft = int(p.To.Sub(now).Hours()/24) + 1
		}
		out[i] = ps
	}
	return out
}

// RuleReport is a rule with the state of each period of a year.
type RuleReport struct {
	Rule     *Rule
	Applies  bool // false: the rule does not bind this organization (kind, committee, disabled)
	Periods  []PeriodState
	Overdue  int
	Current  *PeriodState // the period containing now, if in the year
	HeldYear int
}

// Report is an organization's compliance in a year.
type Report struct {
	OrgID     int64
	OrgName   string
	OrgKind   string
	Year      int
	Committee int
	Rules     []*RuleReport
	Overdue   int
	DueSoon   int
	Below     int // organizations below it
}

// ComplianceOrg is an organization as compliance needs it.
type ComplianceOrg struct {
	ID        int64
	ParentID  int64
	Path      string
	Name      string
	Kind      string
	Committee int // current committee members (without group leaders)
}

// report builds an organization's report from the rules and its tallies by type; held, when
// given, lists the counted activities for links.
func report(o *ComplianceOrg, rules []*Rule, tallies map[string]*Tally, held []Held, year int, now time.Time, zone *time.Location) *Report {
	rep := &Report{OrgID: o.ID, OrgName: o.Name, OrgKind: o.Kind, Year: year, Committee: o.Committee}
	for _, r := range EffectiveRules(rules, o.Path) {
		rr := &RuleReport{Rule: r, Applies: r.appliesTo(o.Kind, o.Committee)}
		if !rr.Applies {
			if r.Enabled && containsString(r.OrgKinds, o.Kind) {
				rep.Rules = append(rep.Rules, rr) // shown, with the reason it does not bind
			}
			continue
		}
		rr.Periods = evaluate(r, periodsOf(r.Period, year, zone), tallies[r.TypeCode], now, zone)
		for i := range rr.Periods {
			ps := &rr.Periods[i]
			for _, h := range held {
				if h.TypeCode == r.TypeCode && !h.StartsAt.Before(ps.From) && h.StartsAt.Before(ps.To) {
					ps.Activities = append(ps.Activities, h)
				}
			}
			rr.HeldYear += ps.Held
			switch ps.State {
			case StateOverdue:
				rr.Overdue++
			case StateDueSoon:
				rep.DueSoon++
			}
			if ps.DaysLeft > 0 {
				rr.Current = ps
			}
		}
		rep.Overdue += rr.Overdue
		rep.Rules = append(rep.Rules, rr)
	}
	return rep
}

// Inactive is a member who attended no organizational activity for six months or more (党章:
// six consecutive months without organizational life without good reason is regarded as
// leaving the party; the branch should step in early, reference b.5 LAPSE-6M).
type Inactive struct {
	PersonID     int64
	Name         string
	OrgName      string
	Stage        string
	LastAttended string // day of the last activity attended, YYYY-MM-DD; "" never on record
	OnLeave      int    // activities of the period the member had approved leave for
}

// InactiveMonths is the span without attendance that flags a member.
const InactiveMonths = 6

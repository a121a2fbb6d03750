package activity

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// ComplianceStore reads and writes what compliance needs.
type ComplianceStore interface {
	FindRules(ctx context.Context) ([]*Rule, error)
	SaveRule(ctx context.Context, r *Rule, rec *audit.Record) error
	DeleteRule(ctx context.Context, orgID int64, code string, rec *audit.Record) error
	// FindComplianceOrgs returns the live organizations of a subtree in tree order, with
	// their current committee sizes on day.
	FindComplianceOrgs(ctx context.Context, root string, day string) ([]*ComplianceOrg, error)
	// FindHeld returns the activities (not cancelled) of one organization, or those it was
	// invited to as an organization, starting in [from, to), one row per type.
	FindHeld(ctx context.Context, orgID int64, from, to time.Time) ([]Held, error)
	// FindTallies counts, for the organizations of a subtree, their activities (as FindHeld)
	// of each type in each month of a year: months holds the 13 month boundaries, and
	// activities before now count as held, the others as planned.
	FindTallies(ctx context.Context, root string, months [13]time.Time, now time.Time) ([]*Tally, error)
	// FindInactive returns the normal full and probationary members of a subtree who attended
	// nothing on or after the day since (YYYY-MM-DD), and who were admitted before it (or
	// whose admission date is unknown).
	// sinceAt is the start of that day in the organization's zone.
	FindInactive(ctx context.Context, root string, since string, sinceAt time.Time) ([]*Inactive, error)
}

// complianceOrg returns an organization the actor may view, as compliance needs it, with the
// rest of its subtree.
func (s *Service) complianceOrgs(ctx context.Context, a *auth.Actor, orgID int64) ([]*ComplianceOrg, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !a.CanView(o.Path) {
		if a.CanSee(o.Path) {
			return nil, apperr.ErrDenied
		}
		return nil, apperr.ErrNotFound
	}
	orgs, err := s.store.FindComplianceOrgs(ctx, o.Path, s.now().In(s.zone).Format(dateLayout))
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 || orgs[0].ID != o.ID {
		return nil, apperr.ErrNotFound
	}
	return orgs, nil
}

// Compliance returns an organization's compliance with its meeting rules in a year: each
// rule, each period, held, due or overdue, with the activities that count. Those who view the
// organization may read it. Report.Below counts the organizations below it.
func (s *Service) Compliance(ctx context.Context, a *auth.Actor, orgID int64, year int) (*Report, error) {
	orgs, err := s.complianceOrgs(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	o := orgs[0]
	rules, err := s.store.FindRules(ctx)
	if err != nil {
		return nil, err
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.zone)
	held, err := s.store.FindHeld(ctx, o.ID, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	now := s.now()
	tallies := map[string]*Tally{}
	for _, h := range held {
		if tallies[h.TypeCode] == nil {
			tallies[h.TypeCode] = tallyOf(held, h.TypeCode, year, now, s.zone)
		}
	}
	rep := report(o, rules, tallies, held, year, now, s.zone)
	rep.Below = len(orgs) - 1
	return rep, nil
}

// SubtreeRow is one organization of a subtree's compliance.
type SubtreeRow struct {
	Org     *ComplianceOrg
	Depth   int
	Report  *Report
	Overdue int
	DueSoon int
}

// SubtreeCompliance returns the compliance of every organization in a subtree in a year,
// those with the most overdue periods first.
func (s *Service) SubtreeCompliance(ctx context.Context, a *auth.Actor, orgID int64, year int) ([]*SubtreeRow, error) {
	orgs, err := s.complianceOrgs(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	rules, err := s.store.FindRules(ctx)
	if err != nil {
		return nil, err
	}
	var months [13]time.Time
	for i := range months {
		months[i] = time.Date(year, time.Month(i+1), 1, 0, 0, 0, 0, s.zone)
	}
	now := s.now()
	tallies, err := s.store.FindTallies(ctx, orgs[0].Path, months, now)
	if err != nil {
		return nil, err
	}
	byOrg := map[int64]map[string]*Tally{}
	for _, t := range tallies {
		if byOrg[t.OrgID] == nil {
			byOrg[t.OrgID] = map[string]*Tally{}
		}
		byOrg[t.OrgID][t.TypeCode] = t
	}
	rootDepth := strings.Count(orgs[0].Path, "/")
	rows := make([]*SubtreeRow, 0, len(orgs))
	for _, o := range orgs {
		rep := report(o, rules, byOrg[o.ID], nil, year, now, s.zone)
		rows = append(rows, &SubtreeRow{Org: o, Depth: strings.Count(o.Path, "/") - rootDepth,
			Report: rep, Overdue: rep.Overdue, DueSoon: rep.DueSoon})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Overdue > rows[j].Overdue })
	return rows, nil
}

// Rules returns the rules that bind an organization, defaults and overrides, for those who
// view it.
func (s *Service) Rules(ctx context.Context, a *auth.Actor, orgID int64) ([]*Rule, error) {
	orgs, err := s.complianceOrgs(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.FindRules(ctx)
	if err != nil {
		return nil, err
	}
	return EffectiveRules(all, orgs[0].Path), nil
}

// RuleChange is an organization's override of a rule.
type RuleChange struct {
	Code     string
	Period   string
	MinCount int
	Enabled  bool
	Note     string
}

// OverrideRule sets an organization's own version of a rule for its subtree (a local rule,
// such as a party lecture every quarter). Only its administrators may.
func (s *Service) OverrideRule(ctx context.Context, a *auth.Actor, orgID int64, ch RuleChange) error {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil || !a.CanSee(o.Path) {
		return apperr.ErrNotFound
	}
	if !a.CanAdmin(o.Path) {
		return apperr.ErrDenied
	}
	rules, err := s.Rules(ctx, a, orgID)
	if err != nil {
		return err
	}
	var base *Rule
	for _, r := range rules {
		if r.Code == ch.Code {
			base = r
		}
	}
	if base == nil {
		return apperr.ErrNotFound
	}
	var v apperr.Validation
	if !containsString(Periods, ch.Period) {
		v.Add("period", "error.choice")
	}
	if ch.MinCount < 1 || ch.MinCount > 31 {
		v.Add("min_count", "error.count")
	}
	if len([]rune(strings.TrimSpace(ch.Note))) > maxLine {
		v.Add("note", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return err
	}
	r := *base
	r.ID, r.OrgID, r.OrgPath, r.Period, r.MinCount, r.Enabled = 0, o.ID, o.Path, ch.Period, ch.MinCount, ch.Enabled
	r.Source = base.Source
	if n := strings.TrimSpace(ch.Note); n != "" {
		r.Note = n
	}
	rec := record(a, "rule.override", "rule")
	rec.OrgPath = o.Path
	rec.Before = audit.JSON(map[string]any{"code": base.Code, "period": base.Period, "min_count": base.MinCount, "enabled": base.Enabled, "org_id": base.OrgID})
	rec.After = audit.JSON(map[string]any{"code": r.Code, "period": r.Period, "min_count": r.MinCount, "enabled": r.Enabled, "org_id": r.OrgID})
	return s.store.SaveRule(ctx, &r, rec)
}

// ResetRule removes an organization's own version of a rule; the rule from above applies again.
func (s *Service) ResetRule(ctx context.Context, a *auth.Actor, orgID int64, code string) error {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil || !a.CanSee(o.Path) {
		return apperr.ErrNotFound
	}
	if !a.CanAdmin(o.Path) {
		return apperr.ErrDenied
	}
	rec := record(a, "rule.reset", "rule")
	rec.OrgPath = o.Path
	rec.Before = audit.JSON(map[string]any{"code": code, "org_id": o.ID})
	err = s.store.DeleteRule(ctx, o.ID, code, rec)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	return err
}

// InactiveMembers returns the members of a subtree without any attendance for six months,
// for its administrators and viewers.
func (s *Service) InactiveMembers(ctx context.Context, a *auth.Actor, orgID int64) ([]*Inactive, error) {
	orgs, err := s.complianceOrgs(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	n := s.now().In(s.zone).AddDate(0, -InactiveMonths, 0)
	since := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, s.zone)
	return s.store.FindInactive(ctx, orgs[0].Path, since.Format(dateLayout), since)
}

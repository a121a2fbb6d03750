package masswork

import (
	"context"
	"sort"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// maxInsightMonths bounds the period of insight and of a ledger export.
const maxInsightMonths = 36

// Insight is an organization subtree's figures month by month, counted from facts.
type Insight struct {
	Org    *org.Organization
	From   string // first month, YYYY-MM
	To     string // last month, YYYY-MM, inclusive
	Months []*MonthStats
	// Categories are those the months' reports fall in, in display order, with a category
	// no longer listed named by its code.
	Categories []*Category
}

// period returns the instants the insight covers: the start of its first month and the end
// of its last, in the zone.
func (in *Insight) period(zone *time.Location) (time.Time, time.Time) {
	from, _ := time.ParseInLocation("2006-01", in.From, zone)
	to, _ := time.ParseInLocation("2006-01", in.To, zone)
	return from, to.AddDate(0, 1, 0)
}

// Insight returns the figures of an organization's subtree for the months from–to
// (YYYY-MM, inclusive; the last twelve months when empty), to those who see the
// organization. The figures hold no personal data.
func (s *Service) Insight(ctx context.Context, a *auth.Actor, orgID int64, from, to string) (*Insight, error) {
	return s.insight(ctx, a, orgID, from, to, false)
}

// insight checks the caller and the months and counts the figures; confidential asks for the
// right to view the organization's confidential pages (the ledger names assignees).
func (s *Service) insight(ctx context.Context, a *auth.Actor, orgID int64, from, to string, confidential bool) (*Insight, error) {
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	switch {
	case !a.CanSee(o.Path):
		return nil, apperr.ErrNotFound
	case confidential && !a.CanView(o.Path):
		return nil, apperr.ErrDenied
	}
	start, end, err := InsightPeriod(from, to, s.now(), s.zone)
	if err != nil {
		return nil, err
	}
	in := &Insight{Org: o, From: start.Format("2006-01"), To: end.AddDate(0, -1, 0).Format("2006-01")}
	if in.Months, err = s.monthStats(ctx, o.Path, start, end, false); err != nil {
		return nil, err
	}
	if in.Categories, err = s.insightCategories(ctx, in.Months); err != nil {
		return nil, err
	}
	return in, nil
}

// InsightPeriod parses the months from–to (YYYY-MM, inclusive) into the start of the first
// and the end of the last, in the zone. An empty to is the month of now; an empty from, eleven
// months before to. Errors name the field.
func InsightPeriod(from, to string, now time.Time, zone *time.Location) (time.Time, time.Time, error) {
	var v apperr.Validation
	local := now.In(zone)
	last := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, zone)
	if to != "" {
		t, err := time.ParseInLocation("2006-01", to, zone)
		if err != nil || t.Year() < 2000 || t.Year() > 2999 {
			v.Add("to", "error.insight_month")
		} else {
			last = t
		}
	}
	first := last.AddDate(0, -11, 0)
	if from != "" {
		t, err := time.ParseInLocation("2006-01", from, zone)
		if err != nil || t.Year() < 2000 || t.Year() > 2999 {
			v.Add("from", "error.insight_month")
		} else {
			first = t
		}
	}
	if err := v.Err(); err != nil {
		return time.Time{}, time.Time{}, err
	}
	switch {
	case last.Before(first):
		v.Add("to", "error.date_order")
	case !first.AddDate(0, maxInsightMonths, 0).After(last):
		v.Add("from", "error.insight_span")
	}
	if err := v.Err(); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return first, last.AddDate(0, 1, 0), nil
}

// insightCategories returns the categories the months' reports fall in, in display order.
func (s *Service) insightCategories(ctx context.Context, months []*MonthStats) ([]*Category, error) {
	used := map[string]bool{}
	for _, m := range months {
		for code := range m.ByCategory {
			used[code] = true
		}
	}
	if len(used) == 0 {
		return nil, nil
	}
	var out []*Category
	for code := range used {
		c, err := s.store.FindCategoryByCode(ctx, code)
		if err != nil {
			if apperr.KindOf(err) != apperr.NotFound {
				return nil, err
			}
			c = &Category{Code: code, NameZh: code, NameEn: code, SortOrder: 1 << 30}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SortOrder != out[j].SortOrder {
			return out[i].SortOrder < out[j].SortOrder
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// Rate returns n/d and whether it is defined (d > 0).
func Rate(n, d int) (float64, bool) {
	if d <= 0 {
		return 0, false
	}
	return float64(n) / float64(d), true
}

// AcceptedRate is the share of the matters decided in the month that were accepted.
func (m *MonthStats) AcceptedRate() (float64, bool) { return Rate(m.Accepted, m.Accepted+m.Rejected) }

// ResponseOnTimeRate is the share of the first responses of the month given by their deadline.
func (m *MonthStats) ResponseOnTimeRate() (float64, bool) {
	return Rate(m.RespondedOnTime, m.Responded)
}

// ResolveOnTimeRate is the share of the resolutions of the month made by their deadline.
func (m *MonthStats) ResolveOnTimeRate() (float64, bool) { return Rate(m.ResolvedOnTime, m.Resolved) }

// SatisfactionRate is the share of the month's answers that were satisfied or basically
// satisfied.
func (m *MonthStats) SatisfactionRate() (float64, bool) { return Rate(m.Satisfied, m.Answers) }

// Coverage is the share of the subtree's contacts among the masses visited in the month.
func (m *MonthStats) Coverage() (float64, bool) { return Rate(m.ContactsVisited, m.Contacts) }

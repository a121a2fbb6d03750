package api

import (
	"net/http"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
)

// MassworkStats are an organization subtree's mass-work figures month by month, counted from
// facts: deadlines met and answers given, never typed in (schema MassworkStats).
type MassworkStats struct {
	OrgID      int64           `json:"org_id"`
	OrgName    string          `json:"org_name"`
	From       string          `json:"from"`
	To         string          `json:"to"`
	Categories []StatsCategory `json:"categories"`
	Months     []MonthStats    `json:"months"`
}

// StatsCategory names a category the months' reports fall in (schema StatsCategory).
type StatsCategory struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// MonthStats are one month's figures (schema MonthStats). Medians are in seconds and rates
// between 0 and 1; each is null when the month has nothing to count it from.
type MonthStats struct {
	Month                 string         `json:"month"`
	Problems              int            `json:"problems"`
	Matters               int            `json:"matters"`
	ByCategory            map[string]int `json:"by_category"`
	ByChannel             map[string]int `json:"by_channel"`
	Accepted              int            `json:"accepted"`
	Rejected              int            `json:"rejected"`
	Responded             int            `json:"responded"`
	RespondedOnTime       int            `json:"responded_on_time"`
	Resolved              int            `json:"resolved"`
	ResolvedOnTime        int            `json:"resolved_on_time"`
	MedianResponseSeconds *int64         `json:"median_response_seconds"`
	MedianResolveSeconds  *int64         `json:"median_resolve_seconds"`
	Answers               int            `json:"answers"`
	Satisfied             int            `json:"satisfied"`
	AcceptedRate          *float64       `json:"accepted_rate"`
	ResponseOnTimeRate    *float64       `json:"response_on_time_rate"`
	ResolveOnTimeRate     *float64       `json:"resolve_on_time_rate"`
	SatisfactionRate      *float64       `json:"satisfaction_rate"`
	Visits                int            `json:"visits"`
	ContactsVisited       int            `json:"contacts_visited"`
	Contacts              int            `json:"contacts"`
	CoverageRate          *float64       `json:"coverage_rate"`
}

// rateOrNull returns a rate, or null when it is not defined.
func rateOrNull(r float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &r
}

// toMonthStats converts one month's figures.
func toMonthStats(m *masswork.MonthStats) MonthStats {
	out := MonthStats{Month: m.Month, Problems: m.Problems, Matters: m.Matters, ByCategory: map[string]int{},
		ByChannel: map[string]int{}, Accepted: m.Accepted, Rejected: m.Rejected, Responded: m.Responded,
		RespondedOnTime: m.RespondedOnTime, Resolved: m.Resolved, ResolvedOnTime: m.ResolvedOnTime, Answers: m.Answers,
		Satisfied: m.Satisfied, AcceptedRate: rateOrNull(m.AcceptedRate()),
		ResponseOnTimeRate: rateOrNull(m.ResponseOnTimeRate()), ResolveOnTimeRate: rateOrNull(m.ResolveOnTimeRate()),
		SatisfactionRate: rateOrNull(m.SatisfactionRate()), Visits: m.Visits, ContactsVisited: m.ContactsVisited,
		Contacts: m.Contacts, CoverageRate: rateOrNull(m.Coverage())}
	for k, v := range m.ByCategory {
		out.ByCategory[k] = v
	}
	for k, v := range m.ByChannel {
		out.ByChannel[k] = v
	}
	if m.Responded > 0 {
		s := int64(m.MedianResponse.Seconds())
		out.MedianResponseSeconds = &s
	}
	if m.Resolved > 0 {
		s := int64(m.MedianResolve.Seconds())
		out.MedianResolveSeconds = &s
	}
	return out
}

// getMassworkStats answers the figures of an organization's subtree for the months from–to
// (YYYY-MM, both included; the last twelve months when left out), to those who see it.
func (h *Handler) getMassworkStats(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	q := r.URL.Query()
	// The period's errors name the query parameters from and to: a 400, like every other
	// malformed query parameter.
	if _, _, err := masswork.InsightPeriod(q.Get("from"), q.Get("to"), h.now(), h.massZone()); err != nil {
		if e := massFields(err); e != nil {
			h.fail(w, r, a.Locale, badRequest(e))
			return
		}
	}
	in, err := h.mass.Insight(r.Context(), a, id, q.Get("from"), q.Get("to"))
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	lang := h.massLang(r, a)
	out := MassworkStats{OrgID: in.Org.ID, OrgName: in.Org.Name, From: in.From, To: in.To,
		Categories: make([]StatsCategory, 0, len(in.Categories)), Months: make([]MonthStats, 0, len(in.Months))}
	for _, c := range in.Categories {
		out.Categories = append(out.Categories, StatsCategory{Code: c.Code, Name: c.Name(massLocale(lang)), NameZh: c.NameZh, NameEn: c.NameEn})
	}
	for _, m := range in.Months {
		out.Months = append(out.Months, toMonthStats(m))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

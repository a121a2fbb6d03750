package page

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/view"
)

// BoardPage is an organization's public board: no account, no personal data.
type BoardPage struct {
	view.Base
	Board    *masswork.Board
	Matters  []*BoardMatter
	Projects []*masswork.Project
	Months   []*BoardMonth
}

// BoardMatter is one ranked matter of the board.
type BoardMatter struct {
	*masswork.Matter
	Rank       int
	Prominence string // people weighted by recency, one decimal
}

// FormatCode shows the matter's tracking code in groups of four digits.
func (m *BoardMatter) FormatCode() string { return masswork.FormatCode(m.Code) }

// Category returns the matter's category name in the page's language.
func (m *BoardMatter) Category(lang string) string {
	if lang == "en" && m.CategoryNameEn != "" {
		return m.CategoryNameEn
	}
	return m.CategoryName
}

// BoardMonth is one month's public rates, as text ("—" when nothing was counted).
type BoardMonth struct {
	Month                       string
	Matters, Decided, Resolved  int
	Answers                     int
	Accepted, OnTime, Satisfied string
}

// ShowBoard renders the public board of an organization's subtree (GET /board/{id}).
func (h *Handlers) ShowBoard(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	// The board is read fresh on every request and kept by no cache on the way: a page
	// rendered for someone logged in carries their name in the navigation.
	w.Header().Set("Cache-Control", "no-store")
	b, err := h.Mass.PublicBoard(r.Context(), id, masswork.DefaultBoardMatters)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &BoardPage{Base: h.View.NewBase(r, "board.title"), Board: b, Projects: b.Projects}
	p.Title = p.T("board.title_of", "Org", b.OrgName)
	now := h.Now()
	for i, m := range b.Matters {
		p.Matters = append(p.Matters, &BoardMatter{Matter: m, Rank: i + 1,
			Prominence: strconv.FormatFloat(masswork.Prominence(m.RankKey, now), 'f', 1, 64)})
	}
	// Newest month first: on a phone the current month is what people look for.
	for i := len(b.Months) - 1; i >= 0; i-- {
		m := b.Months[i]
		row := &BoardMonth{Month: m.Month, Matters: m.Matters, Decided: m.Accepted + m.Rejected, Resolved: m.Resolved, Answers: m.Answers}
		row.Accepted = insightPercent(m.AcceptedRate())
		row.OnTime = insightPercent(m.ResolveOnTimeRate())
		row.Satisfied = insightPercent(m.SatisfactionRate())
		p.Months = append(p.Months, row)
	}
	h.View.Render(w, r, http.StatusOK, "board", p)
}

// insightPercent formats a rate as a whole percentage, "—" when undefined.
func insightPercent(rate float64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(rate*100, 'f', 0, 64) + "%"
}

// insightDuration formats a median duration in hours under two days, else in days; "—" for
// none.
func insightDuration(tr *view.Translator, d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < 48*time.Hour:
		return tr.T("insight.hours", "N", strconv.FormatFloat(d.Hours(), 'f', 1, 64))
	}
	return tr.T("insight.days", "N", strconv.FormatFloat(d.Hours()/24, 'f', 1, 64))
}

package page

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/view"
)

// CoveragePage shows the visit coverage of an area, or the summary of every area.
type CoveragePage struct {
	view.Base
	Cov      *masswork.Coverage
	Orgs     []view.Option
	MonthsOf []view.Option
	// Todo lists only the contacts not visited in the window.
	Todo bool
	List []*masswork.CoverageRow // the contacts listed
	Back string                  // this page's address, to come back to after reserving
	Me   int64                   // the caller's user ID
}

// PercentText returns the coverage in percent with one decimal.
func (p *CoveragePage) PercentText() string { return fmt.Sprintf("%.1f%%", p.Cov.Percent()) }

// AreaPercent returns the coverage of an area in percent with one decimal.
func (p *CoveragePage) AreaPercent(a *masswork.AreaCoverage) string {
	if a.Contacts == 0 {
		return "0.0%"
	}
	return fmt.Sprintf("%.1f%%", float64(a.Visited)*100/float64(a.Contacts))
}

// AreaURL returns the address of an area's coverage with the page's organization and window.
func (p *CoveragePage) AreaURL(zone string) string {
	v := url.Values{"zone": {zone}, "months": {strconv.Itoa(p.Cov.Months)}}
	if p.Cov.OrgID != 0 {
		v.Set("org", strconv.FormatInt(p.Cov.OrgID, 10))
	}
	return "/visits/coverage?" + v.Encode()
}

// ShowCoverage shows the coverage of ?org= (default: everything the caller may read) for the
// area ?zone= over the last ?months=, or with ?mine=1 the caller's reservations.
func (h *Handlers) ShowCoverage(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	req := masswork.CoverageRequest{Zone: q.Get("zone"), Months: atoi(q.Get("months")), Mine: q.Get("mine") == "1"}
	if s := q.Get("org"); s != "" {
		var err error
		if req.OrgID, err = strconv.ParseInt(s, 10, 64); err != nil || req.OrgID <= 0 {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
	}
	c, err := h.Mass.Coverage(r.Context(), a, req)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &CoveragePage{Base: h.View.NewBase(r, "visit.coverage"), Cov: c, Todo: q.Get("todo") == "1", Me: a.UserID}
	p.NavItem = "masswork"
	choices, err := h.Org.Choices(r.Context(), a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	selected := ""
	if c.OrgID != 0 {
		selected = strconv.FormatInt(c.OrgID, 10)
	}
	p.Orgs = filterOptions(choices, a.CanView, selected, "")
	for _, m := range []int{3, 6, 12, 24} {
		p.MonthsOf = append(p.MonthsOf, view.Option{Value: strconv.Itoa(m), Label: p.T("visit.months_n", "N", m), Selected: m == c.Months})
	}
	for _, row := range c.Rows {
		if !p.Todo || row.Visits == 0 {
			p.List = append(p.List, row)
		}
	}
	p.Back = r.URL.RequestURI()
	h.View.Render(w, r, http.StatusOK, "visit_coverage", p)
}

// ReserveContacts reserves the chosen contacts (contact_id, repeated) for the caller and
// goes back to the coverage page.
func (h *Handlers) ReserveContacts(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ids := visitContactIDs(r.PostForm)
	if len(ids) == 0 {
		redirect(w, r, visitBack(r.PostForm.Get("back")), "flash.visit_none_chosen")
		return
	}
	reserved, taken, err := h.Mass.Reserve(r.Context(), a, ids)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	flash := "flash.visit_reserved"
	switch {
	case reserved == 0:
		flash = "flash.visit_reserve_none"
	case taken > 0:
		flash = "flash.visit_reserved_some"
	}
	redirect(w, r, visitBack(r.PostForm.Get("back")), flash)
}

// ReleaseContacts releases the caller's reservations of the chosen contacts, or all of them
// with all=1.
func (h *Handlers) ReleaseContacts(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ids := visitContactIDs(r.PostForm)
	switch {
	case r.PostForm.Get("all") == "1":
		ids = nil
	case len(ids) == 0:
		redirect(w, r, visitBack(r.PostForm.Get("back")), "flash.visit_none_chosen")
		return
	}
	if err := h.Mass.Release(r.Context(), a, ids); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, visitBack(r.PostForm.Get("back")), "flash.visit_released")
}

// visitContactIDs reads the repeated contact_id of a form; what does not parse is skipped.
func visitContactIDs(f url.Values) []int64 {
	var ids []int64
	for _, s := range f["contact_id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// visitBack returns the coverage page to go back to: a same-site address of it, or its start.
func visitBack(back string) string {
	back = safeNext(back)
	if back != "/visits/coverage" && !strings.HasPrefix(back, "/visits/coverage?") {
		return "/visits/coverage"
	}
	// Drop a flash the address carried: the new one is added.
	if u, err := url.Parse(back); err == nil {
		v := u.Query()
		v.Del("flash")
		u.RawQuery = v.Encode()
		return u.String()
	}
	return "/visits/coverage"
}

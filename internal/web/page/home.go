package page

import (
	"net/http"

	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// HomePage shows the caller what is theirs: counts of the people in scope by stage, the
// organizations they look after with committee-term warnings, or their own record.
type HomePage struct {
	view.Base
	Counts    map[string]int
	Stages    []string
	Orgs      []*OrgRow
	Person    *org.Person
	CanRoster bool
	// Upcoming are the caller's own coming activities.
	Upcoming []*ActivityRow
	// Unread counts the caller's unread notices.
	Unread int
}

// OrgRow is an organization with its term warning.
type OrgRow struct {
	*org.Organization
	Warning string
}

// Home renders the home page.
func (h *Handlers) Home(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &HomePage{Base: h.View.NewBase(r, "home.title"), Stages: org.Stages, CanRoster: len(a.ReadRoots()) > 0}
	p.NavItem = "home"
	if p.Counts, err = h.Org.HomeCounts(r.Context(), a); err != nil {
		h.View.Error(w, r, err)
		return
	}
	tree, err := h.Org.Tree(r.Context(), a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	today := h.Now().In(p.Zone)
	for _, o := range tree {
		if o.Kind == org.KindGroup {
			continue
		}
		p.Orgs = append(p.Orgs, &OrgRow{Organization: o, Warning: org.TermWarning(o, today)})
	}
	if a.PersonID != 0 {
		if p.Person, err = h.Org.Person(r.Context(), a, a.PersonID); err != nil {
			h.View.Error(w, r, err)
			return
		}
		upcoming, err := h.Activity.Upcoming(r.Context(), a, 5)
		if err != nil {
			h.View.Error(w, r, err)
			return
		}
		types, err := h.Activity.Types(r.Context())
		if err != nil {
			h.View.Error(w, r, err)
			return
		}
		p.Upcoming = activityRows(upcoming, types, p.Lang, p.Zone)
	}
	if p.Unread, err = h.Notify.Unread(r.Context(), a); err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "home", p)
}

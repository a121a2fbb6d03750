package page

import (
	"net/http"
	"strconv"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// AuditPage browses the audit trail, per organization or per person.
type AuditPage struct {
	view.Base
	Records []*audit.Record
	Orgs    []*org.Organization
	OrgID   string
	Person  *org.Person
	MoreURL string
}

// ShowAudit renders the audit trail the caller administers.
func (h *Handlers) ShowAudit(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	f := audit.Filter{Limit: 50, BeforeID: int64(atoi(q.Get("before")))}
	p := &AuditPage{Base: h.View.NewBase(r, "audit.title"), OrgID: q.Get("org")}
	p.NavItem = "audit"
	tree, err := h.Org.Tree(r.Context(), a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			p.Orgs = append(p.Orgs, o)
			if strconv.FormatInt(o.ID, 10) == p.OrgID {
				f.OrgPath = o.Path
			}
		}
	}
	if p.OrgID != "" && f.OrgPath == "" {
		h.View.Error(w, r, apperr.ErrNotFound)
		return
	}
	if pid := atoi(q.Get("person")); pid > 0 {
		f.PersonID = int64(pid)
		if p.Person, err = h.Org.Person(r.Context(), a, f.PersonID); err != nil {
			h.View.Error(w, r, err)
			return
		}
	}
	if p.Records, err = h.Org.AuditTrail(r.Context(), a, f); err != nil {
		h.View.Error(w, r, err)
		return
	}
	if len(p.Records) == f.Limit {
		v := q
		v.Set("before", strconv.FormatInt(p.Records[len(p.Records)-1].ID, 10))
		p.MoreURL = "/audit?" + v.Encode()
	}
	h.View.Render(w, r, http.StatusOK, "audit", p)
}

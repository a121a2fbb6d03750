package page

import (
	"net/http"
	"strconv"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// ActivitySettingsPage shows an organization's activity settings (who approves its records,
// whether a record needs photos) and, to the organization above it, the form to change them.
type ActivitySettingsPage struct {
	view.Base
	Org       *org.Organization
	Settings  *activity.OrgSettings
	CanChange bool
	HasParent bool
	Form      *view.Form
}

func (h *Handlers) activitySettingsPage(r *http.Request) (*ActivitySettingsPage, error) {
	a, id, err := actorID(r)
	if err != nil {
		return nil, err
	}
	set, o, err := h.Activity.OrgSettings(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := &ActivitySettingsPage{Base: h.View.NewBase(r, "record_settings.title"), Org: o, Settings: set,
		CanChange: activity.CanSetOrgSettings(a, o), HasParent: o.ParentID != 0}
	p.NavItem = "orgs"
	p.Form = view.NewForm(p.Translator, nil)
	p.Form.Values.Set("record_approver", set.RecordApprover)
	if set.RequirePhotos {
		p.Form.Values.Set("require_photos", "1")
	}
	return p, nil
}

// ShowActivitySettings renders an organization's activity settings.
func (h *Handlers) ShowActivitySettings(w http.ResponseWriter, r *http.Request) {
	p, err := h.activitySettingsPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "org_activity_settings", p)
}

// SaveActivitySettings changes an organization's activity settings.
func (h *Handlers) SaveActivitySettings(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	f := r.PostForm
	set := activity.OrgSettings{OrgID: id, RecordApprover: f.Get("record_approver"), RequirePhotos: f.Get("require_photos") != ""}
	if err := h.Activity.SetOrgSettings(r.Context(), a, set); err != nil {
		p, perr := h.activitySettingsPage(r)
		if perr != nil {
			h.View.Error(w, r, perr)
			return
		}
		p.Form = view.NewForm(p.Translator, f)
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "org_activity_settings", p)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10)+"/activity-settings", "flash.saved")
}

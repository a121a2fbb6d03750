package page

import (
	"net/http"
	"strconv"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// Open311KeysPage lists an organization's Open311 API keys for its administrators. NewKey
// holds a key just created: it is shown this once.
type Open311KeysPage struct {
	view.Base
	Org      *org.Organization
	Keys     []*masswork.APIKey
	NewKey   string
	Endpoint string // the GeoReport v2 endpoint's URL, without a trailing slash
	Form     *view.Form
}

func (h *Handlers) open311KeysPage(r *http.Request) (*Open311KeysPage, error) {
	a, id, err := actorID(r)
	if err != nil {
		return nil, err
	}
	o, err := h.Org.Organization(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	keys, err := h.Mass.APIKeys(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := &Open311KeysPage{Base: h.View.NewBase(r, "open311_keys.title"), Org: o, Keys: keys,
		Endpoint: h.publicBase(r) + "/open311/v2"}
	p.NavItem = "orgs"
	p.Form = view.NewForm(p.Translator, nil)
	return p, nil
}

// Open311Keys renders an organization's Open311 API keys and the form to create one.
func (h *Handlers) Open311Keys(w http.ResponseWriter, r *http.Request) {
	p, err := h.open311KeysPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "open311_keys", p)
}

// CreateOpen311Key creates a key for the organization and shows it once, on the answer to the
// POST itself: it is never put in a URL, and the page is not cached.
func (h *Handlers) CreateOpen311Key(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	key, err := h.Mass.CreateAPIKey(r.Context(), a, id, r.PostForm.Get("name"))
	p, perr := h.open311KeysPage(r)
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	if err != nil {
		p.Form = view.NewForm(p.Translator, r.PostForm)
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "open311_keys", p)
		return
	}
	p.NewKey = key
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "open311_keys", p)
}

// RevokeOpen311Key revokes one of the organization's keys.
func (h *Handlers) RevokeOpen311Key(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	kid, err := idParam(r, "kid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Mass.RevokeAPIKey(r.Context(), a, id, kid); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10)+"/open311", "flash.open311_key_revoked")
}

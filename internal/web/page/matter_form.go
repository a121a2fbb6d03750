package page

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// MatterFormPage is the form by which a cadre records a problem on someone's behalf: from a
// phone call or in person. Before it is filed, similar open matters are offered, so that the
// person can be added to one of them ("me too") instead.
type MatterFormPage struct {
	view.Base
	Form       *view.Form
	Orgs       []*org.Organization
	Categories []view.Option
	Channels   []view.Option
	People     []*org.Person
	Similar    *MatterSimilar
	// Fields are the extra fields of the chosen category, asked once it is known.
	Fields []masswork.Field
}

// MatterSimilar is the list of similar open matters offered for "me too".
type MatterSimilar struct {
	*view.Translator
	Matters []*masswork.Suggestion
	Checked bool   // the list was shown once: filing now files
	Chosen  string // the matter chosen, "" for a new one
	Error   string // the translated error of the choice
}

// matterStaffChannels are the channels a cadre records by here; visits have their own form.
var matterStaffChannels = []string{masswork.ChannelPhone, masswork.ChannelStaff}

func (h *Handlers) matterForm(r *http.Request, a *auth.Actor, values url.Values) (*MatterFormPage, error) {
	ctx := r.Context()
	tree, err := h.Org.Tree(ctx, a)
	if err != nil {
		return nil, err
	}
	p := &MatterFormPage{Base: h.View.NewBase(r, "matters.new")}
	p.NavItem = "masswork"
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			p.Orgs = append(p.Orgs, o)
		}
	}
	if len(p.Orgs) == 0 {
		return nil, apperr.ErrDenied
	}
	cats, err := h.matterCategories(r, a)
	if err != nil {
		return nil, err
	}
	if p.People, _, err = h.Org.People(ctx, a, org.PeopleFilter{Limit: org.MaxPageSize, Sort: "name", Brief: true}); err != nil {
		return nil, err
	}
	p.Form = view.NewForm(p.Translator, values)
	if p.Form.Get("org_id") == "" {
		p.Form.Values.Set("org_id", strconv.FormatInt(p.Orgs[0].ID, 10))
	}
	if p.Form.Get("channel") == "" {
		p.Form.Values.Set("channel", masswork.ChannelPhone)
	}
	p.Categories = matterCategoryOptions(cats, p.Lang, p.Form.Get("category_id"))
	for _, c := range cats {
		if strconv.FormatInt(c.ID, 10) == p.Form.Get("category_id") {
			p.Fields = c.Fields
		}
	}
	p.Channels = p.Options("matter.channel.", matterStaffChannels, p.Form.Get("channel"))
	p.Similar = &MatterSimilar{Translator: p.Translator, Checked: p.Form.Get("checked") != "", Chosen: p.Form.Get("me_too")}
	return p, nil
}

// NewMatter shows the empty form; ?org=ID preselects the organization.
func (h *Handlers) NewMatter(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	v := url.Values{}
	if o := r.URL.Query().Get("org"); o != "" {
		v.Set("org_id", o)
	}
	p, err := h.matterForm(r, a, v)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "matter_form", p)
}

// matterReport reads a report from the form.
func matterReport(f url.Values) *masswork.Report {
	id := func(k string) int64 { n, _ := strconv.ParseInt(strings.TrimSpace(f.Get(k)), 10, 64); return n }
	rep := &masswork.Report{OrgID: id("org_id"), CategoryID: id("category_id"), Description: f.Get("description"),
		Place:     masswork.Place{Zone: f.Get("zone"), Booth: f.Get("booth"), Address: f.Get("address")},
		Anonymous: f.Get("anonymous") != "", Name: f.Get("name"), Phone: f.Get("phone"), PersonID: id("person_id"),
		Channel: f.Get("channel"), MeToo: id("me_too")}
	for k, v := range f {
		if code, ok := strings.CutPrefix(k, "attribute."); ok && code != "" {
			if rep.Attributes == nil {
				rep.Attributes = map[string][]string{}
			}
			rep.Attributes[code] = v
		}
	}
	return rep
}

// CreateMatter files the problem. Unless a matter was chosen, the first time the similar
// open matters are shown instead, when there are any; the second time it is filed. The
// button do=similar only looks the similar matters up (and asks the chosen category's extra
// questions).
func (h *Handlers) CreateMatter(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ctx := r.Context()
	f := r.PostForm
	rep := matterReport(f)
	lookOnly := f.Get("do") == "similar"
	if lookOnly || (f.Get("checked") == "" && rep.MeToo == 0) {
		var verr error
		if !lookOnly {
			verr = h.Mass.ValidateReport(ctx, a, rep)
		}
		var similar []*masswork.Suggestion
		if rep.CategoryID != 0 && strings.TrimSpace(rep.Description) != "" && verr == nil {
			if similar, err = h.Mass.SuggestIn(ctx, rep.OrgID, rep.CategoryID, rep.Description, rep.Place, 5); err != nil {
				h.View.Error(w, r, err)
				return
			}
		}
		if lookOnly {
			// Only looking: what is missing is said when filing.
			h.matterFormAgain(w, r, a, similar, true, nil)
			return
		}
		if verr != nil || len(similar) > 0 {
			h.matterFormAgain(w, r, a, similar, verr == nil, verr)
			return
		}
	}
	receipt, err := h.Mass.Submit(ctx, a, rep)
	if err != nil {
		// The similar matters offered before stay on offer.
		var similar []*masswork.Suggestion
		shown := f.Get("checked") != "" && rep.CategoryID != 0 && strings.TrimSpace(rep.Description) != ""
		if shown {
			similar, _ = h.Mass.SuggestIn(ctx, rep.OrgID, rep.CategoryID, rep.Description, rep.Place, 5)
		}
		h.matterFormAgain(w, r, a, similar, shown, err)
		return
	}
	flash := "flash.matters.recorded"
	if rep.MeToo != 0 {
		flash = "flash.matters.metoo"
	}
	redirect(w, r, "/matters/"+strconv.FormatInt(receipt.MatterID, 10), flash)
}

// matterFormAgain shows the form again with what was typed: with the similar matters to
// choose from when shown is set, and with err beside the fields.
func (h *Handlers) matterFormAgain(w http.ResponseWriter, r *http.Request, a *auth.Actor, similar []*masswork.Suggestion, shown bool, err error) {
	p, perr := h.matterForm(r, a, r.PostForm)
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	status := http.StatusOK
	if err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		status = view.StatusOf(apperr.KindOf(err))
	}
	if shown {
		p.Similar.Matters, p.Similar.Checked = similar, true
	}
	p.Similar.Error = p.Form.ErrorOf("me_too")
	h.View.Render(w, r, status, "matter_form", p)
}

// MatterSimilarPage is the list of similar matters alone, for the form's live update.
type MatterSimilarPage struct {
	view.Base
	Similar *MatterSimilar
}

// SimilarMatters answers the form's live lookup (htmx) with the similar open matters of what
// is being typed.
func (h *Handlers) SimilarMatters(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if !a.IsAdmin() {
		h.View.Error(w, r, apperr.ErrDenied)
		return
	}
	rep := matterReport(r.URL.Query())
	p := &MatterSimilarPage{Base: h.View.NewBase(r, "matters.new")}
	p.Similar = &MatterSimilar{Translator: p.Translator, Chosen: r.URL.Query().Get("me_too")}
	if rep.CategoryID != 0 && len([]rune(strings.TrimSpace(rep.Description))) >= 2 {
		p.Similar.Checked = true
		if p.Similar.Matters, err = h.Mass.SuggestIn(r.Context(), rep.OrgID, rep.CategoryID, rep.Description, rep.Place, 5); err != nil {
			h.View.Error(w, r, err)
			return
		}
	}
	h.View.Render(w, r, http.StatusOK, "matter_similar", p)
}

package page

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// MattersPage is mass work's home for staff: the matters of the caller's subtrees by stage of
// handling, filtered, with the ways into the rest of mass work.
type MattersPage struct {
	view.Base
	Tab        string
	Tabs       []MatterTab
	Rows       []*MatterRow
	Total      int
	Page       int
	Pages      int
	Orgs       []view.Option
	Categories []view.Option
	Channels   []view.Option
	OrgID      string
	CategoryID string
	Channel    string
	Overdue    bool
	Q          string
	PrevURL    string // the pages before and after, with the same filter
	NextURL    string
	CanRecord  bool
	BoardOrgID int64 // the organization whose public board the page links to
}

// MatterTab is one stage of handling the list can show.
type MatterTab struct {
	Key     string
	URL     string
	Current bool
}

// MatterRow is a matter ready for a list: its category in the page's language and the
// deadline that applies now.
type MatterRow struct {
	*masswork.Matter
	Category string
	Due      string // the deadline that applies now, "" for none
	Overdue  bool
	Weight   string // prominence: people weighted by recency
}

// matterTabs are the stages of the list, each with the statuses it shows.
var matterTabs = []struct {
	key      string
	statuses []string
	sort     string
}{
	{"pending", []string{masswork.StatusSubmitted}, "due"},
	{"handling", []string{masswork.StatusAccepted, masswork.StatusInProgress}, "due"},
	{"feedback", []string{masswork.StatusResolved}, "newest"},
	{"done", []string{masswork.StatusClosed, masswork.StatusRejected}, "newest"},
	{"all", nil, "newest"},
}

const mattersPerPage = 20

// ListMatters shows the matters the caller may see, by tab and filters.
func (h *Handlers) ListMatters(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	p := &MattersPage{Base: h.View.NewBase(r, "matters.title"), Tab: q.Get("tab"), OrgID: q.Get("org"),
		CategoryID: q.Get("category"), Channel: q.Get("channel"), Overdue: q.Get("overdue") != "", Q: strings.TrimSpace(q.Get("q")),
		Page: max(1, atoi(q.Get("page"))), CanRecord: a.IsAdmin()}
	p.NavItem = "masswork"
	now := h.Now()
	f := masswork.MatterFilter{Now: now, Query: p.Q, Limit: mattersPerPage, Offset: (p.Page - 1) * mattersPerPage, Overdue: p.Overdue}
	tab := matterTabs[0]
	for _, t := range matterTabs {
		if t.key == p.Tab {
			tab = t
		}
	}
	p.Tab, f.Status, f.Sort = tab.key, tab.statuses, tab.sort
	tree, err := h.Org.Tree(ctx, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	visible := matterVisibleOrgs(a, tree)
	if p.OrgID != "" {
		if f.OrgID, err = strconv.ParseInt(p.OrgID, 10, 64); err != nil || !matterHasOrg(visible, f.OrgID) {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
	}
	if p.CategoryID != "" {
		f.CategoryID, _ = strconv.ParseInt(p.CategoryID, 10, 64)
	}
	for _, c := range masswork.Channels {
		if c == p.Channel {
			f.Channel = c
		}
	}
	p.Channel = f.Channel
	matters, total, err := h.Mass.Matters(ctx, a, f)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	cats, err := h.matterCategories(r, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Total, p.Pages = total, (total+mattersPerPage-1)/mattersPerPage
	p.Rows = matterRows(matters, p.Lang, p.Zone, now)
	p.Orgs = matterOrgOptions(visible, p.OrgID)
	p.Categories = matterCategoryOptions(cats, p.Lang, p.CategoryID)
	p.Channels = p.Options("matter.channel.", masswork.Channels, p.Channel)
	filter := url.Values{}
	for k, v := range map[string]string{"org": p.OrgID, "category": p.CategoryID, "channel": p.Channel, "q": p.Q} {
		if v != "" {
			filter.Set(k, v)
		}
	}
	if p.Overdue {
		filter.Set("overdue", "1")
	}
	for _, t := range matterTabs {
		v := url.Values{}
		for k, x := range filter {
			v[k] = x
		}
		v.Set("tab", t.key)
		p.Tabs = append(p.Tabs, MatterTab{Key: t.key, URL: "/matters?" + v.Encode(), Current: t.key == p.Tab})
	}
	filter.Set("tab", p.Tab)
	if p.Page > 1 {
		filter.Set("page", strconv.Itoa(p.Page-1))
		p.PrevURL = "/matters?" + filter.Encode()
	}
	if p.Page < p.Pages {
		filter.Set("page", strconv.Itoa(p.Page+1))
		p.NextURL = "/matters?" + filter.Encode()
	}
	if f.OrgID != 0 {
		p.BoardOrgID = f.OrgID
	} else if len(visible) > 0 {
		p.BoardOrgID = visible[0].ID
	}
	h.View.Render(w, r, http.StatusOK, "matters", p)
}

// matterVisibleOrgs returns the organizations of the tree whose matters the actor may read.
func matterVisibleOrgs(a *auth.Actor, tree []*org.Organization) []*org.Organization {
	var out []*org.Organization
	for _, o := range tree {
		if a.CanView(o.Path) {
			out = append(out, o)
		}
	}
	return out
}

func matterHasOrg(orgs []*org.Organization, id int64) bool {
	for _, o := range orgs {
		if o.ID == id {
			return true
		}
	}
	return false
}

// matterOrgOptions are organizations as indented choices.
func matterOrgOptions(orgs []*org.Organization, selected string) []view.Option {
	out := make([]view.Option, len(orgs))
	for i, o := range orgs {
		id := strconv.FormatInt(o.ID, 10)
		out[i] = view.Option{Value: id, Label: strings.Repeat("　", o.Depth) + o.Name, Selected: id == selected}
	}
	return out
}

// matterCategories returns the categories that concern the actor: those of its subtrees and
// those of the organizations above them, which apply to its subtrees too.
func (h *Handlers) matterCategories(r *http.Request, a *auth.Actor) ([]*masswork.Category, error) {
	all, err := h.Mass.AllCategories(r.Context())
	if err != nil {
		return nil, err
	}
	roots := a.ReadRoots()
	if a.MemberPath != "" {
		roots = append(roots, a.MemberPath)
	}
	var out []*masswork.Category
	for _, c := range all {
		for _, root := range roots {
			if strings.HasPrefix(c.OrgPath, root) || strings.HasPrefix(root, c.OrgPath) {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}

func matterCategoryOptions(cats []*masswork.Category, lang, selected string) []view.Option {
	out := make([]view.Option, len(cats))
	for i, c := range cats {
		id := strconv.FormatInt(c.ID, 10)
		label := c.Name(lang)
		if c.Group != "" {
			label = c.Group + " · " + label
		}
		out[i] = view.Option{Value: id, Label: label, Selected: id == selected}
	}
	return out
}

func matterRows(ms []*masswork.Matter, lang string, zone *time.Location, now time.Time) []*MatterRow {
	rows := make([]*MatterRow, len(ms))
	for i, m := range ms {
		rows[i] = matterRow(m, lang, zone, now)
	}
	return rows
}

func matterRow(m *masswork.Matter, lang string, zone *time.Location, now time.Time) *MatterRow {
	row := &MatterRow{Matter: m, Category: m.CategoryName}
	if lang == "en" && m.CategoryNameEn != "" {
		row.Category = m.CategoryNameEn
	}
	due, overdue := matterDue(m, now)
	row.Due, row.Overdue = matterDueText(due, zone), overdue
	row.Weight = strconv.FormatFloat(masswork.Prominence(m.RankKey, now), 'f', 1, 64)
	return row
}

// matterDue returns the deadline a matter is held to now, and whether it has passed: the
// first response until someone responded, then the resolution. Matters no longer being
// handled (resolved, closed, rejected, merged) have none.
func matterDue(m *masswork.Matter, now time.Time) (time.Time, bool) {
	switch m.Status {
	case masswork.StatusSubmitted, masswork.StatusAccepted, masswork.StatusInProgress:
	default:
		return time.Time{}, false
	}
	due := m.ResolveDue
	if m.RespondedAt.IsZero() && !m.ResponseDue.IsZero() {
		due = m.ResponseDue
	}
	return due, !due.IsZero() && now.After(due)
}

// matterDueText writes a deadline in the zone: deadlines fall at the end of a working day,
// 24:00, which reads as that day; others with their minute.
func matterDueText(due time.Time, zone *time.Location) string {
	if due.IsZero() {
		return ""
	}
	t := due.In(zone)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Add(-time.Millisecond).Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04")
}

// ProminentPage ranks the open matters of a subtree by prominence.
type ProminentPage struct {
	view.Base
	Orgs  []view.Option
	OrgID int64
	Rows  []*MatterRow
}

// ProminentMatters shows the prominent-problems board of ?org= (the caller's first
// organization by default).
func (h *Handlers) ProminentMatters(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ctx := r.Context()
	tree, err := h.Org.Tree(ctx, a)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	visible := matterVisibleOrgs(a, tree)
	p := &ProminentPage{Base: h.View.NewBase(r, "matters.prominent")}
	p.NavItem = "masswork"
	if raw := r.URL.Query().Get("org"); raw != "" {
		if p.OrgID, err = strconv.ParseInt(raw, 10, 64); err != nil || !matterHasOrg(visible, p.OrgID) {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
	} else if len(visible) > 0 {
		p.OrgID = visible[0].ID
	}
	if p.OrgID == 0 {
		h.View.Error(w, r, apperr.ErrDenied)
		return
	}
	ms, err := h.Mass.Prominent(ctx, a, p.OrgID, 50)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Orgs = matterOrgOptions(visible, strconv.FormatInt(p.OrgID, 10))
	p.Rows = matterRows(ms, p.Lang, p.Zone, h.Now())
	h.View.Render(w, r, http.StatusOK, "matter_prominent", p)
}

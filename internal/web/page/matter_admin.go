package page

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// CategoriesPage lists the categories of problems that apply to an organization (its own and
// those of the organizations above it) with the form to add or edit one.
type CategoriesPage struct {
	view.Base
	Org        *org.Organization
	Categories []*CategoryRow
	CanAdmin   bool
	Editing    *masswork.Category // the category in the form; nil for a new one
	Form       *view.Form
	Rows       []int // indexes of the extra-field rows of the form
	Datatypes  []string
}

// CategoryRow is a category in the list, with whether the caller may edit it here.
type CategoryRow struct {
	*masswork.Category
	Name      string
	Own       bool // it belongs to this organization (not inherited from above)
	CanEdit   bool
	FieldsN   int
	Inherited string // the name of the organization it is inherited from
}

// FieldValue returns what the form holds for column name of extra-field row i.
func (p *CategoriesPage) FieldValue(i int, name string) string {
	return p.Form.Get("fields." + strconv.Itoa(i) + "." + name)
}

// FieldError returns the translated error of column name of extra-field row i, including
// those of its choices.
func (p *CategoriesPage) FieldError(i int, name string) string {
	key := "fields." + strconv.Itoa(i) + "." + name
	if msg := p.Form.ErrorOf(key); msg != "" {
		return msg
	}
	for k := range p.Form.Errors {
		if strings.HasPrefix(k, key+".") {
			return p.Form.ErrorOf(k)
		}
	}
	return ""
}

// categoryBlankRows is how many empty extra-field rows the form offers.
const categoryBlankRows = 2

func (h *Handlers) categoriesPage(r *http.Request) (*CategoriesPage, error) {
	a, id, err := actorID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	o, err := h.Org.Organization(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !a.CanView(o.Path) {
		return nil, apperr.ErrDenied
	}
	cats, err := h.Mass.OrgCategories(ctx, a, id)
	if err != nil {
		return nil, err
	}
	tree, err := h.Org.Choices(ctx, a)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, t := range tree {
		names[t.Path] = t.Name
	}
	p := &CategoriesPage{Base: h.View.NewBase(r, "matters.categories"), Org: o, CanAdmin: a.CanAdmin(o.Path), Datatypes: masswork.Datatypes}
	p.NavItem = "masswork"
	p.Title = p.T("matters.categories") + " · " + o.Name
	for _, c := range cats {
		row := &CategoryRow{Category: c, Name: c.Name(p.Lang), Own: c.OrgID == o.ID, CanEdit: a.CanAdmin(c.OrgPath), FieldsN: len(c.Fields)}
		if !row.Own {
			row.Inherited = names[c.OrgPath]
		}
		p.Categories = append(p.Categories, row)
	}
	p.Form = view.NewForm(p.Translator, nil)
	return p, nil
}

// ListCategories shows an organization's categories; ?edit=ID puts one in the form.
func (h *Handlers) ListCategories(w http.ResponseWriter, r *http.Request) {
	p, err := h.categoriesPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if raw := r.URL.Query().Get("edit"); raw != "" {
		for _, c := range p.Categories {
			if strconv.FormatInt(c.ID, 10) == raw && c.CanEdit {
				p.Editing = c.Category
			}
		}
		if p.Editing == nil {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
		categoryValues(p.Form.Values, p.Editing)
	} else {
		p.Form.Values.Set("response_days", strconv.Itoa(masswork.DefaultResponseDays))
		p.Form.Values.Set("resolve_days", strconv.Itoa(masswork.DefaultResolveDays))
		p.Form.Values.Set("active", "1")
	}
	p.withRows()
	h.View.Render(w, r, http.StatusOK, "categories", p)
}

// withRows sets the extra-field rows: the filled ones and a few blank ones.
func (p *CategoriesPage) withRows() {
	n := 0
	for i := 0; i < 100; i++ {
		for _, k := range []string{"code", "description", "values"} {
			if strings.TrimSpace(p.FieldValue(i, k)) != "" {
				n = i + 1
			}
		}
	}
	p.Rows = make([]int, n+categoryBlankRows)
	for i := range p.Rows {
		p.Rows[i] = i
	}
}

// categoryValues fills form values from a category.
func categoryValues(v url.Values, c *masswork.Category) {
	v.Set("category_id", strconv.FormatInt(c.ID, 10))
	v.Set("version", strconv.Itoa(c.Version))
	for k, s := range map[string]string{"code": c.Code, "name_zh": c.NameZh, "name_en": c.NameEn, "group": c.Group,
		"description": c.Description, "keywords": c.Keywords} {
		v.Set(k, s)
	}
	v.Set("response_days", strconv.Itoa(c.ResponseDays))
	v.Set("resolve_days", strconv.Itoa(c.ResolveDays))
	v.Set("sort_order", strconv.Itoa(c.SortOrder))
	if c.Active {
		v.Set("active", "1")
	}
	for i, f := range c.Fields {
		pre := "fields." + strconv.Itoa(i) + "."
		v.Set(pre+"code", f.Code)
		v.Set(pre+"datatype", f.Datatype)
		v.Set(pre+"description", f.Description)
		if f.Required {
			v.Set(pre+"required", "1")
		}
		var lines []string
		for _, fv := range f.Values {
			if fv.Name == fv.Key || fv.Name == "" {
				lines = append(lines, fv.Key)
			} else {
				lines = append(lines, fv.Key+" = "+fv.Name)
			}
		}
		v.Set(pre+"values", strings.Join(lines, "\n"))
	}
}

// categoryFromForm reads a category from the form. Blank extra-field rows are left out; rows
// maps the index of each field kept to its row on the form, for the errors.
func categoryFromForm(f url.Values, orgID int64) (*masswork.Category, []int, *apperr.Validation) {
	var v apperr.Validation
	c := &masswork.Category{OrgID: orgID, Code: f.Get("code"), NameZh: f.Get("name_zh"), NameEn: f.Get("name_en"),
		Group: f.Get("group"), Description: f.Get("description"), Keywords: f.Get("keywords"), Active: f.Get("active") != "",
		Version: atoi(f.Get("version"))}
	c.ID, _ = strconv.ParseInt(f.Get("category_id"), 10, 64)
	num := func(field string, into *int) {
		raw := strings.TrimSpace(f.Get(field))
		if raw == "" {
			return
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			v.Add(field, "error.number")
			return
		}
		*into = n
	}
	num("response_days", &c.ResponseDays)
	num("resolve_days", &c.ResolveDays)
	num("sort_order", &c.SortOrder)
	var rows []int
	for i := 0; i < 100; i++ {
		pre := "fields." + strconv.Itoa(i) + "."
		code, desc, values := strings.TrimSpace(f.Get(pre+"code")), strings.TrimSpace(f.Get(pre+"description")), f.Get(pre+"values")
		if code == "" && desc == "" && strings.TrimSpace(values) == "" {
			continue
		}
		fd := masswork.Field{Code: code, Datatype: f.Get(pre + "datatype"), Required: f.Get(pre+"required") != "", Description: desc}
		for _, line := range strings.Split(values, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			key, name, ok := strings.Cut(line, "=")
			if !ok {
				name = line
			}
			fd.Values = append(fd.Values, masswork.FieldValue{Key: strings.TrimSpace(key), Name: strings.TrimSpace(name)})
		}
		c.Fields = append(c.Fields, fd)
		rows = append(rows, i)
	}
	return c, rows, &v
}

// categoryRowErrors renames the errors of the extra fields kept (fields.<k>.…) to the rows of
// the form they came from.
func categoryRowErrors(err error, rows []int) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	var v apperr.Validation
	for k, msg := range e.Fields {
		if rest, ok := strings.CutPrefix(k, "fields."); ok {
			idx, tail, _ := strings.Cut(rest, ".")
			if n, perr := strconv.Atoi(idx); perr == nil && n >= 0 && n < len(rows) {
				k = "fields." + strconv.Itoa(rows[n])
				if tail != "" {
					k += "." + tail
				}
			}
		}
		v.Add(k, msg)
	}
	return v.Err()
}

// SaveCategory creates or updates (category_id set) a category of the organization.
func (h *Handlers) SaveCategory(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	c, rows, v := categoryFromForm(r.PostForm, id)
	if err = v.Err(); err == nil {
		err = categoryRowErrors(h.Mass.SaveCategory(r.Context(), a, c), rows)
	}
	if err != nil {
		p, perr := h.categoriesPage(r)
		if perr != nil {
			h.View.Error(w, r, perr)
			return
		}
		if !p.CanAdmin {
			h.View.Error(w, r, apperr.ErrDenied)
			return
		}
		for _, row := range p.Categories {
			if row.ID == c.ID && c.ID != 0 {
				p.Editing = row.Category
			}
		}
		p.Form = view.NewForm(p.Translator, r.PostForm)
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		p.withRows()
		h.View.Render(w, r, view.StatusOf(apperr.KindOf(err)), "categories", p)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10)+"/categories", "flash.saved")
}

// UseDefaultCategories gives the organization the default categories.
func (h *Handlers) UseDefaultCategories(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if _, err := h.Mass.UseDefaultCategories(r.Context(), a, id); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10)+"/categories", "flash.matters.defaults")
}

// HolidaysPage is the year's list of holidays and make-up working days, one per line.
type HolidaysPage struct {
	view.Base
	Year       int
	PrevYear   int
	NextYear   int
	Form       *view.Form
	LineErrors []string
}

// holidayKinds maps the words of a line to a holiday kind: the code and the Chinese words.
var holidayKinds = map[string]string{
	masswork.HolidayOff: masswork.HolidayOff, "休": masswork.HolidayOff, "放假": masswork.HolidayOff,
	masswork.HolidayWork: masswork.HolidayWork, "班": masswork.HolidayWork, "上班": masswork.HolidayWork,
}

func (h *Handlers) holidaysPage(r *http.Request, rawYear string) *HolidaysPage {
	p := &HolidaysPage{Base: h.View.NewBase(r, "matters.holidays")}
	p.Year = h.holidaysYear(rawYear, p.Zone)
	p.PrevYear, p.NextYear = p.Year-1, p.Year+1
	p.NavItem = "masswork"
	p.Form = view.NewForm(p.Translator, nil)
	return p
}

// holidaysYear reads ?year= (or the form's year), by default this year in the zone.
func (h *Handlers) holidaysYear(raw string, zone *time.Location) int {
	if y, err := strconv.Atoi(strings.TrimSpace(raw)); err == nil {
		return y
	}
	return h.Now().In(zone).Year()
}

// ShowHolidays shows a year's holidays to system administrators.
func (h *Handlers) ShowHolidays(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if !a.SysAdmin {
		h.View.Error(w, r, apperr.ErrDenied)
		return
	}
	p := h.holidaysPage(r, r.URL.Query().Get("year"))
	days, err := h.Mass.Holidays(r.Context(), p.Year)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form.Values.Set("days", holidayLines(days))
	h.View.Render(w, r, http.StatusOK, "holidays", p)
}

// holidayLines writes the days one per line, "2026-10-01 off 国庆节", in date order.
func holidayLines(days []masswork.Holiday) string {
	sort.Slice(days, func(i, j int) bool { return days[i].Day < days[j].Day })
	var b strings.Builder
	for _, d := range days {
		b.WriteString(d.Day + " " + d.Kind)
		if d.Name != "" {
			b.WriteString(" " + d.Name)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// SaveHolidays replaces a year's holidays with the lines of the form.
func (h *Handlers) SaveHolidays(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if !a.SysAdmin {
		h.View.Error(w, r, apperr.ErrDenied)
		return
	}
	p := h.holidaysPage(r, r.PostForm.Get("year"))
	year := p.Year
	var days []masswork.Holiday
	var lines []int // the line of each day, for the errors
	for n, line := range strings.Split(r.PostForm.Get("days"), "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		d := masswork.Holiday{Day: words[0], Kind: "?"}
		if len(words) > 1 {
			if k, ok := holidayKinds[strings.ToLower(words[1])]; ok {
				d.Kind = k
			}
			d.Name = strings.Join(words[2:], " ")
		}
		days = append(days, d)
		lines = append(lines, n+1)
	}
	err = h.Mass.SaveHolidays(r.Context(), a, year, days)
	if err == nil {
		redirect(w, r, "/admin/holidays?year="+strconv.Itoa(year), "flash.saved")
		return
	}
	p.Form = view.NewForm(p.Translator, r.PostForm)
	if e := apperr.As(err); e != nil && len(e.Fields) > 0 {
		p.LineErrors = holidayLineErrors(p.Translator, e.Fields, lines)
	}
	if !p.Form.Fail(err) {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, view.StatusOf(apperr.KindOf(err)), "holidays", p)
}

// holidayLineErrors turns the errors of days.<i>.<column> into messages naming the line.
func holidayLineErrors(tr *view.Translator, fields map[string]string, lines []int) []string {
	type lineErr struct {
		line int
		msg  string
	}
	var out []lineErr
	for k, key := range fields {
		rest, ok := strings.CutPrefix(k, "days.")
		if !ok {
			out = append(out, lineErr{0, tr.T(key)})
			continue
		}
		idx, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if err != nil || n < 0 || n >= len(lines) {
			continue
		}
		out = append(out, lineErr{lines[n], tr.T("matters.holidays_line", map[string]any{"N": lines[n], "Msg": tr.T(key)})})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].line < out[j].line || (out[i].line == out[j].line && out[i].msg < out[j].msg)
	})
	msgs := make([]string, len(out))
	for i, e := range out {
		msgs[i] = e.msg
	}
	return msgs
}

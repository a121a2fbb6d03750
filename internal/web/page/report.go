package page

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/ratelimit"
	"github.com/dangjian/dangjian/internal/web/view"
)

// ReportBodyLimit is the largest body of the public report form: its photos at their largest
// and the text fields beside them.
const ReportBodyLimit = masswork.MaxPhotos*masswork.MaxPhotoSize + 128<<10

// Limits of the public form's text, as the form tells the reporter.
const (
	reportMaxDescription = 4000 // characters
	reportMaxField       = 16 << 10
	reportMaxParts       = 200
	reportSuggestions    = 5
)

// Reports serves the public pages of problems, open to anyone without an account: the report
// form with its suggestions of similar problems, the tracking pages with the reporter's say,
// and report photos. Each client address is rate-limited.
type Reports struct {
	*Handlers
	intake  *ratelimit.Limiter // reports and me-toos filed
	lookup  *ratelimit.Limiter // tracking codes looked up, answers given
	similar *ratelimit.Limiter // suggestions while typing
}

// Rates of the public pages, per client address.
const (
	reportIntakeBurst  = 5
	reportIntakeEvery  = 2 * time.Minute
	reportLookupBurst  = 30
	reportLookupEvery  = 2 * time.Second // 30 a minute
	reportSimilarBurst = 60
	reportSimilarEvery = 500 * time.Millisecond
)

// NewReports returns the public pages of problems served by h.
func NewReports(h *Handlers) *Reports {
	return &Reports{Handlers: h,
		intake:  ratelimit.New(reportIntakeEvery, reportIntakeBurst, h.Now),
		lookup:  ratelimit.New(reportLookupEvery, reportLookupBurst, h.Now),
		similar: ratelimit.New(reportSimilarEvery, reportSimilarBurst, h.Now),
	}
}

// reportClient is the rate-limiting key of a request's client.
func reportClient(r *http.Request) string { return ratelimit.Key(ClientIP(r)) }

// reportPrivate marks a public page that may carry a private key or personal input: it is
// never cached, and no link on it sends its address on as a Referer.
func reportPrivate(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
}

// ReportPage is the public form of an organization: a problem, its place and who reports it,
// or, in its compare step, the open matters like it to join instead.
type ReportPage struct {
	view.Base
	OrgID      int64
	OrgName    string
	Categories []*ReportCategory
	Form       *view.Form
	// PhotoError is the translated error of the photos; PhotosLost says photos were chosen
	// and must be chosen again (a browser never sends a file twice).
	PhotoError string
	PhotosLost bool
	// Compare is the step that shows Suggestions before a new report is filed; Hidden keeps
	// what was typed in it.
	Compare     bool
	Suggestions []*ReportSuggestion
	Hidden      []ReportHidden
	Category    *ReportCategory // the chosen one, in the compare step
	// Limits, for the hints.
	MaxPhotos      int
	MaxPhotoMB     int
	MaxDescription int
}

// ReportCategory is a category of the form, in the page's language, with its extra fields.
type ReportCategory struct {
	ID          int64
	Name        string
	Description string
	Checked     bool
	Fields      []*ReportField
}

// ReportField is one extra field of a category as an input.
type ReportField struct {
	Name     string // the input's name
	Code     string
	Label    string
	Datatype string
	Required bool
	Value    string
	Choices  []view.Option // list fields
	Error    string
}

// ReportSuggestion is a similar open matter, ready to show.
type ReportSuggestion struct {
	*masswork.Suggestion
	Status string // translated
}

// ReportHidden is a value carried through the compare step.
type ReportHidden struct{ Name, Value string }

// reportFieldName names the input of a category's extra field; each category's are apart, so
// that choosing another category leaves them as typed.
func reportFieldName(categoryID int64, code string) string {
	return "attr_" + strconv.FormatInt(categoryID, 10) + "_" + code
}

// reportForm builds the form page of an organization with values.
func (h *Reports) reportForm(r *http.Request, orgID int64, values url.Values) (*ReportPage, error) {
	ctx := r.Context()
	o, cats, err := h.Mass.IntakeForm(ctx, orgID)
	if err != nil {
		return nil, err
	}
	p := &ReportPage{Base: h.View.NewBase(r, "report.title"), OrgID: orgID, OrgName: o.Name,
		MaxPhotos: masswork.MaxPhotos, MaxPhotoMB: masswork.MaxPhotoSize >> 20, MaxDescription: reportMaxDescription}
	p.Form = view.NewForm(p.Translator, values)
	chosen := p.Form.Get("category")
	if chosen == "" && len(cats) == 1 {
		chosen = strconv.FormatInt(cats[0].ID, 10)
		p.Form.Values.Set("category", chosen)
	}
	for _, c := range cats {
		rc := &ReportCategory{ID: c.ID, Name: c.Name(p.Lang), Description: c.Description, Checked: strconv.FormatInt(c.ID, 10) == chosen}
		fields := slices.Clone(c.Fields)
		sort.SliceStable(fields, func(i, j int) bool { return fields[i].Order < fields[j].Order })
		for _, f := range fields {
			rf := &ReportField{Name: reportFieldName(c.ID, f.Code), Code: f.Code, Label: f.Description, Datatype: f.Datatype, Required: f.Required}
			if rf.Label == "" {
				rf.Label = f.Code
			}
			rf.Value = p.Form.Get(rf.Name)
			given := p.Form.Values[rf.Name]
			for _, v := range f.Values {
				rf.Choices = append(rf.Choices, view.Option{Value: v.Key, Label: v.Name, Selected: slices.Contains(given, v.Key)})
			}
			rc.Fields = append(rc.Fields, rf)
		}
		if rc.Checked {
			p.Category = rc
		}
		p.Categories = append(p.Categories, rc)
	}
	return p, nil
}

// ReportForm shows the public form of an organization (GET /report/{id}).
func (h *Reports) ReportForm(w http.ResponseWriter, r *http.Request) {
	orgID, err := idParam(r, "id")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.reportForm(r, orgID, nil)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	reportPrivate(w)
	h.View.Render(w, r, http.StatusOK, "report", p)
}

// reportInput is what a POST of the form carried.
type reportInput struct {
	values   url.Values
	photos   []masswork.PhotoUpload
	tooMany  bool  // more photos than allowed were sent
	readErr  error // the body could not be read to its end
	hadFiles bool
}

// readReport reads the form: a multipart body part by part as it streams in (the photos held
// in memory, each cut one byte beyond its limit so that the check names it), or an ordinary
// form body that the server has parsed already.
func readReport(r *http.Request) *reportInput {
	in := &reportInput{values: url.Values{}}
	mr, err := r.MultipartReader()
	if err != nil {
		for k, v := range r.PostForm {
			in.values[k] = v
		}
		return in
	}
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil && parts >= reportMaxParts {
			err = errors.New("report: too many parts")
		}
		if err != nil {
			in.readErr = err
			break
		}
		name := part.FormName()
		if name == "photo" {
			if part.FileName() == "" {
				continue // an empty file input
			}
			in.hadFiles = true
			if len(in.photos) >= masswork.MaxPhotos {
				in.tooMany = true
				if _, err := io.Copy(io.Discard, part); err != nil {
					in.readErr = err
					break
				}
				continue
			}
			data, err := io.ReadAll(io.LimitReader(part, masswork.MaxPhotoSize+1))
			if err == nil {
				_, err = io.Copy(io.Discard, part)
			}
			if err != nil {
				in.readErr = err
				break
			}
			in.photos = append(in.photos, masswork.PhotoUpload{Name: part.FileName(), Data: data})
			continue
		}
		if part.FileName() != "" {
			io.Copy(io.Discard, part)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, reportMaxField))
		if err != nil {
			in.readErr = err
			break
		}
		in.values.Add(name, string(b))
	}
	return in
}

// reportFrom builds the report from the form and the categories' fields; numbers that do not
// parse are reported by field.
func reportFrom(orgID int64, values url.Values, cat *ReportCategory) (*masswork.Report, *apperr.Validation) {
	var v apperr.Validation
	rep := &masswork.Report{OrgID: orgID, Channel: masswork.ChannelWeb, Description: strings.TrimSpace(values.Get("description")),
		Anonymous: values.Get("anonymous") != ""}
	rep.CategoryID, _ = strconv.ParseInt(values.Get("category"), 10, 64)
	rep.Zone, rep.Booth, rep.Address = strings.TrimSpace(values.Get("zone")), strings.TrimSpace(values.Get("booth")),
		strings.TrimSpace(values.Get("address"))
	if !rep.Anonymous {
		rep.Name, rep.Phone = strings.TrimSpace(values.Get("name")), strings.TrimSpace(values.Get("phone"))
	}
	for _, field := range []string{"latitude", "longitude"} {
		raw := strings.TrimSpace(values.Get(field))
		if raw == "" {
			continue
		}
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			v.Add(field, "error.number")
			continue
		}
		if field == "latitude" {
			rep.Latitude = &x
		} else {
			rep.Longitude = &x
		}
	}
	if me := values.Get("me_too"); me != "" {
		rep.MeToo, _ = strconv.ParseInt(me, 10, 64)
	}
	if cat != nil && cat.ID == rep.CategoryID {
		for _, f := range cat.Fields {
			var given []string
			for _, x := range values[f.Name] {
				if x = strings.TrimSpace(x); x != "" {
					given = append(given, x)
				}
			}
			if len(given) > 0 {
				if rep.Attributes == nil {
					rep.Attributes = map[string][]string{}
				}
				rep.Attributes[f.Code] = given
			}
		}
	}
	return rep, &v
}

// SubmitReport files a report from the public form (POST /report/{id}), or a "me too" on a
// similar matter. A new report first shows the open matters like it, if any (the compare
// step); what is invalid comes back with the input kept and the photos to choose again.
func (h *Reports) SubmitReport(w http.ResponseWriter, r *http.Request) {
	orgID, err := idParam(r, "id")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	reportPrivate(w)
	ctx := r.Context()
	in := readReport(r)
	p, err := h.reportForm(r, orgID, in.values)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.PhotosLost = in.hadFiles
	fail := func(status int, err error) {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.reportFieldErrors(p)
		h.View.Render(w, r, status, "report", p)
	}
	failPhotos := func(err error) {
		e := apperr.As(err)
		if e == nil {
			h.View.Error(w, r, err)
			return
		}
		// The other fields' errors are said at the same time, so that one round fixes all.
		rep, v := reportFrom(orgID, in.values, p.Category)
		verr := v.Err()
		if verr == nil && rep.MeToo == 0 {
			verr = h.Mass.ValidateReport(ctx, nil, rep)
		}
		if verr != nil && p.Form.Fail(verr) {
			h.reportFieldErrors(p)
		}
		p.PhotoError = p.T(e.Key, e.Args)
		p.Form.Message = p.T("error.invalid_form")
		p.Form.Errors["photo"] = e.Key
		h.View.Render(w, r, http.StatusUnprocessableEntity, "report", p)
	}
	if in.readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(in.readErr, &tooBig) {
			failPhotos(&apperr.Error{Kind: apperr.Invalid, Key: "report.error.photos_too_large",
				Args: map[string]any{"MB": ReportBodyLimit >> 20}})
			return
		}
		fail(http.StatusBadRequest, apperr.New(apperr.Invalid, "error.bad_request"))
		return
	}
	if in.values.Get("edit") != "" {
		// Back from the compare step to change what was typed.
		h.View.Render(w, r, http.StatusOK, "report", p)
		return
	}
	if in.tooMany {
		failPhotos(&apperr.Error{Kind: apperr.Invalid, Key: "report.error.photo_count", Args: map[string]any{"Max": masswork.MaxPhotos}})
		return
	}
	photos, err := masswork.CheckPhotos(in.photos)
	if err != nil {
		failPhotos(err)
		return
	}
	rep, v := reportFrom(orgID, in.values, p.Category)
	if err := v.Err(); err != nil {
		fail(http.StatusUnprocessableEntity, err)
		return
	}
	compared := in.values.Get("confirm") != "" || in.values.Get("compared") != ""
	if rep.MeToo == 0 && !compared {
		if err := h.Mass.ValidateReport(ctx, nil, rep); err != nil {
			fail(http.StatusUnprocessableEntity, err)
			return
		}
		sugg, err := h.Mass.SuggestIn(ctx, orgID, rep.CategoryID, rep.Description, rep.Place, reportSuggestions)
		if err != nil {
			h.View.Error(w, r, err)
			return
		}
		if len(sugg) > 0 {
			p.Compare = true
			p.Suggestions = reportSuggestionRows(p, sugg)
			p.Hidden = reportHidden(in.values)
			h.View.Render(w, r, http.StatusOK, "report", p)
			return
		}
	}
	if !h.intake.Allow(reportClient(r)) {
		fail(http.StatusTooManyRequests, &apperr.Error{Kind: apperr.Locked, Key: "report.error.rate",
			Args: map[string]any{"Minutes": int(reportIntakeEvery / time.Minute)}})
		return
	}
	receipt, err := h.Mass.Submit(ctx, nil, rep)
	if err != nil {
		fail(http.StatusUnprocessableEntity, err)
		return
	}
	// The receipt is a page of its own the form redirects to, so that reloading it files
	// nothing again.
	to := "/t/" + receipt.Code + "/receipt?k=" + url.QueryEscape(receipt.Key)
	if len(photos) > 0 {
		if err := h.Mass.AttachPhotos(ctx, receipt.Code, receipt.Key, photos); err != nil {
			to += "&photos_failed=1"
		} else {
			to += "&photos=" + strconv.Itoa(len(photos))
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// Receipt shows the receipt of a report just filed (GET /t/{code}/receipt?k=): the code in
// large digits, the private link and what became of the photos. Only the holder of the
// private key sees it; anyone else is sent to the code's public page.
func (h *Reports) Receipt(w http.ResponseWriter, r *http.Request) {
	reportPrivate(w)
	if !h.lookup.Allow(reportClient(r)) {
		h.trackLimited(w, r)
		return
	}
	code, ok := masswork.ParseCode(r.PathValue("code"))
	if !ok {
		h.trackError(w, r, apperr.ErrNotFound)
		return
	}
	q := r.URL.Query()
	key := q.Get("k")
	if utf8.RuneCountInString(key) > 200 {
		key = ""
	}
	t, err := h.Mass.Track(r.Context(), code, key)
	if err != nil {
		h.trackError(w, r, err)
		return
	}
	if !t.Owner || t.Problem == nil {
		http.Redirect(w, r, "/t/"+code, http.StatusSeeOther)
		return
	}
	rp := &ReceiptPage{Base: h.View.NewBase(r, "report.receipt_title"), Code: code, Grouped: masswork.FormatCode(code),
		MeToo: t.Problem.Kind == masswork.KindMeToo, Anonymous: t.Problem.Anonymous}
	rp.Path = trackPath(code, key)
	rp.Link = h.publicBase(r) + rp.Path
	if rp.MeToo {
		rp.Matter = t.Matter // the matter joined, with its people now
	}
	rp.Photos, _ = strconv.Atoi(q.Get("photos"))
	rp.Photos = min(max(rp.Photos, 0), masswork.MaxPhotos)
	rp.PhotosFailed = q.Get("photos_failed") != ""
	h.View.Render(w, r, http.StatusOK, "report_receipt", rp)
}

// reportFieldErrors moves the errors the service names by its own field names onto the
// form's inputs: the category, the chosen category's extra fields ("attribute.<code>"), and
// a "me too" that could not join (said at the top of the form).
func (h *Reports) reportFieldErrors(p *ReportPage) {
	errs := p.Form.Errors
	if k, ok := errs["category_id"]; ok {
		errs["category"] = k
	}
	if k, ok := errs["me_too"]; ok {
		p.Form.Message = p.T(k)
	}
	if k, ok := errs["org_id"]; ok && len(errs) == 1 {
		p.Form.Message = p.T(k)
	}
	if p.Category == nil {
		return
	}
	for _, f := range p.Category.Fields {
		if k, ok := errs["attribute."+f.Code]; ok {
			f.Error = p.T(k)
		}
	}
}

// reportSuggestionRows translates the statuses of suggestions.
func reportSuggestionRows(p *ReportPage, sugg []*masswork.Suggestion) []*ReportSuggestion {
	out := make([]*ReportSuggestion, len(sugg))
	for i, s := range sugg {
		out[i] = &ReportSuggestion{Suggestion: s, Status: p.T("matter.status." + s.Status)}
	}
	return out
}

// reportHidden lists what was typed, to carry through the compare step.
func reportHidden(values url.Values) []ReportHidden {
	names := make([]string, 0, len(values))
	for k := range values {
		switch k {
		case "me_too", "confirm", "compared", "edit":
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	var out []ReportHidden
	for _, k := range names {
		for _, v := range values[k] {
			out = append(out, ReportHidden{Name: k, Value: v})
		}
	}
	return out
}

// ReceiptPage is what a reporter gets back: the tracking code to read out, and the private
// link to keep.
type ReceiptPage struct {
	view.Base
	Code         string
	Grouped      string // in groups of four
	Link         string // the private link, in full
	MeToo        bool
	Anonymous    bool
	Matter       *masswork.Matter
	Photos       int
	PhotosFailed bool
}

// SimilarPage is the fragment of suggestions the form loads while the reporter types.
type SimilarPage struct {
	view.Base
	Suggestions []*ReportSuggestion
}

// ReportSimilar answers the form's question while the reporter types (GET
// /report/{id}/similar?category=&description=&zone=&booth=): a fragment listing up to five
// similar open matters, each with a "me too" button of the form.
func (h *Reports) ReportSimilar(w http.ResponseWriter, r *http.Request) {
	orgID, err := idParam(r, "id")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if !h.similar.Allow(reportClient(r)) {
		w.WriteHeader(http.StatusTooManyRequests) // htmx keeps what it showed
		return
	}
	q := r.URL.Query()
	p := &SimilarPage{Base: h.View.NewBase(r, "report.title")}
	catID, _ := strconv.ParseInt(q.Get("category"), 10, 64)
	text := strings.TrimSpace(q.Get("description"))
	if utf8.RuneCountInString(text) > reportMaxDescription {
		text = string([]rune(text)[:reportMaxDescription])
	}
	if catID > 0 && utf8.RuneCountInString(text) >= 2 {
		sugg, err := h.Mass.SuggestIn(r.Context(), orgID, catID, text, masswork.Place{Zone: q.Get("zone"), Booth: q.Get("booth")}, reportSuggestions)
		if err != nil && apperr.KindOf(err) == apperr.Internal {
			h.View.Error(w, r, err)
			return
		}
		p.Suggestions = reportSuggestionRows(&ReportPage{Base: p.Base}, sugg)
	}
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "report_similar", p)
}

// trackPath is the path of a report's private link.
func trackPath(code, key string) string {
	return "/t/" + code + "?k=" + url.QueryEscape(key)
}

// sendReportPhoto sends a report photo with the type it was stored under (sniffed at upload),
// never sniffed again by the browser, inline and sandboxed, so that nothing in it can run on
// this origin.
func sendReportPhoto(w http.ResponseWriter, r *http.Request, ph *masswork.Photo, thumb bool) {
	ct, data, etag := ph.ContentType, ph.Data, `"`+ph.SHA256+`"`
	if thumb {
		ct, data, etag = "image/jpeg", ph.Thumb, `"`+ph.SHA256+`-t"`
	}
	hdr := w.Header()
	hdr.Set("Content-Type", ct)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hdr.Set("Referrer-Policy", "no-referrer")
	if d := mime.FormatMediaType("inline", map[string]string{"filename": ph.Name}); d != "" {
		hdr.Set("Content-Disposition", d)
	} else {
		hdr.Set("Content-Disposition", "inline")
	}
	hdr.Set("ETag", etag)
	hdr.Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, "", ph.CreatedAt, bytes.NewReader(data))
}

// MatterPhoto sends a report photo to staff who may see its matter (GET
// /matters/{id}/photos/{pid}); MatterPhotoThumb sends its thumbnail.
func (h *Reports) MatterPhoto(w http.ResponseWriter, r *http.Request) { h.matterPhoto(w, r, false) }

// MatterPhotoThumb sends the thumbnail of a report photo to staff.
func (h *Reports) MatterPhotoThumb(w http.ResponseWriter, r *http.Request) { h.matterPhoto(w, r, true) }

func (h *Reports) matterPhoto(w http.ResponseWriter, r *http.Request, thumb bool) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pid, err := idParam(r, "pid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ph, err := h.Mass.Photo(r.Context(), a, pid, thumb)
	if err == nil && ph.MatterID != id {
		err = apperr.ErrNotFound
	}
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	sendReportPhoto(w, r, ph, thumb)
}

package page

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/view"
)

// reportMaxComment bounds the reporter's comment with their say.
const reportMaxComment = 1000

// TrackPage is the public progress of a matter by a tracking code and, for the holder of the
// private link, their own report, photos and say.
type TrackPage struct {
	view.Base
	Code     string // the code looked up
	Grouped  string
	Key      string // the private key, when it matched
	BadKey   bool   // a key was given and did not match
	Info     *masswork.Tracking
	Heading  string // the matter's public title, or its category when the title is withheld
	Category string
	Status   string
	Events   []*TrackEvent
	// ResponseDue and ResolveDue are the deadlines as the page shows them: the last day.
	ResponseDue string
	ResolveDue  string
	Photos      []*masswork.Photo
	// Fields are the extra fields of the owner's report: the question and the answer.
	Fields []MatterField
	// Ask says the form of the reporter's say is shown.
	Ask       bool
	Form      *view.Form
	Ratings   []view.Option
	Answered  bool // the say was given in this round
	Rating    string
	Reopened  bool // the matter went back to handling after a dissatisfied answer
	CodeEntry *view.Form
	NotFound  bool
}

// TrackEvent is one entry of the public timeline, translated.
type TrackEvent struct {
	*masswork.Event
	Label string
}

// TrackLookup shows the box to type a tracking code in (GET /t), and goes to the code's page
// when one was typed (GET /t?code=).
func (h *Reports) TrackLookup(w http.ResponseWriter, r *http.Request) {
	raw := strings.TrimSpace(r.URL.Query().Get("code"))
	p := &TrackPage{Base: h.View.NewBase(r, "track.title")}
	p.CodeEntry = view.NewForm(p.Translator, url.Values{"code": {raw}})
	status := http.StatusOK
	if raw != "" {
		if code, ok := masswork.ParseCode(raw); ok {
			http.Redirect(w, r, "/t/"+code, http.StatusSeeOther)
			return
		}
		p.CodeEntry.Errors["code"] = "track.error.code"
		status = http.StatusUnprocessableEntity
	}
	reportPrivate(w)
	h.View.Render(w, r, status, "track_lookup", p)
}

// Track shows a matter's public progress by a code (GET /t/{code}); with the private key of
// a report (?k=) also the reporter's own report and the form of their say.
func (h *Reports) Track(w http.ResponseWriter, r *http.Request) {
	reportPrivate(w)
	if !h.lookup.Allow(reportClient(r)) {
		h.trackLimited(w, r)
		return
	}
	p, err := h.trackPage(r, r.PathValue("code"), r.URL.Query().Get("k"))
	if err != nil {
		h.trackError(w, r, err)
		return
	}
	if p.Ask {
		p.Form = view.NewForm(p.Translator, nil)
	}
	h.View.Render(w, r, http.StatusOK, "track", p)
}

// trackLimited answers a client that looked up too many codes.
func (h *Reports) trackLimited(w http.ResponseWriter, r *http.Request) {
	h.View.Error(w, r, &apperr.Error{Kind: apperr.Locked, Key: "track.error.rate"})
}

// trackError shows a code that names nothing as a page to try another; other errors as such.
func (h *Reports) trackError(w http.ResponseWriter, r *http.Request, err error) {
	if apperr.KindOf(err) != apperr.NotFound {
		h.View.Error(w, r, err)
		return
	}
	p := &TrackPage{Base: h.View.NewBase(r, "track.not_found_title"), NotFound: true}
	p.CodeEntry = view.NewForm(p.Translator, nil)
	h.View.Render(w, r, http.StatusNotFound, "track_lookup", p)
}

// trackPage builds the tracking page of a code with a key.
func (h *Reports) trackPage(r *http.Request, raw, key string) (*TrackPage, error) {
	code, ok := masswork.ParseCode(raw)
	if !ok {
		return nil, apperr.ErrNotFound
	}
	if utf8.RuneCountInString(key) > 200 {
		key = ""
	}
	ctx := r.Context()
	t, err := h.Mass.Track(ctx, code, key)
	if err != nil {
		return nil, err
	}
	p := &TrackPage{Base: h.View.NewBase(r, "track.title"), Code: code, Grouped: masswork.FormatCode(code), Info: t,
		BadKey: key != "" && !t.Owner}
	m := t.Matter
	switch {
	case t.Category != nil:
		p.Category = t.Category.Name(p.Lang)
	case p.Lang == "en" && m.CategoryNameEn != "":
		p.Category = m.CategoryNameEn
	default:
		p.Category = m.CategoryName
	}
	p.Status = p.T("matter.status." + m.Status)
	p.ResponseDue, p.ResolveDue = matterDueText(m.ResponseDue, p.Zone), matterDueText(m.ResolveDue, p.Zone)
	p.Heading = m.Title
	if p.Heading == "" {
		p.Heading = p.Category + " · " + p.T("track.withheld")
	}
	p.Title = p.Heading
	for _, e := range t.Events {
		if !e.Public {
			continue // never an internal note, whatever a service gives
		}
		p.Events = append(p.Events, &TrackEvent{Event: e, Label: p.T("matter.event." + e.Kind)})
	}
	for _, e := range p.Events {
		if e.Kind == masswork.EventReopened {
			p.Reopened = m.Status != masswork.StatusResolved && masswork.Open(m.Status)
		}
	}
	if t.Owner {
		p.Key = key
		// The language switch comes back to the private page.
		p.Path = trackPath(code, key)
		if p.Photos, err = h.Mass.OwnerPhotos(ctx, code, key); err != nil {
			return nil, err
		}
		if t.Problem != nil && t.Category != nil {
			for _, f := range t.Category.Fields {
				if vals := t.Problem.Attributes[f.Code]; len(vals) > 0 {
					label := f.Description
					if label == "" {
						label = f.Code
					}
					answer := make([]string, 0, len(vals))
					for _, v := range vals {
						name := v
						for _, fv := range f.Values {
							if fv.Key == v {
								name = fv.Name
							}
						}
						answer = append(answer, name)
					}
					p.Fields = append(p.Fields, MatterField{Question: label, Answer: strings.Join(answer, "、")})
				}
			}
		}
		if fb := t.Feedback; fb != nil {
			if fb.AnsweredAt.IsZero() {
				p.Ask = m.Status == masswork.StatusResolved
			} else {
				p.Answered, p.Rating = true, fb.Rating
			}
		}
	}
	p.Ratings = p.Options("matter.rating.", []string{masswork.RatingSatisfied, masswork.RatingBasic, masswork.RatingDissatisfied}, "")
	return p, nil
}

// AnswerTrack records the reporter's say from their private page (POST /t/{code}/answer, the
// key in the form): solved or not, satisfied, basically satisfied or dissatisfied, and a
// comment. A dissatisfied answer sends the matter back to be handled again.
func (h *Reports) AnswerTrack(w http.ResponseWriter, r *http.Request) {
	reportPrivate(w)
	if !h.lookup.Allow(reportClient(r)) {
		h.trackLimited(w, r)
		return
	}
	f := r.PostForm
	key := f.Get("k")
	code, ok := masswork.ParseCode(r.PathValue("code"))
	if !ok || key == "" {
		h.trackError(w, r, apperr.ErrNotFound)
		return
	}
	var v apperr.Validation
	var solved bool
	switch f.Get("solved") {
	case "yes":
		solved = true
	case "no":
	default:
		v.Add("solved", "track.error.solved")
	}
	rating := f.Get("rating")
	switch rating {
	case masswork.RatingSatisfied, masswork.RatingBasic, masswork.RatingDissatisfied:
	default:
		v.Add("rating", "matter.error.rating")
	}
	comment := strings.TrimSpace(f.Get("comment"))
	if utf8.RuneCountInString(comment) > reportMaxComment {
		v.Add("comment", "error.too_long")
	}
	err := v.Err()
	if err == nil {
		err = h.Mass.Answer(r.Context(), code, key, solved, rating, comment)
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			h.trackError(w, r, err)
			return
		}
		p, perr := h.trackPage(r, code, key)
		if perr != nil {
			h.trackError(w, r, perr)
			return
		}
		p.Form = view.NewForm(p.Translator, f)
		delete(p.Form.Values, "k")
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		p.Ratings = p.Options("matter.rating.", []string{masswork.RatingSatisfied, masswork.RatingBasic, masswork.RatingDissatisfied}, rating)
		p.Ask = p.Ask || p.Form.Message != ""
		h.View.Render(w, r, http.StatusUnprocessableEntity, "track", p)
		return
	}
	flash := "flash.track_answered"
	if rating == masswork.RatingDissatisfied {
		flash = "flash.track_reopened"
	}
	redirect(w, r, trackPath(code, key), flash)
}

// TrackPhoto sends a photo of a report to the holder of its private link (GET
// /t/{code}/photos/{pid}?k=); another report's photo, or a wrong key, is not found.
func (h *Reports) TrackPhoto(w http.ResponseWriter, r *http.Request) { h.trackPhoto(w, r, false) }

// TrackPhotoThumb sends the thumbnail of a photo of a report to the holder of its link.
func (h *Reports) TrackPhotoThumb(w http.ResponseWriter, r *http.Request) { h.trackPhoto(w, r, true) }

func (h *Reports) trackPhoto(w http.ResponseWriter, r *http.Request, thumb bool) {
	pid, err := idParam(r, "pid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ph, err := h.Mass.OwnerPhoto(r.Context(), r.PathValue("code"), r.URL.Query().Get("k"), pid, thumb)
	if err != nil {
		// A wrong key or code says nothing of whether the code exists (both are not found)
		// and a key cannot be guessed; still, a failure counts against the client's lookups.
		h.lookup.Allow(reportClient(r))
		reportPrivate(w)
		h.View.Error(w, r, err)
		return
	}
	sendReportPhoto(w, r, ph, thumb)
}

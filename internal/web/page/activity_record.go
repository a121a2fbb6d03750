package page

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/web/view"
)

// RecordPage shows an activity's record: its text rendered, or the form to write it; the
// approval; the amendments; the photos and files with the upload form.
type RecordPage struct {
	view.Base
	Activity    *activity.Activity
	View        *activity.RecordView
	Record      *activity.Record // nil when the caller may not read it yet
	Sections    []*RecordSection
	FieldNames  []string // the fields of the form
	Photos      []*activity.File
	Docs        []*FileRow
	Form        *view.Form // the draft's text, or the amendment
	Decide      *view.Form // approve or return
	Upload      *view.Form
	ShowLecture bool // the activity has a lecture, or its summary was written
	CanUpload   bool
	CanDelete   bool
	MaxMB       int
	MaxFiles    int
	Accept      string
}

// RecordSection is one field of the record, rendered.
type RecordSection struct {
	Field string
	HTML  template.HTML
}

// FileRow is a document in the list of files.
type FileRow struct {
	*activity.File
	Kind string // pdf, docx, xlsx, pptx, image
	Size string
}

// fileKinds names each accepted type for the list.
var fileKinds = map[string]string{activity.TypePDF: "pdf", activity.TypeDOCX: "docx", activity.TypeXLSX: "xlsx", activity.TypePPTX: "pptx"}

// humanSize writes a byte count the way phones do: 820 KB, 2.4 MB.
func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatInt((n+1<<9)>>10, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

// uploadAccept is the accept attribute of the file input: the types the server takes.
const uploadAccept = "image/jpeg,image/png,image/gif,image/webp,application/pdf,.docx,.xlsx,.pptx"

func (h *Handlers) recordPage(r *http.Request) (*RecordPage, error) {
	a, id, err := actorID(r)
	if err != nil {
		return nil, err
	}
	v, err := h.Activity.Record(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	act := v.Activity
	p := &RecordPage{Base: h.View.NewBase(r, "record.title"), Activity: act, View: v, Record: v.Record,
		MaxMB: activity.MaxFileSize >> 20, MaxFiles: activity.MaxFiles, Accept: uploadAccept}
	p.NavItem = "activities"
	p.Title = p.T("record.title") + " · " + act.Title
	p.Form, p.Decide, p.Upload = view.NewForm(p.Translator, nil), view.NewForm(p.Translator, nil), view.NewForm(p.Translator, nil)
	p.ShowLecture = act.HasType("party_lecture") || act.Lecturer != ""
	if rec := v.Record; rec != nil {
		p.ShowLecture = p.ShowLecture || rec.LectureSummary != ""
		for _, f := range activity.RecordFields {
			if text := rec.Field(f); text != "" {
				p.Sections = append(p.Sections, &RecordSection{Field: f, HTML: template.HTML(activity.MarkdownHTML(text))})
			}
			p.Form.Values.Set(f, rec.Field(f))
		}
		p.Form.Values.Set("version", strconv.Itoa(rec.Version))
		p.Decide.Values.Set("version", strconv.Itoa(rec.Version))
	}
	for _, f := range activity.RecordFields {
		if f != "lecture_summary" || p.ShowLecture {
			p.FieldNames = append(p.FieldNames, f)
		}
	}
	for _, f := range v.Files {
		if f.IsImage() && f.HasThumb {
			p.Photos = append(p.Photos, f)
			continue
		}
		kind := fileKinds[f.ContentType]
		if kind == "" {
			kind = "image"
		}
		p.Docs = append(p.Docs, &FileRow{File: f, Kind: kind, Size: humanSize(f.Size)})
	}
	p.CanUpload = (v.CanEdit || v.CanAmend) && len(v.Files) < activity.MaxFiles
	p.CanDelete = v.CanEdit
	return p, nil
}

// ShowRecord renders an activity's record.
func (h *Handlers) ShowRecord(w http.ResponseWriter, r *http.Request) {
	p, err := h.recordPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "activity_record", p)
}

// rerenderRecord shows the record page again with a failed form's input and errors; which
// names the form: "text", "decide" or "upload".
func (h *Handlers) rerenderRecord(w http.ResponseWriter, r *http.Request, which string, values url.Values, err error) {
	p, perr := h.recordPage(r)
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	f := p.Form
	switch which {
	case "decide":
		f = p.Decide
	case "upload":
		f = p.Upload
	}
	if values != nil {
		// What was typed comes back, with the version it was made from: after someone else's
		// change the form says so, and the text is there to copy before reloading.
		f.Values = values
	}
	if !f.Fail(err) {
		h.View.Error(w, r, err)
		return
	}
	status := view.StatusOf(apperr.KindOf(err))
	if status == http.StatusInternalServerError {
		status = http.StatusUnprocessableEntity
	}
	h.View.Render(w, r, status, "activity_record", p)
}

func recordURL(id int64) string { return "/activities/" + strconv.FormatInt(id, 10) + "/record" }

// recordText reads the text fields of a record form.
func recordText(f url.Values) activity.RecordText {
	return activity.RecordText{Minutes: f.Get("minutes"), Resolutions: f.Get("resolutions"),
		LectureSummary: f.Get("lecture_summary"), Summary: f.Get("summary"), Version: atoi(f.Get("version"))}
}

// SaveRecord saves the draft's text.
func (h *Handlers) SaveRecord(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if _, err := h.Activity.SaveRecord(r.Context(), a, id, recordText(r.PostForm)); err != nil {
		h.rerenderRecord(w, r, "text", r.PostForm, err)
		return
	}
	redirect(w, r, recordURL(id), "flash.record_saved")
}

// SubmitRecord saves the draft's text, when the form carries it, and sends the record for
// approval.
func (h *Handlers) SubmitRecord(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	version := atoi(r.PostForm.Get("version"))
	if _, ok := r.PostForm["minutes"]; ok {
		rec, err := h.Activity.SaveRecord(r.Context(), a, id, recordText(r.PostForm))
		if err != nil {
			h.rerenderRecord(w, r, "text", r.PostForm, err)
			return
		}
		version = rec.Version
	}
	if err := h.Activity.SubmitRecord(r.Context(), a, id, version); err != nil {
		h.rerenderRecord(w, r, "text", nil, err)
		return
	}
	redirect(w, r, recordURL(id), "flash.record_submitted")
}

// ApproveRecord approves a submitted record.
func (h *Handlers) ApproveRecord(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Activity.ApproveRecord(r.Context(), a, id, atoi(r.PostForm.Get("version"))); err != nil {
		h.rerenderRecord(w, r, "decide", nil, err)
		return
	}
	redirect(w, r, recordURL(id), "flash.record_approved")
}

// ReturnRecord sends a submitted record back with a reason.
func (h *Handlers) ReturnRecord(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	f := r.PostForm
	if err := h.Activity.ReturnRecord(r.Context(), a, id, atoi(f.Get("version")), f.Get("reason")); err != nil {
		h.rerenderRecord(w, r, "decide", f, err)
		return
	}
	redirect(w, r, recordURL(id), "flash.record_returned")
}

// AmendRecord corrects an approved record.
func (h *Handlers) AmendRecord(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if _, err := h.Activity.AmendRecord(r.Context(), a, id, recordText(r.PostForm), r.PostForm.Get("reason")); err != nil {
		h.rerenderRecord(w, r, "text", r.PostForm, err)
		return
	}
	redirect(w, r, recordURL(id), "flash.record_amended")
}

package page

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/roster"
	"github.com/dangjian/dangjian/internal/web/view"
)

// ImportUploadPage is the first step of the import wizard: choose the file and the default
// organization.
type ImportUploadPage struct {
	view.Base
	Form    *view.Form
	Orgs    []*org.Organization
	MaxRows int
	MaxMB   int
}

func (h *Handlers) importUploadPage(r *http.Request) (*ImportUploadPage, error) {
	a, err := actor(r)
	if err != nil {
		return nil, err
	}
	tree, err := h.Org.Tree(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := &ImportUploadPage{Base: h.View.NewBase(r, "import.title"), MaxRows: roster.MaxRows, MaxMB: roster.MaxFileSize >> 20}
	p.NavItem = "people"
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			p.Orgs = append(p.Orgs, o)
		}
	}
	if len(p.Orgs) == 0 {
		return nil, apperr.ErrDenied
	}
	return p, nil
}

// ImportUpload shows the upload form.
func (h *Handlers) ImportUpload(w http.ResponseWriter, r *http.Request) {
	p, err := h.importUploadPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, r.URL.Query())
	h.View.Render(w, r, http.StatusOK, "import_upload", p)
}

// ImportSubmit parses the uploaded roster and stores the preview; nothing is written to the
// register yet.
func (h *Handlers) ImportSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := h.importUploadPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Form = view.NewForm(p.Translator, nil)
	fail := func(field, key string) {
		p.Form.Errors[field] = key
		p.Form.Message = p.T("error.invalid_form")
		h.View.Render(w, r, http.StatusUnprocessableEntity, "import_upload", p)
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail("file", "error.import_too_large")
			return
		}
		fail("file", "error.import_no_file")
		return
	}
	defer r.MultipartForm.RemoveAll()
	p.Form.Values.Set("org_id", r.FormValue("org_id"))
	file, header, err := r.FormFile("file")
	if err != nil {
		fail("file", "error.import_no_file")
		return
	}
	defer file.Close()
	sheet, err := roster.Parse(file)
	if err != nil {
		key := err.Error()
		if !strings.HasPrefix(key, "error.") {
			key = "error.import_format"
		}
		fail("file", key)
		return
	}
	a, _ := actor(r)
	orgID, _ := strconv.ParseInt(r.FormValue("org_id"), 10, 64)
	im, err := h.Org.PreviewImport(r.Context(), a, orgID, filepath.Base(header.Filename), sheet)
	if err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		if p.Form.Errors["org_id"] != "" {
			p.Form.Message = p.T("error.invalid_form")
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "import_upload", p)
		return
	}
	redirect(w, r, "/imports/"+strconv.FormatInt(im.ID, 10), "")
}

// ImportPage previews an import, then follows its job.
type ImportPage struct {
	view.Base
	Import     *org.Import
	Rows       []org.ImportRow
	OnlyErrors bool
	Page       int
	Pages      int
	Percent    int
	Running    bool
}

const importPageSize = 100

func (h *Handlers) loadImport(r *http.Request) (*ImportPage, error) {
	a, err := actor(r)
	if err != nil {
		return nil, err
	}
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	im, err := h.Org.Import(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := &ImportPage{Base: h.View.NewBase(r, "import.title"), Import: im}
	p.NavItem = "people"
	p.Running = im.Status == org.ImportQueued || im.Status == org.ImportRunning
	if im.TotalRows > 0 {
		p.Percent = im.DoneRows * 100 / im.TotalRows
	}
	return p, nil
}

// ShowImport renders the preview (every row, with its errors, 100 a page) or the progress.
func (h *Handlers) ShowImport(w http.ResponseWriter, r *http.Request) {
	p, err := h.loadImport(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	p.OnlyErrors = q.Get("errors") == "1" || (q.Get("errors") == "" && p.Import.ErrorRows > 0)
	rows := p.Import.Rows
	if p.OnlyErrors {
		rows = nil
		for _, row := range p.Import.Rows {
			if len(row.Errors) > 0 {
				rows = append(rows, row)
			}
		}
	}
	p.Page = max(atoi(q.Get("page")), 1)
	p.Pages = max((len(rows)+importPageSize-1)/importPageSize, 1)
	start := min((p.Page-1)*importPageSize, len(rows))
	p.Rows = rows[start:min(start+importPageSize, len(rows))]
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "import", p)
}

// ImportProgress is the htmx fragment that refreshes the progress bar.
func (h *Handlers) ImportProgress(w http.ResponseWriter, r *http.Request) {
	p, err := h.loadImport(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.View.Render(w, r, http.StatusOK, "import_progress", p)
}

// StartImport queues the import's job.
func (h *Handlers) StartImport(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Org.StartImport(r.Context(), a, id); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/imports/"+strconv.FormatInt(id, 10), "flash.import_started")
}

// CancelImport drops a previewed import.
func (h *Handlers) CancelImport(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Org.CancelImport(r.Context(), a, id); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, "/people/import", "flash.import_cancelled")
}

// ImportTemplate sends the roster template.
func (h *Handlers) ImportTemplate(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := roster.WriteTemplate(&buf); err != nil {
		h.View.Error(w, r, err)
		return
	}
	sendXLSX(w, "人员名册导入模板.xlsx", "roster-template.xlsx", buf.Bytes())
}

// sendXLSX sends a workbook as a download with an RFC 6266 file name.
func sendXLSX(w http.ResponseWriter, name, asciiName string, data []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+asciiName+`"; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

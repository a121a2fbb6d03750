package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
)

// ImportStatus is the progress of a roster import (schema ImportStatus in the OpenAPI
// document).
type ImportStatus struct {
	ID         int64         `json:"id"`
	OrgID      int64         `json:"org_id"`
	FileName   string        `json:"file_name"`
	Status     string        `json:"status"` // preview, queued, running, done, failed, cancelled
	TotalRows  int           `json:"total_rows"`
	DoneRows   int           `json:"done_rows"`
	ErrorRows  int           `json:"error_rows"`
	Failure    string        `json:"failure"`
	Errors     []ImportError `json:"errors,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
	FinishedAt *time.Time    `json:"finished_at"`
}

// ImportError is one refused row of an import: the field at fault and the message in the
// caller's language.
type ImportError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// getImport answers GET /imports/{id}: the status of a roster import the caller uploaded or
// administers, with every row error of its preview in the caller's language.
func (h *Handler) getImport(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	im, err := h.org.Import(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	tr := h.translator(r, a.Locale)
	out := ImportStatus{ID: im.ID, OrgID: im.OrgID, FileName: im.Filename, Status: im.Status, TotalRows: im.TotalRows,
		DoneRows: im.DoneRows, ErrorRows: im.ErrorRows, CreatedAt: im.CreatedAt, UpdatedAt: im.UpdatedAt}
	if im.Failure != "" {
		out.Failure = tr.T(im.Failure)
	}
	if !im.FinishedAt.IsZero() {
		out.FinishedAt = &im.FinishedAt
	}
	for _, row := range im.Rows {
		for _, field := range sortedKeys(row.Errors) {
			out.Errors = append(out.Errors, ImportError{Row: row.Line, Field: field, Message: tr.T(row.Errors[field])})
		}
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

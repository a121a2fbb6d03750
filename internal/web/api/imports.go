package api

import (
	"net/http"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

// ImportStatus is the progress of a roster import (schema ImportStatus in the OpenAPI
// document). The import feature fills it; until then no import exists and the endpoint
// answers 404.
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

// getImport answers GET /imports/{id}. Roster imports are not wired to the API yet, so every
// ID is not found, after the same token check as every other endpoint.
func (h *Handler) getImport(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	if _, err := pathID(r); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.fail(w, r, a.Locale, apperr.ErrNotFound)
}

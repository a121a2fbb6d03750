package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
)

// Nullable is a body field that tells "left out" from null: Set is true when the field was
// sent, Value is nil when it was sent as null. PATCH bodies use it for references that may be
// removed (a site, a host) and for coordinates.
type Nullable[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON records that the field was sent, and its value unless null.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		n.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// orZero returns the value, or T's zero value when left out or null.
func (n Nullable[T]) orZero() T {
	var zero T
	if n.Value == nil {
		return zero
	}
	return *n.Value
}

// pathInt parses the named path value as a positive integer; anything else is not found.
func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// invalid is a 422 naming one field, for a body that is well-formed JSON but breaks a rule
// the handler checks before calling the service (a required field left out).
func invalid(field, key string) error {
	return &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{field: key}}
}

// idOrNull returns a reference as the API shows it: null for none (0).
func idOrNull(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// timeOrNull returns an instant in zone, or null when it is unset.
func timeOrNull(t time.Time, zone *time.Location) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.In(zone)
	return &t
}

// Limits of a page of a list that pages by limit and offset.
const (
	defaultLimit = 50
	maxLimit     = 200
	maxOffset    = 1_000_000_000
)

// limitOffset parses ?limit= (1 to 200, default 50) and ?offset= (0 or more), adding a
// message for each malformed one to fields.
func limitOffset(r *http.Request, fields map[string]string) (limit, offset int) {
	q := r.URL.Query()
	limit = defaultLimit
	if s := q.Get("limit"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > maxLimit {
			fields["limit"] = "api.per_page"
		} else {
			limit = n
		}
	}
	if s := q.Get("offset"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 0 || n > maxOffset {
			fields["offset"] = "api.wrong_type"
		} else {
			offset = n
		}
	}
	return limit, offset
}

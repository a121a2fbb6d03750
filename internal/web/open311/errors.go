package open311

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
)

// Error is one entry of GeoReport v2's error list: a code and the message key of its
// description, with the message's arguments as name, value pairs. Code is the HTTP status
// the error calls for (404, 403 or 400) or, where the spec allows a code more specific than
// the status, that code (429 too many requests, 500 a fault of ours); see status.
type Error struct {
	Code int
	Key  string
	Args []any
}

func (e *Error) Error() string { return "open311: " + e.Key }

// newError returns an error with a code and message key.
func newError(code int, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// status is the HTTP status of a list of errors. GeoReport v2 fixes it: 403 for a missing or
// invalid api_key, 404 for an unknown resource, 400 for anything else, whatever the codes in
// the body say.
func status(errs []*Error) int {
	has := func(code int) bool {
		return slices.ContainsFunc(errs, func(e *Error) bool { return e.Code == code })
	}
	switch {
	case has(http.StatusForbidden):
		return http.StatusForbidden
	case has(http.StatusNotFound):
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// Codes in the body more specific than the status.
const (
	codeTooMany  = http.StatusTooManyRequests
	codeInternal = http.StatusInternalServerError
	codeConflict = http.StatusConflict
	codeMethod   = http.StatusMethodNotAllowed
)

// fieldParams names, in Open311's words, the fields the mass-work service reports errors on.
var fieldParams = map[string]string{
	"category":    "service_code",
	"category_id": "service_code",
	"latitude":    "lat",
	"longitude":   "long",
	"address":     "address_string",
	"booth":       "address_id",
	"name":        "first_name",
}

// param returns the Open311 parameter of a service field: attributes keep the attribute[...]
// form.
func param(field string) string {
	if p, ok := fieldParams[field]; ok {
		return p
	}
	if code, ok := strings.CutPrefix(field, "attribute."); ok {
		return "attribute[" + code + "]"
	}
	return field
}

// fromService turns an error of the mass-work service into Open311 errors: each invalid
// field its own entry, not found 404, a refused key 403, a fault of ours 400 with code 500
// (internal reports whether it was one, for the log).
func fromService(err error) (errs []*Error, internal bool) {
	var oe *Error
	if errors.As(err, &oe) {
		return []*Error{oe}, false
	}
	e := apperr.As(err)
	if e == nil {
		return []*Error{newError(codeInternal, "open311.error.internal")}, true
	}
	switch e.Kind {
	case apperr.Invalid:
		if len(e.Fields) == 0 {
			return []*Error{{Code: http.StatusBadRequest, Key: e.Key, Args: argPairs(e.Args)}}, false
		}
		fields := make([]string, 0, len(e.Fields))
		for f := range e.Fields {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			errs = append(errs, newError(http.StatusBadRequest, "open311.error.field", "Param", param(f), "MessageKey", e.Fields[f]))
		}
		return errs, false
	case apperr.NotFound:
		return []*Error{newError(http.StatusNotFound, "open311.error.not_found")}, false
	case apperr.Unauthorized, apperr.Forbidden:
		return []*Error{newError(http.StatusForbidden, "open311.error.api_key_invalid")}, false
	case apperr.Locked:
		return []*Error{{Code: codeTooMany, Key: e.Key, Args: argPairs(e.Args)}}, false
	case apperr.Conflict:
		return []*Error{{Code: codeConflict, Key: e.Key, Args: argPairs(e.Args)}}, false
	}
	return []*Error{newError(codeInternal, "open311.error.internal")}, true
}

// argPairs turns an apperr's arguments into name, value pairs.
func argPairs(m map[string]any) []any {
	if len(m) == 0 {
		return nil
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]any, 0, 2*len(m))
	for _, k := range names {
		out = append(out, k, m[k])
	}
	return out
}

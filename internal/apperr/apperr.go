// Package apperr is dangjian's error vocabulary. Domain packages return these kinds; the web
// layer maps each kind to a status code and a message in the user's language exactly once.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the edge that reports it.
type Kind string

// The kinds of error that dangjian reports to users.
const (
	Invalid      Kind = "invalid"
	NotFound     Kind = "not_found"
	Conflict     Kind = "conflict"
	Unauthorized Kind = "unauthorized"
	Forbidden    Kind = "forbidden"
	Locked       Kind = "locked"
	Internal     Kind = "internal"
)

// Error is an application error: a kind, a message key that the web layer translates, and
// optional per-field errors for forms. Fields maps a form field to a message key.
type Error struct {
	Kind    Kind
	Key     string
	Args    map[string]any
	Fields  map[string]string
	wrapped error
}

func (e *Error) Error() string {
	msg := string(e.Kind) + ": " + e.Key
	if len(e.Fields) > 0 {
		msg += fmt.Sprintf(" %v", e.Fields)
	}
	if e.wrapped != nil {
		msg += ": " + e.wrapped.Error()
	}
	return msg
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.wrapped }

// New returns an error of the given kind with a message key.
func New(kind Kind, key string) *Error { return &Error{Kind: kind, Key: key} }

// Wrap returns an error of the given kind that keeps err as its cause.
func Wrap(kind Kind, key string, err error) *Error {
	return &Error{Kind: kind, Key: key, wrapped: err}
}

// Sentinel errors that stores return; compare with errors.Is.
var (
	ErrNotFound = New(NotFound, "error.not_found")
	ErrConflict = New(Conflict, "error.conflict")
	ErrStale    = New(Conflict, "error.stale")
	ErrDenied   = New(Forbidden, "error.forbidden")
)

// Is makes errors.Is match two *Error values of the same kind and key.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Key == e.Key
}

// KindOf returns the kind of err, or Internal when it carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns err's *Error, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Validation collects per-field errors; Err returns nil when none were added.
type Validation struct{ fields map[string]string }

// Add records the message key for a field, keeping the first error per field.
func (v *Validation) Add(field, key string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = key
	}
}

// Err returns an Invalid error holding the collected fields, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Key: "error.invalid_form", Fields: v.fields}
}

package view

import (
	"errors"
	"net/url"

	"github.com/dangjian/dangjian/internal/apperr"
)

// Form keeps what the user typed and the errors of each field, so that an invalid form is
// shown again with the input kept and each error beside its field.
type Form struct {
	Values  url.Values
	Errors  map[string]string // field → message key
	Message string            // translated form-level error
	tr      *Translator
}

// NewForm wraps a copy of submitted values, so that removing a password from what is shown
// again leaves the request untouched.
func NewForm(tr *Translator, values url.Values) *Form {
	copied := url.Values{}
	for k, v := range values {
		copied[k] = append([]string(nil), v...)
	}
	return &Form{Values: copied, Errors: map[string]string{}, tr: tr}
}

// Get returns a field's submitted value.
func (f *Form) Get(field string) string { return f.Values.Get(field) }

// Has reports whether a field has an error.
func (f *Form) Has(field string) bool { _, ok := f.Errors[field]; return ok }

// ErrorOf returns the translated error of a field, or "".
func (f *Form) ErrorOf(field string) string {
	if k, ok := f.Errors[field]; ok {
		return f.tr.T(k)
	}
	return ""
}

// Selected reports whether value is the submitted value of field.
func (f *Form) Selected(field, value string) bool { return f.Values.Get(field) == value }

// Fail records err on the form. It reports false for errors that are not about the input:
// those the caller renders as an error page.
func (f *Form) Fail(err error) bool {
	e := apperr.As(err)
	if e == nil {
		return false
	}
	switch {
	case len(e.Fields) > 0:
		for k, v := range e.Fields {
			f.Errors[k] = v
		}
		f.Message = f.tr.T("error.invalid_form")
		return true
	case errors.Is(err, apperr.ErrStale):
		f.Message = f.tr.T("error.stale")
		return true
	case e.Kind == apperr.Invalid || e.Kind == apperr.Conflict || e.Kind == apperr.Locked || e.Kind == apperr.Unauthorized:
		f.Message = f.tr.T(e.Key, e.Args)
		return true
	}
	return false
}

// Option is one choice of a select, ready to render: pages that list many choices build
// these once rather than have the template translate and compare each.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// Options builds the options of values, labelled by translating prefix+value.
func (t *Translator) Options(prefix string, values []string, selected string) []Option {
	out := make([]Option, len(values))
	for i, v := range values {
		out[i] = Option{Value: v, Label: t.T(prefix + v), Selected: v == selected}
	}
	return out
}

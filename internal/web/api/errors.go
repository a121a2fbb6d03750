package api

import (
	"errors"
	"net/http"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/web/view"
)

// Error codes of the API beyond the apperr kinds, whose names ("invalid", "not_found",
// "conflict", "unauthorized", "forbidden", "locked", "internal") are codes as they are.
const (
	CodeBadRequest       = "bad_request"
	CodeTooLarge         = "too_large"
	CodeUnsupportedMedia = "unsupported_media_type"
	CodeMethodNotAllowed = "method_not_allowed"
)

// Problem is an error that only the API reports: a malformed request, rather than a rule of
// the domain. Fields maps a request field or query parameter to a message key.
type Problem struct {
	Status int
	Code   string
	Key    string
	Fields map[string]string
}

// Error describes the problem for logs.
func (p *Problem) Error() string { return "api: " + p.Code + ": " + p.Key }

// badRequest returns a 400 problem about the named fields.
func badRequest(fields map[string]string) *Problem {
	return &Problem{Status: http.StatusBadRequest, Code: CodeBadRequest, Key: "api.bad_fields", Fields: fields}
}

// ErrorBody is the one shape of every error the API answers.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code for programs, a message in the caller's
// language for people, the fields at fault, and the request ID under which the server logged it.
type ErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// apiKeys replaces the message keys whose page wording (a page, logging in) does not fit an API
// caller.
var apiKeys = map[string]string{
	"error.not_found":      "api.not_found",
	"error.login_required": "api.token_required",
}

// fail writes err in the error shape, translated for the caller: the Accept-Language header
// when sent, otherwise the account's language (locale), otherwise Chinese. Internal errors are
// logged with the request ID and answered with a generic message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, locale string, err error) {
	status, code, key := http.StatusInternalServerError, string(apperr.Internal), "error.internal"
	var args map[string]any
	var fields map[string]string
	var p *Problem
	if errors.As(err, &p) {
		status, code, key, fields = p.Status, p.Code, p.Key, p.Fields
	} else if e := apperr.As(err); e != nil && e.Kind != apperr.Internal {
		status, code, key, args, fields = view.StatusOf(e.Kind), string(e.Kind), e.Key, e.Args, e.Fields
	}
	id := view.RequestID(r.Context())
	if status == http.StatusInternalServerError {
		h.log.Error("api: internal error", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", id)
	}
	if k, ok := apiKeys[key]; ok {
		key = k
	}
	t := h.translator(r, locale)
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: t.T(key, args), RequestID: id}}
	if len(fields) > 0 {
		body.Error.Fields = make(map[string]string, len(fields))
		for f, k := range fields {
			body.Error.Fields[f] = t.T(k)
		}
	}
	if status == http.StatusUnauthorized {
		challenge := `Bearer realm="dangjian"`
		if _, sent := bearer(r); sent {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	w.Header().Set("Content-Language", t.Lang)
	h.writeJSON(w, r, status, body)
}

// translator picks the language of a response. Only the Accept-Language header is read, never
// a cookie: the API is cookie-free.
func (h *Handler) translator(r *http.Request, locale string) *view.Translator {
	al := r.Header.Values("Accept-Language")
	if len(al) > 0 {
		locale = ""
	}
	return h.catalog.Negotiate(&http.Request{Header: http.Header{"Accept-Language": al}}, locale)
}

package open311

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/web/view"
)

// format is a response format, chosen by the path's suffix.
type format string

const (
	formatXML  format = "xml"
	formatJSON format = "json"
)

// Content types of the formats (GeoReport v2, "Formats").
const (
	contentXML  = "text/xml; charset=utf-8"
	contentJSON = "application/json; charset=utf-8"
)

// splitFormat splits the last path segment "name.fmt" into the name and the format; ok is
// false for a missing or unknown suffix (an unknown resource).
func splitFormat(file string) (name string, f format, ok bool) {
	i := strings.LastIndexByte(file, '.')
	if i <= 0 {
		return "", "", false
	}
	switch format(file[i+1:]) {
	case formatXML:
		return file[:i], formatXML, true
	case formatJSON:
		return file[:i], formatJSON, true
	}
	return "", "", false
}

// guessFormat is the format of an error about a path that is not a resource: JSON when the
// path ends in .json, XML (GeoReport v2's required format) otherwise.
func guessFormat(path string) format {
	if strings.HasSuffix(path, ".json") {
		return formatJSON
	}
	return formatXML
}

// write sends a document: x for XML, j (a bare array for lists) for JSON.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, f format, status int, x, j any) {
	var b []byte
	var err error
	if f == formatJSON {
		b, err = json.Marshal(j)
		b = append(b, '\n')
	} else {
		var body []byte
		body, err = xml.Marshal(x)
		b = append(append([]byte(xml.Header), body...), '\n')
	}
	if err != nil {
		h.log.Error("open311: encode", "err", err, "request_id", view.RequestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	if f == formatJSON {
		hd.Set("Content-Type", contentJSON)
	} else {
		hd.Set("Content-Type", contentXML)
	}
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	hd.Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	w.Write(b)
}

// fail sends a list of errors with the status GeoReport v2 gives them.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, f format, errs []*Error) {
	tr := h.catalog.Negotiate(r, "")
	list := errorList{Errors: make([]wireError, len(errs))}
	for i, e := range errs {
		list.Errors[i] = wireError{Code: e.Code, Description: describe(tr, e)}
	}
	w.Header().Set("Cache-Control", "no-store")
	h.write(w, r, f, status(errs), list, list.Errors)
}

// describe translates an error; an argument named MessageKey is a message key itself,
// translated into the argument Message.
func describe(tr *view.Translator, e *Error) string {
	args := make([]any, 0, len(e.Args))
	for i := 0; i+1 < len(e.Args); i += 2 {
		if e.Args[i] == "MessageKey" {
			key, _ := e.Args[i+1].(string)
			args = append(args, "Message", tr.T(key))
			continue
		}
		args = append(args, e.Args[i], e.Args[i+1])
	}
	return tr.T(e.Key, args...)
}

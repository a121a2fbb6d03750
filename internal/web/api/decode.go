package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// MaxBody caps a request body; bigger ones are refused with 413.
const MaxBody = 1 << 20

// serverFields are set by the server, never by a caller. A body that names one is refused
// with 400 rather than silently ignored, so that a caller who believes it sets an ID, an owner
// or a right learns it does not (mass assignment).
var serverFields = map[string]bool{
	"id": true, "created_at": true, "updated_at": true, "created_by": true, "updated_by": true,
	"sysadmin": true, "is_sysadmin": true, "can_reveal": true, "user_id": true, "role": true,
	"path": true, "org_path": true, "org_name": true, "depth": true, "people_count": true, "member_count": true,
	"id_number_masked": true, "phone_masked": true, "name_pinyin": true, "name_initials": true,
	"id_number_hash": true, "phone_hash": true,
}

// decode reads a JSON object into dst. It refuses other media types (415), bodies over
// MaxBody (413), malformed JSON, values of the wrong type, unknown fields, trailing data and
// the fields in serverFields or readOnly (400, naming the field).
func decode(w http.ResponseWriter, r *http.Request, dst any, readOnly ...string) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &Problem{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMedia, Key: "api.media_type"}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &Problem{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Key: "error.too_large"}
		}
		return &Problem{Status: http.StatusBadRequest, Code: CodeBadRequest, Key: "api.bad_json"}
	}
	var object map[string]json.RawMessage
	if err := json.Unmarshal(data, &object); err != nil || object == nil {
		return &Problem{Status: http.StatusBadRequest, Code: CodeBadRequest, Key: "api.bad_json"}
	}
	fields := map[string]string{}
	for k := range object {
		name := strings.ToLower(k)
		if serverFields[name] || contains(readOnly, name) {
			fields[k] = "api.read_only"
		}
	}
	if len(fields) > 0 {
		return badRequest(fields)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return badRequest(map[string]string{typeErr.Field: "api.wrong_type"})
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			if name == "" {
				return &Problem{Status: http.StatusBadRequest, Code: CodeBadRequest, Key: "api.unknown_field"}
			}
			return badRequest(map[string]string{name: "api.unknown_field"})
		}
		return &Problem{Status: http.StatusBadRequest, Code: CodeBadRequest, Key: "api.bad_json"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Problem{Status: http.StatusBadRequest, Code: CodeBadRequest, Key: "api.bad_json"}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

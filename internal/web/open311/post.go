package open311

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/ratelimit"
)

// maxMemory is what a multipart body may keep in memory; the body itself is limited before.
const maxMemory = 1 << 20

// create serves POST requests.{fmt}: a new matter filed with an organization's API key. The
// checks go in GeoReport's order of statuses: the key (403), the jurisdiction and the service
// (404), then every argument (400, all errors at once).
func (h *Handler) create(w http.ResponseWriter, r *http.Request, f format) {
	w.Header().Set("Cache-Control", "no-store")
	if !h.limiter.Allow(ratelimit.Key(h.clientIP(r))) {
		h.tooMany(w, r, f, PostInterval, "open311.error.rate_limited")
		return
	}
	if err := parseBody(r); err != nil {
		h.fail(w, r, f, []*Error{err})
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	p, errs := ParsePost(r.Form)
	ctx := r.Context()
	if p.APIKey == "" {
		h.fail(w, r, f, []*Error{newError(http.StatusForbidden, "open311.error.api_key_missing")})
		return
	}
	key, err := h.mass.APIKey(ctx, p.APIKey)
	if err != nil {
		h.keyFailed(w, r, f, err)
		return
	}
	if p.Jurisdiction != 0 {
		o, err := h.mass.Jurisdiction(ctx, p.Jurisdiction)
		if err != nil {
			h.jurisdictionFailed(w, r, f, err, p.Jurisdiction)
			return
		}
		if !strings.HasPrefix(key.OrgPath, o.Path) {
			h.fail(w, r, f, []*Error{newError(http.StatusForbidden, "open311.error.api_key_jurisdiction")})
			return
		}
	}
	if p.ServiceCode == "" {
		h.fail(w, r, f, errs)
		return
	}
	c, err := h.keyService(r, key, p.ServiceCode)
	if err != nil {
		h.serviceFailed(w, r, f, err)
		return
	}
	errs = append(errs, checkAttributes(c.Code, c.Fields, p.Attributes, h.zone)...)
	if len(errs) > 0 {
		h.fail(w, r, f, errs)
		return
	}
	rc, err := h.mass.Submit(ctx, nil, reportOf(p, c, key))
	if err != nil {
		h.serviceFailed(w, r, f, err)
		return
	}
	id := rc.MatterCode
	if id == "" {
		id = rc.Code
	}
	tr := h.catalog.Negotiate(r, "")
	notice := tr.T("open311.notice.filed", "Code", id, "Response", c.ResponseDays, "Resolve", c.ResolveDays)
	out := createdList{Requests: []created{{ServiceRequestID: id, ServiceNotice: notice}}}
	h.write(w, r, f, http.StatusOK, out, out.Requests)
}

// parseBody parses a urlencoded (or multipart) body into r.Form, beside the query; the body
// wins. A body too large or unreadable is an error.
func parseBody(r *http.Request) *Error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxMemory)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return newError(http.StatusBadRequest, "open311.error.body_too_large")
		}
		return newError(http.StatusBadRequest, "open311.error.body")
	}
	return nil
}

// keyService returns the active category of a code that applies to the key's organization
// (its own or one above it); any other code is an unknown service (404).
func (h *Handler) keyService(r *http.Request, key *masswork.APIKey, code string) (*masswork.Category, error) {
	cats, err := h.mass.Categories(r.Context(), key.OrgID)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.Code == code {
			return c, nil
		}
	}
	return nil, newError(http.StatusNotFound, "open311.error.service_unknown", "Code", clip(code))
}

// keyFailed answers a key the service did not take: unknown or revoked is 403, a fault of
// ours 400.
func (h *Handler) keyFailed(w http.ResponseWriter, r *http.Request, f format, err error) {
	if _, internal := fromService(err); internal {
		h.serviceFailed(w, r, f, err)
		return
	}
	h.fail(w, r, f, []*Error{newError(http.StatusForbidden, "open311.error.api_key_invalid")})
}

// jurisdictionFailed answers a jurisdiction_id that names no organization.
func (h *Handler) jurisdictionFailed(w http.ResponseWriter, r *http.Request, f format, err error, id int64) {
	if _, internal := fromService(err); internal {
		h.serviceFailed(w, r, f, err)
		return
	}
	h.fail(w, r, f, []*Error{newError(http.StatusNotFound, "open311.error.jurisdiction_unknown", "ID", strconv.FormatInt(id, 10))})
}

// reportOf builds the report of a POST. The key decides the organization; the reporter is
// anonymous without a name, phone or email. device_id, account_id and media_url are not
// kept: a device never identifies a reporter to staff, and photos come through the form.
func reportOf(p *Post, c *masswork.Category, key *masswork.APIKey) *masswork.Report {
	rep := &masswork.Report{CategoryID: c.ID, CategoryCode: c.Code, Description: p.Description,
		Attributes: p.Attributes, Channel: masswork.ChannelOpen311, Key: key,
		Place: masswork.Place{Address: p.AddressString, Booth: p.AddressID, Latitude: p.Lat, Longitude: p.Long},
		Name:  fullName(p.FirstName, p.LastName), Phone: p.Phone, Email: p.Email}
	rep.Anonymous = rep.Name == "" && rep.Phone == "" && rep.Email == ""
	return rep
}

// fullName joins a given and a family name: family name first and no space between Chinese
// (or other CJK) names, "given family" otherwise.
func fullName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	case cjk(first) && cjk(last):
		return last + first
	}
	return first + " " + last
}

func cjk(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.Han, r)
}

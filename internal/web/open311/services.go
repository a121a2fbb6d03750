package open311

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/view"
)

// Specification is the URL naming GeoReport v2 in discovery.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// released is the changeset of this endpoint's own shape: it changes when the API does.
var released = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// discovery serves discovery.{fmt}: this one endpoint, in production, in XML and JSON. Its
// changeset moves when the endpoint or a service changes.
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request, f format) {
	cats, err := h.mass.ServicesOf(r.Context(), 0)
	if err != nil {
		h.serviceFailed(w, r, f, err)
		return
	}
	changed := released
	for _, c := range cats {
		if c.UpdatedAt.After(changed) {
			changed = c.UpdatedAt
		}
	}
	tr := h.catalog.Negotiate(r, "")
	url := h.endpointURL(r)
	d := discovery{Changeset: h.stamp(changed), Contact: tr.T("open311.discovery.contact"),
		KeyService: tr.T("open311.discovery.key_service"),
		Endpoints: []endpoint{{Specification: Specification, URL: url, Changeset: h.stamp(released), Type: "production",
			Formats: []string{"text/xml", "application/json"}}}}
	h.write(w, r, f, http.StatusOK, d, d)
}

// services serves services.{fmt}: every active category (within the jurisdiction, if one
// is given). A category with extra fields has metadata true, and its definition to read.
func (h *Handler) services(w http.ResponseWriter, r *http.Request, f format) {
	var errs []*Error
	orgID := jurisdiction(r.URL.Query(), &errs)
	if len(errs) > 0 {
		h.fail(w, r, f, errs)
		return
	}
	cats, err := h.mass.ServicesOf(r.Context(), orgID)
	if err != nil {
		h.serviceFailed(w, r, f, err)
		return
	}
	tr := h.catalog.Negotiate(r, "")
	list := serviceList{Services: make([]service, 0, len(cats))}
	for _, c := range cats {
		list.Services = append(list.Services, service{ServiceCode: c.Code, ServiceName: c.Name(lang(tr)),
			Description: c.Description, Metadata: len(c.Fields) > 0, Type: "realtime", Keywords: c.Keywords, Group: c.Group})
	}
	h.write(w, r, f, http.StatusOK, list, list.Services)
}

// definition serves services/{code}.{fmt}: the extra fields of a category, for a category
// that has some (metadata true); any other code is not found.
func (h *Handler) definition(w http.ResponseWriter, r *http.Request) {
	code, f, ok := splitFormat(r.PathValue("file"))
	if !ok {
		h.notFound(w, r)
		return
	}
	var errs []*Error
	orgID := jurisdiction(r.URL.Query(), &errs)
	if len(errs) > 0 {
		h.fail(w, r, f, errs)
		return
	}
	c, err := h.service(r, orgID, code)
	if err != nil {
		h.serviceFailed(w, r, f, err)
		return
	}
	if len(c.Fields) == 0 {
		h.fail(w, r, f, []*Error{newError(http.StatusNotFound, "open311.error.no_definition", "Code", c.Code)})
		return
	}
	tr := h.catalog.Negotiate(r, "")
	h.write(w, r, f, http.StatusOK, definitionOf(tr, c), definitionOf(tr, c))
}

// service returns the active category of a code, within the jurisdiction if one is given; any
// other code is an unknown service (404).
func (h *Handler) service(r *http.Request, orgID int64, code string) (*masswork.Category, error) {
	cats, err := h.mass.ServicesOf(r.Context(), orgID)
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

// definitionOf writes a category's fields as attributes, in their order, numbered from 1.
func definitionOf(tr *view.Translator, c *masswork.Category) definition {
	fields := slices.Clone(c.Fields)
	slices.SortStableFunc(fields, func(a, b masswork.Field) int { return cmp.Compare(a.Order, b.Order) })
	d := definition{ServiceCode: c.Code, Attributes: make([]attribute, 0, len(fields))}
	for i, fd := range fields {
		a := attribute{Variable: true, Code: fd.Code, Datatype: fd.Datatype, Required: fd.Required,
			DatatypeDescription: tr.T("open311.datatype." + fd.Datatype), Order: i + 1, Description: fd.Description}
		if fd.Datatype == "singlevaluelist" || fd.Datatype == "multivaluelist" {
			a.Values = make([]value, 0, len(fd.Values))
			for _, v := range fd.Values {
				a.Values = append(a.Values, value{Key: v.Key, Name: v.Name})
			}
			a.ValuesXML = &valueList{Values: a.Values}
		}
		d.Attributes = append(d.Attributes, a)
	}
	return d
}

// lang is the language code a category's name is asked in.
func lang(tr *view.Translator) string {
	if tr.Lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// serviceFailed answers an error of the mass-work service, logging a fault of ours once.
func (h *Handler) serviceFailed(w http.ResponseWriter, r *http.Request, f format, err error) {
	errs, internal := fromService(err)
	if internal {
		h.log.Error("open311", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", view.RequestID(r.Context()))
	}
	h.fail(w, r, f, errs)
}

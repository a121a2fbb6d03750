package open311

import (
	"net/http"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/web/view"
)

// requests serves GET requests.{fmt}. end_date is inclusive (instants are kept to the
// millisecond).
func (h *Handler) requests(w http.ResponseWriter, r *http.Request, f format) {
	q, errs := ParseRequestQuery(r.URL.Query(), h.now(), h.zone)
	if len(errs) > 0 {
		h.fail(w, r, f, errs)
		return
	}
	mq := masswork.RequestQuery{OrgID: q.Jurisdiction, Codes: q.IDs, CategoryCodes: q.ServiceCodes,
		Since: q.Start, Until: q.End.Add(time.Millisecond), Limit: q.PageSize, Offset: (q.Page - 1) * q.PageSize}
	for _, s := range q.Statuses {
		mq.Statuses = append(mq.Statuses, ourStatuses(s)...)
	}
	if len(q.IDs) > 0 {
		mq.Limit, mq.Offset = 0, 0
	}
	h.answer(w, r, f, mq, false)
}

// request serves GET requests/{id}.{fmt}: a list of one, or 404.
func (h *Handler) request(w http.ResponseWriter, r *http.Request) {
	id, f, ok := splitFormat(r.PathValue("file"))
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
	h.answer(w, r, f, masswork.RequestQuery{OrgID: orgID, Codes: []string{id}}, true)
}

// answer reads the matters of a query and writes them as requests; one is true when the
// query names one request, which must exist.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, f format, q masswork.RequestQuery, one bool) {
	list, err := h.mass.Requests(r.Context(), q)
	if err != nil {
		h.serviceFailed(w, r, f, err)
		return
	}
	if one && len(list) == 0 {
		h.fail(w, r, f, []*Error{newError(http.StatusNotFound, "open311.error.request_unknown", "ID", clip(q.Codes[0]))})
		return
	}
	cats, err := h.mass.AllCategories(r.Context())
	if err != nil {
		h.serviceFailed(w, r, f, err)
		return
	}
	byCode := make(map[string]*masswork.Category, len(cats))
	for _, c := range cats {
		byCode[c.Code] = c
	}
	tr := h.catalog.Negotiate(r, "")
	out := requestList{Requests: make([]request, 0, len(list))}
	for _, m := range list {
		out.Requests = append(out.Requests, h.requestOf(tr, m, byCode[m.CategoryCode]))
	}
	h.write(w, r, f, http.StatusOK, out, out.Requests)
}

// ourStatuses are the statuses of ours an Open311 status stands for.
func ourStatuses(s string) []string {
	var out []string
	for _, st := range masswork.Statuses {
		if masswork.Open(st) == (s == "open") {
			out = append(out, st)
		}
	}
	return out
}

// o311Status is GeoReport's status of a matter: open while it is handled or awaits its
// reporters' say, closed once closed, rejected or merged.
func o311Status(status string) string {
	if masswork.Open(status) {
		return "open"
	}
	return "closed"
}

// requestOf writes a matter (a public copy) as a request. c is its category, if still known.
func (h *Handler) requestOf(tr *view.Translator, m *masswork.Matter, c *masswork.Category) request {
	q := request{ServiceRequestID: m.Code, Status: o311Status(m.Status), StatusNotes: statusNotes(tr, m),
		ServiceName: m.CategoryName, ServiceCode: m.CategoryCode, AgencyResponsible: m.OrgName,
		RequestedDatetime: h.stamp(m.CreatedAt), UpdatedDatetime: h.stamp(m.UpdatedAt),
		Address: strings.TrimSpace(m.Zone + " " + m.Address), AddressID: m.Booth} // the public copy has the zone only
	if lang(tr) == "en" && m.CategoryNameEn != "" {
		q.ServiceName = m.CategoryNameEn
	}
	if c != nil {
		if q.ServiceName == "" {
			q.ServiceName = c.Name(lang(tr))
		}
		if masswork.Open(m.Status) {
			q.ServiceNotice = tr.T("open311.notice.deadlines", "Response", c.ResponseDays, "Resolve", c.ResolveDays)
		}
	}
	switch {
	case m.Summary != "":
		q.Description = m.Summary
	case !m.Withheld:
		q.Description = m.Title
	}
	if r := []rune(q.Description); len(r) > MaxDescription {
		q.Description = string(r[:MaxDescription])
	}
	if !masswork.Open(m.Status) && !m.ClosedAt.IsZero() {
		q.UpdatedDatetime = h.stamp(m.ClosedAt)
	}
	if q.UpdatedDatetime == "" {
		q.UpdatedDatetime = q.RequestedDatetime
	}
	if !m.ResolveDue.IsZero() {
		q.ExpectedDatetime = h.stamp(m.ResolveDue)
	}
	if m.Latitude != nil && m.Longitude != nil {
		lat, long := coord(*m.Latitude), coord(*m.Longitude)
		q.Lat, q.Long = &lat, &long
	}
	return q
}

// statusNotes says in words where a matter stands: our status, with the reason of a
// rejection, how a closed matter was closed, or which matter a merged one went into.
func statusNotes(tr *view.Translator, m *masswork.Matter) string {
	switch m.Status {
	case masswork.StatusRejected:
		if m.RejectReason != "" {
			return tr.T("open311.status.rejected_because", "Reason", m.RejectReason)
		}
	case masswork.StatusMerged:
		if m.MergedIntoCode != "" {
			return tr.T("open311.status.merged_into", "Code", m.MergedIntoCode)
		}
	case masswork.StatusClosed:
		switch m.CloseReason {
		case masswork.CloseAnswered, masswork.CloseNoReply:
			return tr.T("open311.status.closed_" + m.CloseReason)
		}
	}
	return tr.T("open311.status." + m.Status)
}

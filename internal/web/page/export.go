package page

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/roster"
)

// exportFields are the columns of a people export, in order.
var exportFields = []string{"name", "gender", "ethnicity", "birth_date", "id_number", "phone", "org", "stage", "status",
	"education", "work_unit", "post", "native_place", "address", "zone", "booth", "applied_on", "activist_on",
	"target_on", "admitted_on", "full_on", "tags", "notes"}

// ExportPeople sends the filtered list as XLSX. Numbers are masked, unless the export is
// posted with reveal=1 by someone who may reveal them: a clear export is a POST, so that a
// link cannot trigger it. Either way the export is audited.
func (h *Handlers) ExportPeople(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	f := org.PeopleFilter{Query: q.Get("q"), Stage: q.Get("stage"), Status: q.Get("status"), Tag: q.Get("tag"), Sort: q.Get("sort")}
	if id := q.Get("org"); id != "" {
		tree, err := h.Org.Tree(r.Context(), a)
		if err != nil {
			h.View.Error(w, r, err)
			return
		}
		for _, o := range tree {
			if strconv.FormatInt(o.ID, 10) == id && a.CanView(o.Path) {
				f.OrgPath = o.Path
			}
		}
		if f.OrgPath == "" {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
	}
	reveal := r.Method == http.MethodPost && r.PostForm.Get("reveal") == "1"
	people, secrets, err := h.Org.Export(r.Context(), a, f, reveal)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	// Roster files are Chinese documents whatever the exporter's language, so that they import
	// back as they are.
	tr := h.View.Catalog().For("zh-CN")
	records := make([]roster.Record, 0, len(people))
	for _, p := range people {
		rec := roster.Record{"name": p.Name, "ethnicity": p.Ethnicity, "birth_date": p.BirthDate, "id_number": p.IDNumberMask,
			"phone": p.PhoneMask, "org": p.OrgName, "stage": tr.T("stage." + p.Stage), "status": tr.T("status." + p.Status),
			"education": p.Education, "work_unit": p.WorkUnit, "post": p.Post, "native_place": p.NativePlace,
			"address": p.Address, "zone": p.Zone, "booth": p.Booth, "applied_on": p.AppliedOn, "activist_on": p.ActivistOn,
			"target_on": p.TargetOn, "admitted_on": p.AdmittedOn, "full_on": p.FullOn, "notes": p.Notes}
		if p.Gender != "" {
			rec["gender"] = tr.T("gender." + p.Gender)
		}
		for i, t := range p.Tags {
			if i > 0 {
				rec["tags"] += "，"
			}
			rec["tags"] += t
		}
		if s, ok := secrets[p.ID]; ok {
			rec["id_number"], rec["phone"] = s.IDNumber, s.Phone
		}
		records = append(records, rec)
	}
	var buf bytes.Buffer
	if err := roster.WriteXLSX(&buf, "名册", exportFields, records); err != nil {
		h.View.Error(w, r, err)
		return
	}
	day := h.Now().In(h.View.NewBase(r, "people.title").Zone).Format("20060102")
	sendXLSX(w, "人员名册-"+day+".xlsx", "people-"+day+".xlsx", buf.Bytes())
}

package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
)

// RecordView is an activity's record as far as the caller may see it, with what the caller
// may do with it (schema RecordView). Record is null while the caller may see the activity
// but not yet its unapproved record.
type RecordView struct {
	ActivityID     int64       `json:"activity_id"`
	Status         string      `json:"status"`
	Record         *Record     `json:"record"`
	Amendments     []Amendment `json:"amendments"`
	Files          []FileMeta  `json:"files"`
	RecordApprover string      `json:"record_approver"`
	RequirePhotos  bool        `json:"require_photos"`
	CanEdit        bool        `json:"can_edit"`
	CanApprove     bool        `json:"can_approve"`
	CanAmend       bool        `json:"can_amend"`
}

// Record is the text of a record and its way through approval (schema Record). Version 0
// means nothing has been written yet.
type Record struct {
	Minutes        string     `json:"minutes"`
	Resolutions    string     `json:"resolutions"`
	LectureSummary string     `json:"lecture_summary"`
	Summary        string     `json:"summary"`
	Status         string     `json:"status"`
	SubmittedBy    string     `json:"submitted_by"`
	SubmittedAt    *time.Time `json:"submitted_at"`
	ApprovedBy     string     `json:"approved_by"`
	ApprovedAt     *time.Time `json:"approved_at"`
	ReturnedBy     string     `json:"returned_by"`
	ReturnedAt     *time.Time `json:"returned_at"`
	ReturnReason   string     `json:"return_reason"`
	UpdatedBy      string     `json:"updated_by"`
	CreatedAt      *time.Time `json:"created_at"`
	UpdatedAt      *time.Time `json:"updated_at"`
	Version        int        `json:"version"`
}

// Amendment is one correction of an approved record (schema Amendment).
type Amendment struct {
	ID     int64     `json:"id"`
	Field  string    `json:"field"`
	Before string    `json:"before"`
	After  string    `json:"after"`
	Reason string    `json:"reason"`
	ByName string    `json:"by_name"`
	At     time.Time `json:"at"`
}

// FileMeta describes a photo or document of an activity; its bytes are served by the web
// pages at url and thumb_url to a logged-in browser (schema FileMeta).
type FileMeta struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	Caption     string    `json:"caption"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	IsImage     bool      `json:"is_image"`
	URL         string    `json:"url"`
	ThumbURL    *string   `json:"thumb_url"`
}

// FileList lists an activity's files in upload order (schema FileList).
type FileList struct {
	Items []FileMeta `json:"items"`
}

// RecordText is the body of PUT /activities/{id}/record (schema RecordText): the fields sent
// replace the draft's, the others stay; version is the record's version the caller read, 0
// for a record not yet written.
type RecordText struct {
	Minutes        *string `json:"minutes"`
	Resolutions    *string `json:"resolutions"`
	LectureSummary *string `json:"lecture_summary"`
	Summary        *string `json:"summary"`
	Version        *int    `json:"version"`
}

// RecordAmend is the body of POST /activities/{id}/record/amend (schema RecordAmend): the
// corrected fields, the reason and the version read.
type RecordAmend struct {
	RecordText
	Reason string `json:"reason"`
}

// RecordDecision is the body of submit, approve and return (schemas RecordVersion and
// RecordReturn): the version read, and for a return the reason.
type RecordDecision struct {
	Version *int    `json:"version"`
	Reason  *string `json:"reason,omitempty"`
}

// recordNone is how the API names a record not yet written (the service's "").
const recordNone = "none"

func toRecordView(v *activity.RecordView, zone *time.Location) RecordView {
	out := RecordView{ActivityID: v.Activity.ID, Status: v.Status, Amendments: make([]Amendment, 0, len(v.Amendments)),
		Files: toFiles(v.Activity.ID, v.Files, zone), RecordApprover: activity.ApproverSelf, CanEdit: v.CanEdit,
		CanApprove: v.CanApprove, CanAmend: v.CanAmend}
	if out.Status == "" {
		out.Status = recordNone
	}
	if v.Settings != nil {
		out.RequirePhotos = v.Settings.RequirePhotos
		if v.Settings.RecordApprover != "" {
			out.RecordApprover = v.Settings.RecordApprover
		}
	}
	if r := v.Record; r != nil {
		out.Record = &Record{Minutes: r.Minutes, Resolutions: r.Resolutions, LectureSummary: r.LectureSummary, Summary: r.Summary,
			Status: r.Status, SubmittedBy: r.SubmittedByName, SubmittedAt: timeOrNull(r.SubmittedAt, zone),
			ApprovedBy: r.ApprovedByName, ApprovedAt: timeOrNull(r.ApprovedAt, zone), ReturnedBy: r.ReturnedByName,
			ReturnedAt: timeOrNull(r.ReturnedAt, zone), ReturnReason: r.ReturnReason, UpdatedBy: r.UpdatedByName,
			CreatedAt: timeOrNull(r.CreatedAt, zone), UpdatedAt: timeOrNull(r.UpdatedAt, zone), Version: r.Version}
	}
	for _, am := range v.Amendments {
		out.Amendments = append(out.Amendments, Amendment{ID: am.ID, Field: am.Field, Before: am.Before, After: am.After,
			Reason: am.Reason, ByName: am.ByName, At: am.At.In(zone)})
	}
	return out
}

func toFiles(activityID int64, files []*activity.File, zone *time.Location) []FileMeta {
	out := make([]FileMeta, 0, len(files))
	base := "/activities/" + strconv.FormatInt(activityID, 10) + "/files/"
	for _, f := range files {
		m := FileMeta{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, Width: f.Width,
			Height: f.Height, Caption: f.Caption, UploadedBy: f.UploadedByName, UploadedAt: f.UploadedAt.In(zone),
			IsImage: f.IsImage(), URL: base + strconv.FormatInt(f.ID, 10)}
		if f.HasThumb {
			thumb := m.URL + "/thumb"
			m.ThumbURL = &thumb
		}
		out = append(out, m)
	}
	return out
}

func (h *Handler) getRecord(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerRecord(w, r, a, id)
}

// answerRecord writes the record view of an activity as it now stands.
func (h *Handler) answerRecord(w http.ResponseWriter, r *http.Request, a *auth.Actor, id int64) {
	v, err := h.activity.Record(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toRecordView(v, h.activity.Zone()))
}

// currentText reads the record's text, for the fields a body leaves out.
func (h *Handler) currentText(r *http.Request, a *auth.Actor, id int64) (activity.RecordText, error) {
	v, err := h.activity.Record(r.Context(), a, id)
	if err != nil {
		return activity.RecordText{}, err
	}
	var t activity.RecordText
	if rec := v.Record; rec != nil {
		t = activity.RecordText{Minutes: rec.Minutes, Resolutions: rec.Resolutions, LectureSummary: rec.LectureSummary, Summary: rec.Summary}
	}
	return t, nil
}

// apply copies the fields sent onto t.
func (in *RecordText) apply(t *activity.RecordText) {
	setString(&t.Minutes, in.Minutes)
	setString(&t.Resolutions, in.Resolutions)
	setString(&t.LectureSummary, in.LectureSummary)
	setString(&t.Summary, in.Summary)
	t.Version = *in.Version
}

func (h *Handler) saveRecord(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in RecordText
	if err := decode(w, r, &in, "status"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	t, err := h.currentText(r, a, id)
	if err == nil {
		in.apply(&t)
		_, err = h.activity.SaveRecord(r.Context(), a, id, t)
	}
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerRecord(w, r, a, id)
}

// decision reads the body of submit, approve and return; reason is required for a return.
func decision(w http.ResponseWriter, r *http.Request, withReason bool) (RecordDecision, error) {
	var in RecordDecision
	var err error
	if withReason {
		err = decode(w, r, &in)
	} else {
		var v struct {
			Version *int `json:"version"`
		}
		err = decode(w, r, &v)
		in.Version = v.Version
	}
	switch {
	case err != nil:
		return in, err
	case in.Version == nil:
		return in, invalid("version", "error.required")
	case withReason && in.Reason == nil:
		return in, invalid("reason", "error.required")
	}
	return in, nil
}

// recordStep runs one step of a record's approval and answers the record as it now stands.
func (h *Handler) recordStep(w http.ResponseWriter, r *http.Request, a *auth.Actor, withReason bool,
	step func(id int64, in RecordDecision) error) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	in, err := decision(w, r, withReason)
	if err == nil {
		err = step(id, in)
	}
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerRecord(w, r, a, id)
}

func (h *Handler) submitRecord(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	h.recordStep(w, r, a, false, func(id int64, in RecordDecision) error {
		return h.activity.SubmitRecord(r.Context(), a, id, *in.Version)
	})
}

func (h *Handler) approveRecord(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	h.recordStep(w, r, a, false, func(id int64, in RecordDecision) error {
		return h.activity.ApproveRecord(r.Context(), a, id, *in.Version)
	})
}

func (h *Handler) returnRecord(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	h.recordStep(w, r, a, true, func(id int64, in RecordDecision) error {
		return h.activity.ReturnRecord(r.Context(), a, id, *in.Version, *in.Reason)
	})
}

// amendRecord corrects an approved record: each field sent whose text differs becomes an
// amendment with the reason.
func (h *Handler) amendRecord(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	var in RecordAmend
	if err := decode(w, r, &in, "status"); err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, a.Locale, invalid("version", "error.required"))
		return
	}
	t, err := h.currentText(r, a, id)
	if err == nil {
		in.apply(&t)
		_, err = h.activity.AmendRecord(r.Context(), a, id, t, in.Reason)
	}
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.answerRecord(w, r, a, id)
}

// listFiles answers the metadata of an activity's photos and documents, to those who may
// read its record; to others the files are not there (404), as on the web pages.
func (h *Handler) listFiles(w http.ResponseWriter, r *http.Request, a *auth.Actor) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	v, err := h.activity.Record(r.Context(), a, id)
	if err == nil && v.Record == nil {
		err = apperr.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, a.Locale, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, FileList{Items: toFiles(id, v.Files, h.activity.Zone())})
}

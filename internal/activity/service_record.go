package activity

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Length limits of a record, in characters.
const (
	maxRecordText = 50000 // each Markdown field
	maxReason     = 500
)

// Errors of a record's way through approval.
var (
	errRecordLocked       = apperr.New(apperr.Conflict, "error.record_locked")
	errRecordSubmitted    = apperr.New(apperr.Conflict, "error.record_submitted")
	errRecordNotSubmitted = apperr.New(apperr.Conflict, "error.record_not_submitted")
	errRecordNotApproved  = apperr.New(apperr.Conflict, "error.record_not_approved")
)

// recordActivity returns the activity of a record if the actor may see the activity or is its
// recorder (who may belong to another organization and not be invited).
func (s *Service) recordActivity(ctx context.Context, a *auth.Actor, id int64) (*Activity, bool, error) {
	if a == nil {
		return nil, false, apperr.New(apperr.Unauthorized, "error.login_required")
	}
	act, err := s.store.FindActivityByID(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if isRecorder(a, act) {
		return act, true, nil
	}
	ok, err := s.canRead(ctx, a, act)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, apperr.ErrNotFound
	}
	return act, true, nil
}

func isRecorder(a *auth.Actor, act *Activity) bool {
	return a != nil && a.PersonID != 0 && act.RecorderID == a.PersonID
}

// canEditRecord: the activity's recorder and the administrators of its organization write
// the record, add its files and submit it.
func canEditRecord(a *auth.Actor, act *Activity) bool {
	return isRecorder(a, act) || a.CanAdmin(act.OrgPath)
}

// canApproveRecord: an administrator of the organization, or of the organization above it
// when the organization's settings say so, approves or returns a submitted record.
func canApproveRecord(a *auth.Actor, act *Activity, set *OrgSettings) bool {
	if set.RecordApprover == ApproverParent {
		return a.CanAdmin(parentPath(act.OrgPath))
	}
	return a.CanAdmin(act.OrgPath)
}

// canAmendRecord: the organization's administrators and the approvers correct an approved
// record; the recorder alone no longer may.
func canAmendRecord(a *auth.Actor, act *Activity, set *OrgSettings) bool {
	return a.CanAdmin(act.OrgPath) || canApproveRecord(a, act, set)
}

// canReadRecord: an approved record is read by everyone who may see the activity; a record
// on its way, only by its editors, the organization's viewers and its approvers.
func canReadRecord(a *auth.Actor, act *Activity, r *Record, set *OrgSettings) bool {
	return r.Status == RecordApproved || canEditRecord(a, act) || a.CanView(act.OrgPath) || canApproveRecord(a, act, set)
}

// parentPath returns the materialized path of the organization above the one at p, or "" for
// a root organization ("/1/4/9/" → "/1/4/").
func parentPath(p string) string {
	t := strings.TrimSuffix(p, "/")
	i := strings.LastIndexByte(t, '/')
	if i <= 0 {
		return ""
	}
	return t[:i+1]
}

// findRecord returns the activity's record, or an unwritten draft.
func (s *Service) findRecord(ctx context.Context, act *Activity) (*Record, error) {
	r, err := s.store.FindRecord(ctx, act.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		return &Record{ActivityID: act.ID, Status: RecordDraft}, nil
	}
	return r, err
}

// recordState loads what every record method checks: the activity, its record and its
// organization's settings.
func (s *Service) recordState(ctx context.Context, a *auth.Actor, id int64) (*Activity, *Record, *OrgSettings, error) {
	act, _, err := s.recordActivity(ctx, a, id)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := s.findRecord(ctx, act)
	if err != nil {
		return nil, nil, nil, err
	}
	set, err := s.store.FindOrgSettings(ctx, act.OrgID)
	if err != nil {
		return nil, nil, nil, err
	}
	return act, r, set, nil
}

// Record returns an activity's record with its amendments and files, as far as the actor may
// see them, and what the actor may do with it.
func (s *Service) Record(ctx context.Context, a *auth.Actor, id int64) (*RecordView, error) {
	act, r, set, err := s.recordState(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v := &RecordView{Activity: act, Status: r.Status, Settings: set}
	if r.Version == 0 {
		v.Status = ""
	}
	if !canReadRecord(a, act, r, set) {
		return v, nil
	}
	v.Record = r
	v.CanEdit = canEditRecord(a, act) && r.Editable()
	v.CanApprove = canApproveRecord(a, act, set) && r.Status == RecordSubmitted
	v.CanAmend = canAmendRecord(a, act, set) && r.Status == RecordApproved
	if v.Amendments, err = s.store.FindAmendments(ctx, act.ID); err != nil {
		return nil, err
	}
	if v.Files, err = s.store.FindActivityFiles(ctx, act.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// RecordStatus returns the status of an activity's record for the activity's page: "" when
// nothing has been written yet.
func (s *Service) RecordStatus(ctx context.Context, a *auth.Actor, id int64) (string, error) {
	act, _, err := s.recordActivity(ctx, a, id)
	if err != nil {
		return "", err
	}
	r, err := s.findRecord(ctx, act)
	if err != nil || r.Version == 0 {
		return "", err
	}
	return r.Status, nil
}

// checkText validates a record's text and returns it trimmed.
func checkText(t RecordText, v *apperr.Validation) RecordText {
	for name, p := range map[string]*string{"minutes": &t.Minutes, "resolutions": &t.Resolutions,
		"lecture_summary": &t.LectureSummary, "summary": &t.Summary} {
		*p = strings.TrimSpace(strings.ReplaceAll(*p, "\r\n", "\n"))
		if utf8.RuneCountInString(*p) > maxRecordText {
			v.Add(name, "error.too_long")
		}
	}
	return t
}

// SaveRecord writes the text of a draft (or returned) record; t.Version is the version the
// form was made from, 0 for a record not yet written.
func (s *Service) SaveRecord(ctx context.Context, a *auth.Actor, id int64, t RecordText) (*Record, error) {
	act, r, _, err := s.recordState(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !canEditRecord(a, act) {
		return nil, apperr.ErrDenied
	}
	if err := editable(r); err != nil {
		return nil, err
	}
	var v apperr.Validation
	t = checkText(t, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if t.Version != r.Version {
		return nil, apperr.ErrStale
	}
	r.Minutes, r.Resolutions, r.LectureSummary, r.Summary = t.Minutes, t.Resolutions, t.LectureSummary, t.Summary
	r.UpdatedBy, r.UpdatedByName = a.UserID, actorName(a)
	rec := recordAudit(a, act, "record.save")
	rec.After = audit.JSON(textSizes(r))
	if err := s.store.SaveRecord(ctx, r, rec); err != nil {
		if apperr.KindOf(err) == apperr.Conflict {
			return nil, apperr.ErrStale // written by someone else since the form was made
		}
		return nil, err
	}
	return r, nil
}

func editable(r *Record) error {
	switch r.Status {
	case RecordSubmitted:
		return errRecordSubmitted
	case RecordApproved:
		return errRecordLocked
	}
	return nil
}

// SubmitRecord sends a draft or returned record for approval. It must have some text; photos
// are asked for only when the organization's settings require them.
func (s *Service) SubmitRecord(ctx context.Context, a *auth.Actor, id int64, version int) error {
	act, r, set, err := s.recordState(ctx, a, id)
	if err != nil {
		return err
	}
	if !canEditRecord(a, act) {
		return apperr.ErrDenied
	}
	if err := editable(r); err != nil {
		return err
	}
	if r.Version == 0 || r.Empty() {
		return apperr.New(apperr.Invalid, "error.record_empty")
	}
	if version != r.Version {
		return apperr.ErrStale
	}
	if set.RequirePhotos {
		files, err := s.store.FindActivityFiles(ctx, act.ID)
		if err != nil {
			return err
		}
		if !hasImage(files) {
			return apperr.New(apperr.Invalid, "error.record_needs_photo")
		}
	}
	r.Status, r.SubmittedBy, r.SubmittedByName, r.SubmittedAt = RecordSubmitted, a.UserID, actorName(a), s.now()
	rec := recordAudit(a, act, "record.submit")
	rec.After = audit.JSON(textSizes(r))
	return s.store.SaveRecord(ctx, r, rec)
}

func hasImage(files []*File) bool {
	for _, f := range files {
		if f.IsImage() {
			return true
		}
	}
	return false
}

// ApproveRecord approves a submitted record, which locks it.
func (s *Service) ApproveRecord(ctx context.Context, a *auth.Actor, id int64, version int) error {
	act, r, _, err := s.decidable(ctx, a, id, version)
	if err != nil {
		return err
	}
	r.Status, r.ApprovedBy, r.ApprovedByName, r.ApprovedAt = RecordApproved, a.UserID, actorName(a), s.now()
	rec := recordAudit(a, act, "record.approve")
	rec.After = audit.JSON(textSizes(r))
	return s.store.SaveRecord(ctx, r, rec)
}

// ReturnRecord sends a submitted record back to its editors with a reason.
func (s *Service) ReturnRecord(ctx context.Context, a *auth.Actor, id int64, version int, reason string) error {
	act, r, _, err := s.decidable(ctx, a, id, version)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	var v apperr.Validation
	switch {
	case reason == "":
		v.Add("reason", "error.required")
	case utf8.RuneCountInString(reason) > maxReason:
		v.Add("reason", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return err
	}
	r.Status, r.ReturnedByName, r.ReturnedAt, r.ReturnReason = RecordReturned, actorName(a), s.now(), reason
	rec := recordAudit(a, act, "record.return")
	rec.After = audit.JSON(map[string]any{"reason": reason})
	return s.store.SaveRecord(ctx, r, rec)
}

// decidable returns a submitted record that the actor may approve or return.
func (s *Service) decidable(ctx context.Context, a *auth.Actor, id int64, version int) (*Activity, *Record, *OrgSettings, error) {
	act, r, set, err := s.recordState(ctx, a, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if !canApproveRecord(a, act, set) {
		return nil, nil, nil, apperr.ErrDenied
	}
	if r.Status != RecordSubmitted {
		return nil, nil, nil, errRecordNotSubmitted
	}
	if version != r.Version {
		return nil, nil, nil, apperr.ErrStale
	}
	return act, r, set, nil
}

// AmendRecord corrects an approved record: each field whose text changed becomes an
// amendment with its text before and after and the reason, kept beside the record and in the
// audit trail.
func (s *Service) AmendRecord(ctx context.Context, a *auth.Actor, id int64, t RecordText, reason string) ([]*Amendment, error) {
	act, r, set, err := s.recordState(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !canAmendRecord(a, act, set) {
		return nil, apperr.ErrDenied
	}
	if r.Status != RecordApproved {
		return nil, errRecordNotApproved
	}
	var v apperr.Validation
	t = checkText(t, &v)
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		v.Add("reason", "error.required")
	case utf8.RuneCountInString(reason) > maxReason:
		v.Add("reason", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if t.Version != r.Version {
		return nil, apperr.ErrStale
	}
	now, name := s.now(), actorName(a)
	after := &Record{Minutes: t.Minutes, Resolutions: t.Resolutions, LectureSummary: t.LectureSummary, Summary: t.Summary}
	var ams []*Amendment
	before, changed := map[string]string{}, map[string]string{}
	for _, f := range RecordFields {
		old, nw := r.Field(f), after.Field(f)
		if old == nw {
			continue
		}
		ams = append(ams, &Amendment{ActivityID: act.ID, Field: f, Before: old, After: nw, Reason: reason, ByUser: a.UserID, ByName: name, At: now})
		before[f], changed[f] = old, nw
		*r.field(f) = nw
	}
	if len(ams) == 0 {
		return nil, apperr.New(apperr.Invalid, "error.record_no_change")
	}
	r.UpdatedBy, r.UpdatedByName = a.UserID, name
	rec := recordAudit(a, act, "record.amend")
	rec.Before = audit.JSON(before)
	changed["reason"] = reason
	rec.After = audit.JSON(changed)
	if err := s.store.AmendRecord(ctx, r, ams, rec); err != nil {
		return nil, err
	}
	return ams, nil
}

// recordAudit starts the audit record of a change to an activity's record.
func recordAudit(a *auth.Actor, act *Activity, action string) *audit.Record {
	rec := record(a, action, "activity")
	rec.OrgPath, rec.ObjectID = act.OrgPath, act.ID
	return rec
}

// textSizes is what the audit trail keeps of a record on its way: its status and the length
// of each field (the text itself is in the record; amendments keep the text they change).
func textSizes(r *Record) map[string]any {
	m := map[string]any{"status": r.Status}
	for _, f := range RecordFields {
		m[f+"_chars"] = utf8.RuneCountInString(r.Field(f))
	}
	return m
}

// actorName is the name shown for who did something: the person's or account's name.
func actorName(a *auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

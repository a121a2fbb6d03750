package activity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// fileError is a refused upload, its message naming the file.
func fileError(key, name string) error {
	return &apperr.Error{Kind: apperr.Invalid, Key: key, Args: map[string]any{"Name": name, "MB": MaxFileSize >> 20, "Max": MaxFiles}}
}

// checkUpload checks one upload and returns the file to store: the size within MaxFileSize,
// the type sniffed from the bytes and accepted, the name sanitised and given the extension of
// its real type, and for a photo its size and thumbnail.
func checkUpload(up Upload) (*File, error) {
	shown := SanitizeFileName(up.Name)
	if shown == "" {
		shown = "file"
	}
	switch {
	case len(up.Data) == 0:
		return nil, fileError("error.file_empty", shown)
	case len(up.Data) > MaxFileSize:
		return nil, fileError("error.file_too_large", shown)
	}
	ct, err := SniffType(up.Data)
	if err != nil {
		return nil, fileError("error.file_type", shown)
	}
	caption := strings.TrimSpace(up.Caption)
	if utf8.RuneCountInString(caption) > maxCaption {
		return nil, &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"caption": "error.too_long"}}
	}
	sum := sha256.Sum256(up.Data)
	f := &File{Name: storedName(up.Name, ct), ContentType: ct, Size: int64(len(up.Data)), SHA256: hex.EncodeToString(sum[:]),
		Caption: caption, Data: up.Data}
	if f.IsImage() {
		thumb, w, h, err := thumbnail(up.Data)
		switch {
		case errors.Is(err, errImageTooLarge):
			return nil, fileError("error.image_too_large", shown)
		case err != nil:
			return nil, fileError("error.image_broken", shown)
		}
		f.Thumb, f.Width, f.Height, f.HasThumb = thumb, w, h, true
	}
	return f, nil
}

// AddFiles checks and stores photos and documents of an activity, all or none. Its editors
// add them while the record is a draft; once the record is approved, adding one is an
// amendment that needs a reason. A file already there (the same bytes) is skipped; the files
// added are returned.
func (s *Service) AddFiles(ctx context.Context, a *auth.Actor, id int64, ups []Upload, reason string) ([]*File, error) {
	act, r, set, err := s.recordState(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var amend *Amendment
	switch {
	case r.Status == RecordApproved:
		if !canAmendRecord(a, act, set) {
			return nil, apperr.ErrDenied
		}
		reason = strings.TrimSpace(reason)
		if reason == "" || utf8.RuneCountInString(reason) > maxReason {
			key := "error.required"
			if reason != "" {
				key = "error.too_long"
			}
			return nil, &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"reason": key}}
		}
		amend = &Amendment{ActivityID: act.ID, Field: FieldFile, Reason: reason, ByUser: a.UserID, ByName: actorName(a), At: s.now()}
	case !canEditRecord(a, act):
		return nil, apperr.ErrDenied
	case r.Status == RecordSubmitted:
		return nil, errRecordSubmitted
	}
	if len(ups) == 0 {
		return nil, apperr.New(apperr.Invalid, "error.upload_none")
	}
	if len(ups) > MaxFiles {
		return nil, fileError("error.too_many_files", "")
	}
	files := make([]*File, 0, len(ups))
	var list []map[string]any
	for _, up := range ups {
		f, err := checkUpload(up)
		if err != nil {
			return nil, err
		}
		f.ActivityID, f.UploadedBy, f.UploadedByName = act.ID, a.UserID, actorName(a)
		files = append(files, f)
		list = append(list, map[string]any{"name": f.Name, "type": f.ContentType, "size": f.Size, "sha256": f.SHA256})
	}
	rec := recordAudit(a, act, "record.file_add")
	after := map[string]any{"files": list}
	if amend != nil {
		after["reason"] = amend.Reason
	}
	rec.After = audit.JSON(after)
	if err := s.store.AddActivityFiles(ctx, files, amend, MaxFiles, rec); err != nil {
		return nil, err
	}
	added := files[:0]
	for _, f := range files {
		if f.ID != 0 {
			f.Data, f.Thumb = nil, nil
			added = append(added, f)
		}
	}
	return added, nil
}

// File returns one file of an activity with its bytes (thumb: the thumbnail's), to those who
// may read the activity's record.
func (s *Service) File(ctx context.Context, a *auth.Actor, id, fileID int64, thumb bool) (*File, error) {
	act, r, set, err := s.recordState(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !canReadRecord(a, act, r, set) {
		return nil, apperr.ErrNotFound
	}
	f, err := s.store.FindActivityFileContent(ctx, act.ID, fileID, thumb)
	if err != nil {
		return nil, err
	}
	if thumb && !f.HasThumb {
		return nil, apperr.ErrNotFound
	}
	return f, nil
}

// DeleteFile removes a file while the record is still a draft. An approved record's files
// stay: they are part of what was approved.
func (s *Service) DeleteFile(ctx context.Context, a *auth.Actor, id, fileID int64) error {
	act, r, _, err := s.recordState(ctx, a, id)
	if err != nil {
		return err
	}
	if !canEditRecord(a, act) {
		return apperr.ErrDenied
	}
	if err := editable(r); err != nil {
		return err
	}
	files, err := s.store.FindActivityFiles(ctx, act.ID)
	if err != nil {
		return err
	}
	var f *File
	for _, x := range files {
		if x.ID == fileID {
			f = x
		}
	}
	if f == nil {
		return apperr.ErrNotFound
	}
	rec := recordAudit(a, act, "record.file_delete")
	rec.Before = audit.JSON(map[string]any{"id": f.ID, "name": f.Name, "type": f.ContentType, "size": f.Size, "sha256": f.SHA256})
	return s.store.DeleteActivityFile(ctx, act.ID, fileID, rec)
}

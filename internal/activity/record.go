package activity

import (
	"strings"
	"time"
)

// Record statuses. A record is written as a draft, submitted, then approved or returned with a
// reason; a returned record is a draft again with the reason shown.
const (
	RecordDraft     = "draft"
	RecordSubmitted = "submitted"
	RecordApproved  = "approved"
	RecordReturned  = "returned"
)

// RecordFields are the Markdown fields of a record, in the order they are shown.
var RecordFields = []string{"minutes", "resolutions", "lecture_summary", "summary"}

// FieldFile is the field of an amendment that adds a file to an approved record.
const FieldFile = "file"

// Record is what an activity left behind: minutes, resolutions, the lecture's summary and a
// closing summary, all Markdown, and the record's way through approval. An activity without a
// record yet has a zero-version draft.
type Record struct {
	ActivityID      int64
	Minutes         string
	Resolutions     string
	LectureSummary  string
	Summary         string
	Status          string
	SubmittedBy     int64 // user
	SubmittedByName string
	SubmittedAt     time.Time
	ApprovedBy      int64
	ApprovedByName  string
	ApprovedAt      time.Time
	ReturnedByName  string
	ReturnedAt      time.Time
	ReturnReason    string
	UpdatedBy       int64
	UpdatedByName   string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int // 0: not written yet
}

// Field returns the text of one of RecordFields.
func (r *Record) Field(name string) string {
	if p := r.field(name); p != nil {
		return *p
	}
	return ""
}

func (r *Record) field(name string) *string {
	switch name {
	case "minutes":
		return &r.Minutes
	case "resolutions":
		return &r.Resolutions
	case "lecture_summary":
		return &r.LectureSummary
	case "summary":
		return &r.Summary
	}
	return nil
}

// Empty reports whether none of the record's fields has text.
func (r *Record) Empty() bool {
	for _, f := range RecordFields {
		if strings.TrimSpace(r.Field(f)) != "" {
			return false
		}
	}
	return true
}

// Editable reports whether the record's text may still be changed without an amendment.
func (r *Record) Editable() bool { return r.Status == RecordDraft || r.Status == RecordReturned }

// RecordText is the text of a record as a form gives it, with the version it was made from.
type RecordText struct {
	Minutes        string
	Resolutions    string
	LectureSummary string
	Summary        string
	Version        int
}

// Amendment is one correction of an approved record: a field's text before and after, or a
// file added (Field "file", After its name), with the reason and who made it.
type Amendment struct {
	ID         int64
	ActivityID int64
	Field      string
	Before     string
	After      string
	Reason     string
	ByUser     int64
	ByName     string
	At         time.Time
}

// Who approves an organization's activity records.
const (
	ApproverSelf   = "self"   // an administrator of the organization itself
	ApproverParent = "parent" // an administrator of the organization above it
)

// OrgSettings are an organization's settings of activities. Without a stored row an
// organization approves its own records and nothing is required.
type OrgSettings struct {
	OrgID          int64
	RecordApprover string
	RequirePhotos  bool // a record is submitted only with at least one photo
	UpdatedAt      time.Time
}

// File is a photo or document of an activity. Data and Thumb are filled only when the bytes
// are asked for.
type File struct {
	ID             int64
	ActivityID     int64
	Name           string
	ContentType    string
	Size           int64
	SHA256         string
	Width          int
	Height         int
	Caption        string
	UploadedBy     int64
	UploadedByName string
	UploadedAt     time.Time
	HasThumb       bool
	Data           []byte
	Thumb          []byte
}

// IsImage reports whether the file is a photo shown inline with a thumbnail.
func (f *File) IsImage() bool { return strings.HasPrefix(f.ContentType, "image/") }

// Upload is one file as received, before it is checked.
type Upload struct {
	Name    string
	Data    []byte
	Caption string
}

// RecordView is what an actor may see and do of an activity's record. Record is nil when the
// actor may see the activity but not yet its unapproved record; Status is always set.
type RecordView struct {
	Activity   *Activity
	Status     string
	Record     *Record
	Amendments []*Amendment
	Files      []*File
	Settings   *OrgSettings
	CanEdit    bool // change the draft and its files, submit it
	CanApprove bool // approve or return a submitted record
	CanAmend   bool // correct an approved record
}

// Package activity is what a branch plans and holds: 三会一课, theme party days, study trips and
// the rest. An activity has one or more types, a time, a place or a day-by-day itinerary of
// catalogue sites, invited organizations and people, check-in by rotating QR code or by hand,
// and attendance per day.
package activity

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// Type is a kind of activity. The built-in ones carry the codes of the glossary; an
// administrator may add more.
type Type struct {
	Code      string
	NameZh    string
	NameEn    string
	Study     bool   // attending credits study hours
	OpenTo    string // members, activists, masses: the widest stage that may be invited
	Builtin   bool
	SortOrder int
}

// Name returns the type's name in the language of locale.
func (t *Type) Name(locale string) string {
	if locale == "en" && t.NameEn != "" {
		return t.NameEn
	}
	return t.NameZh
}

// Who beyond members a type is open to.
const (
	OpenMembers   = "members"
	OpenActivists = "activists"
	OpenMasses    = "masses"
)

// Activity statuses.
const (
	StatusPlanned   = "planned"
	StatusCancelled = "cancelled"
)

// Activity is one planned or held activity of an organization. StartsAt and EndsAt are
// instants; for an all-day activity they are midnights in the organization's zone, EndsAt the
// midnight after the last day.
type Activity struct {
	ID             int64
	OrgID          int64
	OrgName        string
	OrgPath        string
	Types          []string // type codes, the first is the main one
	Title          string
	Theme          string
	Purpose        string
	Place          string
	SiteID         int64
	SiteName       string
	StartsAt       time.Time
	EndsAt         time.Time
	AllDay         bool
	HostID         int64
	HostName       string
	RecorderID     int64
	RecorderName   string
	Lecturer       string
	LectureTopic   string
	Agenda         string
	SafetyNotes    string
	SignupRequired bool
	WalkIns        bool
	CheckinOpens   time.Time
	CheckinCloses  time.Time
	StudyHours     float64 // study hours credited for the whole activity; 0: by its length
	Status         string
	Sequence       int
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int

	Stops []*Stop // filled by FindActivityByID
}

// HasType reports whether the activity counts as the type.
func (a *Activity) HasType(code string) bool {
	for _, t := range a.Types {
		if t == code {
			return true
		}
	}
	return false
}

// Stop is one entry of an activity's day-by-day itinerary.
type Stop struct {
	ID         int64
	ActivityID int64
	Day        string // YYYY-MM-DD
	StartTime  string // HH:MM, optional
	EndTime    string
	Place      string
	SiteID     int64
	SiteName   string
	What       string
	SortOrder  int
}

// Site kinds.
var SiteKinds = []string{"red_base", "memorial", "scenic_area", "village", "meeting_room", "other"}

// Site is a place in the catalogue: a red-education base, memorial, scenic area, village or
// meeting room, with its facts.
type Site struct {
	ID        int64
	OrgID     int64 // the organization that keeps the entry
	OrgPath   string
	Name      string
	Kind      string
	Level     string // e.g. AAAA
	Address   string
	Latitude  *float64
	Longitude *float64
	AltitudeM int
	AreaKm2   float64
	Spots     int
	Facts     string
	History   string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Invitation is one invitation as given: an organization (with its subtree or not) limited to
// some stages, or one person.
type Invitation struct {
	ID         int64
	ActivityID int64
	OrgID      int64
	OrgName    string
	Subtree    bool
	Stages     []string
	PersonID   int64
	PersonName string
	CreatedBy  int64 // the user who invited
	CreatedAt  time.Time
}

// Responses of a participant.
const (
	ResponseNone           = ""
	ResponseSignedUp       = "signed_up"
	ResponseLeaveRequested = "leave_requested"
	ResponseLeaveApproved  = "leave_approved"
	ResponseLeaveDeclined  = "leave_declined"
)

// Participant is a person expected at an activity (invited) or who attended without an
// invitation (a walk-in), with their answer.
type Participant struct {
	ActivityID   int64
	PersonID     int64
	PersonName   string
	Stage        string
	OrgName      string
	Invited      bool
	Response     string
	LeaveReason  string
	DecidedBy    string
	DecidedAt    time.Time
	AbsentReason string
	Days         map[string]*Attendance // attendance by day, filled by Participants
}

// A person's participation as FindCheckIn reports it.
const (
	ParticipantNone    = 0
	ParticipantWalkIn  = 1
	ParticipantInvited = 2
)

// Check-in methods.
const (
	MethodQR     = "qr"
	MethodManual = "manual"
)

// Attendance is one person's presence on one day of an activity.
type Attendance struct {
	ID         int64
	ActivityID int64
	PersonID   int64
	Day        string
	Late       bool
	Method     string
	ByUser     int64
	ByName     string
	At         time.Time
}

// Filter selects activities.
type Filter struct {
	Roots []string // organization subtrees; nil means none
	// MemberPath adds the activities of one organization (not its subtree), and PersonID
	// those the person participates in: what a member sees beyond the roots.
	MemberPath string
	PersonID   int64
	OrgID      int64     // one organization only
	From       time.Time // activities ending after
	To         time.Time // activities starting before
	Type       string
	SiteID     int64 // held at the site or with a stop there
	Status     string
	Desc       bool // newest first
	Limit      int
	Offset     int
}

// Store is what the activity service needs from the database. Each method is one transaction;
// an audit record passed in is written in the same transaction.
type Store interface {
	ComplianceStore
	LedgerStore
	StudyStore

	FindActivityTypes(ctx context.Context) ([]*Type, error)
	CreateActivityType(ctx context.Context, t *Type, rec *audit.Record) error

	FindSites(ctx context.Context, q string) ([]*Site, error)
	FindSiteByID(ctx context.Context, id int64) (*Site, error)
	CreateSite(ctx context.Context, s *Site, rec *audit.Record) error
	UpdateSite(ctx context.Context, s *Site, rec *audit.Record) error

	FindActivities(ctx context.Context, f Filter) ([]*Activity, int, error)
	FindActivityByID(ctx context.Context, id int64) (*Activity, error)
	CreateActivity(ctx context.Context, a *Activity, rec *audit.Record) error
	UpdateActivity(ctx context.Context, a *Activity, rec *audit.Record) error
	FindUpcoming(ctx context.Context, personID int64, from time.Time, limit int) ([]*Activity, error)

	FindInvitations(ctx context.Context, activityID int64) ([]*Invitation, error)
	Invite(ctx context.Context, inv *Invitation, paths []string, rec func(added int) *audit.Record) (int, error)
	FindParticipants(ctx context.Context, activityID int64) ([]*Participant, error)
	FindParticipant(ctx context.Context, activityID, personID int64) (*Participant, error)
	UpdateParticipant(ctx context.Context, p *Participant, rec *audit.Record) error

	// FindCheckIn returns what a check-in needs of an activity (no types, itinerary or
	// names), and the person's participation: ParticipantNone, ParticipantWalkIn or
	// ParticipantInvited. One statement: it is on the path of every scanned check-in.
	FindCheckIn(ctx context.Context, activityID, personID int64) (*Activity, int, error)
	CheckIn(ctx context.Context, att *Attendance, walkIn, replace bool, rec *audit.Record) (bool, error)
	UndoCheckIn(ctx context.Context, activityID, personID int64, day string, rec *audit.Record) error

	// Calendar feeds (service_calendar.go). FindCalendarActivities also returns the latest
	// change of the person's participations, for Last-Modified.
	FindCalendarFeed(ctx context.Context, kind string, ownerID int64) (*CalendarFeed, error)
	FindCalendarFeedByToken(ctx context.Context, tokenHash string) (*CalendarFeed, error)
	SaveCalendarFeed(ctx context.Context, f *CalendarFeed, rec *audit.Record) error
	FindCalendarActivities(ctx context.Context, q CalendarQuery) ([]*Activity, time.Time, error)

	// Records, their files and the organization's activity settings (service_record.go,
	// service_file.go, service_settings.go). FindRecord is not found before the record is
	// first written; SaveRecord inserts it when r.Version is 0, else updates it if its
	// version is still r.Version. FindOrgSettings returns the defaults when none are stored.
	// AddActivityFiles skips files whose bytes the activity already has (leaving their ID 0),
	// refuses to go beyond max files, and writes amend (copied per file added) when given.
	FindRecord(ctx context.Context, activityID int64) (*Record, error)
	SaveRecord(ctx context.Context, r *Record, rec *audit.Record) error
	AmendRecord(ctx context.Context, r *Record, ams []*Amendment, rec *audit.Record) error
	FindAmendments(ctx context.Context, activityID int64) ([]*Amendment, error)
	FindActivityFiles(ctx context.Context, activityID int64) ([]*File, error)
	FindActivityFileContent(ctx context.Context, activityID, fileID int64, thumb bool) (*File, error)
	AddActivityFiles(ctx context.Context, files []*File, amend *Amendment, max int, rec *audit.Record) error
	DeleteActivityFile(ctx context.Context, activityID, fileID int64, rec *audit.Record) error
	FindOrgSettings(ctx context.Context, orgID int64) (*OrgSettings, error)
	SaveOrgSettings(ctx context.Context, s *OrgSettings, byUser int64, rec *audit.Record) error
}

// Orgs reads organizations and people for the activity service.
type Orgs interface {
	FindOrganizationByID(ctx context.Context, id int64) (*org.Organization, error)
	FindPersonByID(ctx context.Context, id int64) (*org.Person, error)
}

// Service applies the rules and permission checks of activities.
type Service struct {
	store Store
	orgs  Orgs
	key   []byte // signs check-in tokens
	zone  *time.Location
	now   func() time.Time
}

// NewService returns an activity service. key signs check-in tokens (32 bytes derived from
// the installation key); zone is the organization's time zone.
func NewService(store Store, orgs Orgs, key []byte, zone *time.Location, now func() time.Time) *Service {
	if zone == nil {
		zone = time.UTC
	}
	return &Service{store: store, orgs: orgs, key: key, zone: zone, now: now}
}

// Zone returns the zone activities are planned in.
func (s *Service) Zone() *time.Location { return s.zone }

func record(a *auth.Actor, action, objectType string) *audit.Record {
	return &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: action, ObjectType: objectType, IP: a.IP}
}

package masswork

import (
	"errors"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// errNotBuilt marks a method whose body is still being written.
var errNotBuilt = errors.New("masswork: not built yet")

// Service applies the rules and permission checks of mass work. Public methods (no actor)
// serve the masses without an account: the form, suggestions, tracking, the reporter's say,
// the public board.
type Service struct {
	store Store
	orgs  Orgs
	zone  *time.Location
	now   func() time.Time
	// holidays keeps the holiday lists of recent years; see workday.go.
	holidays matterHolidayCache
	// people adds contacts to the register (a visit to someone new); see SetPeople.
	people People
	// months keeps the figures of past months; see service_stats.go.
	months insightCache
}

// NewService returns a mass-work service; zone is the organization's time zone, in which
// working days and months are counted.
func NewService(store Store, orgs Orgs, zone *time.Location, now func() time.Time) *Service {
	if zone == nil {
		zone = time.UTC
	}
	return &Service{store: store, orgs: orgs, zone: zone, now: now}
}

// Zone returns the zone of working days and months.
func (s *Service) Zone() *time.Location { return s.zone }

func record(a *auth.Actor, action, objectType string) *audit.Record {
	return &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: action, ObjectType: objectType, IP: a.IP}
}

// Report is a problem as someone reports it, by any channel.
type Report struct {
	OrgID        int64  // the organization the public form belongs to (web); ignored for open311 (the key's)
	CategoryID   int64  // or CategoryCode
	CategoryCode string // Open311 service_code
	Description  string
	Attributes   map[string][]string
	Place
	Anonymous bool
	Name      string
	Phone     string
	Email     string
	// PersonID is the contact on the register the problem is from (staff channels).
	PersonID int64
	Channel  string
	// MeToo adds the reporter to an open matter instead of opening a new one; Description is
	// then an optional comment.
	MeToo int64
	// VisitID links a problem raised during a visit.
	VisitID int64
	// Key is the Open311 API key's organization, set by Open311 intake.
	Key *APIKey
}

// Receipt is what the reporter gets back: the report's tracking code and the private key of
// its link (shown once; only its hash is kept).
type Receipt struct {
	Code       string
	Key        string
	MatterID   int64
	MatterCode string
	ProblemID  int64
}

// Suggestion is an open matter similar to what a reporter is typing: public fields only.
type Suggestion struct {
	MatterID int64
	Code     string
	Title    string
	Status   string
	People   int
	Place    string // zone and booth, as public text
	Score    float64
}

// Tracking is what the tracking page shows: the matter's public face and timeline and, for
// the holder of the private key, their own report and the say asked of them.
type Tracking struct {
	Matter   *Matter
	Category *Category
	Events   []*Event // public ones only
	Owner    bool     // the private key matched
	Problem  *Problem // the report the code names (its text shown to the owner only)
	Feedback *Feedback
}

// MatterView is a matter as staff see it.
type MatterView struct {
	Matter    *Matter
	Category  *Category
	Problems  []*Problem // phones masked; anonymous reports without name or phone
	Events    []*Event
	Feedback  []*Feedback // the current round
	CanHandle bool
	// Actions are what the actor may do with the matter in its status (ActAccept, ...).
	Actions []string
}

// Board is an organization's public board of matters.
type Board struct {
	OrgID    int64
	OrgName  string
	Matters  []*Matter
	Projects []*Project
	Months   []*MonthStats
}

package masswork

import (
	"context"
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
}

// Board is an organization's public board of matters.
type Board struct {
	OrgID    int64
	OrgName  string
	Matters  []*Matter
	Projects []*Project
	Months   []*MonthStats
}

// Submit files a report. Without an actor it is the public form (channel web) or the Open311
// API (channel open311, r.Key set); with one, a cadre records it on someone's behalf.
func (s *Service) Submit(ctx context.Context, a *auth.Actor, r *Report) (*Receipt, error) {
	return nil, errNotBuilt
}

// ValidateReport checks a report as Submit would, without writing anything: a visit checks
// the problems raised in it before it is saved.
func (s *Service) ValidateReport(ctx context.Context, a *auth.Actor, r *Report) error {
	return errNotBuilt
}

// Categories returns the active categories that apply to an organization (its own and its
// ancestors'), for the public form.
func (s *Service) Categories(ctx context.Context, orgID int64) ([]*Category, error) {
	return nil, errNotBuilt
}

// AllCategories returns every active category of the installation (Open311 services).
func (s *Service) AllCategories(ctx context.Context) ([]*Category, error) {
	return nil, errNotBuilt
}

// Category returns one category by its code (Open311 service_code).
func (s *Service) Category(ctx context.Context, code string) (*Category, error) {
	return nil, errNotBuilt
}

// Suggest returns open matters of the category similar to the text, nearest first.
func (s *Service) Suggest(ctx context.Context, categoryID int64, text string, place Place, limit int) ([]*Suggestion, error) {
	return nil, errNotBuilt
}

// Track returns the tracking view of a report or matter code; key is the private key of the
// reporter's link, or empty.
func (s *Service) Track(ctx context.Context, code, key string) (*Tracking, error) {
	return nil, errNotBuilt
}

// Answer records the reporter's say through their private link.
func (s *Service) Answer(ctx context.Context, code, key string, solved bool, rating, comment string) error {
	return errNotBuilt
}

// Matters lists the matters the actor may see.
func (s *Service) Matters(ctx context.Context, a *auth.Actor, f MatterFilter) ([]*Matter, int, error) {
	return nil, 0, errNotBuilt
}

// Matter returns one matter as staff see it.
func (s *Service) Matter(ctx context.Context, a *auth.Actor, id int64) (*MatterView, error) {
	return nil, errNotBuilt
}

// Accept accepts a submitted matter; note is an optional public reply.
func (s *Service) Accept(ctx context.Context, a *auth.Actor, id int64, version int, note string) error {
	return errNotBuilt
}

// Reject rejects a matter with a reason its reporters see.
func (s *Service) Reject(ctx context.Context, a *auth.Actor, id int64, version int, reason string) error {
	return errNotBuilt
}

// Assign gives a matter to an organization (in the actor's subtree) and a responsible person.
func (s *Service) Assign(ctx context.Context, a *auth.Actor, id int64, version int, orgID, personID int64) error {
	return errNotBuilt
}

// Start marks an accepted matter in progress.
func (s *Service) Start(ctx context.Context, a *auth.Actor, id int64, version int) error {
	return errNotBuilt
}

// Reply adds a public reply (the reporters see it) or an internal note to the timeline.
func (s *Service) Reply(ctx context.Context, a *auth.Actor, id int64, body string, public bool) error {
	return errNotBuilt
}

// Resolve marks a matter resolved with a public account of what was done, and asks every
// reporter for their say.
func (s *Service) Resolve(ctx context.Context, a *auth.Actor, id int64, version int, body string) error {
	return errNotBuilt
}

// RecordFeedback records a reporter's say that staff collected by calling back.
func (s *Service) RecordFeedback(ctx context.Context, a *auth.Actor, feedbackID int64, solved bool, rating, comment string) error {
	return errNotBuilt
}

// Merge merges matter from into matter into, keeping every report and reporter.
func (s *Service) Merge(ctx context.Context, a *auth.Actor, intoID int64, intoVersion int, fromID int64, fromVersion int) error {
	return errNotBuilt
}

// Split moves the given reports of a matter into a new matter and returns it.
func (s *Service) Split(ctx context.Context, a *auth.Actor, id int64, version int, problemIDs []int64) (*Matter, error) {
	return nil, errNotBuilt
}

// SetPublic sets a matter's public title and summary and whether its reports' text is
// withheld from the public board.
func (s *Service) SetPublic(ctx context.Context, a *auth.Actor, id int64, version int, title, summary string, withheld bool) error {
	return errNotBuilt
}

// RevealPhone returns a report's phone to an actor with the reveal right, audited.
func (s *Service) RevealPhone(ctx context.Context, a *auth.Actor, problemID int64) (string, error) {
	return "", errNotBuilt
}

// Prominent ranks the open matters of an organization's subtree by prominence, with their
// growth in the last 30 days.
func (s *Service) Prominent(ctx context.Context, a *auth.Actor, orgID int64, limit int) ([]*Matter, error) {
	return nil, errNotBuilt
}

// SaveCategory creates (c.ID 0) or updates a category of an organization the actor administers.
func (s *Service) SaveCategory(ctx context.Context, a *auth.Actor, c *Category) error {
	return errNotBuilt
}

// Holidays returns the holiday list of a year.
func (s *Service) Holidays(ctx context.Context, year int) ([]Holiday, error) {
	return nil, errNotBuilt
}

// SaveHolidays replaces the holiday list of a year (system administrators).
func (s *Service) SaveHolidays(ctx context.Context, a *auth.Actor, year int, days []Holiday) error {
	return errNotBuilt
}

// Escalate passes every matter whose deadline has passed to the organization above the one
// handling it. It is run by a periodic job and returns how many it escalated.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	return 0, errNotBuilt
}

// CloseUnanswered closes resolved matters whose reporters gave no answer within seven days,
// with "no reply" recorded. It is run by a periodic job.
func (s *Service) CloseUnanswered(ctx context.Context) (int, error) {
	return 0, errNotBuilt
}

// APIKey returns the organization's Open311 key with the clear key's hash, if not revoked.
func (s *Service) APIKey(ctx context.Context, key string) (*APIKey, error) {
	return nil, errNotBuilt
}

// APIKeys lists an organization's Open311 keys.
func (s *Service) APIKeys(ctx context.Context, a *auth.Actor, orgID int64) ([]*APIKey, error) {
	return nil, errNotBuilt
}

// CreateAPIKey creates an Open311 key for an organization and returns the clear key (shown once).
func (s *Service) CreateAPIKey(ctx context.Context, a *auth.Actor, orgID int64, name string) (string, error) {
	return "", errNotBuilt
}

// RevokeAPIKey revokes an Open311 key.
func (s *Service) RevokeAPIKey(ctx context.Context, a *auth.Actor, orgID, keyID int64) error {
	return errNotBuilt
}

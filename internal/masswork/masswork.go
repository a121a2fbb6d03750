// Package masswork is the branch's work with the masses (群众工作): problems that merchants and
// residents raise, by the public form, through a cadre or over the Open311 API, gathered into
// matters (one matter, one code), handled with deadlines and escalation, and closed only with
// the reporters' say; projects of practical things for the masses; visits to contacts and the
// coverage of an area.
package masswork

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/org"
)

// Matter statuses. A matter moves submitted → accepted → in_progress → resolved → closed; it
// may be rejected (with a reason the reporters see) or merged into another matter. A
// dissatisfied answer reopens a resolved matter (back to in_progress).
const (
	StatusSubmitted  = "submitted"
	StatusAccepted   = "accepted"
	StatusInProgress = "in_progress"
	StatusResolved   = "resolved"
	StatusClosed     = "closed"
	StatusRejected   = "rejected"
	StatusMerged     = "merged"
)

// Statuses lists every matter status in workflow order.
var Statuses = []string{StatusSubmitted, StatusAccepted, StatusInProgress, StatusResolved, StatusClosed, StatusRejected, StatusMerged}

// Open reports whether a matter in the status is still being handled: similar problems are
// suggested among open matters only, and Open311 calls them open.
func Open(status string) bool {
	switch status {
	case StatusSubmitted, StatusAccepted, StatusInProgress, StatusResolved:
		return true
	}
	return false
}

// Channels a problem comes in by.
const (
	ChannelWeb     = "web"     // the public form
	ChannelStaff   = "staff"   // a cadre on someone's behalf
	ChannelPhone   = "phone"   // a cadre taking a phone call
	ChannelVisit   = "visit"   // raised during a visit
	ChannelOpen311 = "open311" // the Open311 GeoReport v2 API
)

// Channels lists the channels in display order.
var Channels = []string{ChannelWeb, ChannelStaff, ChannelPhone, ChannelVisit, ChannelOpen311}

// Report kinds.
const (
	KindReport = "report" // a problem in the reporter's words
	KindMeToo  = "metoo"  // "me too" on an existing matter
)

// Close reasons.
const (
	CloseAnswered = "answered" // every answer was in, none dissatisfied
	CloseNoReply  = "no_reply" // seven days after resolution without an answer
	CloseRejected = "rejected"
	CloseMerged   = "merged"
)

// Satisfaction ratings.
const (
	RatingSatisfied    = "satisfied"
	RatingBasic        = "basic" // basically satisfied
	RatingDissatisfied = "dissatisfied"
)

// Event kinds of a matter's timeline.
const (
	EventSubmitted = "submitted"
	EventMeToo     = "metoo"
	EventAccepted  = "accepted"
	EventRejected  = "rejected"
	EventAssigned  = "assigned"
	EventStarted   = "started"
	EventResolved  = "resolved"
	EventReopened  = "reopened"
	EventClosed    = "closed"
	EventMerged    = "merged" // on both matters: body names the other's code
	EventSplit     = "split"  // on both matters
	EventEscalated = "escalated"
	EventReply     = "reply" // public
	EventNote      = "note"  // internal
	EventFeedback  = "feedback"
)

// Field is one extra field of a category: an Open311 service definition attribute.
type Field struct {
	Code        string       `json:"code"`
	Datatype    string       `json:"datatype"` // string, number, datetime, text, singlevaluelist, multivaluelist
	Required    bool         `json:"required"`
	Description string       `json:"description"` // the question
	Values      []FieldValue `json:"values,omitempty"`
	Order       int          `json:"order"`
}

// FieldValue is one choice of a list field.
type FieldValue struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Category is a kind of problem an organization handles (an Open311 service); it applies to
// the organization's subtree.
type Category struct {
	ID           int64
	OrgID        int64
	OrgPath      string
	Code         string // Open311 service_code
	NameZh       string
	NameEn       string
	Description  string
	Keywords     string
	Group        string
	ResponseDays int // first response within, in working days
	ResolveDays  int // resolution within, in working days
	Fields       []Field
	Active       bool
	SortOrder    int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

// Name returns the category's name in the language of locale.
func (c *Category) Name(locale string) string {
	if locale == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.NameZh
}

// Place is where a problem is: a market zone and booth, an address, and an optional map point
// (WGS84).
type Place struct {
	Zone      string
	Booth     string
	Address   string
	Latitude  *float64
	Longitude *float64
}

// Matter is one problem as the organization handles it, with every report of it.
type Matter struct {
	ID             int64
	Code           string
	OrgID          int64
	OrgName        string
	OrgPath        string
	CategoryID     int64
	CategoryCode   string
	CategoryName   string // in Chinese; CategoryNameEn in English
	CategoryNameEn string
	Title          string
	Summary        string // public wording by staff
	Withheld       bool   // the reports' text is not shown on the public board
	Status         string
	Place
	AssigneeID      int64 // a person on the register
	AssigneeName    string
	People          int     // distinct people affected
	RankKey         float64 // see Prominence
	Grams           int
	ResponseDue     time.Time
	ResolveDue      time.Time
	RespondedAt     time.Time
	AcceptedAt      time.Time
	ResolvedAt      time.Time
	ClosedAt        time.Time
	CloseReason     string
	RejectReason    string
	MergedInto      int64
	MergedIntoCode  string
	EscalatedOrgID  int64
	EscalatedOrg    string
	Escalations     int
	Round           int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
	Growth          int // distinct people who joined in the last 30 days (board only)
	PendingFeedback int // feedback asked and not answered in the current round (lists only)
}

// Problem is one report of a matter by one person through one channel.
type Problem struct {
	ID               int64
	MatterID         int64
	MatterCode       string
	OriginalMatterID int64
	Code             string
	SecretHash       string // SHA-256 hex of the private key of the reporter's link
	Kind             string
	Channel          string
	CategoryID       int64
	Description      string
	Attributes       map[string][]string // the category's extra fields, by code
	Place
	Anonymous     bool
	PersonID      int64  // a contact on the register, if known
	ReporterName  string // empty when anonymous
	Phone         string // clear, write only
	PhoneMask     string
	HasPhone      bool
	Email         string
	PersonKey     string // who the distinct person is; see PersonKey
	VisitID       int64
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	// CategoryName and CategoryNameEn are filled by reads that join the category (the
	// problems raised during a visit).
	CategoryName   string
	CategoryNameEn string
}

// Event is one entry of a matter's timeline.
type Event struct {
	ID         int64
	MatterID   int64
	Kind       string
	Public     bool
	Body       string
	FromStatus string
	ToStatus   string
	ByUser     int64
	ByName     string
	At         time.Time
	// Due is the deadline in force at the event, kept on resolutions: the resolution
	// deadline of the round it ends, which a later reopening replaces on the matter. Zero
	// on other events and on resolutions recorded before it was kept.
	Due time.Time
}

// Feedback is one reporter's say after one resolution of a matter.
type Feedback struct {
	ID          int64
	MatterID    int64
	ProblemID   int64
	ProblemCode string
	Round       int
	AskedAt     time.Time
	AnsweredAt  time.Time
	Solved      bool
	Rating      string
	Comment     string
	Via         string // link or call
	ByUser      int64
	// Who to call back: the report's reporter name and masked phone (never for anonymous
	// reports without a phone).
	ReporterName string
	PhoneMask    string
}

// Photo is a photo (or another image) attached to a report. Its type is sniffed from the
// content; Data and Thumb are filled only when the content is read.
type Photo struct {
	ID          int64
	ProblemID   int64
	MatterID    int64
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Width       int
	Height      int
	CreatedAt   time.Time
	Thumb       []byte
	Data        []byte
}

// Holiday is a day that breaks the Monday-to-Friday week.
type Holiday struct {
	Day  string // YYYY-MM-DD
	Kind string // off, work
	Name string
}

// Project is a practical thing for the masses (我为群众办实事) adopting one or more matters.
type Project struct {
	ID          int64
	OrgID       int64
	OrgName     string
	OrgPath     string
	Title       string
	Description string
	OwnerID     int64 // person
	OwnerName   string
	Status      string // active, done, dropped
	Public      bool
	StartsOn    string
	DueOn       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
	Milestones  []*Milestone
	Matters     []*Matter
}

// Milestone is one step of a project.
type Milestone struct {
	ID        int64
	ProjectID int64
	Title     string
	Weight    float64
	Progress  int // 0..100
	DueOn     string
	DoneOn    string
	SortOrder int
}

// Progress is the weighted average of the milestones' progress, 0..100.
func (p *Project) Progress() float64 {
	var sum, weights float64
	for _, m := range p.Milestones {
		sum += m.Weight * float64(m.Progress)
		weights += m.Weight
	}
	if weights == 0 {
		return 0
	}
	return sum / weights
}

// Visit is a cadre's face-to-face visit to a contact.
type Visit struct {
	ID          int64
	OrgID       int64
	OrgName     string
	OrgPath     string
	VisitorID   int64 // person
	VisitorName string
	ContactID   int64
	ContactName string
	Place
	VisitedAt time.Time
	Summary   string
	CreatedBy int64
	CreatedAt time.Time
	Problems  []*Problem // raised during the visit
}

// Reservation is a contact a cadre has reserved to visit.
type Reservation struct {
	ContactID  int64
	UserID     int64
	UserName   string
	ReservedAt time.Time
	ExpiresAt  time.Time
}

// APIKey is an Open311 API key of an organization.
type APIKey struct {
	ID        int64
	OrgID     int64
	OrgPath   string
	Name      string
	KeyHash   string
	CreatedBy int64
	CreatedAt time.Time
	RevokedAt time.Time
}

// MatterFilter selects matters.
type MatterFilter struct {
	Roots      []string // organization subtrees; nil means none
	OrgID      int64    // one organization's subtree instead
	Status     []string // any of; none means all
	CategoryID int64
	IDs        []int64 // any of these matters
	Channel    string
	Query      string // in the title or code
	AssigneeID int64
	Overdue    bool      // past a deadline not met
	Now        time.Time // the instant Overdue and Growth are counted at
	Since      time.Time
	Until      time.Time
	// Sort: "prominence" (rank_key, highest first), "newest", "due".
	Sort   string
	Limit  int
	Offset int
	// NoTotal skips counting every matter selected (FindMatters then returns the page's
	// length as the total): boards showing the first ones only.
	NoTotal bool
}

// Store is what the mass-work service needs from the database. Each method is one
// transaction; an audit record passed in is written in the same transaction.
type Store interface {
	// Categories and holidays.
	FindCategories(ctx context.Context, roots []string, activeOnly bool) ([]*Category, error)
	FindCategoryByID(ctx context.Context, id int64) (*Category, error)
	FindCategoryByCode(ctx context.Context, code string) (*Category, error)
	// FindIntakeOrg returns a live organization and every category (active or not, in display
	// order) for intake without an account, which reads them for every report; the store may
	// answer from memory while neither has changed.
	FindIntakeOrg(ctx context.Context, orgID int64) (*org.Organization, []*Category, error)
	SaveCategory(ctx context.Context, c *Category, rec *audit.Record) error
	FindHolidays(ctx context.Context, from, to string) ([]Holiday, error)
	SaveHolidays(ctx context.Context, days []Holiday, from, to string, rec *audit.Record) error

	// Intake. CreateMatter inserts the matter, its first report (p.MatterID and
	// p.OriginalMatterID are set), its submitted event and its grams; AddProblem adds a
	// report (a me-too or one filed by staff into a chosen matter) to an open matter,
	// recomputes its people and rank and, for a report with text, adds its grams.
	CreateMatter(ctx context.Context, m *Matter, p *Problem, grams []int32, ev *Event, rec *audit.Record) error
	AddProblem(ctx context.Context, p *Problem, grams []int32, ev *Event, rec *audit.Record) error

	// Reading.
	FindMatters(ctx context.Context, f MatterFilter) ([]*Matter, int, error)
	FindMatterByID(ctx context.Context, id int64) (*Matter, error)
	FindMatterByCode(ctx context.Context, code string) (*Matter, error)
	FindProblemByCode(ctx context.Context, code string) (*Problem, error)
	// FindProblemMatterID and FindFeedbackMatterID return the matter a report belongs to
	// now and the matter a feedback row was asked for, for the checks of RevealPhone and
	// RecordFeedback.
	FindProblemMatterID(ctx context.Context, problemID int64) (int64, error)
	FindFeedbackMatterID(ctx context.Context, feedbackID int64) (int64, error)
	FindProblems(ctx context.Context, matterID int64) ([]*Problem, error)
	FindEvents(ctx context.Context, matterID int64, publicOnly bool) ([]*Event, error)
	// RevealProblemPhone returns the clear phone of a report and writes rec.
	RevealProblemPhone(ctx context.Context, problemID int64, rec *audit.Record) (string, error)

	// Similar returns up to limit open matters of the category sharing grams with the given
	// ones, with the number shared, most shared first. It reads the index, never the text.
	Similar(ctx context.Context, categoryID int64, grams []int32, limit int) ([]*Match, error)

	// Handling. UpdateMatter writes m if its version is still m.Version (else apperr
	// Conflict), with the events.
	UpdateMatter(ctx context.Context, m *Matter, evs []*Event, rec *audit.Record) error
	// Merge moves every report of from into into, marks from merged and writes the events;
	// both versions must be current. Split moves the reports into a new matter m.
	Merge(ctx context.Context, into, from *Matter, evs []*Event, rec *audit.Record) error
	Split(ctx context.Context, from *Matter, problemIDs []int64, m *Matter, grams []int32, evs []*Event, rec *audit.Record) error
	// DueMatters returns open matters with a deadline before now not met and not yet
	// escalated for it (for the escalation job), at most limit.
	DueMatters(ctx context.Context, now time.Time, limit int) ([]*Matter, error)

	// ResolveMatter writes a resolved matter like UpdateMatter and, in the same transaction,
	// inserts the feedback rows ask picks from the matter's reports as they stand then.
	ResolveMatter(ctx context.Context, m *Matter, evs []*Event, ask func([]*Problem) []*Feedback, rec *audit.Record) error

	// Feedback. AskFeedback inserts the rows of a round (skipping those already asked).
	AskFeedback(ctx context.Context, fb []*Feedback) error
	FindFeedback(ctx context.Context, matterID int64, round int) ([]*Feedback, error)
	AnswerFeedback(ctx context.Context, fb *Feedback, m *Matter, evs []*Event, rec *audit.Record) error
	// StaleResolved returns resolved matters resolved before the instant, at most limit.
	StaleResolved(ctx context.Context, before time.Time, limit int) ([]*Matter, error)

	// Projects.
	FindProjects(ctx context.Context, roots []string, publicOnly bool) ([]*Project, error)
	FindProjectByID(ctx context.Context, id int64) (*Project, error)
	SaveProject(ctx context.Context, p *Project, rec *audit.Record) error

	// Statistics (insight, public board rates).
	Stats(ctx context.Context, q StatsQuery) ([]*MonthStats, error)
	// FindMatterLedger returns the matters of the subtrees opened in [from, to), oldest
	// first, with their channels and latest answers, at most limit (more: apperr Invalid).
	FindMatterLedger(ctx context.Context, roots []string, from, to time.Time, limit int) ([]*LedgerRow, error)

	// Visits.
	CreateVisit(ctx context.Context, v *Visit, rec *audit.Record) error
	FindVisits(ctx context.Context, f VisitFilter) ([]*Visit, int, error)
	FindVisitByID(ctx context.Context, id int64) (*Visit, error)
	Coverage(ctx context.Context, q CoverageQuery) ([]*CoverageRow, error)
	// Areas counts, per zone, the contacts of the subtrees and those visited since q.Since.
	Areas(ctx context.Context, q CoverageQuery) ([]*AreaCoverage, error)
	// Reserve reserves the contacts among contactIDs that lie in the subtrees roots and are
	// not reserved by someone else until after now; it returns how many it reserved.
	Reserve(ctx context.Context, roots []string, contactIDs []int64, r Reservation, now time.Time) (int, error)
	Release(ctx context.Context, contactIDs []int64, userID int64) error
	ReleaseExpired(ctx context.Context, now time.Time) (int, error)

	// Photos of reports. AddPhotos refuses to go beyond max photos per report.
	AddPhotos(ctx context.Context, problemID int64, photos []*Photo, max int) error
	FindPhotos(ctx context.Context, matterID int64) ([]*Photo, error)
	FindPhotoContent(ctx context.Context, photoID int64, thumb bool) (*Photo, error)

	// Open311 keys.
	FindAPIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	FindAPIKeys(ctx context.Context, orgID int64) ([]*APIKey, error)
	CreateAPIKey(ctx context.Context, k *APIKey, rec *audit.Record) error
	RevokeAPIKey(ctx context.Context, id int64, at time.Time, rec *audit.Record) error
}

// Match is a matter found by Similar, with the number of grams shared.
type Match struct {
	MatterID int64
	Shared   int
	Grams    int // the matter's own distinct grams
}

// StatsQuery selects the months and the subtree of the statistics.
type StatsQuery struct {
	Roots []string
	From  time.Time // first month, in the zone
	To    time.Time // month after the last
	Zone  *time.Location
	// Rates asks only for what the public rates need: matters opened, decisions,
	// resolutions and answers (no reports, responses or visits).
	Rates bool
}

// MonthStats are one month's figures of a subtree; rates are computed from facts (deadlines
// met, answers given), never typed in.
type MonthStats struct {
	Month           string         // YYYY-MM
	Problems        int            // reports filed
	Matters         int            // matters opened
	ByCategory      map[string]int // reports by category code
	ByChannel       map[string]int // reports by channel
	Accepted        int            // matters accepted in the month
	Rejected        int
	Resolved        int // matters resolved in the month
	ResolvedOnTime  int // of them, by their resolve deadline
	Responded       int
	RespondedOnTime int
	MedianResponse  time.Duration // submitted to first response, matters responded in the month
	MedianResolve   time.Duration // submitted to resolution, matters resolved in the month
	Answers         int           // feedback answers given in the month
	Satisfied       int           // satisfied or basically satisfied
	Visits          int
	ContactsVisited int // distinct contacts visited in the month
	Contacts        int // contacts (the masses) on the subtree's register now: coverage's base
}

// VisitFilter selects visits.
type VisitFilter struct {
	Roots     []string
	ContactID int64
	VisitorID int64
	Zone      string
	Since     time.Time
	Limit     int
	Offset    int
}

// CoverageQuery asks which contacts of an area were visited since an instant.
type CoverageQuery struct {
	Roots []string // the contacts' organizations
	Zone  string   // an area: the market zone (or building, street) of the contact
	Since time.Time
	Now   time.Time // reservations expiring before it are ignored
	// ReservedBy, when set, selects the contacts reserved by this user instead of an area.
	ReservedBy int64
}

// AreaCoverage is the coverage of one area (a zone) of a subtree: its contacts and how many
// of them were visited since an instant.
type AreaCoverage struct {
	Zone     string
	Contacts int
	Visited  int
}

// CoverageRow is one contact of an area with the last visit since the instant, if any, and
// its reservation.
type CoverageRow struct {
	ContactID       int64
	ContactName     string
	Zone            string
	Booth           string
	LastVisitAt     time.Time // zero: not visited since
	LastVisitorName string
	Visits          int
	EverVisited     bool
	ReservedBy      string
	ReservedByID    int64
	ReservedUntil   time.Time
}

// Orgs reads organizations and people for the mass-work service.
type Orgs interface {
	FindOrganizationByID(ctx context.Context, id int64) (*org.Organization, error)
	FindPersonByID(ctx context.Context, id int64) (*org.Person, error)
}

package org

import "time"

// Stages of a person's relation to the party (政治面貌 / 发展阶段).
const (
	StageFull         = "full"
	StageProbationary = "probationary"
	StageTarget       = "development_target"
	StageActivist     = "activist"
	StageApplicant    = "applicant"
	StageMasses       = "masses"
)

// Stages lists the stages from full member to the masses.
var Stages = []string{StageFull, StageProbationary, StageTarget, StageActivist, StageApplicant, StageMasses}

// IsMember reports whether the stage is a party member, full or probationary.
func IsMember(stage string) bool { return stage == StageFull || stage == StageProbationary }

// Person statuses.
const (
	StatusNormal      = "normal"
	StatusTransferred = "transferred_out"
	StatusLost        = "lost_contact"
	StatusDeceased    = "deceased"
)

// Statuses lists the person statuses.
var Statuses = []string{StatusNormal, StatusTransferred, StatusLost, StatusDeceased}

// Person is one entry of the register. IDNumber and Phone hold clear values only on the way in
// (create, update); on the way out only the masks are filled.
type Person struct {
	ID           int64
	OrgID        int64
	OrgName      string
	OrgPath      string
	Name         string
	NamePinyin   string
	NameInitials string
	Gender       string // male, female
	Ethnicity    string
	BirthDate    string // YYYY-MM-DD
	IDNumber     string // clear, write only
	IDNumberMask string
	HasIDNumber  bool
	Phone        string // clear, write only
	PhoneMask    string
	HasPhone     bool
	Education    string
	WorkUnit     string
	Post         string
	NativePlace  string
	Address      string
	Zone         string // market zone
	Booth        string // booth or shop number
	Stage        string
	AppliedOn    string
	ActivistOn   string
	TargetOn     string
	AdmittedOn   string
	FullOn       string
	Status       string
	Tags         []string
	Notes        string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// KeepIDNumber and KeepPhone leave the stored value unchanged on update.
	KeepIDNumber bool
	KeepPhone    bool
}

// Sort orders for people lists.
const (
	SortName    = "name"
	SortNewest  = "newest"
	SortStage   = "stage"
	SortUpdated = "updated"
)

// PeopleFilter selects people. Roots limits the result to the caller's readable subtrees; the
// service sets it, never the caller.
type PeopleFilter struct {
	Roots   []string
	OrgPath string // one subtree, within Roots
	Query   string // name, pinyin initials or full pinyin, or phone tail
	Stage   string
	Status  string
	Tag     string
	Members bool // full and probationary members only
	Sort    string
	Offset  int
	Limit   int
	// Brief asks for only what a list of people shows: ID, name, organization, zone and booth,
	// stage, status and the masks of the numbers. The other fields are left empty.
	Brief bool
}

// Package org is the organization tree and the people register: organizations from party
// committee down to party group, their committees and terms, and every person a branch keeps
// on record, from full members to the masses it serves.
package org

import (
	"context"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Organization kinds, from the top of the tree down.
const (
	KindCommittee     = "committee"
	KindGeneralBranch = "general_branch"
	KindBranch        = "branch"
	KindGroup         = "group"
)

// UnitKinds lists the kinds of unit an organization belongs to (单位类别).
var UnitKinds = []string{"enterprise", "market", "village", "community", "school", "institution", "social_organization", "other"}

// Kinds lists the organization kinds in tree order.
var Kinds = []string{KindCommittee, KindGeneralBranch, KindBranch, KindGroup}

// Organization is one node of the party organization tree.
type Organization struct {
	ID        int64
	ParentID  int64
	Path      string // materialized path, e.g. /1/4/9/
	Kind      string
	Name      string
	UnitName  string // the enterprise, village or community it belongs to
	UnitKind  string
	SortOrder int
	TermStart string // current committee term, YYYY-MM-DD
	TermEnd   string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time

	// Filled by list queries.
	Depth       int
	PeopleCount int
	MemberCount int
}

// Committee positions (支委会职务).
const (
	PosSecretary          = "secretary"
	PosDeputySecretary    = "deputy_secretary"
	PosOrganizationMember = "organization_member"
	PosPropagandaMember   = "propaganda_member"
	PosDisciplineMember   = "discipline_member"
	PosYouthMember        = "youth_member"
	PosGroupLeader        = "group_leader"
)

// Positions lists the committee positions in display order.
var Positions = []string{PosSecretary, PosDeputySecretary, PosOrganizationMember, PosPropagandaMember,
	PosDisciplineMember, PosYouthMember, PosGroupLeader}

// Position is a person holding a committee position for a term.
type Position struct {
	ID         int64
	OrgID      int64
	PersonID   int64
	PersonName string
	Position   string
	TermStart  string
	TermEnd    string
}

// Store is what the org service needs from the database. Each method is one transaction; the
// audit record passed in is written in the same transaction.
type Store interface {
	TreeStore
	FindOrganizationByID(ctx context.Context, id int64) (*Organization, error)
	FindOrganizations(ctx context.Context, roots []string) ([]*Organization, error)
	FindOrganizationNames(ctx context.Context, roots []string) ([]*Organization, error)
	CreateOrganization(ctx context.Context, o *Organization, rec *audit.Record) error
	UpdateOrganization(ctx context.Context, o *Organization, rec *audit.Record) error
	FindPositions(ctx context.Context, orgID int64) ([]*Position, error)
	CreatePosition(ctx context.Context, p *Position, rec *audit.Record) error

	FindPersonByID(ctx context.Context, id int64) (*Person, error)
	FindPeople(ctx context.Context, f PeopleFilter) ([]*Person, int, error)
	CreatePerson(ctx context.Context, p *Person, rec *audit.Record) error
	UpdatePerson(ctx context.Context, p *Person, rec *audit.Record) error
	RevealPerson(ctx context.Context, id int64, field string, rec *audit.Record) (string, error)
	CountPeople(ctx context.Context, roots []string) (map[string]int, error)
	RevealPeople(ctx context.Context, ids []int64, rec *audit.Record) (map[int64]Secrets, error)
}

// Service applies the rules and permission checks of organizations and people.
type Service struct {
	store    Store
	audit    AuditStore
	imports  ImportStore
	jobs     Enqueuer
	progress importProgress
	now      func() time.Time
}

// NewService returns an org service on store, reading the audit trail from auditStore.
func NewService(store Store, auditStore AuditStore, now func() time.Time) *Service {
	return &Service{store: store, audit: auditStore, now: now}
}

func record(a *auth.Actor, action, objectType string) *audit.Record {
	return &audit.Record{ActorID: a.UserID, ActorName: a.Username, Action: action, ObjectType: objectType, IP: a.IP}
}

// AuditStore reads the audit trail and writes records that go with no other change.
type AuditStore interface {
	FindAudit(ctx context.Context, f audit.Filter) ([]*audit.Record, error)
	AppendAudit(ctx context.Context, rec *audit.Record) error
}

package org

import (
	"context"
	"errors"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// MaxPageSize caps the rows of one list page.
const MaxPageSize = 200

// People lists the people of the register that the actor may read, filtered. A member who
// administers and views nothing may not list the roster.
func (s *Service) People(ctx context.Context, a *auth.Actor, f PeopleFilter) ([]*Person, int, error) {
	f.Roots = a.ReadRoots()
	if len(f.Roots) == 0 {
		return nil, 0, apperr.ErrDenied
	}
	if f.OrgPath != "" && !a.CanView(f.OrgPath) {
		return nil, 0, apperr.ErrNotFound
	}
	if f.Limit <= 0 || f.Limit > MaxPageSize {
		f.Limit = 20
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	f.Query = cleanText(f.Query, false)
	if len([]rune(f.Query)) > maxName {
		f.Query = string([]rune(f.Query)[:maxName])
	}
	return s.store.FindPeople(ctx, f)
}

// Person returns one person: to those who may read the person's organization's roster, and to
// the person themself. Anything else is not found.
func (s *Service) Person(ctx context.Context, a *auth.Actor, id int64) (*Person, error) {
	p, err := s.store.FindPersonByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.CanView(p.OrgPath) && !(a.PersonID != 0 && a.PersonID == p.ID) {
		return nil, apperr.ErrNotFound
	}
	return p, nil
}

// CreatePerson adds a person to the register of an organization the actor administers.
func (s *Service) CreatePerson(ctx context.Context, a *auth.Actor, p *Person) error {
	if err := normalisePerson(p); err != nil {
		return err
	}
	o, err := s.orgForWrite(ctx, a, p.OrgID)
	if err != nil {
		return err
	}
	p.OrgPath, p.OrgName = o.Path, o.Name
	rec := record(a, "person.create", "person")
	rec.OrgPath = o.Path
	rec.After = audit.JSON(personAudit(p))
	return s.store.CreatePerson(ctx, p, rec)
}

// UpdatePerson changes a person's record. p.Version must be the version the editor saw: when
// someone else saved in between, the update fails with apperr.ErrStale.
func (s *Service) UpdatePerson(ctx context.Context, a *auth.Actor, p *Person) error {
	cur, err := s.Person(ctx, a, p.ID)
	if err != nil {
		return err
	}
	if !a.CanAdmin(cur.OrgPath) {
		return apperr.ErrDenied
	}
	if err := normalisePerson(p); err != nil {
		return err
	}
	o, err := s.orgForWrite(ctx, a, p.OrgID)
	if err != nil {
		return err
	}
	p.OrgPath, p.OrgName = o.Path, o.Name
	rec := record(a, "person.update", "person")
	rec.OrgPath, rec.PersonID = o.Path, p.ID
	before, after := personAudit(cur), personAudit(p)
	if p.KeepIDNumber {
		after.IDNumber = before.IDNumber
	}
	if p.KeepPhone {
		after.Phone = before.Phone
	}
	rec.Before, rec.After = audit.JSON(before), audit.JSON(after)
	return s.store.UpdatePerson(ctx, p, rec)
}

// Reveal returns the clear ID number or phone of a person. It needs the reveal right and
// administration of the person's organization, and writes an audit record.
func (s *Service) Reveal(ctx context.Context, a *auth.Actor, id int64, field string) (string, error) {
	if field != "id_number" && field != "phone" {
		return "", apperr.New(apperr.Invalid, "error.choice")
	}
	p, err := s.Person(ctx, a, id)
	if err != nil {
		return "", err
	}
	if !a.CanAdmin(p.OrgPath) || !(a.CanReveal || a.SysAdmin) {
		return "", apperr.ErrDenied
	}
	rec := record(a, "person.reveal_"+field, "person")
	rec.OrgPath, rec.PersonID, rec.ObjectID = p.OrgPath, p.ID, p.ID
	return s.store.RevealPerson(ctx, id, field, rec)
}

// HomeCounts returns the number of people of each stage in the actor's readable scope.
func (s *Service) HomeCounts(ctx context.Context, a *auth.Actor) (map[string]int, error) {
	roots := a.ReadRoots()
	if len(roots) == 0 {
		return map[string]int{}, nil
	}
	return s.store.CountPeople(ctx, roots)
}

func (s *Service) orgForWrite(ctx context.Context, a *auth.Actor, orgID int64) (*Organization, error) {
	o, err := s.store.FindOrganizationByID(ctx, orgID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !a.CanAdmin(o.Path)) {
		return nil, &apperr.Error{Kind: apperr.Invalid, Key: "error.invalid_form", Fields: map[string]string{"org_id": "error.org_out_of_scope"}}
	}
	return o, err
}

type personAuditView struct {
	OrgID                                               int64
	Name, Gender, Ethnicity, BirthDate                  string
	IDNumber, Phone                                     string // masked
	Education, WorkUnit, Post, NativePlace, Address     string
	Zone, Booth, Stage, Status                          string
	AppliedOn, ActivistOn, TargetOn, AdmittedOn, FullOn string
	Tags                                                []string
	Notes                                               string
}

// personAudit is what the audit trail keeps of a person: every field, personal numbers masked.
func personAudit(p *Person) personAuditView {
	v := personAuditView{OrgID: p.OrgID, Name: p.Name, Gender: p.Gender, Ethnicity: p.Ethnicity, BirthDate: p.BirthDate,
		IDNumber: p.IDNumberMask, Phone: p.PhoneMask, Education: p.Education, WorkUnit: p.WorkUnit, Post: p.Post,
		NativePlace: p.NativePlace, Address: p.Address, Zone: p.Zone, Booth: p.Booth, Stage: p.Stage, Status: p.Status,
		AppliedOn: p.AppliedOn, ActivistOn: p.ActivistOn, TargetOn: p.TargetOn, AdmittedOn: p.AdmittedOn, FullOn: p.FullOn,
		Tags: p.Tags, Notes: p.Notes}
	if p.IDNumber != "" && !p.KeepIDNumber {
		v.IDNumber = maskID(p.IDNumber)
	}
	if p.Phone != "" && !p.KeepPhone {
		v.Phone = maskPhone(p.Phone)
	}
	return v
}

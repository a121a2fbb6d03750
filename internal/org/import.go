package org

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/roster"
)

// Import statuses, in the order an import passes through them.
const (
	ImportPreview   = "preview"
	ImportQueued    = "queued"
	ImportRunning   = "running"
	ImportDone      = "done"
	ImportFailed    = "failed"
	ImportCancelled = "cancelled"
)

// Import is a roster upload: previewed, then written by a background job in one transaction,
// so that a failing row or a killed process leaves nothing half-written.
type Import struct {
	ID         int64
	UserID     int64
	ActorName  string
	OrgID      int64 // default organization of rows that name none
	OrgPath    string
	Filename   string
	Status     string
	TotalRows  int
	ErrorRows  int
	DoneRows   int
	Failure    string // message key of why the job failed
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
	Ignored    []string    // headers that matched no column
	Rows       []ImportRow // the preview, numbers masked
}

// ImportRow is one row of the preview.
type ImportRow struct {
	Line      int
	Name      string
	OrgName   string
	Stage     string
	Gender    string
	BirthDate string
	IDMask    string
	PhoneMask string
	Errors    map[string]string // field → message key
}

// ImportStore keeps imports.
type ImportStore interface {
	CreateImport(ctx context.Context, im *Import, people []*Person) error
	FindImport(ctx context.Context, id int64) (*Import, error)
	SetImportStatus(ctx context.Context, id int64, from []string, to string) error
	ImportPeople(ctx context.Context, id int64) ([]*Person, error)
	ApplyImport(ctx context.Context, im *Import, people []*Person, record func(*Person) *audit.Record, progress func(int)) error
	FailImport(ctx context.Context, id int64, failure string) error
	ExistingIDNumbers(ctx context.Context, numbers []string) (map[string]bool, error)
}

// Enqueuer starts the background job of an import.
type Enqueuer interface {
	EnqueueImport(ctx context.Context, importID int64) error
}

// importProgress counts the rows written by running imports of this process.
type importProgress struct{ m sync.Map }

func (p *importProgress) counter(id int64) *atomic.Int64 {
	c, _ := p.m.LoadOrStore(id, new(atomic.Int64))
	return c.(*atomic.Int64)
}

// SetImports connects the import store and the job queue; app wires them at start.
func (s *Service) SetImports(store ImportStore, jobs Enqueuer) {
	s.imports, s.jobs = store, jobs
}

// PreviewImport checks every row of a parsed roster against the register and stores the
// import for the preview. Nothing is written to the register. Rows name their organization
// in the 所在党组织 column; rows without one go to defaultOrg.
func (s *Service) PreviewImport(ctx context.Context, a *auth.Actor, defaultOrg int64, filename string, sheet *roster.Sheet) (*Import, error) {
	def, err := s.orgForWrite(ctx, a, defaultOrg)
	if err != nil {
		return nil, err
	}
	tree, err := s.store.FindOrganizations(ctx, a.AdminRoots())
	if err != nil {
		return nil, err
	}
	byName := map[string][]*Organization{}
	for _, o := range tree {
		if a.CanAdmin(o.Path) {
			key := normalOrgName(o.Name)
			byName[key] = append(byName[key], o)
		}
	}
	im := &Import{UserID: a.UserID, ActorName: a.Username, OrgID: def.ID, OrgPath: def.Path, Filename: cleanText(filename, false),
		Status: ImportPreview, TotalRows: len(sheet.Rows), Ignored: sheet.Ignored}
	people := make([]*Person, 0, len(sheet.Rows))
	var numbers []string
	seen := map[string]bool{}
	for _, r := range sheet.Rows {
		p, row := s.importRow(r, def, byName)
		if p.IDNumber != "" && row.Errors["id_number"] == "" {
			if seen[p.IDNumber] {
				row.Errors["id_number"] = "error.import_duplicate_in_file"
			} else {
				seen[p.IDNumber] = true
				numbers = append(numbers, p.IDNumber)
			}
		}
		people = append(people, p)
		im.Rows = append(im.Rows, row)
	}
	existing, err := s.imports.ExistingIDNumbers(ctx, numbers)
	if err != nil {
		return nil, err
	}
	for i, p := range people {
		row := &im.Rows[i]
		if existing[p.IDNumber] && row.Errors["id_number"] == "" {
			row.Errors["id_number"] = "error.id_duplicate"
		}
		if len(row.Errors) > 0 {
			im.ErrorRows++
		}
	}
	if err := s.imports.CreateImport(ctx, im, people); err != nil {
		return nil, err
	}
	return im, nil
}

func normalOrgName(s string) string {
	return strings.Join(strings.Fields(cleanText(s, false)), "")
}

// importRow turns one roster row into a person and its preview row with every error.
func (s *Service) importRow(r roster.Row, def *Organization, byName map[string][]*Organization) (*Person, ImportRow) {
	v := r.Values
	row := ImportRow{Line: r.Line, Errors: map[string]string{}}
	for f, k := range r.Problems {
		row.Errors[f] = k
	}
	p := &Person{OrgID: def.ID, Name: v["name"], Ethnicity: v["ethnicity"], BirthDate: v["birth_date"],
		IDNumber: v["id_number"], Phone: v["phone"], Education: v["education"], WorkUnit: v["work_unit"], Post: v["post"],
		NativePlace: v["native_place"], Address: v["address"], Zone: v["zone"], Booth: v["booth"],
		AppliedOn: v["applied_on"], ActivistOn: v["activist_on"], TargetOn: v["target_on"], AdmittedOn: v["admitted_on"],
		FullOn: v["full_on"], Notes: v["notes"]}
	orgName := def.Name
	if name := v["org"]; name != "" {
		switch matches := byName[normalOrgName(name)]; len(matches) {
		case 1:
			p.OrgID, orgName = matches[0].ID, matches[0].Name
		case 0:
			row.Errors["org"] = "error.import_unknown_org"
			orgName = name
		default:
			row.Errors["org"] = "error.import_ambiguous_org"
			orgName = name
		}
	}
	if w := v["stage"]; w != "" {
		if stage, ok := roster.StageOf(w); ok {
			p.Stage = stage
		} else {
			row.Errors["stage"] = "error.choice"
		}
	}
	if p.Stage == "" {
		p.Stage = stageFromDates(p)
	}
	if w := v["gender"]; w != "" {
		if g, ok := roster.GenderOf(w); ok {
			p.Gender = g
		} else {
			row.Errors["gender"] = "error.choice"
		}
	}
	if w := v["status"]; w != "" {
		if st, ok := roster.StatusOf(w); ok {
			p.Status = st
		} else {
			row.Errors["status"] = "error.choice"
		}
	}
	if t := v["tags"]; t != "" {
		p.Tags = strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' || r == ';' })
	}
	// Cells already refused while reading keep their first error; don't validate them again.
	for f := range r.Problems {
		switch f {
		case "id_number":
			p.IDNumber = ""
		case "phone":
			p.Phone = ""
		}
	}
	if err := normalisePerson(p); err != nil {
		if e := apperr.As(err); e != nil {
			for f, k := range e.Fields {
				if f == "org_id" {
					f = "org"
				}
				if _, ok := row.Errors[f]; !ok {
					row.Errors[f] = k
				}
			}
		}
	}
	row.Name, row.OrgName, row.Stage, row.Gender, row.BirthDate = p.Name, orgName, p.Stage, p.Gender, p.BirthDate
	if p.IDNumber != "" && row.Errors["id_number"] == "" {
		row.IDMask = maskID(p.IDNumber)
	}
	if p.Phone != "" && row.Errors["phone"] == "" {
		row.PhoneMask = maskPhone(p.Phone)
	}
	return p, row
}

// stageFromDates guesses the stage of a row without a 政治面貌 cell from its latest stage
// date; with no dates it is one of the masses.
func stageFromDates(p *Person) string {
	switch {
	case p.FullOn != "":
		return StageFull
	case p.AdmittedOn != "":
		return StageProbationary
	case p.TargetOn != "":
		return StageTarget
	case p.ActivistOn != "":
		return StageActivist
	case p.AppliedOn != "":
		return StageApplicant
	}
	return StageMasses
}

// Import returns an import to the actor who uploaded it or an administrator of its
// organization, with the rows written so far when it runs in this process.
func (s *Service) Import(ctx context.Context, a *auth.Actor, id int64) (*Import, error) {
	im, err := s.imports.FindImport(ctx, id)
	if err != nil {
		return nil, err
	}
	if im.UserID != a.UserID && !a.CanAdmin(im.OrgPath) {
		return nil, apperr.ErrNotFound
	}
	if im.Status == ImportRunning {
		if n := int(s.progress.counter(id).Load()); n > im.DoneRows {
			im.DoneRows = n
		}
	}
	return im, nil
}

// StartImport queues the job of a previewed import without errors.
func (s *Service) StartImport(ctx context.Context, a *auth.Actor, id int64) error {
	im, err := s.Import(ctx, a, id)
	if err != nil {
		return err
	}
	// Only the uploader starts an import, with rights checked again for every organization
	// its rows go to: the preview checked them, but rights may have changed since.
	if im.UserID != a.UserID || !a.CanAdmin(im.OrgPath) {
		return apperr.ErrDenied
	}
	if im.ErrorRows > 0 {
		return apperr.New(apperr.Invalid, "error.import_has_errors")
	}
	if im.Status != ImportPreview && im.Status != ImportQueued {
		return apperr.New(apperr.Conflict, "error.import_not_pending")
	}
	people, err := s.imports.ImportPeople(ctx, id)
	if err != nil {
		return err
	}
	checked := map[int64]bool{}
	for _, p := range people {
		if checked[p.OrgID] {
			continue
		}
		if _, err := s.orgForWrite(ctx, a, p.OrgID); err != nil {
			return apperr.ErrDenied
		}
		checked[p.OrgID] = true
	}
	if err := s.imports.SetImportStatus(ctx, id, []string{ImportPreview, ImportQueued}, ImportQueued); err != nil {
		return err
	}
	// Queued twice (a retry after a lost job) is harmless: the job is unique per import.
	return s.jobs.EnqueueImport(ctx, id)
}

// AbandonImport marks an import failed when its job has used its last attempt (stopped by
// shutdowns or its time limit each time), so that it does not stay running for ever and its
// sealed rows are dropped.
func (s *Service) AbandonImport(ctx context.Context, id int64) error {
	im, err := s.imports.FindImport(ctx, id)
	if err != nil {
		return err
	}
	if im.Status != ImportQueued && im.Status != ImportRunning {
		return nil
	}
	return s.imports.FailImport(ctx, id, "error.import_failed")
}

// CancelImport drops a previewed import.
func (s *Service) CancelImport(ctx context.Context, a *auth.Actor, id int64) error {
	if _, err := s.Import(ctx, a, id); err != nil {
		return err
	}
	return s.imports.SetImportStatus(ctx, id, []string{ImportPreview}, ImportCancelled)
}

// RunImport writes the rows of a queued import in one transaction. The background job calls
// it; a retry after a crash finds the import still queued or running and nothing written.
func (s *Service) RunImport(ctx context.Context, id int64) error {
	im, err := s.imports.FindImport(ctx, id)
	if err != nil {
		return err
	}
	switch im.Status {
	case ImportDone, ImportCancelled, ImportFailed:
		return nil
	case ImportPreview:
		return fmt.Errorf("org: import %d was not started", id)
	}
	if err := s.imports.SetImportStatus(ctx, id, []string{ImportQueued, ImportRunning}, ImportRunning); err != nil {
		return err
	}
	people, err := s.imports.ImportPeople(ctx, id)
	if err != nil {
		return err
	}
	counter := s.progress.counter(id)
	counter.Store(0)
	defer s.progress.m.Delete(id)
	record := func(p *Person) *audit.Record {
		return &audit.Record{ActorID: im.UserID, ActorName: im.ActorName, Action: "person.import", ObjectType: "person",
			After: audit.JSON(personAudit(p))}
	}
	err = s.imports.ApplyImport(ctx, im, people, record, func(n int) { counter.Store(int64(n)) })
	if err != nil && ctx.Err() != nil {
		// Stopped by a shutdown: nothing was written; the job runs again later.
		return err
	}
	if err != nil {
		key := "error.import_failed"
		if k := apperr.As(err); k != nil && k.Kind == apperr.Conflict {
			key = "error.import_conflict"
		}
		if ferr := s.imports.FailImport(context.WithoutCancel(ctx), id, key); ferr != nil {
			return fmt.Errorf("org: import %d: %w (and marking it failed: %v)", id, err, ferr)
		}
		// The failure is recorded for the user; the job itself is done.
		return nil
	}
	return nil
}

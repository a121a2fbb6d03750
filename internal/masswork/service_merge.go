package masswork

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
)

// Merging and splitting. Staff gather reports of one problem into one matter, keeping every
// report, its reporter and its text, and split them again. Both act on the versions the staff
// member saw: of two people merging the same matters at once, one wins and the other is told
// the matter changed; no report is lost either way.

// Merge merges matter from into matter into, keeping every report and reporter. Both must be
// open and handled by the actor.
func (s *Service) Merge(ctx context.Context, a *auth.Actor, intoID int64, intoVersion int, fromID int64, fromVersion int) error {
	if intoID == fromID {
		return apperr.New(apperr.Invalid, "matter.error.same_matter")
	}
	into, err := s.matterHandle(ctx, a, intoID, intoVersion, ActMerge)
	if err != nil {
		return err
	}
	from, err := s.matterHandle(ctx, a, fromID, fromVersion, ActMerge)
	if err != nil {
		return err
	}
	now := s.now()
	rec := matterRecord(a, ActMerge, from)
	fromStatus := from.Status
	from.Status, from.MergedInto, from.MergedIntoCode = StatusMerged, into.ID, into.Code
	from.ClosedAt, from.CloseReason, from.UpdatedAt = now, CloseMerged, now
	into.UpdatedAt = now
	rec.After = audit.JSON(struct{ Into, From matterAuditView }{matterAudit(into), matterAudit(from)})
	evs := []*Event{
		matterEvent(a, into, EventMerged, true, from.Code, "", now),
		matterEvent(a, from, EventMerged, true, into.Code, fromStatus, now),
	}
	if err := s.store.Merge(ctx, into, from, evs, rec); err != nil {
		return fmt.Errorf("masswork: merge: %w", err)
	}
	return nil
}

// Split moves the given reports of a matter into a new matter and returns it. At least one
// report stays. The new matter is submitted anew, with deadlines from now; its events are
// those with MatterID 0 of the list given to the store.
func (s *Service) Split(ctx context.Context, a *auth.Actor, id int64, version int, problemIDs []int64) (*Matter, error) {
	m, err := s.matterHandle(ctx, a, id, version, ActSplit)
	if err != nil {
		return nil, err
	}
	problems, err := s.store.FindProblems(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("masswork: split: %w", err)
	}
	byID := map[int64]*Problem{}
	for _, p := range problems {
		byID[p.ID] = p
	}
	chosen := map[int64]bool{}
	var moved []*Problem
	var v apperr.Validation
	for _, pid := range problemIDs {
		p, ok := byID[pid]
		if !ok {
			v.Add("problem_ids", "matter.error.split_foreign")
			break
		}
		if !chosen[pid] {
			chosen[pid] = true
			moved = append(moved, p)
		}
	}
	switch {
	case len(problemIDs) == 0:
		v.Add("problem_ids", "matter.error.split_none")
	case len(moved) == len(problems):
		v.Add("problem_ids", "matter.error.split_all")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(moved, func(i, j int) bool { return moved[i].CreatedAt.Before(moved[j].CreatedAt) })
	ids := make([]int64, len(moved))
	for i, p := range moved {
		ids[i] = p.ID
	}
	cat, err := s.store.FindCategoryByID(ctx, m.CategoryID)
	if err != nil {
		return nil, fmt.Errorf("masswork: split: %w", err)
	}
	now := s.now()
	n, grams, err := s.matterSplitOff(ctx, m, cat, moved, now)
	if err != nil {
		return nil, err
	}
	rec := matterRecord(a, ActSplit, m)
	m.UpdatedAt = now
	for try := 1; ; try++ {
		rec.After = audit.JSON(struct {
			From, New matterAuditView
			Problems  []int64
		}{matterAudit(m), matterAudit(n), ids})
		evs := []*Event{
			matterEvent(a, m, EventSplit, true, n.Code, "", now),
			{Kind: EventSubmitted, Public: true, ToStatus: StatusSubmitted, At: now},
			{Kind: EventSplit, Public: true, Body: m.Code, At: now},
		}
		for _, ev := range evs[1:] {
			ev.ByUser, ev.ByName = a.UserID, a.Name
		}
		err = s.store.Split(ctx, m, ids, n, grams, evs, rec)
		if errors.Is(err, apperr.ErrConflict) && !errors.Is(err, apperr.ErrStale) && try < matterCodeTries {
			n.Code = NewCode() // the new matter's code was taken
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("masswork: split: %w", err)
		}
		return n, nil
	}
}

// matterSplitOff returns the new matter of reports split off m, and the grams of their text.
func (s *Service) matterSplitOff(ctx context.Context, m *Matter, cat *Category, moved []*Problem, now time.Time) (*Matter, []int32, error) {
	respond, err := s.Deadline(ctx, now, cat.ResponseDays)
	if err != nil {
		return nil, nil, err
	}
	resolve, err := s.Deadline(ctx, now, cat.ResolveDays)
	if err != nil {
		return nil, nil, err
	}
	n := &Matter{Code: NewCode(), OrgID: m.OrgID, OrgName: m.OrgName, OrgPath: m.OrgPath, CategoryID: m.CategoryID,
		CategoryCode: m.CategoryCode, CategoryName: m.CategoryName, CategoryNameEn: m.CategoryNameEn, Title: m.Title,
		Status: StatusSubmitted, ResponseDue: respond, ResolveDue: resolve, CreatedAt: now, UpdatedAt: now, Version: 1}
	var text string
	for _, p := range moved {
		if p.Description != "" {
			if text == "" {
				n.Title, n.Place = matterFirstRunes(p.Description, TitleLen), p.Place
			}
			text += p.Description + "\n"
		}
	}
	var latest []time.Time
	for _, p := range matterLatestPerPerson(moved) {
		latest = append(latest, p.CreatedAt)
	}
	n.People, n.RankKey = len(latest), RankKey(latest)
	grams := Grams(text)
	n.Grams = len(grams)
	return n, grams, nil
}

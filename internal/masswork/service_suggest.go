package masswork

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Suggestions while a reporter types: open matters of the same category whose text shares
// grams with what was typed, read from the gram index (store.Similar), scored by
// matterSimilarity, a little higher when in the same market zone and higher still at the
// same booth.
const (
	// SuggestThreshold is the lowest score suggested. Tuned on the market's reports:
	// "东门停车难，车位太少" and "东大门那边停车太难了" score 0.37, two unrelated reports 0.05
	// or less (similar_test.go).
	SuggestThreshold = 0.2
	// Boosts for the place: the same zone, and the same booth in it.
	suggestZoneBoost  = 0.1
	suggestBoothBoost = 0.1
	// suggestCandidates is how many index matches are read; suggestTyped bounds the grams
	// looked up for one text.
	suggestCandidates = 50
	suggestTyped      = 256
)

// Suggest returns open matters of the category similar to the text, nearest first: public
// fields only, at most limit (5 by default, 10 at most).
func (s *Service) Suggest(ctx context.Context, categoryID int64, text string, place Place, limit int) ([]*Suggestion, error) {
	return s.SuggestIn(ctx, 0, categoryID, text, place, limit)
}

// SuggestIn is Suggest among the matters an organization's subtree handles (orgID 0: all):
// a form of one branch offers "me too" on that branch's matters only, the ones it can join.
func (s *Service) SuggestIn(ctx context.Context, orgID, categoryID int64, text string, place Place, limit int) ([]*Suggestion, error) {
	var under string
	if orgID != 0 {
		o, err := s.orgs.FindOrganizationByID(ctx, orgID)
		if err != nil {
			return nil, err
		}
		under = o.Path
	}
	if limit <= 0 {
		limit = 5
	}
	limit = min(limit, 10)
	out := []*Suggestion{}
	if len(text) > 4*MaxDescription {
		text = text[:4*MaxDescription]
	}
	grams := Grams(text)
	if len(grams) == 0 || categoryID <= 0 {
		return out, nil
	}
	if len(grams) > suggestTyped {
		grams = grams[:suggestTyped]
	}
	matches, err := s.store.Similar(ctx, categoryID, grams, suggestCandidates)
	if err != nil {
		return nil, fmt.Errorf("masswork: suggest: %w", err)
	}
	// Score by text; only matters the place's boosts could lift over the threshold are read.
	type scored struct {
		id    int64
		score float64
	}
	var cands []scored
	for _, m := range matches {
		sc := matterSimilarity(m.Shared, len(grams), m.Grams)
		if sc > 0 && sc+suggestZoneBoost+suggestBoothBoost >= SuggestThreshold {
			cands = append(cands, scored{m.MatterID, sc})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	if len(cands) > 3*limit {
		cands = cands[:3*limit]
	}
	zone, booth := matterPlaceKey(place.Zone), matterPlaceKey(place.Booth)
	if len(cands) == 0 {
		return out, nil
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	// The candidates in one read, without counting or growth.
	found, _, err := s.store.FindMatters(ctx, MatterFilter{Roots: []string{"/"}, IDs: ids, NoTotal: true, Limit: len(ids)})
	if err != nil {
		return nil, fmt.Errorf("masswork: suggest: %w", err)
	}
	byID := make(map[int64]*Matter, len(found))
	for _, m := range found {
		byID[m.ID] = m
	}
	for _, c := range cands {
		m := byID[c.id]
		if m == nil || !Open(m.Status) || m.CategoryID != categoryID || !strings.HasPrefix(m.OrgPath, under) {
			continue // closed or moved since the index was read
		}
		score := c.score
		if zone != "" && zone == matterPlaceKey(m.Zone) {
			score += suggestZoneBoost
			if booth != "" && booth == matterPlaceKey(m.Booth) {
				score += suggestBoothBoost
			}
		}
		if score < SuggestThreshold {
			continue
		}
		pub := boardMatter(m)
		title := pub.Title
		if title == "" {
			title = pub.CategoryName
		}
		out = append(out, &Suggestion{MatterID: m.ID, Code: m.Code, Title: title, Status: m.Status, People: m.People,
			Place: pub.Zone, Score: score})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// matterPlaceKey folds a zone or booth for comparison: "B区", "b 区" and "Ｂ区" are one zone.
func matterPlaceKey(s string) string { return Normalize(s) }

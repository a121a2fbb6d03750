package masswork

import (
	"context"
	"regexp"
	"time"
)

// Board limits.
const (
	DefaultBoardMatters = 20
	maxBoardMatters     = 100
	boardMonths         = 12
)

// PublicBoard returns an organization's public board: the open matters of its subtree ranked
// by prominence with their growth in the last 30 days, its public projects with their
// progress, and its rates of the last twelve months. It serves anyone, without an account,
// so it holds no personal data: no reporter, no report, no place finer than the zone, the
// title of a matter only when its text is not withheld, and anything in a public text that
// looks like a phone or ID number masked.
func (s *Service) PublicBoard(ctx context.Context, orgID int64, limit int) (*Board, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxBoardMatters {
		limit = DefaultBoardMatters
	}
	b := &Board{OrgID: o.ID, OrgName: o.Name}
	// Prominent gives a caller without an account the public face of each matter.
	if b.Matters, err = s.Prominent(ctx, nil, o.ID, limit); err != nil {
		return nil, err
	}
	projects, err := s.store.FindProjects(ctx, []string{o.Path}, true)
	if err != nil {
		return nil, err
	}
	for _, p := range projects {
		if p.Status == ProjectDropped {
			continue
		}
		b.Projects = append(b.Projects, boardProject(p))
	}
	local := s.now().In(s.zone)
	to := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, s.zone).AddDate(0, 1, 0)
	if b.Months, err = s.monthStats(ctx, o.Path, to.AddDate(0, -boardMonths, 0), to, true); err != nil {
		return nil, err
	}
	for _, m := range b.Months {
		// The rates only: visits are the branch's own business, not the board's.
		*m = MonthStats{Month: m.Month, Matters: m.Matters, Accepted: m.Accepted, Rejected: m.Rejected, Resolved: m.Resolved,
			ResolvedOnTime: m.ResolvedOnTime, MedianResolve: m.MedianResolve, Answers: m.Answers, Satisfied: m.Satisfied}
	}
	return b, nil
}

// boardMatter returns the public face of a matter: what the board, a project's public page
// and the tracking page may show to anyone.
func boardMatter(m *Matter) *Matter {
	pub := &Matter{ID: m.ID, Code: m.Code, OrgID: m.OrgID, OrgName: m.OrgName, CategoryID: m.CategoryID,
		CategoryCode: m.CategoryCode, CategoryName: m.CategoryName, CategoryNameEn: m.CategoryNameEn,
		Summary: MaskPublicText(m.Summary), Withheld: m.Withheld, Status: m.Status, People: m.People, RankKey: m.RankKey,
		Growth: m.Growth, CreatedAt: m.CreatedAt, ResolvedAt: m.ResolvedAt, ClosedAt: m.ClosedAt}
	pub.Zone = m.Zone
	if !m.Withheld {
		pub.Title = MaskPublicText(m.Title)
	}
	return pub
}

// boardProject returns the public face of a project, without its matters: what the board and
// its public page show.
func boardProject(p *Project) *Project {
	return &Project{ID: p.ID, OrgID: p.OrgID, OrgName: p.OrgName, Title: MaskPublicText(p.Title),
		Description: MaskPublicText(p.Description), OwnerName: p.OwnerName, Status: p.Status, Public: p.Public,
		StartsOn: p.StartsOn, DueOn: p.DueOn, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Milestones: p.Milestones}
}

// Numbers that public texts must not carry: mainland mobile numbers and ID numbers.
var (
	boardPhone    = regexp.MustCompile(`(\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})`)
	boardIDNumber = regexp.MustCompile(`\b(\d{6})\d{8}(\d{3}[\dXx])\b`)
)

// MaskPublicText masks what looks like a phone number (138****5678) or an ID number
// (330681********1234) in a text shown to the public: staff word public titles, but a
// reporter's own words may carry their number.
func MaskPublicText(s string) string {
	s = boardIDNumber.ReplaceAllString(s, "$1********$2")
	return boardPhone.ReplaceAllString(s, "$2****$3")
}

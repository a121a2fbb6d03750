package masswork

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/org"
)

// The public read of the Open311 GeoReport v2 API: services (categories), jurisdictions
// (organizations) and service requests (matters). Nothing here takes an actor, so nothing
// here returns personal data: matters are copied field by field into public copies (see
// publicMatter), without reporters, assignees or withheld text.

// MaxRequests is the most matters one public read returns (GeoReport v2's default volume).
const MaxRequests = 1000

// MaxRequestCodes is the most codes one public read looks up.
const MaxRequestCodes = 100

// RequestQuery selects matters for the public read of Open311's GET requests. Codes, when
// given, override every other filter but the jurisdiction.
type RequestQuery struct {
	OrgID         int64     // a jurisdiction: the organization's subtree; 0 for every organization
	Codes         []string  // matter codes (a report's code names its matter)
	CategoryCodes []string  // any of these categories; none: every category
	Statuses      []string  // any of our statuses; none: every status
	Since, Until  time.Time // created in [Since, Until)
	Limit, Offset int       // at most MaxRequests
}

// Jurisdiction returns an organization for the public read: an Open311 jurisdiction_id names
// one. Only its ID, name and path are meant to be shown.
func (s *Service) Jurisdiction(ctx context.Context, id int64) (*org.Organization, error) {
	if id <= 0 {
		return nil, apperr.ErrNotFound
	}
	o, err := s.orgs.FindOrganizationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return &org.Organization{ID: o.ID, ParentID: o.ParentID, Path: o.Path, Kind: o.Kind, Name: o.Name}, nil
}

// ServicesOf returns the active categories that concern an organization's subtree: those of
// its ancestors and its own, which apply to it, and those of the organizations below it. With
// orgID 0 it returns every active category.
func (s *Service) ServicesOf(ctx context.Context, orgID int64) ([]*Category, error) {
	all, err := s.AllCategories(ctx)
	if err != nil {
		return nil, err
	}
	if orgID == 0 {
		return all, nil
	}
	o, err := s.Jurisdiction(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := all[:0:0]
	for _, c := range all {
		if strings.HasPrefix(o.Path, c.OrgPath) || strings.HasPrefix(c.OrgPath, o.Path) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Requests returns the public copies of the matters q selects, newest first. An unknown
// category code is not found; unknown matter codes are left out. A jurisdiction hides every
// matter outside its subtree, as if it did not exist.
func (s *Service) Requests(ctx context.Context, q RequestQuery) ([]*Matter, error) {
	var path string
	if q.OrgID != 0 {
		o, err := s.Jurisdiction(ctx, q.OrgID)
		if err != nil {
			return nil, err
		}
		path = o.Path
	}
	if q.Limit <= 0 || q.Limit > MaxRequests {
		q.Limit = MaxRequests
	}
	q.Offset = max(q.Offset, 0)
	if len(q.Codes) > 0 {
		return s.requestsByCode(ctx, path, q.Codes)
	}
	f := MatterFilter{Roots: []string{"/"}, OrgID: q.OrgID, Status: q.Statuses, Since: q.Since, Until: q.Until,
		Sort: "newest", Limit: q.Limit, Offset: q.Offset}
	var ids []int64
	for _, code := range q.CategoryCodes {
		c, err := s.store.FindCategoryByCode(ctx, code)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, c.ID) {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) <= 1 {
		if len(ids) == 1 {
			f.CategoryID = ids[0]
		}
		list, _, err := s.store.FindMatters(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("masswork: requests: %w", err)
		}
		return publicMatters(list), nil
	}
	// Several categories: each one's first Offset+Limit matters, merged, hold the page.
	f.Limit, f.Offset = q.Offset+q.Limit, 0
	var merged []*Matter
	for _, id := range ids {
		f.CategoryID = id
		list, _, err := s.store.FindMatters(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("masswork: requests: %w", err)
		}
		merged = append(merged, list...)
	}
	slices.SortFunc(merged, newestFirst)
	if q.Offset >= len(merged) {
		return []*Matter{}, nil
	}
	merged = merged[q.Offset:]
	return publicMatters(merged[:min(len(merged), q.Limit)]), nil
}

// newestFirst orders matters as the store's "newest" sort does.
func newestFirst(a, b *Matter) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// requestsByCode reads matters by code, in the order asked, each once; a report's code
// names its matter. Codes not found, or outside the subtree path, are left out.
func (s *Service) requestsByCode(ctx context.Context, path string, codes []string) ([]*Matter, error) {
	if len(codes) > MaxRequestCodes {
		codes = codes[:MaxRequestCodes]
	}
	out := []*Matter{}
	seen := map[int64]bool{}
	for _, code := range codes {
		m, err := s.o311Matter(ctx, code)
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("masswork: request %s: %w", code, err)
		}
		if seen[m.ID] || (path != "" && !strings.HasPrefix(m.OrgPath, path)) {
			continue
		}
		seen[m.ID] = true
		out = append(out, publicMatter(m))
	}
	return out, nil
}

// o311Matter finds a matter by its code or by the code of one of its reports.
func (s *Service) o311Matter(ctx context.Context, code string) (*Matter, error) {
	if c, ok := ParseCode(code); ok {
		code = c
	}
	m, err := s.store.FindMatterByCode(ctx, code)
	if !errors.Is(err, apperr.ErrNotFound) {
		return m, err
	}
	p, perr := s.store.FindProblemByCode(ctx, code)
	if perr != nil {
		return nil, perr
	}
	return s.store.FindMatterByID(ctx, p.MatterID)
}

func publicMatters(list []*Matter) []*Matter {
	out := make([]*Matter, len(list))
	for i, m := range list {
		out[i] = publicMatter(m)
	}
	return out
}

// publicMatter copies the public fields of a matter, as the public board shows them: no
// assignee, no internal counters, no title when the reports' text is withheld (a title may be
// the first report's words), phone and ID numbers masked in the texts, and of the place the
// market zone only — never a booth, an address or a map point, which could point at an
// anonymous reporter.
func publicMatter(m *Matter) *Matter {
	p := &Matter{ID: m.ID, Code: m.Code, OrgID: m.OrgID, OrgName: m.OrgName, OrgPath: m.OrgPath,
		CategoryID: m.CategoryID, CategoryCode: m.CategoryCode, CategoryName: m.CategoryName,
		CategoryNameEn: m.CategoryNameEn, Title: MaskPublicText(m.Title), Summary: MaskPublicText(m.Summary), Withheld: m.Withheld,
		Status: m.Status, Place: Place{Zone: m.Zone}, People: m.People, ResponseDue: m.ResponseDue, ResolveDue: m.ResolveDue,
		RespondedAt: m.RespondedAt, AcceptedAt: m.AcceptedAt, ResolvedAt: m.ResolvedAt, ClosedAt: m.ClosedAt,
		CloseReason: m.CloseReason, RejectReason: m.RejectReason, MergedInto: m.MergedInto,
		MergedIntoCode: m.MergedIntoCode, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if m.Withheld {
		p.Title = ""
	}
	return p
}

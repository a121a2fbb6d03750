package masswork

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// Categories of problems belong to an organization and apply to its subtree: a branch's
// public form offers its own categories and those of every organization above it.

// Field datatypes (Open311 service definition attributes).
const (
	DatatypeString          = "string"
	DatatypeNumber          = "number"
	DatatypeDatetime        = "datetime"
	DatatypeText            = "text"
	DatatypeSingleValueList = "singlevaluelist"
	DatatypeMultiValueList  = "multivaluelist"
)

// Datatypes lists the datatypes of extra fields.
var Datatypes = []string{DatatypeString, DatatypeNumber, DatatypeDatetime, DatatypeText, DatatypeSingleValueList, DatatypeMultiValueList}

var matterCategoryCode = regexp.MustCompile(`^[a-z0-9_]{2,40}$`)

// Applies reports whether the category applies to the organization at path: it belongs to
// the organization or to one above it.
func (c *Category) Applies(orgPath string) bool {
	return c.OrgPath != "" && strings.HasPrefix(orgPath, c.OrgPath)
}

// matterAllCategories returns every category of the installation, in display order.
func (s *Service) matterAllCategories(ctx context.Context, activeOnly bool) ([]*Category, error) {
	cats, err := s.store.FindCategories(ctx, []string{"/"}, activeOnly)
	if err != nil {
		return nil, fmt.Errorf("masswork: categories: %w", err)
	}
	sort.SliceStable(cats, func(i, j int) bool {
		if cats[i].SortOrder != cats[j].SortOrder {
			return cats[i].SortOrder < cats[j].SortOrder
		}
		return cats[i].ID < cats[j].ID
	})
	return cats, nil
}

// matterApplying returns the categories that apply to an organization.
func (s *Service) matterApplying(ctx context.Context, o *org.Organization, activeOnly bool) ([]*Category, error) {
	cats, err := s.matterAllCategories(ctx, activeOnly)
	if err != nil {
		return nil, err
	}
	return matterApplyingOf(cats, o, activeOnly), nil
}

// Categories returns the active categories that apply to an organization (its own and its
// ancestors'), in display order, for the public form and visits.
func (s *Service) Categories(ctx context.Context, orgID int64) ([]*Category, error) {
	_, cats, err := s.IntakeForm(ctx, orgID)
	return cats, err
}

// IntakeForm returns the live organization of a public form and the active categories that
// apply to it, in display order.
func (s *Service) IntakeForm(ctx context.Context, orgID int64) (*org.Organization, []*Category, error) {
	o, all, err := s.store.FindIntakeOrg(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	return o, matterApplyingOf(all, o, true), nil
}

// matterApplyingOf returns the categories of all (in display order) that apply to an
// organization, the active ones only with activeOnly.
func matterApplyingOf(all []*Category, o *org.Organization, activeOnly bool) []*Category {
	out := all[:0:0]
	for _, c := range all {
		if c.Applies(o.Path) && (c.Active || !activeOnly) {
			out = append(out, c)
		}
	}
	return out
}

// AllCategories returns every active category of the installation (Open311 services).
func (s *Service) AllCategories(ctx context.Context) ([]*Category, error) {
	return s.matterAllCategories(ctx, true)
}

// Category returns one active category by its code (Open311 service_code).
func (s *Service) Category(ctx context.Context, code string) (*Category, error) {
	if !matterCategoryCode.MatchString(code) {
		return nil, apperr.ErrNotFound
	}
	c, err := s.store.FindCategoryByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if !c.Active {
		return nil, apperr.ErrNotFound
	}
	return c, nil
}

// OrgCategories returns the categories, active or not, that apply to an organization the
// actor views, for the settings page.
func (s *Service) OrgCategories(ctx context.Context, a *auth.Actor, orgID int64) ([]*Category, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil || !a.CanView(o.Path) {
		return nil, apperr.ErrNotFound
	}
	return s.matterApplying(ctx, o, false)
}

// SaveCategory creates (c.ID 0) or updates a category of an organization the actor administers.
func (s *Service) SaveCategory(ctx context.Context, a *auth.Actor, c *Category) error {
	if !a.IsAdmin() {
		return apperr.ErrDenied
	}
	var old *Category
	if c.ID != 0 {
		var err error
		if old, err = s.store.FindCategoryByID(ctx, c.ID); err != nil {
			return err
		}
		if !a.CanAdmin(old.OrgPath) {
			return apperr.ErrNotFound
		}
		// A category stays with the organization that keeps it, whichever page (a branch's,
		// where it applies by inheritance) it was edited from.
		c.OrgID = old.OrgID
	}
	if err := s.matterCheckCategory(ctx, a, c); err != nil {
		return err
	}
	rec := record(a, "category.create", "problem_category")
	if old != nil {
		rec.Action, rec.ObjectID, rec.Before = "category.update", old.ID, audit.JSON(old)
	}
	rec.OrgPath = c.OrgPath
	rec.After = audit.JSON(c)
	return s.store.SaveCategory(ctx, c, rec)
}

// matterCheckCategory validates and cleans a category; it sets its organization's path.
func (s *Service) matterCheckCategory(ctx context.Context, a *auth.Actor, c *Category) error {
	var v apperr.Validation
	o, err := s.orgs.FindOrganizationByID(ctx, c.OrgID)
	if err != nil || !a.CanAdmin(o.Path) {
		v.Add("org_id", "error.org_out_of_scope")
	} else {
		c.OrgPath = o.Path
	}
	c.Code = strings.TrimSpace(c.Code)
	if !matterCategoryCode.MatchString(c.Code) {
		v.Add("code", "error.code")
	} else if other, err := s.store.FindCategoryByCode(ctx, c.Code); err == nil && other.ID != c.ID {
		v.Add("code", "error.taken")
	} else if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	c.NameZh, c.NameEn, c.Group = matterCleanLine(c.NameZh), matterCleanLine(c.NameEn), matterCleanLine(c.Group)
	c.Description, c.Keywords = matterCleanText(c.Description), matterCleanLine(c.Keywords)
	if c.NameZh == "" {
		v.Add("name_zh", "error.required")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"name_zh", c.NameZh, 40}, {"name_en", c.NameEn, 80}, {"group", c.Group, 40}, {"description", c.Description, 500}, {"keywords", c.Keywords, 200}} {
		if matterRuneLen(f.value) > f.max {
			v.Add(f.name, "error.too_long")
		}
	}
	if c.ResponseDays < 0 || c.ResponseDays > 365 {
		v.Add("response_days", "matter.error.days")
	}
	if c.ResolveDays < 0 || c.ResolveDays > 365 {
		v.Add("resolve_days", "matter.error.days")
	}
	matterCheckFields(c.Fields, &v)
	return v.Err()
}

// matterCheckFields validates a category's extra fields and numbers their order.
func matterCheckFields(fields []Field, v *apperr.Validation) {
	if len(fields) > 30 {
		v.Add("fields", "error.too_many")
		return
	}
	codes := map[string]bool{}
	for i := range fields {
		f := &fields[i]
		name := "fields." + strconv.Itoa(i)
		f.Code, f.Description = strings.TrimSpace(f.Code), matterCleanLine(f.Description)
		switch {
		case !matterCategoryCode.MatchString(f.Code):
			v.Add(name+".code", "error.code")
		case codes[f.Code]:
			v.Add(name+".code", "error.taken")
		}
		codes[f.Code] = true
		if !matterContains(Datatypes, f.Datatype) {
			v.Add(name+".datatype", "error.choice")
		}
		if f.Description == "" {
			v.Add(name+".description", "error.required")
		} else if matterRuneLen(f.Description) > 200 {
			v.Add(name+".description", "error.too_long")
		}
		list := f.Datatype == DatatypeSingleValueList || f.Datatype == DatatypeMultiValueList
		if list && len(f.Values) == 0 {
			v.Add(name+".values", "error.required")
		}
		if !list {
			f.Values = nil
		}
		keys := map[string]bool{}
		for j := range f.Values {
			fv := &f.Values[j]
			fv.Key, fv.Name = matterCleanLine(fv.Key), matterCleanLine(fv.Name)
			vname := name + ".values." + strconv.Itoa(j)
			switch {
			case fv.Key == "" || matterRuneLen(fv.Key) > 40:
				v.Add(vname+".key", "error.required")
			case keys[fv.Key]:
				v.Add(vname+".key", "error.taken")
			}
			keys[fv.Key] = true
			if fv.Name == "" {
				fv.Name = fv.Key
			}
			if matterRuneLen(fv.Name) > 60 {
				v.Add(vname+".name", "error.too_long")
			}
		}
		f.Order = i + 1
	}
}

func matterContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// UseDefaultCategories gives an organization the actor administers the default categories
// (DefaultCategories), when no category applies to it yet. A code already taken elsewhere in
// the installation gets the organization's ID appended.
func (s *Service) UseDefaultCategories(ctx context.Context, a *auth.Actor, orgID int64) ([]*Category, error) {
	o, err := s.orgs.FindOrganizationByID(ctx, orgID)
	if err != nil || !a.CanAdmin(o.Path) {
		return nil, apperr.ErrNotFound
	}
	have, err := s.matterApplying(ctx, o, false)
	if err != nil {
		return nil, err
	}
	if len(have) > 0 {
		return nil, apperr.New(apperr.Invalid, "matter.error.has_categories")
	}
	out := DefaultCategories()
	for _, c := range out {
		c.OrgID = o.ID
		if _, err := s.store.FindCategoryByCode(ctx, c.Code); err == nil {
			c.Code += "_" + strconv.FormatInt(o.ID, 10)
		}
		if err := s.SaveCategory(ctx, a, c); err != nil {
			return nil, fmt.Errorf("masswork: default category %s: %w", c.Code, err)
		}
	}
	return out, nil
}

package org

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/pii"
	"github.com/mozillazg/go-pinyin"
)

// Field length limits, in characters.
const (
	maxName  = 50
	maxShort = 100
	maxLong  = 2000
)

// cleanText trims spaces, drops invisible format characters (zero-width spaces, bidi
// overrides) and control characters other than newlines, and folds runs of spaces.
func cleanText(s string, multiline bool) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && multiline:
			return r
		case r == '\r' || r == '\t' || r == '\n':
			return ' '
		case unicode.Is(unicode.Cf, r) && r != '\u00b7', unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.TrimSpace(s)
}

func checkLen(v *apperr.Validation, field, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		v.Add(field, "error.too_long")
	}
}

func checkDate(v *apperr.Validation, field, s string) {
	if s == "" {
		return
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		v.Add(field, "error.date")
	}
}

// Pinyin returns the full pinyin and the initials of a name: 张三 gives zhangsan and zs.
// Letters in the name are kept as they are, lower-cased.
func Pinyin(name string) (full, initials string) {
	args := pinyin.NewArgs()
	args.Fallback = func(r rune, a pinyin.Args) []string {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return []string{strings.ToLower(string(r))}
		}
		return nil
	}
	var f, i strings.Builder
	for _, syl := range pinyin.LazyPinyin(name, args) {
		if syl == "" {
			continue
		}
		f.WriteString(syl)
		i.WriteByte(syl[0])
	}
	return f.String(), i.String()
}

// normalisePerson cleans the free-text fields, validates every field, fills birth date and
// gender from the ID number, and computes the pinyin. It collects all field errors at once.
func normalisePerson(p *Person) error {
	var v apperr.Validation
	p.Name = cleanText(p.Name, false)
	for _, f := range []*string{&p.Ethnicity, &p.Education, &p.WorkUnit, &p.Post, &p.NativePlace,
		&p.Address, &p.Zone, &p.Booth} {
		*f = cleanText(*f, false)
	}
	p.Notes = cleanText(p.Notes, true)
	if p.Name == "" {
		v.Add("name", "error.required")
	}
	checkLen(&v, "name", p.Name, maxName)
	for field, s := range map[string]string{"ethnicity": p.Ethnicity, "education": p.Education,
		"work_unit": p.WorkUnit, "post": p.Post, "native_place": p.NativePlace, "address": p.Address,
		"zone": p.Zone, "booth": p.Booth} {
		checkLen(&v, field, s, maxShort)
	}
	checkLen(&v, "notes", p.Notes, maxLong)
	if p.OrgID == 0 {
		v.Add("org_id", "error.required")
	}
	if p.Stage == "" {
		p.Stage = StageMasses
	}
	if !slices.Contains(Stages, p.Stage) {
		v.Add("stage", "error.choice")
	}
	if p.Status == "" {
		p.Status = StatusNormal
	}
	if !slices.Contains(Statuses, p.Status) {
		v.Add("status", "error.choice")
	}
	if p.Gender != "" && p.Gender != "male" && p.Gender != "female" {
		v.Add("gender", "error.choice")
	}
	dates := map[string]*string{"birth_date": &p.BirthDate, "applied_on": &p.AppliedOn,
		"activist_on": &p.ActivistOn, "target_on": &p.TargetOn, "admitted_on": &p.AdmittedOn, "full_on": &p.FullOn}
	for field, d := range dates {
		*d = strings.TrimSpace(*d)
		checkDate(&v, field, *d)
	}
	// The party stages follow one another (党章 and 发展党员工作细则): application, activist,
	// development target, admission as probationary member, full membership.
	order := []struct{ field, date string }{{"applied_on", p.AppliedOn}, {"activist_on", p.ActivistOn},
		{"target_on", p.TargetOn}, {"admitted_on", p.AdmittedOn}, {"full_on", p.FullOn}}
	last := ""
	for _, o := range order {
		if o.date == "" {
			continue
		}
		if last != "" && o.date < last {
			v.Add(o.field, "error.stage_order")
		}
		last = o.date
	}
	if !p.KeepIDNumber && p.IDNumber != "" {
		id, err := pii.ParseIDNumber(p.IDNumber)
		switch err {
		case nil:
			p.IDNumber = id.Value
			birth := id.BirthDate.Format(time.DateOnly)
			if p.BirthDate == "" {
				p.BirthDate = birth
			} else if p.BirthDate != birth {
				v.Add("birth_date", "error.birth_mismatch")
			}
			gender := "female"
			if id.Male {
				gender = "male"
			}
			if p.Gender == "" {
				p.Gender = gender
			} else if p.Gender != gender {
				v.Add("gender", "error.gender_mismatch")
			}
		case pii.ErrIDChecksum:
			v.Add("id_number", "error.id_checksum")
		case pii.ErrIDBirth:
			v.Add("id_number", "error.id_birth")
		default:
			v.Add("id_number", "error.id_format")
		}
	}
	if !p.KeepPhone && p.Phone != "" {
		phone, err := pii.ParsePhone(p.Phone)
		if err != nil {
			v.Add("phone", "error.phone")
		}
		p.Phone = phone
	}
	var tags []string
	for _, t := range p.Tags {
		t = strings.ReplaceAll(cleanText(t, false), ",", " ")
		if t != "" && !slices.Contains(tags, t) {
			checkLen(&v, "tags", t, 20)
			tags = append(tags, t)
		}
	}
	p.Tags = tags
	p.NamePinyin, p.NameInitials = Pinyin(p.Name)
	return v.Err()
}

// normaliseOrganization validates an organization's own fields.
func normaliseOrganization(o *Organization) error {
	var v apperr.Validation
	o.Name = cleanText(o.Name, false)
	o.UnitName = cleanText(o.UnitName, false)
	o.UnitKind = cleanText(o.UnitKind, false)
	if o.Name == "" {
		v.Add("name", "error.required")
	}
	checkLen(&v, "name", o.Name, maxShort)
	checkLen(&v, "unit_name", o.UnitName, maxShort)
	if !slices.Contains(Kinds, o.Kind) {
		v.Add("kind", "error.choice")
	}
	if o.UnitKind != "" && !slices.Contains(UnitKinds, o.UnitKind) {
		v.Add("unit_kind", "error.choice")
	}
	checkDate(&v, "term_start", o.TermStart)
	checkDate(&v, "term_end", o.TermEnd)
	if o.TermStart != "" && o.TermEnd != "" && o.TermEnd < o.TermStart {
		v.Add("term_end", "error.date_order")
	}
	return v.Err()
}

func kindRank(kind string) int { return slices.Index(Kinds, kind) }

func maskID(s string) string    { return pii.MaskIDNumber(s) }
func maskPhone(s string) string { return pii.MaskPhone(s) }

package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
)

// Bulk is what Generate needs from the database: inserts of many rows per transaction, with
// one audit record per batch (the store implements it).
type Bulk interface {
	BulkCreateOrganizations(ctx context.Context, list []*org.Organization, rec *audit.Record) error
	BulkCreatePeople(ctx context.Context, people []*org.Person, rec *audit.Record) error
	IDNumberTaken(ctx context.Context, idNumber string) (bool, error)
}

// ErrSeedUsed reports that the data set of a seed is in the database already.
var ErrSeedUsed = errors.New("demo: generate: the data set of this seed is in the database already; use another seed")

// GenerateOptions size a generated data set.
type GenerateOptions struct {
	People int    // people on the register
	Orgs   int    // organizations in the tree, of all kinds; 0 for one per hundred people
	Seed   uint64 // the same seed gives the same data set; a second set in one database needs another seed
	Now    time.Time
	Batch  int            // people per transaction (and per audit record); 5000 when 0
	Report func(done int) // called after each batch with the number of people written so far
}

// Generated describes a generated data set.
type Generated struct {
	Committee *org.Organization
	Orgs      []*org.Organization // the whole tree, parents before children
	People    int
	// Subtree counts the people of each organization's subtree, by organization ID.
	Subtree map[int64]int
	// Largest is the branch (党支部) whose subtree holds the most people, the merchant branch:
	// the scope of a branch administrator in load tests.
	Largest *org.Organization
}

// Generate adds a large, realistic register to the database: one party committee with general
// branches, branches and party groups, and opts.People people across every stage, with
// checksum-correct fictitious ID numbers, fictitious phone numbers, pinyin, market zones and
// booths. Branch sizes are skewed as in life: a few large market branches, many small ones,
// and one merchant branch that keeps 15% of the register. Rows are written in batches of opts.Batch people per transaction, each
// batch with ONE audit record ("person.generate"), not one record per person.
func Generate(ctx context.Context, db Bulk, opts GenerateOptions) (*Generated, error) {
	if opts.People < 0 {
		return nil, fmt.Errorf("demo: generate: negative number of people")
	}
	if opts.Orgs <= 0 {
		opts.Orgs = max(opts.People/100, 5)
	}
	if opts.Orgs < 3 {
		return nil, fmt.Errorf("demo: generate: a tree needs at least 3 organizations, got %d", opts.Orgs)
	}
	if opts.Batch <= 0 {
		opts.Batch = 5000
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	// A second run with the same seed would write a second tree and then fail on the first ID
	// number: find that out before writing anything.
	if opts.People > 0 {
		first, err := firstIDNumber(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("demo: generate: %w", err)
		}
		taken, err := db.IDNumberTaken(ctx, first)
		if err != nil {
			return nil, fmt.Errorf("demo: generate: %w", err)
		}
		if taken {
			return nil, ErrSeedUsed
		}
	}
	g := newGenerator(db, opts)
	out, err := g.tree(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: generate: %w", err)
	}
	if err := g.people(ctx, out); err != nil {
		return nil, fmt.Errorf("demo: generate: %w", err)
	}
	return out, nil
}

func newGenerator(db Bulk, opts GenerateOptions) *generator {
	return &generator{db: db, opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 20230715)), sys: auth.System("generate"),
		pinyin: map[string][2]string{}, ids: map[string]bool{}}
}

// firstIDNumber returns the first ID number Generate would write, from a dry run.
func firstIDNumber(ctx context.Context, opts GenerateOptions) (string, error) {
	g := newGenerator(&dryRun{}, opts)
	if _, err := g.tree(ctx); err != nil {
		return "", err
	}
	for {
		if p := g.person(); p.IDNumber != "" {
			return p.IDNumber, nil
		}
	}
}

// dryRun numbers organizations as the database would and writes nothing.
type dryRun struct{ next int64 }

func (d *dryRun) BulkCreateOrganizations(_ context.Context, list []*org.Organization, _ *audit.Record) error {
	for _, o := range list {
		d.next++
		o.ID, o.Path = d.next, o.Path+strconv.FormatInt(d.next, 10)+"/"
	}
	return nil
}

func (d *dryRun) BulkCreatePeople(context.Context, []*org.Person, *audit.Record) error { return nil }

func (d *dryRun) IDNumberTaken(context.Context, string) (bool, error) { return false, nil }

type generator struct {
	db     Bulk
	opts   GenerateOptions
	rng    *rand.Rand
	sys    *auth.Actor
	pinyin map[string][2]string
	ids    map[string]bool
	seq    int

	branches []*branch
	weights  []float64 // cumulative branch weights, for drawing a branch per person
}

// branch is a party branch with its groups and its share of the register.
type branch struct {
	org    *org.Organization
	groups []*org.Organization
	market bool // a market branch keeps many merchants as the masses
}

func (g *generator) record(action string) *audit.Record {
	return &audit.Record{ActorName: g.sys.Username, Action: action, ObjectType: "person", After: "{}"}
}

var (
	sectors = []string{"市场管理服务", "珍珠商户", "物流与配套", "电商直播", "加工制造", "社区", "村", "学校", "卫生院",
		"非公企业", "社会组织", "离退休"}
	places = []rune("东西南北新安和平丰泰兴华建民富康宁永长乐福仁义礼智信德光明山河湖江")
)

// tree creates the committee, general branches, branches and groups, about opts.Orgs in all.
func (g *generator) tree(ctx context.Context) (*Generated, error) {
	n := g.opts.Orgs
	generals := max(1, int(math.Round(float64(n)/50)))
	if generals > n-2 {
		generals = n - 2
	}
	branches := max(1, int(math.Round(float64(n-1-generals)*0.6)))
	groups := n - 1 - generals - branches
	suffix := ""
	if g.opts.Seed > 1 {
		suffix = "（" + strconv.FormatUint(g.opts.Seed, 10) + "）"
	}
	const unit = "华东国际商贸城（生成数据）"
	committee := &org.Organization{Kind: org.KindCommittee, Name: "中共华东国际商贸城综合委员会" + suffix, UnitName: unit, Path: "/"}
	if err := g.db.BulkCreateOrganizations(ctx, []*org.Organization{committee}, g.orgRecord()); err != nil {
		return nil, err
	}
	out := &Generated{Committee: committee, Orgs: []*org.Organization{committee}, Subtree: map[int64]int{}}

	var gens []*org.Organization
	for i := 0; i < generals; i++ {
		sector := sectors[i%len(sectors)]
		gens = append(gens, &org.Organization{Kind: org.KindGeneralBranch, ParentID: committee.ID, Path: committee.Path,
			Name: fmt.Sprintf("第%s党总支（%s）", chineseNumber(i+1), sector), UnitName: unit, SortOrder: i + 1})
	}
	if err := g.db.BulkCreateOrganizations(ctx, gens, g.orgRecord()); err != nil {
		return nil, err
	}
	out.Orgs = append(out.Orgs, gens...)

	// Branches: a quarter under a general branch (a handful each, as in life), the others
	// directly under the committee. The first is the market's merchant branch, modelled on the
	// Second Branch of the model case: it keeps marketShare of the register, mostly merchants.
	termEnd := g.opts.Now.AddDate(1, 0, 0)
	var list []*org.Organization
	perParent := map[int64]int{}
	for i := 0; i < branches; i++ {
		parent := committee
		if i > 0 && g.rng.IntN(4) == 0 {
			parent = gens[g.rng.IntN(len(gens))]
		}
		perParent[parent.ID]++
		k := perParent[parent.ID]
		name := string(places[g.rng.IntN(len(places))]) + string(places[g.rng.IntN(len(places))])
		kind := []string{"社区", "村", "商户", "企业"}[g.rng.IntN(4)]
		end := termEnd.AddDate(0, -g.rng.IntN(36), 0)
		b := &branch{market: kind == "商户", org: &org.Organization{Kind: org.KindBranch, ParentID: parent.ID, Path: parent.Path,
			Name: fmt.Sprintf("%s%s第%s党支部", name, kind, chineseNumber(k)), UnitName: unit, SortOrder: k,
			TermStart: end.AddDate(-3, 0, 1).Format(time.DateOnly), TermEnd: end.Format(time.DateOnly)}}
		if i == 0 {
			b.market, b.org.Name = true, "第二支部（珍珠商户）"
		}
		g.branches = append(g.branches, b)
		list = append(list, b.org)
	}
	if err := g.db.BulkCreateOrganizations(ctx, list, g.orgRecord()); err != nil {
		return nil, err
	}
	out.Orgs = append(out.Orgs, list...)

	// Branch sizes are log-normal, market branches three times larger: a few large branches,
	// many small ones. The merchant branch then gets marketShare of the whole.
	g.weights = make([]float64, len(g.branches))
	sizes := make([]float64, len(g.branches))
	rest := 0.0
	for i, b := range g.branches {
		sizes[i] = math.Exp(g.rng.NormFloat64() * 0.9)
		if b.market {
			sizes[i] *= 3
		}
		if i > 0 {
			rest += sizes[i]
		}
	}
	if len(sizes) > 1 {
		sizes[0] = rest * marketShare / (1 - marketShare)
	}
	sum := 0.0
	for i, w := range sizes {
		sum += w
		g.weights[i] = sum
	}
	// Groups go to the largest branches, two to five each.
	order := make([]int, len(g.branches))
	for i := range order {
		order[i] = i
	}
	sortByWeight(order, func(i int) float64 { return sizes[i] })
	list = nil
	for left, i := groups, 0; left > 0 && i < len(order); i++ {
		b := g.branches[order[i]]
		k := min(left, 2+g.rng.IntN(4))
		for j := 0; j < k; j++ {
			grp := &org.Organization{Kind: org.KindGroup, ParentID: b.org.ID, Path: b.org.Path,
				Name: fmt.Sprintf("第%s党小组", chineseNumber(j+1)), UnitName: unit, SortOrder: j + 1}
			b.groups = append(b.groups, grp)
			list = append(list, grp)
		}
		left -= k
	}
	if err := g.db.BulkCreateOrganizations(ctx, list, g.orgRecord()); err != nil {
		return nil, err
	}
	out.Orgs = append(out.Orgs, list...)
	return out, nil
}

func (g *generator) orgRecord() *audit.Record {
	rec := g.record("organization.generate")
	rec.ObjectType = "organization"
	return rec
}

// draw returns the index of the first cumulative weight above x.
func draw(cumulative []float64, x float64) int {
	lo, hi := 0, len(cumulative)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cumulative[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// sortByWeight orders branch indexes from the heaviest branch down.
func sortByWeight(order []int, weight func(int) float64) {
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(weight(b), weight(a)) })
}

// people writes opts.People people in batches.
func (g *generator) people(ctx context.Context, out *Generated) error {
	path := map[int64]string{}
	for _, o := range out.Orgs {
		path[o.ID] = o.Path
	}
	byPath := map[string]int64{}
	for _, o := range out.Orgs {
		byPath[o.Path] = o.ID
	}
	batch := make([]*org.Person, 0, g.opts.Batch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		rec := g.record("person.generate")
		rec.OrgPath = out.Committee.Path
		if err := g.db.BulkCreatePeople(ctx, batch, rec); err != nil {
			return err
		}
		out.People += len(batch)
		if g.opts.Report != nil {
			g.opts.Report(out.People)
		}
		batch = batch[:0]
		return nil
	}
	for i := 0; i < g.opts.People; i++ {
		p := g.person()
		// Every organization on the way up counts the person in its subtree.
		for id := p.OrgID; id != 0; {
			out.Subtree[id]++
			id = byPath[parentPath(path[id])]
		}
		batch = append(batch, p)
		if len(batch) == g.opts.Batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for _, o := range out.Orgs {
		if o.Kind == org.KindBranch && (out.Largest == nil || out.Subtree[o.ID] > out.Subtree[out.Largest.ID]) {
			out.Largest = o
		}
	}
	return nil
}

// parentPath returns the path of the parent of the organization at path, or "" at the top.
func parentPath(path string) string {
	trimmed := path[:len(path)-1]
	for i := len(trimmed) - 1; i >= 0; i-- {
		if trimmed[i] == '/' {
			if i == 0 {
				return ""
			}
			return trimmed[:i+1]
		}
	}
	return ""
}

// marketShare is the share of the register kept by the merchant branch.
const marketShare = 0.15

// Stage mix of a register that keeps the masses as contacts.
var stageMix = []struct {
	stage string
	share float64
}{
	{org.StageMasses, 0.55}, {org.StageFull, 0.30}, {org.StageProbationary, 0.03},
	{org.StageTarget, 0.03}, {org.StageActivist, 0.04}, {org.StageApplicant, 0.05},
}

// Resident ID region codes of Zhejiang counties; 330681 (Zhuji) is left to the demo set.
var regions = []struct{ code, place string }{
	{"330102", "浙江杭州"}, {"330106", "浙江杭州"}, {"330109", "浙江杭州"}, {"330203", "浙江宁波"},
	{"330302", "浙江温州"}, {"330402", "浙江嘉兴"}, {"330502", "浙江湖州"}, {"330602", "浙江绍兴"},
	{"330603", "浙江绍兴"}, {"330604", "浙江上虞"}, {"330624", "浙江新昌"}, {"330683", "浙江嵊州"},
	{"330702", "浙江金华"}, {"330782", "浙江义乌"}, {"330802", "浙江衢州"}, {"331002", "浙江台州"},
	{"331102", "浙江丽水"}, {"331123", "浙江遂昌"},
}

var givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞斌辉建国志浩然宇轩子涵欣怡俊晨雨思佳文博一诺")

func (g *generator) name() string {
	// Surnames are listed from the most common; squaring the draw favours the head.
	u := g.rng.Float64()
	s := string(surnames[int(u*u*float64(len(surnames)))])
	if g.rng.IntN(2) == 0 {
		return s + given[g.rng.IntN(len(given))]
	}
	n := 1 + g.rng.IntN(2)
	r := make([]rune, n)
	for i := range r {
		r[i] = givenChars[g.rng.IntN(len(givenChars))]
	}
	return s + string(r)
}

// person draws one person: a branch by size, a stage, numbers and dates that agree.
func (g *generator) person() *org.Person {
	bi := draw(g.weights, g.rng.Float64()*g.weights[len(g.weights)-1])
	b := g.branches[bi]
	stage := org.StageMasses
	x := g.rng.Float64()
	for _, s := range stageMix {
		if x < s.share {
			stage = s.stage
			break
		}
		x -= s.share
	}
	switch {
	case bi == 0 && g.rng.IntN(100) < 97:
		// The merchant branch's register is the market's merchants.
		stage = org.StageMasses
	case b.market && g.rng.IntN(2) == 0:
		stage = org.StageMasses
	}
	orgID := b.org.ID
	if stage != org.StageMasses && len(b.groups) > 0 && g.rng.IntN(5) > 0 {
		orgID = b.groups[g.rng.IntN(len(b.groups))].ID
	}
	name := g.name()
	py, ok := g.pinyin[name]
	if !ok {
		full, initials := org.Pinyin(name)
		py = [2]string{full, initials}
		g.pinyin[name] = py
	}
	region := regions[g.rng.IntN(len(regions))]
	age := 20 + g.rng.IntN(55)
	if stage == org.StageApplicant || stage == org.StageActivist {
		age = 19 + g.rng.IntN(20)
	}
	birth := time.Date(g.opts.Now.Year()-age, time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	male := g.rng.IntN(2) == 0
	p := &org.Person{OrgID: orgID, Name: name, NamePinyin: py[0], NameInitials: py[1], Stage: stage,
		Status: org.StatusNormal, Ethnicity: "汉族", NativePlace: region.place,
		Education: []string{"大学本科", "大专", "高中", "研究生", "初中"}[g.rng.IntN(5)]}
	if g.rng.IntN(30) == 0 {
		p.Ethnicity = []string{"畲族", "回族", "满族", "土家族"}[g.rng.IntN(4)]
	}
	if stage != org.StageMasses || g.rng.IntN(10) < 4 {
		p.IDNumber = g.idNumber(region.code, birth, male)
		p.BirthDate = birth.Format(time.DateOnly)
		p.Gender = map[bool]string{true: "male", false: "female"}[male]
	}
	if g.rng.IntN(10) > 0 {
		g.seq++
		// A permutation of 0..9,999,999: every generated phone differs within a data set.
		n := (uint64(g.seq)*7919 + g.opts.Seed*104729) % 10_000_000
		p.Phone = fmt.Sprintf("1390%07d", n)
	}
	if stage == org.StageMasses {
		zone := string(rune('A' + g.rng.IntN(8)))
		p.WorkUnit, p.Post = shops[g.rng.IntN(len(shops))]+"商行", "经营户"
		if b.market {
			p.Zone, p.Booth = zone+"区", fmt.Sprintf("%s-%d", zone, 101+g.rng.IntN(400))
			p.Tags = []string{"商户"}
			if g.rng.IntN(20) == 0 {
				p.Tags = append(p.Tags, "楼层代表")
			}
		}
	} else {
		p.WorkUnit, p.Post = "华东国际商贸城", []string{"市场管理员", "经营户", "物流调度", "财务", "教师", "社区工作者"}[g.rng.IntN(6)]
		g.stageDates(p, birth)
		if org.IsMember(stage) {
			switch x := g.rng.IntN(100); {
			case x < 3:
				p.Status = org.StatusTransferred
			case x < 5:
				p.Status = org.StatusLost
			case x < 6:
				p.Status = org.StatusDeceased
			}
			if g.rng.IntN(30) == 0 {
				p.Tags = []string{"流动党员"}
			}
		}
	}
	return p
}

// stageDates fills the development dates in their required order (发展党员工作细则):
// application, activist, development target, admission, full membership.
func (g *generator) stageDates(p *org.Person, birth time.Time) {
	date := func(t time.Time) string { return t.Format(time.DateOnly) }
	now := g.opts.Now
	switch p.Stage {
	case org.StageFull:
		start := birth.AddDate(19+g.rng.IntN(10), g.rng.IntN(12), 0)
		if limit := now.AddDate(-4, 0, 0); start.After(limit) {
			start = limit
		}
		p.AppliedOn, p.ActivistOn, p.TargetOn = date(start), date(start.AddDate(0, 3, 0)), date(start.AddDate(1, 4, 0))
		p.AdmittedOn, p.FullOn = date(start.AddDate(1, 8, 0)), date(start.AddDate(2, 8, 0))
	case org.StageProbationary:
		base := now.AddDate(-2, -g.rng.IntN(10), 0)
		p.AppliedOn, p.ActivistOn, p.TargetOn = date(base), date(base.AddDate(0, 2, 0)), date(base.AddDate(1, 3, 0))
		p.AdmittedOn = date(base.AddDate(1, 8, 0))
	case org.StageTarget:
		base := now.AddDate(-1, -9-g.rng.IntN(6), 0)
		p.AppliedOn, p.ActivistOn, p.TargetOn = date(base), date(base.AddDate(0, 2, 0)), date(base.AddDate(1, 3, 0))
	case org.StageActivist:
		base := now.AddDate(0, -8-g.rng.IntN(6), 0)
		p.AppliedOn, p.ActivistOn = date(base), date(base.AddDate(0, 3, 0))
	case org.StageApplicant:
		p.AppliedOn = date(now.AddDate(0, -1-g.rng.IntN(4), 0))
	}
}

// idNumber returns a checksum-correct fictitious resident ID number that no other generated
// person has: the region, birth date and a sequence whose last digit is odd for men.
func (g *generator) idNumber(region string, birth time.Time, male bool) string {
	for {
		seq := g.rng.IntN(500) * 2
		if male {
			seq++
		}
		first := region + birth.Format("20060102") + fmt.Sprintf("%03d", seq)
		if !g.ids[first] {
			g.ids[first] = true
			return first + string(pii.IDCheckChar(first))
		}
	}
}

// chineseNumber writes 1..99 in Chinese numerals: 1 一, 10 十, 12 十二, 21 二十一.
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + map[bool]string{true: "", false: digits[n%10]}[n%10 == 0]
	case n < 100:
		s := digits[n/10] + "十"
		if n%10 != 0 {
			s += digits[n%10]
		}
		return s
	}
	return strconv.Itoa(n)
}

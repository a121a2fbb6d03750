// Package demo loads the model case: the party committee of East China International Jewelry
// City (Zhuji) with its Second Branch, the branch committee and its term, members at every
// stage, and the merchants of the market as the masses. All ID numbers and phone numbers are
// fictitious (checksum-correct ID numbers, unassigned phone ranges).
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
)

// Account is a demo login.
type Account struct {
	Username, Password, Role string
}

// Data is what Load created, for tests and the printout.
type Data struct {
	Accounts     []Account
	Committee    *org.Organization
	SecondBranch *org.Organization
	FirstBranch  *org.Organization
	ThirdBranch  *org.Organization
	Groups       []*org.Organization
	Secretary    *org.Person
	Member       *org.Person
	// Users are the demo accounts by username.
	Users map[string]*auth.User
}

// Load fills an empty database with the demo data set. password is used for every account;
// when empty, each account gets a random one.
func Load(ctx context.Context, orgs *org.Service, users *auth.Service, now time.Time, password string) (*Data, error) {
	l := &loader{orgs: orgs, users: users, sys: auth.System("demo"), rng: rand.New(rand.NewPCG(2023, 715)), now: now}
	d := &Data{}
	if err := l.load(d); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	for _, acc := range []struct {
		name, display, role string
		person              *org.Person
		sysadmin, reveal    bool
		grant               *auth.Grant
	}{
		{"admin", "系统管理员", "system administrator", nil, true, true, nil},
		{"secretary", d.Secretary.Name, "secretary of the Second Branch", d.Secretary, false, true, nil},
		{"member", d.Member.Name, "member of the Second Branch", d.Member, false, false, nil},
		{"inspector", "党委巡查组", "viewer of the whole committee", nil, false, false, &auth.Grant{Role: auth.RoleViewer, OrgID: d.Committee.ID}},
	} {
		pw := password
		if pw == "" {
			pw = auth.RandomPassword()
		}
		var personID int64
		if acc.person != nil {
			personID = acc.person.ID
		}
		u, err := users.CreateUser(ctx, l.sys, auth.NewUser{Username: acc.name, DisplayName: acc.display, Password: pw,
			PersonID: personID, SysAdmin: acc.sysadmin, CanReveal: acc.reveal})
		if err != nil {
			return nil, fmt.Errorf("demo: account %s: %w", acc.name, err)
		}
		if acc.grant != nil {
			acc.grant.UserID = u.ID
			if err := users.GrantRole(ctx, l.sys, acc.grant); err != nil {
				return nil, fmt.Errorf("demo: grant %s: %w", acc.name, err)
			}
		}
		d.Accounts = append(d.Accounts, Account{Username: acc.name, Password: pw, Role: acc.role})
		if d.Users == nil {
			d.Users = map[string]*auth.User{}
		}
		d.Users[acc.name] = u
	}
	return d, nil
}

type loader struct {
	ctx    context.Context
	orgs   *org.Service
	users  *auth.Service
	sys    *auth.Actor
	rng    *rand.Rand
	now    time.Time
	seq    int
	names  map[string]bool
	phones map[string]bool
}

func (l *loader) org(parent *org.Organization, kind, name, unit string, sort int, termStart, termEnd string) (*org.Organization, error) {
	o := &org.Organization{Kind: kind, Name: name, UnitName: unit, UnitKind: "market", SortOrder: sort, TermStart: termStart, TermEnd: termEnd}
	if parent != nil {
		o.ParentID = parent.ID
	}
	return o, l.orgs.CreateOrganization(context.Background(), l.sys, o)
}

func (l *loader) load(d *Data) error {
	l.names, l.phones = map[string]bool{}, map[string]bool{}
	ctx := context.Background()
	l.ctx = ctx
	today := l.now.In(time.FixedZone("CST", 8*3600))
	// The Second Branch was elected three years before the coming spring, so the demo always
	// shows the six-month warning before its term ends (换届提醒); the First Branch's term ends
	// within a month.
	secondEnd := today.AddDate(0, 4, 0)
	firstEnd := today.AddDate(0, 0, 20)
	span := func(end time.Time) (string, string) {
		return end.AddDate(-3, 0, 1).Format(time.DateOnly), end.Format(time.DateOnly)
	}
	var err error
	const unit = "华东国际珠宝城（诸暨）"
	if d.Committee, err = l.org(nil, org.KindCommittee, "中共华东国际珠宝城委员会", unit, 0, "", ""); err != nil {
		return err
	}
	s1, e1 := span(firstEnd)
	if d.FirstBranch, err = l.org(d.Committee, org.KindBranch, "第一支部（市场管理服务）", unit, 1, s1, e1); err != nil {
		return err
	}
	s2, e2 := span(secondEnd)
	if d.SecondBranch, err = l.org(d.Committee, org.KindBranch, "第二支部（珍珠商户）", unit, 2, s2, e2); err != nil {
		return err
	}
	if d.ThirdBranch, err = l.org(d.Committee, org.KindBranch, "第三支部（物流与配套）", unit, 3, "", ""); err != nil {
		return err
	}
	for i, g := range []string{"第一党小组（A区）", "第二党小组（B区）", "第三党小组（C区）"} {
		grp, err := l.org(d.SecondBranch, org.KindGroup, g, unit, i+1, "", "")
		if err != nil {
			return err
		}
		d.Groups = append(d.Groups, grp)
	}

	// The Second Branch's committee.
	committee := []struct{ name, pos, post string }{
		{"周建华", org.PosSecretary, "市场副总经理"}, {"陈丽萍", org.PosDeputySecretary, "招商部经理"},
		{"王志强", org.PosOrganizationMember, "商户服务中心主任"}, {"何晓燕", org.PosPropagandaMember, "宣传专员"},
		{"楼国平", org.PosDisciplineMember, "财务主管"},
	}
	for i, c := range committee {
		p, err := l.person(d.SecondBranch.ID, c.name, org.StageFull, c.post, "")
		if err != nil {
			return err
		}
		if err := l.orgs.AddPosition(ctx, l.sys, &org.Position{OrgID: d.SecondBranch.ID, PersonID: p.ID, Position: c.pos,
			TermStart: s2, TermEnd: e2}); err != nil {
			return err
		}
		if i == 0 {
			d.Secretary = p
		}
	}
	// Group leaders and members of the Second Branch, spread over its groups.
	stages := []string{org.StageFull, org.StageFull, org.StageFull, org.StageFull, org.StageFull, org.StageFull,
		org.StageFull, org.StageFull, org.StageProbationary, org.StageProbationary, org.StageProbationary,
		org.StageTarget, org.StageTarget, org.StageActivist, org.StageActivist, org.StageApplicant, org.StageFull}
	for i, stage := range stages {
		g := d.Groups[i%len(d.Groups)]
		p, err := l.person(g.ID, "", stage, "珍珠经营户", string(rune('A'+i%3)))
		if err != nil {
			return err
		}
		if i < len(d.Groups) {
			if err := l.orgs.AddPosition(ctx, l.sys, &org.Position{OrgID: g.ID, PersonID: p.ID, Position: org.PosGroupLeader,
				TermStart: s2, TermEnd: e2}); err != nil {
				return err
			}
		}
		if i == 4 {
			d.Member = p
		}
	}
	// The other branches.
	for i := 0; i < 9; i++ {
		stage := org.StageFull
		if i >= 7 {
			stage = org.StageProbationary
		}
		p, err := l.person(d.FirstBranch.ID, "", stage, "市场管理员", "")
		if err != nil {
			return err
		}
		if i == 0 {
			if err := l.orgs.AddPosition(ctx, l.sys, &org.Position{OrgID: d.FirstBranch.ID, PersonID: p.ID,
				Position: org.PosSecretary, TermStart: s1, TermEnd: e1}); err != nil {
				return err
			}
		}
	}
	for i, stage := range []string{org.StageFull, org.StageFull, org.StageFull, org.StageFull, org.StageFull,
		org.StageProbationary, org.StageTarget, org.StageActivist, org.StageApplicant} {
		if _, err := l.person(d.ThirdBranch.ID, "", stage, "物流调度", ""); err != nil {
			return fmt.Errorf("third branch person %d: %w", i, err)
		}
	}
	// The masses: merchants of the market, kept as contacts by the Second Branch.
	for i := 0; i < 150; i++ {
		zone := string(rune('A' + i%5))
		p := &org.Person{OrgID: d.SecondBranch.ID, Name: l.name(), Stage: org.StageMasses, Phone: l.phone(),
			WorkUnit: l.shop(), Post: "经营户", Zone: zone + "区", Booth: fmt.Sprintf("%s-%d", zone, 101+i/5*3+i%3),
			Tags: []string{"商户"}}
		if i%10 == 0 {
			p.Tags = append(p.Tags, "楼层代表")
		}
		if err := l.orgs.CreatePerson(ctx, l.sys, p); err != nil {
			return fmt.Errorf("merchant %d: %w", i, err)
		}
	}
	return nil
}

var (
	surnames = []rune("王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢楼寿宣骆斯")
	given    = []string{"建国", "国平", "丽萍", "晓燕", "志强", "伟", "芳", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟",
		"涛", "明", "超", "秀英", "华", "慧", "建军", "玉兰", "桂英", "海燕", "小红", "文斌", "春生", "永强", "佳怡", "浩然",
		"雨涵", "子豪", "欣怡", "俊杰", "梓涵", "宇航", "晨曦", "思远", "一鸣", "婷婷", "丹丹", "国庆", "爱华", "利民", "金龙"}
	shops = []string{"珍珠饰品", "淡水珍珠", "珍珠项链批发", "珠宝加工", "海水珍珠", "珍珠首饰定制", "银饰配件", "包装礼盒"}
)

func (l *loader) name() string {
	for {
		n := string(surnames[l.rng.IntN(len(surnames))]) + given[l.rng.IntN(len(given))]
		if !l.names[n] {
			l.names[n] = true
			return n
		}
	}
}

func (l *loader) phone() string {
	for {
		p := "1390575" + fmt.Sprintf("%04d", l.rng.IntN(10000))
		if !l.phones[p] {
			l.phones[p] = true
			return p
		}
	}
}

func (l *loader) shop() string {
	return shops[l.rng.IntN(len(shops))] + "商行"
}

// idNumber returns a checksum-correct fictitious resident ID number of Zhuji (330681).
func (l *loader) idNumber(birth time.Time, male bool) string {
	l.seq++
	seq := 100 + l.seq*2
	if male {
		seq++
	}
	first := "330681" + birth.Format("20060102") + strconv.Itoa(seq%1000 + 1000)[1:]
	return first + string(pii.IDCheckChar(first))
}

func (l *loader) person(orgID int64, name, stage, post, zone string) (*org.Person, error) {
	if name == "" {
		name = l.name()
	} else {
		l.names[name] = true
	}
	birth := time.Date(1962+l.rng.IntN(38), time.Month(1+l.rng.IntN(12)), 1+l.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	p := &org.Person{OrgID: orgID, Name: name, Stage: stage, IDNumber: l.idNumber(birth, l.rng.IntN(2) == 0),
		Phone: l.phone(), Ethnicity: "汉族", Education: []string{"大学本科", "大专", "高中", "研究生"}[l.rng.IntN(4)],
		WorkUnit: "华东国际珠宝城", Post: post, NativePlace: "浙江诸暨"}
	if zone != "" {
		p.Zone, p.Booth = zone+"区", fmt.Sprintf("%s-%d", zone, 100+l.rng.IntN(80))
	}
	// Stage dates follow one another, as the development rules require.
	start := birth.AddDate(20+l.rng.IntN(8), l.rng.IntN(12), 0)
	date := func(t time.Time) string { return t.Format(time.DateOnly) }
	switch stage {
	case org.StageFull:
		p.AppliedOn, p.ActivistOn, p.TargetOn = date(start), date(start.AddDate(0, 3, 0)), date(start.AddDate(1, 4, 0))
		p.AdmittedOn, p.FullOn = date(start.AddDate(1, 8, 0)), date(start.AddDate(2, 8, 0))
	case org.StageProbationary:
		base := l.now.AddDate(-2, -2, 0)
		p.AppliedOn, p.ActivistOn, p.TargetOn = date(base), date(base.AddDate(0, 2, 0)), date(base.AddDate(1, 3, 0))
		p.AdmittedOn = date(base.AddDate(1, 8, 0))
	case org.StageTarget:
		base := l.now.AddDate(-1, -9, 0)
		p.AppliedOn, p.ActivistOn, p.TargetOn = date(base), date(base.AddDate(0, 2, 0)), date(base.AddDate(1, 3, 0))
	case org.StageActivist:
		base := l.now.AddDate(0, -8, 0)
		p.AppliedOn, p.ActivistOn = date(base), date(base.AddDate(0, 3, 0))
	case org.StageApplicant:
		p.AppliedOn = date(l.now.AddDate(0, -2, 0))
	}
	return p, l.orgs.CreatePerson(l.ctx, l.sys, p)
}

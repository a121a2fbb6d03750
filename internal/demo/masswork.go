package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
)

// MassworkDeps is what LoadMasswork writes through: the mass-work store (a service is built on
// it with the demo's own clock, so that the story's reports fall on the days they were made),
// the organizations, the register and the accounts.
type MassworkDeps struct {
	Store masswork.Store
	Orgs  masswork.Orgs
	// Register lists and adds people (the organization service).
	Register *org.Service
	Users    *auth.Service
	Zone     *time.Location
}

// Masswork is what LoadMasswork created.
type Masswork struct {
	Matters   map[string]*masswork.Matter // by a short name: parking, heat, network, fire, fake, toilet, leak, fee
	Receipts  map[string]*masswork.Receipt
	Project   *masswork.Project
	Visits    int
	Reports   int
	Reopened  *masswork.Matter
	Escalated *masswork.Matter
}

// massworkClock is the demo's movable clock.
type massworkClock struct{ t time.Time }

func (c *massworkClock) now() time.Time { return c.t }

// LoadMasswork adds the Second Branch's work with the masses over the last ten weeks: the
// committee's problem categories; visits by the branch committee in the market's zones;
// problems as the merchants raised them — parking at the east gate, corridors unbearable in
// the 42 °C heat, broadband outages in zone B, a fire escape blocked by stock, counterfeit
// pearls sold by an outside vendor, a dirty toilet, a leak, a fee nobody can waive — several
// reported by many people, by the form, by phone and in visits; one matter merged into
// another; the parking matter adopted as a project with milestones; some closed with the
// reporters' answers, one reopened by a dissatisfied answer, one closed without reply, one
// escalated to the committee after its deadline passed.
func LoadMasswork(ctx context.Context, deps MassworkDeps, d *Data, now time.Time) (*Masswork, error) {
	clock := &massworkClock{t: now.AddDate(0, 0, -70)}
	svc := masswork.NewService(deps.Store, deps.Orgs, deps.Zone, clock.now)
	svc.SetPeople(deps.Register)
	l := &massLoader{ctx: ctx, svc: svc, clock: clock, d: d, rng: rand.New(rand.NewPCG(2023, 717)),
		out: &Masswork{Matters: map[string]*masswork.Matter{}, Receipts: map[string]*masswork.Receipt{}}}
	if err := l.actors(deps); err != nil {
		return nil, fmt.Errorf("demo: mass work: %w", err)
	}
	if err := l.load(deps); err != nil {
		return nil, fmt.Errorf("demo: mass work: %w", err)
	}
	return l.out, nil
}

type massLoader struct {
	ctx       context.Context
	svc       *masswork.Service
	clock     *massworkClock
	d         *Data
	rng       *rand.Rand
	out       *Masswork
	sys       *auth.Actor
	secretary *auth.Actor
	cadres    []*auth.Actor // the branch committee, visiting
	merchants []*org.Person
	category  map[string]int64 // by code
}

// actors builds the secretary's actor from the account, and an actor for each other member
// of the branch committee (they log visits; they have no accounts in the demo).
func (l *massLoader) actors(deps MassworkDeps) error {
	l.sys = auth.System("demo")
	u := l.d.Users["secretary"]
	if u == nil {
		return fmt.Errorf("no secretary account")
	}
	var err error
	if l.secretary, err = deps.Users.ActorFor(l.ctx, u, ""); err != nil {
		return err
	}
	l.cadres = append(l.cadres, l.secretary)
	members, _, err := deps.Register.People(l.ctx, l.sys, org.PeopleFilter{OrgPath: l.d.SecondBranch.Path, Members: true, Limit: org.MaxPageSize})
	if err != nil {
		return err
	}
	for _, p := range members {
		if p.Name == "陈丽萍" || p.Name == "王志强" || p.Name == "何晓燕" {
			l.cadres = append(l.cadres, &auth.Actor{UserID: u.ID, Username: u.Username, Name: p.Name, PersonID: p.ID,
				AdminPaths: []string{l.d.SecondBranch.Path}, MemberPath: l.d.SecondBranch.Path})
		}
	}
	l.merchants, _, err = deps.Register.People(l.ctx, l.sys, org.PeopleFilter{OrgPath: l.d.SecondBranch.Path, Stage: org.StageMasses, Limit: org.MaxPageSize})
	if err != nil {
		return err
	}
	if len(l.merchants) < 40 {
		return fmt.Errorf("only %d merchants", len(l.merchants))
	}
	return nil
}

func (l *massLoader) load(deps MassworkDeps) error {
	start := l.clock.t.In(l.svc.Zone())
	day0 := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, l.svc.Zone())
	at := func(day, hour, minute int) {
		if t := day0.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute); t.After(l.clock.t) {
			l.clock.t = t
		}
	}
	cats, err := l.svc.UseDefaultCategories(l.ctx, l.sys, l.d.Committee.ID)
	if err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	l.category = map[string]int64{}
	for _, c := range cats {
		l.category[c.Code] = c.ID
	}
	// The k-th merchant of a market zone (A–E), so that a report's zone is the reporter's.
	byZone := map[byte][]*org.Person{}
	for _, p := range l.merchants {
		if p.Zone != "" {
			byZone[p.Zone[0]] = append(byZone[p.Zone[0]], p)
		}
	}
	z := func(zone byte, k int) *org.Person { list := byZone[zone]; return list[k%len(list)] }
	web := func(name string, who *org.Person, anonymous bool, cat, text string) error {
		r := &masswork.Report{OrgID: l.d.SecondBranch.ID, CategoryID: l.category[cat], Description: text,
			Place: masswork.Place{Zone: who.Zone, Booth: who.Booth}, Anonymous: anonymous, Channel: masswork.ChannelWeb}
		if !anonymous {
			r.Name = who.Name
		}
		return l.submit(name, nil, r)
	}
	metoo := func(name string, who *org.Person, comment string) error {
		r := &masswork.Report{OrgID: l.d.SecondBranch.ID, CategoryID: l.out.Matters[name].CategoryID, Description: comment,
			Place: masswork.Place{Zone: who.Zone, Booth: who.Booth}, Name: who.Name, Channel: masswork.ChannelWeb, MeToo: l.out.Matters[name].ID}
		return l.submit(name, nil, r)
	}
	phone := func(name string, who *org.Person, cat, text string) error {
		r := &masswork.Report{OrgID: l.d.SecondBranch.ID, CategoryID: l.category[cat], Description: text, PersonID: who.ID,
			Place: masswork.Place{Zone: who.Zone, Booth: who.Booth}, Channel: masswork.ChannelPhone}
		if mt := l.out.Matters[name]; mt != nil {
			r.MeToo = mt.ID
		}
		return l.submit(name, l.secretary, r)
	}

	// Week 1: the heat. The corridors of zone C have no shade and no cooling.
	at(0, 10, 12)
	if err := web("heat", z('C', 1), false, "facilities", "C区二楼走廊没有遮阳也没有降温设施，中午温度超过40度，顾客都不愿意进来，经营户也中暑了"); err != nil {
		return err
	}
	at(0, 15, 40)
	if err := metoo("heat", z('C', 2), "走廊太热了，42度的天没有空调没有风扇，希望装遮阳棚和喷雾降温"); err != nil {
		return err
	}
	// The branch committee visits zone C and zone A.
	visits := []struct {
		day, hour int
		cadre     int
		zone      byte
		who       int
		summary   string
		cat, text string
		matter    string
	}{
		{1, 9, 0, 'C', 6, "走访C区经营户，了解高温天气经营情况", "facilities", "二楼走廊高温难耐，希望尽快加装遮阳和降温设施", "heat"},
		{1, 10, 1, 'C', 7, "走访C区，宣传防暑降温知识，发放藿香正气水", "", "", ""},
		{2, 9, 2, 'A', 0, "走访A区楼层代表，听取对市场管理的意见", "parking", "东门停车位太少，早上进货的车没地方停，经常被贴罚单", "parking"},
		{2, 14, 0, 'A', 5, "走访A区经营户，了解淡季经营困难", "", "", ""},
		{3, 9, 3, 'A', 10, "走访A区，了解进货车辆停放问题", "parking", "东门口车辆乱停，早高峰堵得进不来", "parking"},
		{9, 10, 1, 'B', 1, "走访B区经营户，了解网络直播带货情况", "network", "B区宽带这周断了三次，直播带货全断了，损失很大", "network"},
		{9, 15, 2, 'B', 2, "走访B区，听取对网络和物业的意见", "", "", ""},
		{16, 9, 0, 'D', 1, "走访D区，检查消防安全", "fire_safety", "D区消防通道被几家的货物堵住了，万一着火人出不去", "fire"},
		{23, 10, 3, 'E', 5, "走访E区新入驻商户", "", "", ""},
		{30, 9, 0, 'A', 2, "回访A区楼层代表，通报东门停车场扩容进展", "", "", ""},
		{44, 14, 1, 'C', 20, "走访C区，回访遮阳降温设施安装情况", "", "", ""},
		{58, 10, 2, 'B', 5, "走访B区，回访宽带改造后的使用情况", "", "", ""},
		{66, 9, 0, 'A', 8, "走访A区，听取对假冒珍珠问题的意见", "market_order", "外来摊贩在A区门口卖假珍珠，冒充我们商户，败坏市场名声", "fake"},
	}
	logVisit := func(i int) error {
		v := visits[i]
		who := z(v.zone, v.who)
		at(v.day, v.hour, 0)
		in := masswork.VisitInput{OrgID: l.d.SecondBranch.ID, ContactID: who.ID, VisitedAt: l.clock.t.In(l.svc.Zone()).Format("2006-01-02T15:04"),
			Summary: v.summary}
		if v.cat != "" {
			// A problem raised again in a visit joins its matter as a me-too after the visit is
			// logged; a new one is filed with the visit.
			if l.out.Matters[v.matter] == nil {
				in.Problems = []masswork.VisitProblem{{CategoryID: l.category[v.cat], Description: v.text}}
			}
		}
		visit, err := l.svc.LogVisit(l.ctx, l.cadres[v.cadre%len(l.cadres)], in)
		if err != nil {
			return fmt.Errorf("visit %d: %w", i, err)
		}
		l.out.Visits++
		for _, p := range visit.Problems {
			l.out.Reports++
			if l.out.Matters[v.matter] == nil {
				mt, err := l.svc.Matter(l.ctx, l.sys, p.MatterID)
				if err != nil {
					return err
				}
				l.out.Matters[v.matter] = mt.Matter
			}
		}
		if v.cat != "" && len(visit.Problems) == 0 {
			r := &masswork.Report{OrgID: l.d.SecondBranch.ID, CategoryID: l.category[v.cat], Description: v.text, PersonID: who.ID,
				Place: masswork.Place{Zone: who.Zone, Booth: who.Booth}, Channel: masswork.ChannelVisit, VisitID: visit.ID,
				MeToo: l.out.Matters[v.matter].ID}
			return l.submit(v.matter, l.cadres[v.cadre%len(l.cadres)], r)
		}
		return nil
	}
	for i := 0; i < 5; i++ {
		if err := logVisit(i); err != nil {
			return err
		}
	}
	// More voices on the heat and the parking, by the form and by phone.
	at(3, 11, 5)
	for i, who := range []int{10, 11, 12, 13} {
		at(3+i, 11+i, 5)
		if err := metoo("heat", z('C', who), []string{"同感，下午根本待不住", "", "我们店员已经中暑两次了", ""}[i]); err != nil {
			return err
		}
	}
	at(4, 9, 30)
	if err := phone("parking", z('A', 3), "parking", "打电话反映：东门进货车辆没处停，希望划出临时卸货车位"); err != nil {
		return err
	}
	// Two more parking matters, filed separately (the form's suggestion was not taken, and a
	// cadre filed one without looking), merged by the secretary the next day.
	at(4, 16, 0)
	if err := web("parking3", z('A', 4), true, "parking", "东大门那边停车太难了，每天早上找车位要半小时"); err != nil {
		return err
	}
	at(5, 10, 0)
	r := &masswork.Report{OrgID: l.d.SecondBranch.ID, CategoryID: l.category["parking"], Description: "东门外道路两侧乱停车，早上卸货车辆进不来",
		PersonID: z('A', 5).ID, Place: masswork.Place{Zone: z('A', 5).Zone, Booth: z('A', 5).Booth}, Channel: masswork.ChannelStaff}
	if err := l.submit("parking2", l.secretary, r); err != nil {
		return err
	}
	at(6, 9, 0)
	if err := l.merge("parking", "parking2"); err != nil {
		return err
	}
	if err := l.merge("parking", "parking3"); err != nil {
		return err
	}
	for i, who := range []int{11, 12, 13, 14, 15, 16} {
		at(6+i*3, 10, 20)
		if err := metoo("parking", z('A', who), []string{"", "每天早上都堵", "", "", "货车司机都不愿意来了", ""}[i]); err != nil {
			return err
		}
	}

	// The secretary accepts and assigns the heat and the parking.
	at(1, 16, 0)
	if err := l.accept("heat", "已收到，支部委员会正在与物业协商加装遮阳和降温设施。"); err != nil {
		return err
	}
	if err := l.assign("heat", l.d.SecondBranch.ID, l.cadres[min(2, len(l.cadres)-1)].PersonID); err != nil {
		return err
	}
	if err := l.start("heat"); err != nil {
		return err
	}
	at(6, 9, 30)
	if err := l.accept("parking", "已受理。支部副书记牵头，会同市场管理方办理。"); err != nil {
		return err
	}
	if err := l.assign("parking", l.d.SecondBranch.ID, l.cadres[1%len(l.cadres)].PersonID); err != nil {
		return err
	}
	if err := l.start("parking"); err != nil {
		return err
	}
	if err := l.reply("parking", "已与市场管理方确认：东门北侧空地可改建为临时停车场，正在办理手续。", true); err != nil {
		return err
	}
	// Adopted as a practical thing for the masses, with milestones.
	at(8, 10, 0)
	pl, err := l.svc.NewProjectPlan(l.ctx, l.secretary, l.out.Matters["parking"].ID)
	if err != nil {
		return fmt.Errorf("project plan: %w", err)
	}
	pl.Title = "东门临时停车场扩容"
	pl.Description = "针对商户反映最集中的东门停车难问题，把东门北侧空地改建为临时停车场，新增车位60个，并划设早间卸货专用车位。"
	pl.OwnerID = l.d.Secretary.ID
	pl.Public = true
	pl.StartsOn = l.clock.t.In(l.svc.Zone()).Format(time.DateOnly)
	pl.DueOn = day0.AddDate(0, 0, 100).Format(time.DateOnly)
	pl.Milestones = []masswork.MilestonePlan{
		{Title: "与市场管理方协调空地使用", Weight: "1", Progress: "100", DoneOn: day0.AddDate(0, 0, 20).Format(time.DateOnly)},
		{Title: "场地平整和划线施工", Weight: "3", Progress: "60", DueOn: day0.AddDate(0, 0, 80).Format(time.DateOnly)},
		{Title: "设置卸货专用车位和指示牌", Weight: "1", Progress: "0", DueOn: day0.AddDate(0, 0, 90).Format(time.DateOnly)},
		{Title: "回访商户满意度", Weight: "1", Progress: "0", DueOn: day0.AddDate(0, 0, 100).Format(time.DateOnly)},
	}
	if l.out.Project, err = l.svc.SaveProject(l.ctx, l.secretary, pl); err != nil {
		return fmt.Errorf("project: %w", err)
	}

	// Zone B's broadband: reported, fixed, answered satisfied — closed.
	if err := logVisit(5); err != nil {
		return err
	}
	if err := logVisit(6); err != nil {
		return err
	}
	at(9, 18, 0)
	for _, who := range []int{3, 4} {
		if err := metoo("network", z('B', who), "直播间也断了"); err != nil {
			return err
		}
	}
	at(10, 9, 0)
	if err := l.accept("network", "已联系电信运营商上门检修B区线路。"); err != nil {
		return err
	}
	if err := l.start("network"); err != nil {
		return err
	}
	at(13, 17, 0)
	if err := l.resolve("network", "运营商已更换B区老化的光交箱并增加备用线路，连续观察三天未再断网。"); err != nil {
		return err
	}
	at(14, 10, 0)
	if err := l.answerAll("network", []string{masswork.RatingSatisfied, masswork.RatingSatisfied, masswork.RatingBasic}, "换了线路以后稳定多了"); err != nil {
		return err
	}

	// The fire escape in zone D: resolved, one merchant says it is blocked again — reopened.
	if err := logVisit(7); err != nil {
		return err
	}
	at(16, 15, 0)
	if err := phone("fire", z('D', 2), "fire_safety", "D区消防通道又被堆了纸箱"); err != nil {
		return err
	}
	at(17, 9, 0)
	if err := l.accept("fire", "已通知相关商户限期清理，物业配合检查。"); err != nil {
		return err
	}
	at(19, 16, 0)
	if err := l.resolve("fire", "相关商户已清理通道内货物，物业在通道口设置了禁止堆放标识。"); err != nil {
		return err
	}
	at(22, 11, 0)
	if err := l.answerAll("fire", []string{masswork.RatingDissatisfied}, "清了两天又堆上了，要有人经常检查"); err != nil {
		return err
	}
	l.out.Reopened = l.out.Matters["fire"]
	at(23, 9, 0)
	if err := l.reply("fire", "已安排物业每天巡查D区消防通道，发现堆放立即通知清理，支部纪检委员督办。", true); err != nil {
		return err
	}

	// A dirty toilet: resolved, nobody answered in seven days — closed without reply.
	at(24, 8, 30)
	if err := web("toilet", z('E', 3), true, "sanitation", "三楼公共厕所很脏，没有纸也没有洗手液"); err != nil {
		return err
	}
	at(24, 14, 0)
	if err := l.accept("toilet", "已转物业保洁部门。"); err != nil {
		return err
	}
	at(26, 10, 0)
	if err := l.resolve("toilet", "物业已增加三楼卫生间的保洁频次，每天检查两次，补齐了纸巾和洗手液。"); err != nil {
		return err
	}
	at(34, 10, 0)
	if _, err := l.svc.CloseUnanswered(l.ctx); err != nil {
		return fmt.Errorf("close unanswered: %w", err)
	}
	if err := logVisit(8); err != nil {
		return err
	}
	if err := logVisit(9); err != nil {
		return err
	}

	// A fee nobody can waive: rejected with a reason.
	at(36, 9, 0)
	if err := web("fee", z('E', 4), false, "other", "希望市场免除今年全部管理费"); err != nil {
		return err
	}
	at(36, 15, 0)
	if err := l.reject("fee", "管理费标准由市场经营方按合同收取，支部无权免除；对困难商户的减免政策已另行告知。"); err != nil {
		return err
	}
	if err := logVisit(10); err != nil {
		return err
	}
	// More heat: the shade goes up, the matter stays open while the cooling is installed.
	at(45, 10, 0)
	if err := l.reply("heat", "C区二楼走廊遮阳棚已安装完成，喷雾降温设备正在采购。", true); err != nil {
		return err
	}
	for i, who := range []int{14, 15, 16} {
		at(58+i*3, 13, 0)
		if err := metoo("heat", z('C', who), []string{"三楼也一样热", "", "希望喷雾降温早点装上"}[i]); err != nil {
			return err
		}
	}
	if err := logVisit(11); err != nil {
		return err
	}
	// The counterfeit pearls: raised in a visit and by several merchants; nobody answered in
	// time, so the deadline passed and the matter went up to the committee.
	if err := logVisit(12); err != nil {
		return err
	}
	at(66, 15, 0)
	for _, who := range []int{17, 18, 19} {
		if err := metoo("fake", z('A', who), "有顾客拿着假珍珠来我们店里退货"); err != nil {
			return err
		}
	}
	at(69, 9, 0)
	if _, err := l.svc.Escalate(l.ctx); err != nil {
		return fmt.Errorf("escalate: %w", err)
	}
	l.out.Escalated = l.out.Matters["fake"]
	// Yesterday: a leak at the lift, not yet answered.
	at(69, 18, 20)
	if err := web("leak", z('C', 9), true, "facilities", "电梯口天花板漏水，地面很滑，有人摔倒了"); err != nil {
		return err
	}
	// Refresh what the tests and the printout look at.
	for name, mt := range l.out.Matters {
		v, err := l.svc.Matter(l.ctx, l.sys, mt.ID)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		l.out.Matters[name] = v.Matter
	}
	return nil
}

// submit files a report and remembers its matter under name (a me-too keeps the matter).
func (l *massLoader) submit(name string, a *auth.Actor, r *masswork.Report) error {
	rc, err := l.svc.Submit(l.ctx, a, r)
	if err != nil {
		return fmt.Errorf("%s: submit: %w", name, err)
	}
	l.out.Reports++
	if l.out.Receipts[name] == nil {
		l.out.Receipts[name] = rc
	}
	mt, err := l.svc.Matter(l.ctx, l.sys, rc.MatterID)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	l.out.Matters[name] = mt.Matter
	return nil
}

// current reads a matter anew (its version moves with every change).
func (l *massLoader) current(name string) (*masswork.Matter, error) {
	v, err := l.svc.Matter(l.ctx, l.sys, l.out.Matters[name].ID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	l.out.Matters[name] = v.Matter
	return v.Matter, nil
}

func (l *massLoader) accept(name, note string) error {
	m, err := l.current(name)
	if err != nil {
		return err
	}
	if err := l.svc.Accept(l.ctx, l.secretary, m.ID, m.Version, note); err != nil {
		return fmt.Errorf("%s: accept: %w", name, err)
	}
	return nil
}

func (l *massLoader) reject(name, reason string) error {
	m, err := l.current(name)
	if err != nil {
		return err
	}
	if err := l.svc.Reject(l.ctx, l.secretary, m.ID, m.Version, reason); err != nil {
		return fmt.Errorf("%s: reject: %w", name, err)
	}
	return nil
}

func (l *massLoader) assign(name string, orgID, personID int64) error {
	m, err := l.current(name)
	if err != nil {
		return err
	}
	if err := l.svc.Assign(l.ctx, l.sys, m.ID, m.Version, orgID, personID); err != nil {
		return fmt.Errorf("%s: assign: %w", name, err)
	}
	return nil
}

func (l *massLoader) start(name string) error {
	m, err := l.current(name)
	if err != nil {
		return err
	}
	if err := l.svc.Start(l.ctx, l.sys, m.ID, m.Version); err != nil {
		return fmt.Errorf("%s: start: %w", name, err)
	}
	return nil
}

func (l *massLoader) reply(name, body string, public bool) error {
	if err := l.svc.Reply(l.ctx, l.sys, l.out.Matters[name].ID, body, public); err != nil {
		return fmt.Errorf("%s: reply: %w", name, err)
	}
	return nil
}

func (l *massLoader) resolve(name, body string) error {
	m, err := l.current(name)
	if err != nil {
		return err
	}
	if err := l.svc.Resolve(l.ctx, l.secretary, m.ID, m.Version, body); err != nil {
		return fmt.Errorf("%s: resolve: %w", name, err)
	}
	return nil
}

func (l *massLoader) merge(into, from string) error {
	a, err := l.current(into)
	if err != nil {
		return err
	}
	b, err := l.current(from)
	if err != nil {
		return err
	}
	if err := l.svc.Merge(l.ctx, l.secretary, a.ID, a.Version, b.ID, b.Version); err != nil {
		return fmt.Errorf("merge %s into %s: %w", from, into, err)
	}
	delete(l.out.Matters, from)
	return nil
}

// answerAll records, as the secretary calling back, one answer per reporter asked in the
// current round, with the ratings in turn (the last repeated).
func (l *massLoader) answerAll(name string, ratings []string, comment string) error {
	v, err := l.svc.Matter(l.ctx, l.sys, l.out.Matters[name].ID)
	if err != nil {
		return err
	}
	for i, fb := range v.Feedback {
		if !fb.AnsweredAt.IsZero() {
			continue
		}
		rating := ratings[min(i, len(ratings)-1)]
		if err := l.svc.RecordFeedback(l.ctx, l.secretary, fb.ID, rating != masswork.RatingDissatisfied, rating, comment); err != nil {
			return fmt.Errorf("%s: feedback: %w", name, err)
		}
		if rating == masswork.RatingDissatisfied {
			break // reopened: the others are no longer asked
		}
	}
	return nil
}

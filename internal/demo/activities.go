package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/org"
)

// Activities is what LoadActivities created.
type Activities struct {
	Trip  *activity.Activity
	Sites []*activity.Site
	Count int
}

// LoadActivities adds the Second Branch's activities to the demo data: the catalogue sites of
// the model case, the two-day study trip of 15–16 July 2023 with its itinerary and attendance
// per day, the branch's meetings of 2023 with some months missing (so that compliance has
// something overdue), and a few activities in the coming weeks, to which the branch is
// invited.
func LoadActivities(ctx context.Context, svc *activity.Service, orgs *org.Service, d *Data, now time.Time) (*Activities, error) {
	l := &activityLoader{ctx: ctx, svc: svc, sys: auth.System("demo"), d: d, rng: rand.New(rand.NewPCG(2023, 716)), zone: svc.Zone()}
	out := &Activities{}
	if err := l.sites(out); err != nil {
		return nil, fmt.Errorf("demo: sites: %w", err)
	}
	members, _, err := orgs.People(ctx, l.sys, org.PeopleFilter{OrgPath: d.SecondBranch.Path, Members: true, Limit: org.MaxPageSize})
	if err != nil {
		return nil, fmt.Errorf("demo: members: %w", err)
	}
	l.members = members
	if out.Trip, err = l.trip(out.Sites); err != nil {
		return nil, fmt.Errorf("demo: trip: %w", err)
	}
	n, err := l.year2023(out.Sites[3])
	if err != nil {
		return nil, fmt.Errorf("demo: 2023: %w", err)
	}
	r, err := l.recent(now, out.Sites[3])
	if err != nil {
		return nil, fmt.Errorf("demo: recent: %w", err)
	}
	m, err := l.coming(now, out.Sites[3])
	if err != nil {
		return nil, fmt.Errorf("demo: coming: %w", err)
	}
	// The committee's local rule: a party lecture every quarter (the national text leaves the
	// count to local rules).
	if err := svc.OverrideRule(ctx, l.sys, d.Committee.ID, activity.RuleChange{Code: "MTG-LEC", Period: activity.PeriodQuarter,
		MinCount: 1, Enabled: true, Note: "党委规定：各支部每季度至少上1次党课"}); err != nil {
		return nil, fmt.Errorf("demo: lecture rule: %w", err)
	}
	out.Count = 1 + n + r + m
	return out, nil
}

type activityLoader struct {
	ctx     context.Context
	svc     *activity.Service
	sys     *auth.Actor
	d       *Data
	rng     *rand.Rand
	zone    *time.Location
	members []*org.Person
}

func (l *activityLoader) sites(out *Activities) error {
	keeper := l.d.SecondBranch.ID
	for _, s := range []*activity.Site{
		{OrgID: keeper, Name: "王村", Kind: "village", Facts: "两天党建研学团建第一站"},
		{OrgID: keeper, Name: "粟裕刘英革命根据地纪念馆", Kind: "red_base", Address: "浙江省丽水市遂昌县",
			History: "粟裕将军和刘英政委率领中国工农红军挺进浙西南，在遂昌创建革命根据地。纪念馆陈列根据地创建和斗争的历史，是开展党性教育和重温入党誓词的场所。"},
		{OrgID: keeper, Name: "南尖岩景区", Kind: "scenic_area", Level: "AAAA", Address: "浙江省丽水市遂昌县",
			AltitudeM: 1626, AreaKm2: 6, Spots: 30, Facts: "险峰、瀑布、竹林、湿地、云海梯田、山居人家、珍禽异兽",
			History: "遂昌南尖岩是国家AAAA级旅游景区，主峰海拔1626米，面积6平方公里，有景点30余处，集险峰、瀑布、竹林、湿地、云海梯田、山居人家、珍禽异兽等资源于一体，素有“红尘中遗忘的桃花源”之称。"},
		{OrgID: keeper, Name: "珠宝城党员活动室", Kind: "meeting_room", Address: "华东国际珠宝城（诸暨）综合楼三楼"},
	} {
		if err := l.svc.SaveSite(l.ctx, l.sys, s); err != nil {
			return err
		}
		out.Sites = append(out.Sites, s)
	}
	return nil
}

// committee returns the Second Branch's committee members: the first five people created.
func (l *activityLoader) committee() []*org.Person {
	var out []*org.Person
	for _, p := range l.members {
		if p.OrgID == l.d.SecondBranch.ID {
			out = append(out, p)
		}
	}
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

func (l *activityLoader) trip(sites []*activity.Site) (*activity.Activity, error) {
	act, err := l.svc.CreateActivity(l.ctx, l.sys, activity.Plan{
		OrgID: l.d.SecondBranch.ID, Types: []string{"red_trip", "team_building"}, Title: "两天党建研学团建",
		Theme:     "不忘来时路，重走挺进师之路",
		Purpose:   "传播党的声音，密切党群关系，推动党的工作。领导班子赴王村开展为期两天的党建研学团建，参观粟裕、刘英在遂昌创建的革命根据地，登南尖岩。",
		StartDate: "2023-07-15", EndDate: "2023-07-16", AllDay: true, HostID: l.d.Secretary.ID,
		SafetyNotes: "户外气温高达42℃：携带饮用水和防暑药品，避开正午暴晒，登山量力而行，身体不适及时报告。",
		Agenda:      "1. 王村党建研学\n2. 参观粟裕刘英革命根据地纪念馆，重温入党誓词\n3. 南尖岩团建登山\n4. 交流研学体会",
		Stops: []activity.StopPlan{
			{Day: "2023-07-15", StartTime: "07:30", Place: "华东国际珠宝城", What: "集合出发"},
			{Day: "2023-07-15", StartTime: "10:30", SiteID: sites[0].ID, What: "党建研学：走访村党组织，学习基层治理经验"},
			{Day: "2023-07-15", StartTime: "19:30", SiteID: sites[0].ID, What: "面对面座谈，听取群众意见"},
			{Day: "2023-07-16", StartTime: "08:30", EndTime: "11:00", SiteID: sites[1].ID, What: "参观纪念馆，重温入党誓词"},
			{Day: "2023-07-16", StartTime: "13:30", EndTime: "17:00", SiteID: sites[2].ID, What: "团建登山，交流研学体会"},
		},
	})
	if err != nil {
		return nil, err
	}
	leaders := l.committee()
	for _, p := range leaders {
		if _, err := l.svc.Invite(l.ctx, l.sys, act.ID, activity.Invitation{PersonID: p.ID}); err != nil {
			return nil, err
		}
	}
	for i, p := range leaders {
		if err := l.svc.ManualCheckIn(l.ctx, l.sys, act.ID, p.ID, "2023-07-15", false); err != nil {
			return nil, err
		}
		if i != len(leaders)-1 || len(leaders) < 5 {
			if err := l.svc.ManualCheckIn(l.ctx, l.sys, act.ID, p.ID, "2023-07-16", false); err != nil {
				return nil, err
			}
		}
	}
	if len(leaders) == 5 {
		if err := l.svc.SetAbsentReason(l.ctx, l.sys, act.ID, leaders[4].ID, "第二天返回处理市场防汛事务"); err != nil {
			return nil, err
		}
	}
	return act, nil
}

// meeting is one activity of the branch's year.
type meeting struct {
	day, start, end string
	types           []string
	title           string
}

// year2023 plans the Second Branch's meetings of 2023. Committee meetings skip April and
// August, the third quarter has no branch general meeting, and September has no theme
// party day.
func (l *activityLoader) year2023(room *activity.Site) (int, error) {
	var list []meeting
	for m := 1; m <= 12; m++ {
		month := fmt.Sprintf("2023-%02d", m)
		if m != 4 && m != 8 {
			list = append(list, meeting{month + "-05", "09:00", "10:30", []string{"committee_meeting"}, fmt.Sprintf("%d月支委会", m)})
		}
		if m != 9 {
			types := []string{"theme_day"}
			title := fmt.Sprintf("%d月主题党日", m)
			if m%3 == 0 {
				types = append(types, "party_lecture")
				title += "暨党课"
			}
			list = append(list, meeting{month + "-15", "14:00", "16:30", types, title})
		}
		if m == 3 || m == 6 || m == 12 {
			list = append(list, meeting{month + "-20", "14:00", "16:00", []string{"general_meeting"}, fmt.Sprintf("第%d季度支部党员大会", (m+2)/3)})
		}
	}
	list = append(list,
		meeting{"2023-01-18", "09:00", "11:30", []string{"life_meeting", "democratic_evaluation"}, "2022年度组织生活会和民主评议党员"},
		meeting{"2023-05-10", "08:30", "11:30", []string{"volunteer", "mass_visit_day"}, "“我为群众办实事”商户走访日"},
	)
	for _, m := range list {
		act, err := l.svc.CreateActivity(l.ctx, l.sys, activity.Plan{OrgID: l.d.SecondBranch.ID, Types: m.types, Title: m.title,
			StartDate: m.day, StartTime: m.start, EndTime: m.end, SiteID: room.ID, HostID: l.d.Secretary.ID})
		if err != nil {
			return 0, fmt.Errorf("%s: %w", m.title, err)
		}
		who := l.members
		if m.types[0] == "committee_meeting" {
			who = l.committee()
		}
		for _, p := range who {
			if _, err := l.svc.Invite(l.ctx, l.sys, act.ID, activity.Invitation{PersonID: p.ID}); err != nil {
				return 0, err
			}
		}
		for _, p := range who {
			if l.rng.IntN(10) < 1 {
				continue // absent
			}
			if err := l.svc.ManualCheckIn(l.ctx, l.sys, act.ID, p.ID, m.day, l.rng.IntN(20) == 0); err != nil {
				return 0, err
			}
		}
	}
	return len(list), nil
}

// recent holds the branch's meetings of the last five months: committee meetings every
// month, theme party days except three months ago, with everyone but two members attending
// (they show on the compliance page as six months without organizational life).
func (l *activityLoader) recent(now time.Time, room *activity.Site) (int, error) {
	this := now.In(l.zone)
	first := time.Date(this.Year(), this.Month(), 1, 0, 0, 0, 0, l.zone)
	absent := map[int64]bool{}
	for i := len(l.members) - 1; i >= 0 && len(absent) < 2; i-- {
		if p := l.members[i]; p.ID != l.d.Member.ID && p.OrgID != l.d.SecondBranch.ID {
			absent[p.ID] = true
		}
	}
	n := 0
	for back := 5; back >= 1; back-- {
		month := first.AddDate(0, -back, 0)
		list := []meeting{{month.AddDate(0, 0, 4).Format(time.DateOnly), "09:00", "10:30", []string{"committee_meeting"},
			fmt.Sprintf("%d月支委会", int(month.Month()))}}
		if back != 3 {
			list = append(list, meeting{month.AddDate(0, 0, 11).Format(time.DateOnly), "14:00", "16:30", []string{"theme_day"},
				fmt.Sprintf("%d月主题党日", int(month.Month()))})
		}
		for _, m := range list {
			act, err := l.svc.CreateActivity(l.ctx, l.sys, activity.Plan{OrgID: l.d.SecondBranch.ID, Types: m.types, Title: m.title,
				StartDate: m.day, StartTime: m.start, EndTime: m.end, SiteID: room.ID, HostID: l.d.Secretary.ID})
			if err != nil {
				return 0, fmt.Errorf("%s: %w", m.title, err)
			}
			who := l.members
			if m.types[0] == "committee_meeting" {
				who = l.committee()
			}
			for _, p := range who {
				if _, err := l.svc.Invite(l.ctx, l.sys, act.ID, activity.Invitation{PersonID: p.ID}); err != nil {
					return 0, err
				}
				if absent[p.ID] {
					continue
				}
				if err := l.svc.ManualCheckIn(l.ctx, l.sys, act.ID, p.ID, m.day, false); err != nil {
					return 0, err
				}
			}
			n++
		}
	}
	return n, nil
}

// coming plans activities in the weeks after now, with the branch and its groups invited.
func (l *activityLoader) coming(now time.Time, room *activity.Site) (int, error) {
	today := now.In(l.zone)
	plans := []activity.Plan{
		{Types: []string{"theme_day"}, Title: "主题党日：学习贯彻党的二十大精神", StartDate: today.AddDate(0, 0, 6).Format(time.DateOnly),
			StartTime: "14:00", EndTime: "16:30", SignupRequired: true},
		{Types: []string{"party_lecture"}, Title: "党课：密切党群关系，解决群众急难愁盼", StartDate: today.AddDate(0, 0, 13).Format(time.DateOnly),
			StartTime: "09:00", EndTime: "11:00", Lecturer: "周建华", LectureTopic: "面对面做好群众工作"},
		{Types: []string{"general_meeting"}, Title: "支部党员大会", StartDate: today.AddDate(0, 0, 20).Format(time.DateOnly),
			StartTime: "14:00", EndTime: "16:00"},
	}
	for _, p := range plans {
		p.OrgID, p.SiteID, p.HostID, p.RecorderID = l.d.SecondBranch.ID, room.ID, l.d.Secretary.ID, l.committee()[len(l.committee())-2].ID
		act, err := l.svc.CreateActivity(l.ctx, l.sys, p)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", p.Title, err)
		}
		if _, err := l.svc.Invite(l.ctx, l.sys, act.ID, activity.Invitation{OrgID: l.d.SecondBranch.ID, Subtree: true}); err != nil {
			return 0, err
		}
	}
	return len(plans), nil
}

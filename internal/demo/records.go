package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
)

// The trip's record, in the words of the model case's own article (seed 000): what happened
// day by day, what was resolved, and the article itself as the closing summary.
const (
	tripMinutes = `## 7月15日　王村党建研学
- 07:30 在华东国际珠宝城集合出发。
- 上午走访王村党组织，学习基层治理经验。
- 晚上与村民面对面座谈，听取群众意见。

## 7月16日　重走挺进师之路
- 上午参观粟裕将军和刘英政委率领中国工农红军在浙西南遂昌创建的革命根据地，重温入党誓词。
- 下午登遂昌南尖岩。南尖岩是国家AAAA级旅游景区，主峰海拔1626米，面积6平方公里，有景点30余处，集险峰、瀑布、竹林、湿地、云海梯田、山居人家、珍禽异兽等资源于一体，素有“红尘中遗忘的桃花源”之称。
- 交流研学体会。

户外气温高达42℃，领导班子成员作为党员始终精神饱满，不惧酷热，信念坚定，担当实干，凝聚共识、积蓄力量。`

	tripResolutions = `1. 坚持工作重心下移，深入群众，面对面做好群众工作，聚焦解决群众反映强烈的突出问题。
2. 座谈中听到的群众意见逐条登记，明确责任人和办理时限，办理结果向群众反馈。
3. 领导干部坚决反对特权思想和特权现象，保持一颗为民之心。`

	tripSummary = `加强作风建设，必须紧紧围绕保持党同人民群众的血肉联系这个关键。领导干部要坚决反对特权思想和特权现象，保持为民之心，坚持工作重心下移，深入群众，面对面做好群众工作，体贴入微、脚踏实地，聚焦解决群众反映强烈的突出问题。

2023年7月15日至16日，为传播党的声音，密切党群关系，推动党的工作，诸暨华东国际珠宝城领导班子赴王村参加为期两天的党建研学团建活动。

忠诚使命、求是奋进、植根人民，走得再远也不能忘记来时的路。

户外42℃高温下，领导班子成员作为党员始终精神饱满，不惧酷热，信念坚定，担当实干，凝聚共识、积蓄力量。

不管走得多远，不管未来多么光辉，都不能忘记走过的路，不能忘记为什么出发，面向未来，迎接挑战，继续前进。

党员们参观了粟裕将军和刘英政委率领中国工农红军在浙西南遂昌创建的革命根据地。

千里之行，风正劲，关键时刻再出发。

遂昌南尖岩是国家AAAA级旅游景区，主峰海拔1626米，面积6平方公里，有景点30余处，集险峰、瀑布、竹林、湿地、云海梯田、山居人家、珍禽异兽等资源于一体，素有“红尘中遗忘的桃花源”之称。

站起来是共产党员，扛起来是责任担当。越是如此，越需要广大党员练就担当的铁肩膀和成事的真本领，做行动派、不做清谈客，迎难而上、不惧风雨，在摸爬滚打中增长才干，善于在学习中学习、在实践中学习，在实践中出真知，稳步向前、再攀高峰，跨过一道又一道坎，在攻坚克难中不断开创新局面、创造新业绩。`
)

// meetingRecord is the record of one of the branch's 2023 meetings and how far it got.
type meetingRecord struct {
	title       string
	minutes     string
	resolutions string
	lecture     string
	status      string // draft, submitted, approved
}

var meetingRecords = []meetingRecord{
	{title: "1月支委会", status: activity.RecordApproved,
		minutes:     "## 议题\n1. 传达学习上级党委关于做好2023年基层党建工作的通知\n2. 研究2022年度组织生活会和民主评议党员安排\n\n## 讨论情况\n支委逐一发言，同意于1月18日召开组织生活会，会前开展谈心谈话。",
		resolutions: "1. 1月18日召开2022年度组织生活会和民主评议党员。\n2. 书记与每位支委、支委与党员开展谈心谈话，1月15日前完成。"},
	{title: "2月支委会", status: activity.RecordApproved,
		minutes:     "## 议题\n1. 研究全年“三会一课”计划\n2. 讨论市场商户反映的停车难问题\n\n## 讨论情况\n商户反映节后客流大、停车位不足，支委会研究与市场管理方沟通错峰停车方案。",
		resolutions: "1. 通过2023年度“三会一课”计划。\n2. 由组织委员牵头对接市场管理方，3月底前拿出错峰停车方案。"},
	{title: "3月主题党日暨党课", status: activity.RecordApproved,
		minutes: "## 主题党日\n全体党员重温入党誓词，开展“我为群众办实事”商户走访分组。\n\n## 党课\n书记讲授党课。",
		lecture: "党课以“密切党群关系，解决群众急难愁盼”为题，讲述了领导干部面对面做好群众工作的要求：坚持工作重心下移，深入群众，聚焦解决群众反映强烈的突出问题。"},
	{title: "第2季度支部党员大会", status: activity.RecordApproved,
		minutes:     "## 议题\n1. 通报上半年支部工作\n2. 讨论入党积极分子培养情况\n\n## 讨论情况\n到会党员对上半年走访商户工作给予肯定，建议把群众意见办理情况定期公开。",
		resolutions: "1. 群众意见办理情况每季度在党务公开栏公布一次。\n2. 确定两名入党积极分子的培养联系人。"},
	{title: "5月支委会", status: activity.RecordSubmitted,
		minutes: "## 议题\n1. 总结5月10日商户走访日情况\n2. 研究7月党建研学团建方案\n\n## 讨论情况\n走访日共走访商户40余户，收集意见12条。支委会同意7月赴王村开展为期两天的党建研学团建。"},
	{title: "6月支委会", status: activity.RecordDraft,
		minutes: "## 议题\n1. 研学团建行程和安全预案\n\n（纪要待整理）"},
}

// LoadRecords writes the records of the demo's activities: the trip's minutes, resolutions
// and closing summary, submitted and approved, and the minutes of some of the Second Branch's
// 2023 meetings, most approved, one waiting for approval and one still a draft. It needs what
// LoadActivities created.
func LoadRecords(ctx context.Context, svc *activity.Service, acts *Activities, d *Data) error {
	sys := auth.System("demo")
	if err := writeRecord(ctx, svc, sys, acts.Trip.ID, activity.RecordText{Minutes: tripMinutes,
		Resolutions: tripResolutions, Summary: tripSummary}, activity.RecordApproved); err != nil {
		return fmt.Errorf("demo: trip record: %w", err)
	}
	zone := svc.Zone()
	list, _, err := svc.Activities(ctx, sys, activity.Filter{OrgID: d.SecondBranch.ID,
		From: time.Date(2023, 1, 1, 0, 0, 0, 0, zone), To: time.Date(2024, 1, 1, 0, 0, 0, 0, zone), Limit: 200})
	if err != nil {
		return fmt.Errorf("demo: 2023 meetings: %w", err)
	}
	byTitle := make(map[string]*activity.Activity, len(list))
	for _, a := range list {
		byTitle[a.Title] = a
	}
	for _, m := range meetingRecords {
		act := byTitle[m.title]
		if act == nil {
			return fmt.Errorf("demo: no meeting %q", m.title)
		}
		text := activity.RecordText{Minutes: m.minutes, Resolutions: m.resolutions, LectureSummary: m.lecture}
		if err := writeRecord(ctx, svc, sys, act.ID, text, m.status); err != nil {
			return fmt.Errorf("demo: record of %s: %w", m.title, err)
		}
	}
	return nil
}

// writeRecord saves a record and takes it as far as status.
func writeRecord(ctx context.Context, svc *activity.Service, sys *auth.Actor, id int64, text activity.RecordText, status string) error {
	r, err := svc.SaveRecord(ctx, sys, id, text)
	if err != nil || status == activity.RecordDraft {
		return err
	}
	if err := svc.SubmitRecord(ctx, sys, id, r.Version); err != nil || status == activity.RecordSubmitted {
		return err
	}
	return svc.ApproveRecord(ctx, sys, id, r.Version+1)
}

package notify

import (
	"strconv"
	"strings"
	"time"
)

// mailText is the wording of the emails in one language.
type mailText struct {
	soonSubject, soonChangedSubject, dueSubject string
	soonIntro, soonChangedIntro, dueIntro       string
	title, when, place, org, link, dueLink      string
	allDay, to, footer                          string
}

// mailTexts are the emails' wording: Simplified Chinese, and English for accounts set to it.
var mailTexts = map[string]mailText{
	"zh-CN": {
		soonSubject:        "活动提醒：%s",
		soonChangedSubject: "活动时间变更：%s",
		dueSubject:         "请提交活动记录：%s",
		soonIntro:          "您好！您受邀参加的活动即将开始。",
		soonChangedIntro:   "您好！您受邀参加的活动时间有变更，请以本邮件为准。",
		dueIntro:           "您好！您是下面这次活动的记录人，活动已结束，活动记录尚未提交。请尽快填写并提交。",
		title:              "活动：",
		when:               "时间：",
		place:              "地点：",
		org:                "组织：",
		link:               "查看详情或请假：",
		dueLink:            "填写记录：",
		allDay:             "（全天）",
		to:                 " 至 ",
		footer:             "本邮件由党建工作平台自动发送，请勿直接回复。不想收到邮件，可在“我的账号”中删除邮箱地址。",
	},
	"en": {
		soonSubject:        "Reminder: %s",
		soonChangedSubject: "Time changed: %s",
		dueSubject:         "Please submit the record: %s",
		soonIntro:          "Hello, an activity you are invited to starts soon.",
		soonChangedIntro:   "Hello, the time of an activity you are invited to has changed; this email has the new time.",
		dueIntro:           "Hello, you are the recorder of the activity below. It has ended and its record has not been submitted yet. Please write and submit it.",
		title:              "Activity: ",
		when:               "Time: ",
		place:              "Place: ",
		org:                "Organization: ",
		link:               "Details and leave requests: ",
		dueLink:            "Write the record: ",
		allDay:             " (all day)",
		to:                 " to ",
		footer:             "This email was sent automatically by the party-building platform; please do not reply. To stop emails, remove your address under My account.",
	},
}

// textFor returns the wording for an account's language.
func textFor(locale string) mailText {
	if strings.HasPrefix(locale, "en") {
		return mailTexts["en"]
	}
	return mailTexts["zh-CN"]
}

// Compose writes the email of a notice in the language locale: plain text with the activity's
// title, time, place and a link to it (when the base URL is known).
func (s *Service) Compose(n *Notification, locale, to string) Message {
	t := textFor(locale)
	p := n.Params
	subject, intro, linkLabel, path := t.soonSubject, t.soonIntro, t.link, "/activities/"+strconv.FormatInt(n.ActivityID, 10)
	switch {
	case n.Kind == KindRecordDue:
		subject, intro, linkLabel, path = t.dueSubject, t.dueIntro, t.dueLink, path+"/record"
	case p.Changed:
		subject, intro = t.soonChangedSubject, t.soonChangedIntro
	}
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			b.WriteString(label + value + "\n")
		}
	}
	b.WriteString(intro + "\n\n")
	line(t.title, p.Title)
	line(t.when, When(p, s.opts.Zone, t.to, t.allDay))
	line(t.place, p.Place)
	line(t.org, p.OrgName)
	if s.opts.BaseURL != "" {
		b.WriteString("\n")
		line(linkLabel, s.opts.BaseURL+path)
	}
	b.WriteString("\n-- \n" + t.footer + "\n")
	return Message{To: to, Subject: strings.Replace(subject, "%s", oneLine(p.Title), 1), Body: b.String()}
}

// When writes an activity's time in zone: "2023-07-20 14:00–16:00" within a day,
// "2023-07-15 to 2023-07-16 (all day)" for all-day activities (whose end is the midnight after
// the last day).
func When(p Params, zone *time.Location, to, allDay string) string {
	start, end := p.StartsAt.In(zone), p.EndsAt.In(zone)
	if p.AllDay {
		last := end.AddDate(0, 0, -1)
		if !last.After(start) || last.Format(time.DateOnly) == start.Format(time.DateOnly) {
			return start.Format(time.DateOnly) + allDay
		}
		return start.Format(time.DateOnly) + to + last.Format(time.DateOnly) + allDay
	}
	if start.Format(time.DateOnly) == end.Format(time.DateOnly) {
		return start.Format("2006-01-02 15:04") + "–" + end.Format("15:04")
	}
	return start.Format("2006-01-02 15:04") + to + end.Format("2006-01-02 15:04")
}

// oneLine keeps a subject on one line whatever the title holds.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

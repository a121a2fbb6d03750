package page

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/roster"
	"github.com/dangjian/dangjian/internal/web/view"
)

// InsightPage is an organization subtree's mass-work figures month by month.
type InsightPage struct {
	view.Base
	Form     *view.Form
	OrgID    int64
	OrgName  string
	Insight  *masswork.Insight
	Months   []*InsightMonth
	Total    *InsightMonth // the whole period (medians are per month only)
	ByCat    []*InsightVolume
	ByChan   []*InsightVolume
	MaxCount int // the largest monthly count of reports, for the bars
}

// InsightMonth is one month's figures, formatted.
type InsightMonth struct {
	Month                             string
	Problems, Matters                 int
	Accepted                          string
	Responded, Resolved               int
	MedianResponse, MedianResolve     string
	ResponseOnTime, ResolveOnTime     string
	Answers                           int
	Satisfaction                      string
	Visits, ContactsVisited, Contacts int
	Coverage                          string
}

// InsightVolume is one row of a volume table: a category or a channel and its count each
// month.
type InsightVolume struct {
	Name   string
	Counts []int
	Total  int
}

// ShowInsight renders the figures of an organization's subtree (GET /orgs/{id}/insight?from=YYYY-MM&to=YYYY-MM).
func (h *Handlers) ShowInsight(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &InsightPage{Base: h.View.NewBase(r, "insight.title"), OrgID: id}
	p.NavItem = "masswork"
	p.Form = view.NewForm(p.Translator, url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}})
	in, err := h.Mass.Insight(r.Context(), a, id, q.Get("from"), q.Get("to"))
	if err != nil {
		if !p.Form.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "insight", p)
		return
	}
	p.Insight, p.OrgName = in, in.Org.Name
	p.Title = p.T("insight.title_of", "Org", in.Org.Name)
	p.Form.Values.Set("from", in.From)
	p.Form.Values.Set("to", in.To)
	total := &masswork.MonthStats{}
	for _, m := range in.Months {
		p.Months = append(p.Months, insightMonth(p.Translator, m))
		insightAdd(total, m)
		p.MaxCount = max(p.MaxCount, m.Problems)
	}
	p.Total = insightMonth(p.Translator, total)
	p.Total.Month = p.T("insight.total")
	p.Total.MedianResponse, p.Total.MedianResolve = "", ""
	if len(in.Months) > 0 {
		p.Total.Contacts = in.Months[0].Contacts
	}
	for _, c := range in.Categories {
		p.ByCat = append(p.ByCat, insightVolume(c.Name(p.Lang), in.Months, func(m *masswork.MonthStats) int { return m.ByCategory[c.Code] }))
	}
	for _, ch := range masswork.Channels {
		v := insightVolume(p.T("board.channel."+ch), in.Months, func(m *masswork.MonthStats) int { return m.ByChannel[ch] })
		if v.Total > 0 {
			p.ByChan = append(p.ByChan, v)
		}
	}
	h.View.Render(w, r, http.StatusOK, "insight", p)
}

// insightMonth formats a month's figures.
func insightMonth(tr *view.Translator, m *masswork.MonthStats) *InsightMonth {
	return &InsightMonth{Month: m.Month, Problems: m.Problems, Matters: m.Matters, Accepted: insightPercent(m.AcceptedRate()),
		Responded: m.Responded, Resolved: m.Resolved, MedianResponse: insightDuration(tr, m.MedianResponse),
		MedianResolve: insightDuration(tr, m.MedianResolve), ResponseOnTime: insightPercent(m.ResponseOnTimeRate()),
		ResolveOnTime: insightPercent(m.ResolveOnTimeRate()), Answers: m.Answers, Satisfaction: insightPercent(m.SatisfactionRate()),
		Visits: m.Visits, ContactsVisited: m.ContactsVisited, Contacts: m.Contacts, Coverage: insightPercent(m.Coverage())}
}

// insightAdd adds a month's counts into a total (contacts visited are added month by month:
// a contact visited in two months counts twice).
func insightAdd(total, m *masswork.MonthStats) {
	total.Problems += m.Problems
	total.Matters += m.Matters
	total.Accepted += m.Accepted
	total.Rejected += m.Rejected
	total.Responded += m.Responded
	total.RespondedOnTime += m.RespondedOnTime
	total.Resolved += m.Resolved
	total.ResolvedOnTime += m.ResolvedOnTime
	total.Answers += m.Answers
	total.Satisfied += m.Satisfied
	total.Visits += m.Visits
}

func insightVolume(name string, months []*masswork.MonthStats, count func(*masswork.MonthStats) int) *InsightVolume {
	v := &InsightVolume{Name: name}
	for _, m := range months {
		n := count(m)
		v.Counts = append(v.Counts, n)
		v.Total += n
	}
	return v
}

// ExportMatterLedger writes the matter ledger (群众诉求台账) of an organization's subtree as
// XLSX (GET /orgs/{id}/matters.xlsx?from=YYYY-MM&to=YYYY-MM): one row per matter opened in
// the period, and a sheet of the months' figures. It names no reporter and holds no phone:
// a number a reporter wrote into the text a title was taken from is masked.
// Ledgers are Chinese documents whatever the exporter's language.
func (h *Handlers) ExportMatterLedger(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	in, rows, err := h.Mass.Ledger(r.Context(), a, id, q.Get("from"), q.Get("to"))
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	tr := h.View.Catalog().For("zh-CN")
	f, err := insightWorkbook(tr, in, rows, h.Now(), h.Mass.Zone())
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	defer f.Close()
	name := fmt.Sprintf("%s-%s至%s群众诉求台账.xlsx", in.Org.Name, in.From, in.To)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"matters.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	if err := f.Write(w); err != nil {
		h.View.Error(w, r, err)
	}
}

// Sheet names of the matter ledger.
const (
	InsightLedgerSheet = "诉求台账"
	InsightMonthSheet  = "按月统计"
)

// insightWorkbook builds the ledger workbook: the matters, streamed, and the months.
func insightWorkbook(tr *view.Translator, in *masswork.Insight, rows []*masswork.LedgerRow, now time.Time, zone *time.Location) (*excelize.File, error) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", InsightLedgerSheet)
	sw, err := f.NewStreamWriter(InsightLedgerSheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	for col, width := range map[int]float64{2: 16, 3: 14, 4: 36, 5: 16, 6: 17, 9: 18, 10: 10, 11: 17, 12: 17, 13: 17, 14: 17, 16: 28} {
		_ = sw.SetColWidth(col, col, width)
	}
	_ = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	header := []any{"序号", "跟踪码", "类别", "标题", "反映渠道", "首次反映时间", "涉及人数", "状态", "承办组织", "责任人",
		"受理时间", "首次响应时间", "办结时间", "关闭时间", "是否按期", "群众评价", "升级次数"}
	if err := sw.SetRow("A1", header); err != nil {
		f.Close()
		return nil, err
	}
	at := func(t time.Time) any {
		if t.IsZero() {
			return ""
		}
		return t.In(zone).Format("2006-01-02 15:04")
	}
	for i, row := range rows {
		var channels []string
		for _, ch := range row.Channels {
			channels = append(channels, tr.T("board.channel."+ch))
		}
		org := row.OrgName
		if row.EscalatedOrg != "" {
			org += "（升级至" + row.EscalatedOrg + "）"
		}
		status := tr.T("board.status." + row.Status)
		if row.MergedIntoCode != "" {
			status += "（并入" + row.MergedIntoCode + "）"
		}
		line := []any{i + 1, row.Code, row.CategoryName, roster.Neutralise(masswork.MaskPublicText(row.Title)), strings.Join(channels, "、"),
			at(row.FirstReported), row.People, status, org, roster.Neutralise(row.AssigneeName), at(row.AcceptedAt),
			at(row.RespondedAt), at(row.ResolvedAt), at(row.ClosedAt), tr.T("insight.deadline." + row.OnTime(now)),
			insightRatings(tr, row), row.Escalations}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, line); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		f.Close()
		return nil, err
	}

	if _, err := f.NewSheet(InsightMonthSheet); err != nil {
		f.Close()
		return nil, err
	}
	head := []any{"月份", "反映件次", "新增诉求", "受理", "不予受理", "受理率", "首次响应", "按期响应", "按期响应率",
		"响应时长中位数（小时）", "办结", "按期办结", "按期办结率", "办结时长中位数（天）", "评价", "满意和基本满意", "满意率",
		"走访次数", "走访群众人数", "群众人数", "走访覆盖率"}
	for _, c := range in.Categories {
		head = append(head, "类别："+c.NameZh)
	}
	for _, ch := range masswork.Channels {
		head = append(head, "渠道："+tr.T("board.channel."+ch))
	}
	_ = f.SetSheetRow(InsightMonthSheet, "A1", &head)
	hours := func(d time.Duration, unit time.Duration) any {
		if d <= 0 {
			return ""
		}
		v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(d)/float64(unit), 'f', 1, 64), 64)
		return v
	}
	for i, m := range in.Months {
		line := []any{m.Month, m.Problems, m.Matters, m.Accepted, m.Rejected, insightPercent(m.AcceptedRate()), m.Responded,
			m.RespondedOnTime, insightPercent(m.ResponseOnTimeRate()), hours(m.MedianResponse, time.Hour), m.Resolved,
			m.ResolvedOnTime, insightPercent(m.ResolveOnTimeRate()), hours(m.MedianResolve, 24*time.Hour), m.Answers,
			m.Satisfied, insightPercent(m.SatisfactionRate()), m.Visits, m.ContactsVisited, m.Contacts, insightPercent(m.Coverage())}
		for _, c := range in.Categories {
			line = append(line, m.ByCategory[c.Code])
		}
		for _, ch := range masswork.Channels {
			line = append(line, m.ByChannel[ch])
		}
		_ = f.SetSheetRow(InsightMonthSheet, "A"+strconv.Itoa(i+2), &line)
	}
	_ = f.SetColWidth(InsightMonthSheet, "A", "A", 10)
	return f, nil
}

// insightRatings summarises a matter's latest round of answers: "满意 2，基本满意 1（第 2 轮）".
func insightRatings(tr *view.Translator, row *masswork.LedgerRow) string {
	if row.Round == 0 {
		return ""
	}
	var parts []string
	for _, rating := range []string{masswork.RatingSatisfied, masswork.RatingBasic, masswork.RatingDissatisfied} {
		if n := row.Ratings[rating]; n > 0 {
			parts = append(parts, tr.T("insight.rating."+rating)+" "+strconv.Itoa(n))
		}
	}
	s := strings.Join(parts, "，")
	if row.Round > 1 {
		s += tr.T("insight.round", "N", row.Round)
	}
	return s
}

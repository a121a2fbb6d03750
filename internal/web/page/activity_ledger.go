package page

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/roster"
	"github.com/dangjian/dangjian/internal/web/view"
)

// ExportLedger writes an organization's activity ledger (活动台账) of a year as XLSX: one
// row per activity with its attendance, and a sheet counting activities by type and month.
// Ledgers are Chinese documents whatever the exporter's language.
func (h *Handlers) ExportLedger(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	year := yearParam(r, h.Now().In(h.Activity.Zone()))
	o, rows, err := h.Activity.Ledger(r.Context(), a, id, year)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	types, err := h.Activity.Types(r.Context())
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	tr := h.View.Catalog().For("zh-CN")
	names := map[string]string{}
	for _, t := range types {
		names[t.Code] = t.NameZh
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "活动台账"
	f.SetSheetName("Sheet1", sheet)
	header := []any{"序号", "日期", "时间", "活动名称", "类型", "地点", "主持人", "记录人", "应到", "实到", "请假", "缺席", "列席", "出勤率", "状态"}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		h.View.Error(w, r, err)
		return
	}
	zone := h.Activity.Zone()
	monthly := map[string]*[12]int{}
	for i, row := range rows {
		start := row.StartsAt.In(zone)
		var typeNames string
		for j, code := range row.Types {
			if j > 0 {
				typeNames += "、"
			}
			typeNames += names[code]
			if monthly[code] == nil {
				monthly[code] = &[12]int{}
			}
			if row.Status != activity.StatusCancelled {
				monthly[code][start.Month()-1]++
			}
		}
		timeText := start.Format("15:04") + "–" + row.EndsAt.In(zone).Format("15:04")
		if row.AllDay {
			timeText = tr.T("ledger.all_day")
		}
		status := tr.T("ledger.held")
		if row.Status == activity.StatusCancelled {
			status = tr.T("activity.cancelled")
		} else if row.StartsAt.After(h.Now()) {
			status = tr.T("ledger.planned")
		}
		line := []any{i + 1, start.Format(time.DateOnly), timeText, roster.Neutralise(row.Title), typeNames, roster.Neutralise(row.Place),
			row.HostName, row.RecorderName, row.Expected, row.Present, row.Leave, row.Absent(), row.WalkIns,
			fmt.Sprintf("%.0f%%", row.Rate()*100), status}
		if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(i+2), &line); err != nil {
			h.View.Error(w, r, err)
			return
		}
	}
	for col, width := range map[string]float64{"B": 12, "C": 12, "D": 36, "E": 18, "F": 24, "G": 10, "H": 10} {
		_ = f.SetColWidth(sheet, col, col, width)
	}
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	const summary = "按类型和月份"
	if _, err := f.NewSheet(summary); err != nil {
		h.View.Error(w, r, err)
		return
	}
	head := []any{"类型"}
	for m := 1; m <= 12; m++ {
		head = append(head, strconv.Itoa(m)+"月")
	}
	head = append(head, "合计")
	_ = f.SetSheetRow(summary, "A1", &head)
	n := 2
	for _, t := range types {
		counts := monthly[t.Code]
		if counts == nil {
			continue
		}
		line := []any{t.NameZh}
		total := 0
		for _, c := range counts {
			line = append(line, c)
			total += c
		}
		line = append(line, total)
		_ = f.SetSheetRow(summary, "A"+strconv.Itoa(n), &line)
		n++
	}
	_ = f.SetColWidth(summary, "A", "A", 18)
	name := fmt.Sprintf("%s-%d年活动台账.xlsx", o.Name, year)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	if err := f.Write(w); err != nil {
		h.View.Error(w, r, err)
	}
}

// PrintPage is a printable form of an activity: the meeting record (会议记录) laid out like
// the paper form, or the attendance sheet (签到表).
type PrintPage struct {
	view.Base
	Activity  *activity.Activity
	When      string
	TypeNames []string
	Days      []string
	Rows      []*AttendanceRow
	Summary   activity.Summary
	Present   []string // names of those present
	Leave     []string // names with leave, and the reason
	Absent    []string // names absent, and the reason
	WalkIns   []string
	Printed   string
	// The record's texts, rendered and sanitised, when there is one the caller may read.
	Minutes, Resolutions, LectureSummary, Closing template.HTML
	RecordStatus                                  string
}

// PrintRecord renders the meeting record form; PrintAttendance the attendance sheet.
func (h *Handlers) PrintRecord(w http.ResponseWriter, r *http.Request) {
	h.printPage(w, r, "print_record")
}

// PrintAttendance renders the attendance sheet for printing.
func (h *Handlers) PrintAttendance(w http.ResponseWriter, r *http.Request) {
	h.printPage(w, r, "print_attendance")
}

func (h *Handlers) printPage(w http.ResponseWriter, r *http.Request, name string) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	act, ps, sum, err := h.Activity.Attendance(r.Context(), a, id)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	types, err := h.Activity.Types(r.Context())
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	title := "print.record_title"
	if name == "print_attendance" {
		title = "print.attendance_title"
	}
	p := &PrintPage{Base: h.View.NewBase(r, title), Activity: act, Summary: sum, When: when(act, h.Activity.Zone())}
	p.NavItem = "activities"
	p.Printed = h.Now().In(p.Zone).Format("2006-01-02 15:04")
	p.TypeNames = activityRows([]*activity.Activity{act}, types, p.Lang, p.Zone)[0].TypeNames
	p.Days = act.Days(p.Zone)
	for _, pa := range ps {
		row := &AttendanceRow{Participant: pa}
		for _, d := range p.Days {
			row.Cells = append(row.Cells, AttendanceCell{Day: d, Attendance: pa.Days[d]})
		}
		p.Rows = append(p.Rows, row)
		switch {
		case !pa.Invited:
			p.WalkIns = append(p.WalkIns, pa.PersonName)
		case len(pa.Days) > 0:
			p.Present = append(p.Present, pa.PersonName)
		case pa.Response == activity.ResponseLeaveApproved:
			p.Leave = append(p.Leave, withReason(pa.PersonName, pa.LeaveReason))
		default:
			p.Absent = append(p.Absent, withReason(pa.PersonName, pa.AbsentReason))
		}
	}
	if name == "print_record" {
		rv, err := h.Activity.Record(r.Context(), a, id)
		if err != nil {
			h.View.Error(w, r, err)
			return
		}
		p.RecordStatus = rv.Status
		if rec := rv.Record; rec != nil {
			// MarkdownHTML sanitises with bluemonday's UGC policy.
			p.Minutes, p.Resolutions = template.HTML(activity.MarkdownHTML(rec.Minutes)), template.HTML(activity.MarkdownHTML(rec.Resolutions))
			p.LectureSummary, p.Closing = template.HTML(activity.MarkdownHTML(rec.LectureSummary)), template.HTML(activity.MarkdownHTML(rec.Summary))
		}
	}
	h.View.Render(w, r, http.StatusOK, name, p)
}

func withReason(name, reason string) string {
	if reason == "" {
		return name
	}
	return name + "（" + reason + "）"
}

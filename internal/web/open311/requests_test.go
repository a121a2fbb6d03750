package open311

import (
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
)

// TestRequestOf: how a matter reads as a request: GeoReport's two statuses with ours in
// words, the description never a withheld text, the closing time as the update of a closed
// request, dates in the zone, the point only when known.
func TestRequestOf(t *testing.T) {
	h := bareHandler(t, func() time.Time { return testNow })
	tr := h.catalog.For("zh-CN")
	at := time.Date(2026, 7, 15, 1, 0, 0, 0, time.UTC)
	cat := &masswork.Category{Code: "parking", NameZh: "停车交通", NameEn: "Parking", ResponseDays: 1, ResolveDays: 10}
	base := func() *masswork.Matter {
		return &masswork.Matter{Code: "482109375562", OrgName: "第二支部", CategoryCode: "parking", CategoryName: "停车交通",
			CategoryNameEn: "Parking", Title: "东门停车难", Status: masswork.StatusSubmitted, Place: masswork.Place{Zone: "A区", Booth: "A-12", Address: "东门"},
			CreatedAt: at, UpdatedAt: at.Add(time.Hour), ResolveDue: at.Add(240 * time.Hour)}
	}
	for _, tc := range []struct {
		name        string
		change      func(m *masswork.Matter)
		status      string
		notes       string
		description string
		updated     string
		notice      bool
	}{
		{"submitted", func(m *masswork.Matter) {}, "open", "已登记，等待受理。", "东门停车难", "2026-07-15T10:00:00+08:00", true},
		{"in progress", func(m *masswork.Matter) { m.Status = masswork.StatusInProgress }, "open", "正在办理。", "东门停车难", "2026-07-15T10:00:00+08:00", true},
		{"resolved, awaiting the say", func(m *masswork.Matter) { m.Status = masswork.StatusResolved }, "open", "已办结，等待反映人评价。", "东门停车难", "2026-07-15T10:00:00+08:00", true},
		{"closed without answers", func(m *masswork.Matter) {
			m.Status, m.CloseReason, m.ClosedAt = masswork.StatusClosed, masswork.CloseNoReply, at.Add(48*time.Hour)
		}, "closed", "已办结，反映人 7 天内未评价。", "东门停车难", "2026-07-17T09:00:00+08:00", false},
		{"rejected", func(m *masswork.Matter) {
			m.Status, m.RejectReason, m.ClosedAt = masswork.StatusRejected, "不属于本支部职责", at.Add(2*time.Hour)
		}, "closed", "不予受理：不属于本支部职责", "东门停车难", "2026-07-15T11:00:00+08:00", false},
		{"merged", func(m *masswork.Matter) {
			m.Status, m.MergedIntoCode, m.ClosedAt = masswork.StatusMerged, "111122223333", at.Add(3*time.Hour)
		}, "closed", "已并入 111122223333", "东门停车难", "2026-07-15T12:00:00+08:00", false},
		{"a summary", func(m *masswork.Matter) { m.Summary = "东门停车位不足" }, "open", "已登记，等待受理。", "东门停车位不足", "2026-07-15T10:00:00+08:00", true},
		{"withheld, no summary", func(m *masswork.Matter) { m.Withheld = true }, "open", "已登记，等待受理。", "", "2026-07-15T10:00:00+08:00", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.change(m)
			q := h.requestOf(tr, m, cat)
			if q.Status != tc.status || q.StatusNotes != tc.notes || q.Description != tc.description || q.UpdatedDatetime != tc.updated {
				t.Errorf("got %q %q %q %q, want %q %q %q %q", q.Status, q.StatusNotes, q.Description, q.UpdatedDatetime,
					tc.status, tc.notes, tc.description, tc.updated)
			}
			if (q.ServiceNotice != "") != tc.notice {
				t.Errorf("service_notice %q", q.ServiceNotice)
			}
			if q.RequestedDatetime != "2026-07-15T09:00:00+08:00" || q.ExpectedDatetime != "2026-07-25T09:00:00+08:00" {
				t.Errorf("requested %s, expected %s", q.RequestedDatetime, q.ExpectedDatetime)
			}
			if q.Address != "A区 东门" || q.AddressID != "A-12" || q.Lat != nil || q.Long != nil {
				t.Errorf("place %q %q %v %v", q.Address, q.AddressID, q.Lat, q.Long)
			}
		})
	}
	en := h.requestOf(h.catalog.For("en"), base(), cat)
	if en.ServiceName != "Parking" || en.StatusNotes != "Filed, awaiting acceptance." {
		t.Errorf("in English: %q, %q", en.ServiceName, en.StatusNotes)
	}
}

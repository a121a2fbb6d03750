package masswork

import (
	"testing"
	"time"
)

// TestPublicMatter: the public copy of a matter for Open311 keeps what the public board may
// show and drops the assignee, internal counters and, when staff withheld the reports' text,
// the title (a new matter's title is its first report's words).
func TestPublicMatter(t *testing.T) {
	lat, long := 29.7, 120.2
	at := time.Date(2026, 7, 15, 9, 0, 0, 0, time.UTC)
	m := &Matter{ID: 7, Code: "482109375562", OrgID: 3, OrgName: "第二支部", OrgPath: "/1/3/", CategoryCode: "parking",
		CategoryName: "停车交通", Title: "我是张三，电话 13800138000，东门停车难", Summary: "", Withheld: true, Status: StatusRejected,
		Place: Place{Zone: "A区", Booth: "A-12", Latitude: &lat, Longitude: &long}, AssigneeID: 9, AssigneeName: "李四",
		RejectReason: "不属于本支部职责", RankKey: 12.5, Grams: 40, Escalations: 2, EscalatedOrg: "党委", Version: 4,
		CreatedAt: at, UpdatedAt: at.Add(time.Hour), PendingFeedback: 1}
	p := publicMatter(m)
	for name, bad := range map[string]bool{
		"title":      p.Title != "",
		"assignee":   p.AssigneeID != 0 || p.AssigneeName != "",
		"counters":   p.RankKey != 0 || p.Grams != 0 || p.Escalations != 0 || p.EscalatedOrg != "" || p.PendingFeedback != 0,
		"public":     p.Code != m.Code || p.OrgName != m.OrgName || p.Status != m.Status || p.RejectReason != m.RejectReason,
		"place":      p.Zone != "A区" || p.Booth != "" || p.Latitude != nil || p.Longitude != nil,
		"instants":   !p.CreatedAt.Equal(at) || !p.UpdatedAt.Equal(m.UpdatedAt),
		"the source": m.Title == "" || m.AssigneeName == "",
	} {
		if bad {
			t.Errorf("%s: %+v", name, p)
		}
	}
	m.Withheld = false
	if got := publicMatter(m).Title; got != "我是张三，电话 138****8000，东门停车难" {
		t.Errorf("title of a matter not withheld = %q", got)
	}
}

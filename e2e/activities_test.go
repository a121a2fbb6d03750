package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTripOnPhone is the secretary and a member on their phones: the secretary plans a
// two-day trip with itinerary stops at catalogue sites and invites the branch; the member
// scans the check-in code (logged out: through the login) and is checked in with one tap;
// the secretary sees the attendance rate, and the month's theme party day turns to held on
// the compliance page.
func TestTripOnPhone(t *testing.T) {
	s := startSite(t)
	sec := browser(t, 390, 844)
	login(t, sec, s.URL, "secretary")
	branch := s.Demo.SecondBranch

	// The compliance page before: this month's theme party day is not held yet.
	compliance := s.URL + "/orgs/" + itoa(branch.ID) + "/compliance"
	month := time.Now().In(s.App.Zone)
	do(t, sec, chromedp.Navigate(compliance), chromedp.WaitVisible(css(".rule")))
	before := themeDayChip(t, sec, int(month.Month()))
	if strings.Contains(before, "已开展") {
		t.Fatalf("this month's theme party day is held before the trip: %q", before)
	}

	today := month.Format(time.DateOnly)
	tomorrow := month.AddDate(0, 0, 1).Format(time.DateOnly)
	do(t, sec,
		chromedp.Navigate(s.URL+"/activities/new"),
		chromedp.WaitVisible(css("#f-title")),
		chromedp.SendKeys(css("#f-title"), "两天党建研学团建"),
		chromedp.Click(css(`input[name=types][value=red_trip]`)),
		chromedp.Click(css(`input[name=types][value=theme_day]`)),
		chromedp.Click(css(`input[name=all_day]`)),
		chromedp.SetValue(css("#f-start_date"), today),
		chromedp.SetValue(css("#f-end_date"), tomorrow),
		chromedp.SendKeys(css("#f-safety_notes"), "高温42℃，注意防暑"),
		chromedp.Click(css("#itinerary > summary")),
		chromedp.SetValue(css("#f-stops-0-day"), today),
		chromedp.SendKeys(css("#f-stops-0-place"), "王村"),
		chromedp.SendKeys(css("#f-stops-0-what"), "党建研学"),
		chromedp.SetValue(css("#f-stops-1-day"), tomorrow),
		selectByLabel("#f-stops-1-site", "粟裕刘英革命根据地纪念馆"),
		chromedp.SendKeys(css("#f-stops-1-what"), "重温入党誓词"),
		chromedp.SetValue(css("#f-stops-2-day"), tomorrow),
		selectByLabel("#f-stops-2-site", "南尖岩景区"),
		chromedp.Submit(css("#f-title")),
		chromedp.WaitVisible(css(".flash")),
	)
	shot(t, sec, "trip-created")
	if it := text(t, sec, "#itinerary"); !strings.Contains(it, "第2天") || !strings.Contains(it, "南尖岩景区") || !strings.Contains(it, "王村") {
		t.Fatalf("itinerary = %q", it)
	}
	// Invite the branch with its groups (the form's defaults).
	do(t, sec,
		chromedp.Click(css(`form[action$="/invite"] button`)),
		chromedp.WaitVisible(css("#invite .list li")),
	)
	tripURL, err := chromedp.Run(sec, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	tripURL = strings.SplitN(tripURL, "?", 2)[0]

	// The organizer's screen shows the rotating code.
	do(t, sec,
		chromedp.Navigate(tripURL+"/checkin"),
		chromedp.WaitVisible(css(".qr img")),
	)
	shot(t, sec, "trip-qr")
	attr, err := chromedp.Run(sec, chromedp.AttributeValue(css(".qr img"), "data-link"))
	link := attr.Value
	if err != nil || !strings.Contains(link, "/c/") {
		t.Fatalf("code link %q: %v", link, err)
	}

	// The member scans it on a phone that is not logged in.
	mem := browser(t, 390, 844)
	do(t, mem,
		chromedp.Navigate(link),
		chromedp.WaitVisible(css("#f-login")),
		chromedp.SendKeys(css("#f-login"), "member"),
		chromedp.SendKeys(css("#f-password"), password),
		chromedp.Submit(css("#f-password")),
		chromedp.WaitVisible(css(".checkin form button")),
	)
	shot(t, mem, "member-checkin")
	do(t, mem,
		chromedp.Click(css(".checkin form button")),
		chromedp.WaitVisible(css(".flash")),
	)
	shot(t, mem, "member-checked-in")
	if f := text(t, mem, ".flash"); !strings.Contains(f, "签到成功") {
		t.Fatalf("after the tap: %q", f)
	}
	if me := text(t, mem, "#me"); !strings.Contains(me, "已签到") {
		t.Fatalf("member's part = %q", me)
	}

	// The secretary sees the attendance rate.
	do(t, sec, chromedp.Navigate(tripURL+"/attendance"), chromedp.WaitVisible(css(".att-stats")))
	shot(t, sec, "trip-attendance")
	present := text(t, sec, ".att-stats .stat:nth-child(2) b")
	if present != "1" {
		t.Fatalf("present = %q, want 1", present)
	}

	// The record: minutes written, submitted, and approved by the secretary; then locked.
	do(t, sec,
		chromedp.Navigate(tripURL+"/record"),
		chromedp.WaitVisible(css("#f-minutes")),
		chromedp.SendKeys(css("#f-minutes"), "7月15日 王村党建研学；7月16日 重温入党誓词，登南尖岩。"),
		chromedp.SendKeys(css("#f-summary"), "户外气温42℃，领导班子精神饱满，信念坚定。"),
		chromedp.Click(css(`button[formaction$="/record/submit"]`)),
		chromedp.WaitVisible(css(`form[action$="/record/approve"] button`)),
		chromedp.Click(css(`form[action$="/record/approve"] button`)),
		chromedp.WaitNotPresent(css(`form[action$="/record/approve"]`)),
	)
	shot(t, sec, "trip-record-approved")
	if body := text(t, sec, "main"); !strings.Contains(body, "已审批") || !strings.Contains(body, "重温入党誓词") {
		t.Fatalf("approved record page = %q", body)
	}

	// The month's theme party day is held now.
	do(t, sec, chromedp.Navigate(compliance), chromedp.WaitVisible(css(".rule")))
	shot(t, sec, "compliance-after")
	if after := themeDayChip(t, sec, int(month.Month())); !strings.Contains(after, "已开展") {
		t.Fatalf("this month's theme party day after the trip: %q", after)
	}
}

// themeDayChip returns the text of this month's chip in the theme party day rule's card.
func themeDayChip(t *testing.T, ctx context.Context, month int) string {
	t.Helper()
	js := fmt.Sprintf(`(() => { for (const c of document.querySelectorAll("section.rule")) {
		if (c.querySelector("h2").textContent.trim().startsWith("主题党日")) {
			const li = c.querySelectorAll(".periods li")[%d]; return li ? li.textContent : "" } } return "no card" })()`, month-1)
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(s)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

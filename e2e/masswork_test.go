package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dangjian/dangjian/internal/masswork"
)

// TestProblemOnPhones is issue 4's flow on phones: a merchant files a problem anonymously on
// the public form and gets a code; a second merchant, typing the same problem, is offered that
// matter and adds "me too"; the secretary accepts it and assigns it to a cadre; the cadre
// resolves it; the first merchant, through the private link, answers "dissatisfied" and the
// matter is reopened.
func TestProblemOnPhones(t *testing.T) {
	s := startSite(t)
	ctx := context.Background()
	branch := s.Demo.SecondBranch
	form := s.URL + "/report/" + itoa(branch.ID)
	cats, err := s.App.Masswork.Categories(ctx, branch.ID)
	if err != nil {
		t.Fatal(err)
	}
	var sanitation int64
	for _, c := range cats {
		if c.Code == "sanitation" {
			sanitation = c.ID
		}
	}
	if sanitation == 0 {
		t.Fatal("no sanitation category in the demo")
	}
	category := css(`input[name=category][value="` + itoa(sanitation) + `"]`)

	// The first merchant, anonymous.
	first := browser(t, 390, 844)
	do(t, first,
		chromedp.Navigate(form),
		chromedp.WaitVisible(category),
		chromedp.Click(category),
		chromedp.SendKeys(css("#f-description"), "A区东门口的垃圾桶三天没人清理，臭味很大，苍蝇很多"),
		chromedp.SendKeys(css("#f-zone"), "A区"),
		chromedp.Click(css(`input[name=anonymous]`)),
	)
	shot(t, first, "report-form")
	do(t, first, chromedp.Submit(css("#f-description")), chromedp.WaitVisible(css("#report-code")))
	code := strings.ReplaceAll(text(t, first, "#report-code"), " ", "")
	if len(code) != 12 {
		t.Fatalf("tracking code %q", code)
	}
	attr, err := chromedp.Run(first, chromedp.AttributeValue(css(".report-link a"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	private := attr.Value
	if !strings.Contains(private, "k=") {
		t.Fatalf("private link %q", private)
	}
	shot(t, first, "report-receipt")
	tr, err := s.App.Masswork.Track(ctx, code, "")
	if err != nil {
		t.Fatal(err)
	}
	matter := tr.Matter

	// The second merchant types the same problem and is offered the matter.
	second := browser(t, 390, 844)
	meToo := css(`button[name=me_too][value="` + itoa(matter.ID) + `"]`)
	do(t, second,
		chromedp.Navigate(form),
		chromedp.WaitVisible(category),
		chromedp.Click(category),
		chromedp.SendKeys(css("#f-description"), "东门垃圾桶好几天没人清理了，臭得很"),
		chromedp.SendKeys(css("#f-name"), "楼小芳"),
		chromedp.WaitVisible(meToo),
	)
	shot(t, second, "report-suggested")
	do(t, second, chromedp.Click(meToo), chromedp.WaitVisible(css("#report-code")))
	if got := text(t, second, ".report-receipt"); !strings.Contains(got, "2") {
		t.Errorf("me-too receipt = %q, want the matter with 2 people", got)
	}
	if m, err := s.App.Masswork.Track(ctx, code, ""); err != nil || m.Matter.People != 2 {
		t.Fatalf("after me too: %+v, %v", m, err)
	}

	// The secretary accepts the matter and assigns it to a cadre of the branch.
	sec := browser(t, 390, 844)
	login(t, sec, s.URL, "secretary")
	page := s.URL + "/matters/" + itoa(matter.ID)
	do(t, sec,
		chromedp.Navigate(page),
		chromedp.WaitVisible(css("#actions")),
		chromedp.Click(css(`#actions details:has(form[action$="/accept"]) > summary`)),
		chromedp.SendKeys(css("#f-accept-note"), "已受理，马上安排清理。"),
		chromedp.Submit(css("#f-accept-note")),
		chromedp.WaitVisible(css(".flash")),
		chromedp.Click(css(`#actions details:has(form[action$="/assign"]) > summary`)),
		chromedp.SetValue(css("#f-assign-org"), itoa(branch.ID)),
		chromedp.SetValue(css("#f-person_id"), itoa(s.Demo.Member.ID)),
		chromedp.Submit(css("#f-assign-org")),
		chromedp.WaitVisible(css(".flash")),
	)
	shot(t, sec, "matter-assigned")
	if got := text(t, sec, "main"); !strings.Contains(got, s.Demo.Member.Name) {
		t.Errorf("matter page after assigning does not name %s", s.Demo.Member.Name)
	}

	// The cadre starts and resolves it.
	cadre := browser(t, 390, 844)
	login(t, cadre, s.URL, "member")
	do(t, cadre,
		chromedp.Navigate(page),
		chromedp.WaitVisible(css(`form[action$="/start"] button`)),
		chromedp.Click(css(`form[action$="/start"] button`)),
		chromedp.WaitVisible(css(".flash")),
		chromedp.Click(css(`#actions details:has(form[action$="/resolve"]) > summary`)),
		chromedp.SendKeys(css("#f-resolve-body"), "已联系保洁公司清运垃圾，并把东门口垃圾桶改为每天清理两次。"),
		chromedp.Submit(css("#f-resolve-body")),
		chromedp.WaitVisible(css(".flash")),
	)
	shot(t, cadre, "matter-resolved")

	// The first merchant opens the private link and is not satisfied.
	do(t, first,
		chromedp.Navigate(s.URL+private),
		chromedp.WaitVisible(css("#say")),
		chromedp.Click(css(`#say input[name=solved][value=no]`)),
		chromedp.Click(css(`#say input[name=rating][value=dissatisfied]`)),
		chromedp.SendKeys(css("#f-comment"), "只清了一次，第二天又满了"),
	)
	shot(t, first, "track-answer")
	do(t, first, chromedp.Submit(css("#f-comment")), chromedp.WaitVisible(css(".flash")))
	shot(t, first, "track-reopened")
	after, err := s.App.Masswork.Track(ctx, code, "")
	if err != nil {
		t.Fatal(err)
	}
	if after.Matter.Status != masswork.StatusInProgress {
		t.Errorf("after a dissatisfied answer the matter is %s, want %s", after.Matter.Status, masswork.StatusInProgress)
	}
	if got := text(t, first, "main"); !strings.Contains(got, "办理中") {
		t.Errorf("tracking page after the answer does not say it is in progress again: %q", got)
	}
}

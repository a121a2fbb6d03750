package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesFit360 opens the main pages at 360 px wide (the narrowest common phone), in
// Chinese and in English, and checks that none scrolls sideways; with DANGJIAN_SCREENSHOTS
// set it also keeps a desktop screenshot of each.
func TestPagesFit360(t *testing.T) {
	s := startSite(t)
	pages := []string{"/", "/orgs", fmt.Sprintf("/orgs/%d", s.Demo.SecondBranch.ID), fmt.Sprintf("/orgs/%d/edit", s.Demo.SecondBranch.ID),
		"/people", "/people/new", fmt.Sprintf("/people/%d", s.Demo.Secretary.ID), fmt.Sprintf("/people/%d/edit", s.Demo.Secretary.ID),
		"/people/import", "/audit", "/account", "/admin/users",
		"/activities", "/activities?when=past", "/activities/new", fmt.Sprintf("/activities/%d", s.Activities.Trip.ID),
		fmt.Sprintf("/activities/%d/edit", s.Activities.Trip.ID), fmt.Sprintf("/activities/%d/attendance", s.Activities.Trip.ID),
		"/sites", fmt.Sprintf("/sites/%d", s.Activities.Sites[2].ID), "/sites/new",
		fmt.Sprintf("/orgs/%d/compliance", s.Demo.SecondBranch.ID), fmt.Sprintf("/orgs/%d/compliance?scope=subtree", s.Demo.Committee.ID),
		fmt.Sprintf("/orgs/%d/compliance?year=2023", s.Demo.SecondBranch.ID), fmt.Sprintf("/orgs/%d/rules", s.Demo.SecondBranch.ID),
		fmt.Sprintf("/activities/%d/record", s.Activities.Trip.ID), fmt.Sprintf("/orgs/%d/activity-settings", s.Demo.SecondBranch.ID),
		fmt.Sprintf("/activities/%d/print", s.Activities.Trip.ID), fmt.Sprintf("/activities/%d/attendance/print", s.Activities.Trip.ID),
		fmt.Sprintf("/activities/%d/checkin", s.Activities.Trip.ID), "/notifications",
		fmt.Sprintf("/report/%d", s.Demo.SecondBranch.ID), "/t",
		"/matters", "/matters?tab=all", "/matters/new", "/matters/prominent", fmt.Sprintf("/orgs/%d/categories", s.Demo.SecondBranch.ID),
		"/admin/holidays",
		"/visits", "/visits/new", "/visits/coverage", "/visits/coverage?zone=A%E5%8C%BA", "/visits/coverage?mine=1",
		fmt.Sprintf("/matters/%d", s.Masswork.Matters["heat"].ID), fmt.Sprintf("/matters/%d", s.Masswork.Matters["network"].ID),
		fmt.Sprintf("/t/%s", s.Masswork.Receipts["fire"].Code),
		"/projects", "/projects/new", fmt.Sprintf("/projects/%d", s.Masswork.Project.ID), fmt.Sprintf("/projects/%d/edit", s.Masswork.Project.ID),
		fmt.Sprintf("/p/%d", s.Masswork.Project.ID), fmt.Sprintf("/board/%d", s.Demo.SecondBranch.ID),
		fmt.Sprintf("/orgs/%d/insight", s.Demo.SecondBranch.ID), fmt.Sprintf("/orgs/%d/open311", s.Demo.SecondBranch.ID)}
	for _, run := range []struct {
		width int
		lang  string
	}{{360, "zh"}, {1280, "zh"}, {360, "en"}} {
		width := run.width
		ctx := browser(t, width, 800)
		login(t, ctx, s.URL, "admin")
		if run.lang == "en" {
			do(t, ctx, chromedp.Click(css(`.lang button[value=en]`)), chromedp.WaitVisible(css(`.lang button[value=zh-CN]`)))
		}
		for _, path := range pages {
			do(t, ctx, chromedp.Navigate(s.URL+path), chromedp.WaitVisible(css("main")))
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow {
				t.Errorf("%s scrolls sideways at %d px", path, width)
			}
			body := text(t, ctx, "main")
			for _, key := range []string{"error.", "field.", "audit.", "matter.", "matters.", "report.", "track.", "visits.", "projects.", "open311."} {
				if strings.Contains(body, key) {
					t.Errorf("%s shows an untranslated key %s…: %q", path, key, body)
					break
				}
			}
			name := strings.Trim(strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(path), "-")
			if name == "" {
				name = "home"
			}
			shot(t, ctx, fmt.Sprintf("w%d%s-%s", width, strings.TrimPrefix(run.lang, "zh"), name))
		}
	}
}

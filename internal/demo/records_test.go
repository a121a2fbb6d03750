package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/app/apptest"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestLoadRecords: the trip's record is approved in the article's words, and the 2023
// meetings' records stand at approved, submitted and draft.
func TestLoadRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a := apptest.Open(t, d, apptest.Options{})
		data := apptest.Demo(t, a, "demo-pass-2023")
		acts, err := demo.LoadActivities(ctx, a.Activity, a.Org, data, a.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.LoadRecords(ctx, a.Activity, acts, data); err != nil {
			t.Fatal(err)
		}
		sys := auth.System("test")
		v, err := a.Activity.Record(ctx, sys, acts.Trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != activity.RecordApproved || !strings.Contains(v.Record.Summary, "传播党的声音，密切党群关系，推动党的工作") ||
			!strings.Contains(v.Record.Minutes, "1626米") || !strings.Contains(v.Record.Resolutions, "突出问题") {
			t.Errorf("trip record = %q, %+v", v.Status, v.Record)
		}
		list, _, err := a.Activity.Activities(ctx, sys, activity.Filter{OrgID: data.SecondBranch.ID, Type: "committee_meeting", Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		statuses := map[string]int{}
		for _, act := range list {
			s, err := a.Activity.RecordStatus(ctx, sys, act.ID)
			if err != nil {
				t.Fatal(err)
			}
			statuses[s]++
		}
		if statuses[activity.RecordApproved] != 2 || statuses[activity.RecordSubmitted] != 1 || statuses[activity.RecordDraft] != 1 {
			t.Errorf("committee meetings' records = %v", statuses)
		}
	})
}

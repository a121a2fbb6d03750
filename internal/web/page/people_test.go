package page

import (
	"fmt"
	"testing"

	"github.com/dangjian/dangjian/internal/org"
)

// TestFilterOptionsLargeTree: a committee with hundreds of groups lists its top two levels and
// the path to the chosen organization; a small tree lists everything.
func TestFilterOptionsLargeTree(t *testing.T) {
	tree := []*org.Organization{{ID: 1, Path: "/1/", Depth: 0, Name: "党委"}}
	for b := 0; b < 10; b++ {
		bid := int64(100 + b)
		bpath := fmt.Sprintf("/1/%d/", bid)
		tree = append(tree, &org.Organization{ID: bid, Path: bpath, Depth: 1, Name: fmt.Sprint("支部", b)})
		for g := 0; g < 30; g++ {
			gid := int64(1000 + b*30 + g)
			tree = append(tree, &org.Organization{ID: gid, Path: fmt.Sprintf("%s%d/", bpath, gid), Depth: 2, Name: fmt.Sprint("小组", gid)})
		}
	}
	all := func(string) bool { return true }
	opts := filterOptions(tree, all, "1005", "/1/100/1005/")
	if len(opts) != 1+10+1 {
		t.Fatalf("%d options, want the committee, 10 branches and the chosen group", len(opts))
	}
	chosen := 0
	for _, o := range opts {
		if o.Selected {
			chosen++
			if o.Value != "1005" {
				t.Fatalf("selected %s", o.Value)
			}
		}
	}
	if chosen != 1 {
		t.Fatalf("%d selected", chosen)
	}
	if small := filterOptions(tree[:20], all, "", ""); len(small) != 20 {
		t.Fatalf("small tree: %d options, want 20", len(small))
	}
}

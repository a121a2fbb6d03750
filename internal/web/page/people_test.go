package page

import (
	"fmt"
	"html/template"
	"strings"
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

// rowTemplate is one row of the people list as html/template markup: what peopleRowsHTML
// writes by hand.
const rowTemplate = `{{range .Rows}}<li><a href="/people/{{.ID}}" class="name">{{.Name}}</a> <span class="badge stage-{{.Stage}}">{{.StageLabel}}</span>` +
	`{{with .StatusLabel}} <span class="badge">{{.}}</span>{{end}}<div class="meta"><span>{{.OrgName}}</span>` +
	`{{with .PhoneMask}} <span class="mono">{{.}}</span>{{end}}{{with .IDNumberMask}} <span class="mono">{{.}}</span>{{end}}` +
	`{{with .Booth}} <span>{{$.Booth}} {{.}}</span>{{end}}</div></li>
{{end}}`

// TestPeopleRowsMatchTemplate: the rows written by hand are the rows html/template writes,
// hostile values escaped alike.
func TestPeopleRowsMatchTemplate(t *testing.T) {
	hostile := `<script>alert("x&y")</script> 'q' +1`
	rows := []PersonRow{
		{ID: 7, Name: "张三", Stage: org.StageFull, StageLabel: "正式党员", OrgName: "第二支部", PhoneMask: "138****5678",
			IDNumberMask: "330681********1234", Booth: "A-12"},
		{ID: 8, Name: hostile, Stage: `full" onclick="x`, StageLabel: hostile, StatusLabel: hostile, OrgName: hostile,
			PhoneMask: hostile, IDNumberMask: hostile, Booth: hostile},
		{ID: 9, Name: "李四", Stage: org.StageMasses, StageLabel: "群众", OrgName: "第一党小组"},
	}
	for _, booth := range []string{"摊位", hostile} {
		var want strings.Builder
		tmpl := template.Must(template.New("rows").Parse(rowTemplate))
		if err := tmpl.Execute(&want, struct {
			Rows  []PersonRow
			Booth string
		}{rows, booth}); err != nil {
			t.Fatal(err)
		}
		// html/template also writes '+' as an entity; HTMLEscapeString leaves it, harmless.
		w := strings.ReplaceAll(want.String(), "&#43;", "+")
		if got := string(peopleRowsHTML(rows, booth)); got != w {
			t.Errorf("rows:\n got %s\nwant %s", got, w)
		}
	}
	if got := string(peopleRowsHTML(rows, "摊位")); strings.Contains(got, "<script") || strings.Contains(got, `" onclick`) {
		t.Errorf("unescaped value in %s", got)
	}
}

package view

import (
	"html/template"
	"strings"
	"testing"
)

// TestOptionsHTMLMatchesTemplate: the options written by hand are those html/template writes
// from the template they replace, hostile values escaped alike.
func TestOptionsHTMLMatchesTemplate(t *testing.T) {
	hostile := `"><script>alert('x&y')</script>`
	opts := []Option{{Value: "1", Label: "第二支部"}, {Value: "2", Label: "　第一党小组", Selected: true}, {Value: hostile, Label: hostile}}
	tmpl := template.Must(template.New("o").Parse(`{{range .}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}`))
	var want strings.Builder
	if err := tmpl.Execute(&want, opts); err != nil {
		t.Fatal(err)
	}
	if got := string(OptionsHTML(opts)); got != want.String() {
		t.Errorf("options:\n got %s\nwant %s", got, want.String())
	}
	if got := string(OptionsHTML(nil)); got != "" {
		t.Errorf("no options: %q", got)
	}
}

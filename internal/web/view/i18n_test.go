package view

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestCatalogComplete keeps English complete: every message file has its twin in the other
// language with the same keys, and every literal key a template uses exists.
func TestCatalogComplete(t *testing.T) {
	keys := map[string]map[string]bool{} // lang → keys
	files, _ := fs.Glob(messageFiles, "i18n/*.json")
	if len(files) == 0 {
		t.Fatal("no message files")
	}
	for _, f := range files {
		b, _ := messageFiles.ReadFile(f)
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		parts := strings.Split(f, ".")
		lang := parts[len(parts)-2]
		if keys[lang] == nil {
			keys[lang] = map[string]bool{}
		}
		for k, v := range m {
			if keys[lang][k] {
				t.Errorf("%s: key %s defined twice", f, k)
			}
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: key %s is empty", f, k)
			}
			keys[lang][k] = true
		}
	}
	zh, en := keys["zh-CN"], keys["en"]
	var missing []string
	for k := range zh {
		if !en[k] {
			missing = append(missing, "en:"+k)
		}
	}
	for k := range en {
		if !zh[k] {
			missing = append(missing, "zh-CN:"+k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("keys missing in a language: %v", missing)
	}
	used := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	tmpls, _ := fs.Glob(templateFiles, "templates/*/*.html")
	for _, f := range tmpls {
		b, _ := templateFiles.ReadFile(f)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if !zh[m[1]] {
				t.Errorf("%s uses unknown key %s", f, m[1])
			}
		}
	}
}

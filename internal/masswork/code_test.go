package masswork

import (
	"strings"
	"testing"
)

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	var digits [CodeLen][10]int
	for range 5000 {
		c := NewCode()
		if len(c) != CodeLen || strings.Trim(c, "0123456789") != "" {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q twice", c)
		}
		seen[c] = true
		for i := range c {
			digits[i][c[i]-'0']++
		}
	}
	// Every digit shows up in every place (5000 draws: about 500 each).
	for i := range digits {
		for d, n := range digits[i] {
			if n < 350 || n > 650 {
				t.Errorf("digit %d in place %d: %d times of 5000", d, i, n)
			}
		}
	}
}

func TestCodeFormatParse(t *testing.T) {
	if got := FormatCode("482109375562"); got != "4821 0937 5562" {
		t.Errorf("FormatCode = %q", got)
	}
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"482109375562", "482109375562", true},
		{"4821 0937 5562", "482109375562", true},
		{"4821-0937-5562", "482109375562", true},
		{" ４８２１　０９３７　５５６２ ", "482109375562", true},
		{"4821 0937 556", "", false},
		{"4821 0937 55621", "", false},
		{"4821 0937 556x", "", false},
		{"", "", false},
		{"<script>", "", false},
		{strings.Repeat("1", 1000), "", false},
	} {
		got, ok := ParseCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	c := NewCode()
	if got, ok := ParseCode(FormatCode(c)); !ok || got != c {
		t.Errorf("round trip %q: %q %v", c, got, ok)
	}
}

func TestKeys(t *testing.T) {
	key, hash := NewKey()
	if len(key) != 22 || len(hash) != 64 || strings.ContainsAny(key, "+/=") {
		t.Fatalf("key %q hash %q", key, hash)
	}
	if !KeyMatches(key, hash) {
		t.Error("the key does not match its hash")
	}
	other, _ := NewKey()
	for _, k := range []string{other, "", key[:21], key + "x", strings.ToUpper(key)} {
		if k != key && KeyMatches(k, hash) {
			t.Errorf("%q matches", k)
		}
	}
	if KeyMatches(key, "") {
		t.Error("an empty hash matches")
	}
	api, apiHash := matterNewAPIKey()
	if len(api) != 43 || HashKey(api) != apiHash {
		t.Errorf("API key %q, hash %q", api, apiHash)
	}
}

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"4821 0937 5562", "４８２１", "", "1-2-3", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseCode(s)
		if ok && (len(c) != CodeLen || strings.Trim(c, "0123456789") != "") {
			t.Fatalf("ParseCode(%q) = %q", s, c)
		}
		if ok {
			if again, ok2 := ParseCode(FormatCode(c)); !ok2 || again != c {
				t.Fatalf("round trip of %q", c)
			}
		}
	})
}

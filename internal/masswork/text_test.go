package masswork

import "testing"

func TestMatterText(t *testing.T) {
	for _, tt := range []struct{ in, text, line string }{
		{"  东门\r\n停车难\t ", "东门\n停车难", "东门 停车难"},
		{"a\x00b\x1bc", "abc", "abc"},
		{"\u202e反转\u2066", "反转", "反转"},
		{"\xff\xfe坏", "坏", "坏"},
		{"<b>粗</b>", "<b>粗</b>", "<b>粗</b>"},
	} {
		if got := matterCleanText(tt.in); got != tt.text {
			t.Errorf("matterCleanText(%q) = %q, want %q", tt.in, got, tt.text)
		}
		if got := matterCleanLine(tt.in); got != tt.line {
			t.Errorf("matterCleanLine(%q) = %q, want %q", tt.in, got, tt.line)
		}
	}
	if got := matterFirstRunes("东门停车难，\n车位太少", 8); got != "东门停车难， 车" {
		t.Errorf("first runes %q", got)
	}
}

func TestMatterPhoneAndEmail(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"138 0013 8000", "13800138000", true},
		{"+86 139-0013-9000", "13900139000", true},
		{"１３８００１３８０００", "13800138000", true},
		{"0575-87654321", "057587654321", true},
		{"87654321", "87654321", true},
		{"1380013800", "", false},    // ten digits starting with 1
		{"12800138000", "", false},   // no mobile starts with 12
		{"057512", "", false},        // too short
		{"0123456789012", "", false}, // too long
		{"138-0013-800x", "", false},
	} {
		got, ok := matterPhone(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("matterPhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for in, want := range map[string]bool{"wang@example.com": true, "wang.li+x@mail.zj.cn": true, "wang@localhost": false,
		"@example.com": false, "wang@@example.com": false, "wang@.com": false, "wang@example.com.": false, "wang <w@example.com>": false} {
		if got := matterEmail(in); got != want {
			t.Errorf("matterEmail(%q) = %v", in, got)
		}
	}
}

package pii

import (
	"errors"
	"testing"
)

func TestParseIDNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
		male    bool
	}{
		{in: "11010519491231002X", want: "11010519491231002X", male: false},
		{in: "11010519491231002x", want: "11010519491231002X", male: false},
		{in: "１１０１０５１９４９１２３１００２Ｘ", want: "11010519491231002X"},
		{in: "110105 1949 1231 002X", want: "11010519491231002X"},
		{in: "110105194912310021", wantErr: ErrIDChecksum},
		{in: "1101051949123100", wantErr: ErrIDLength},
		{in: "11010519491331002X", wantErr: ErrIDBirth},
		{in: "1101051949123100AX", wantErr: ErrIDChars},
		{in: "", wantErr: ErrIDLength},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIDNumber(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseIDNumber(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if err == nil && (got.Value != tt.want || got.Male != tt.male) {
				t.Fatalf("ParseIDNumber(%q) = %+v, want %s male=%v", tt.in, got, tt.want, tt.male)
			}
		})
	}
}

func TestMasks(t *testing.T) {
	if got, want := MaskIDNumber("330681199001011234"), "330681********1234"; got != want {
		t.Errorf("MaskIDNumber = %q, want %q", got, want)
	}
	if got, want := MaskPhone("13812345678"), "138****5678"; got != want {
		t.Errorf("MaskPhone = %q, want %q", got, want)
	}
}

func TestParsePhone(t *testing.T) {
	for in, want := range map[string]string{"+86 138-1234-5678": "13812345678", "１３８１２３４５６７８": "13812345678", "0575-87001234": "057587001234"} {
		got, err := ParsePhone(in)
		if err != nil || got != want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"12345", "12812345678", "abc12345678"} {
		if _, err := ParsePhone(in); err == nil {
			t.Errorf("ParsePhone(%q) accepted", in)
		}
	}
}

func TestSealer(t *testing.T) {
	s, err := NewSealer(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	c := s.Seal("id_number", "11010519491231002X")
	got, err := s.Open("id_number", c)
	if err != nil || got != "11010519491231002X" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := s.Open("phone", c); err == nil {
		t.Fatal("ciphertext opened under another field")
	}
	if s.Index("id", "x") != s.Index("id", "x") || s.Index("id", "x") == s.Index("phone", "x") {
		t.Fatal("index not deterministic per field")
	}
}

func FuzzParseIDNumber(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("１１０１０５")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIDNumber(s)
		if err == nil && IDCheckChar(id.Value) != id.Value[17] {
			t.Fatalf("accepted %q with bad checksum", s)
		}
	})
}

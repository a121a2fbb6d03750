package pii

import (
	"errors"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Errors returned by ParseIDNumber; the web layer shows them next to the field.
var (
	ErrIDLength   = errors.New("pii: resident ID number must have 18 characters")
	ErrIDChars    = errors.New("pii: resident ID number has characters other than digits and a final X")
	ErrIDChecksum = errors.New("pii: resident ID number checksum does not match")
	ErrIDBirth    = errors.New("pii: resident ID number has an impossible birth date")
)

// IDNumber is a validated 18-character resident ID number (GB 11643-1999).
type IDNumber struct {
	Value     string
	BirthDate time.Time
	Male      bool
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDCheckChar returns the ISO 7064 MOD 11-2 check character for the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// NormaliseDigits folds full-width characters, removes spaces and dashes, and upper-cases.
func NormaliseDigits(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\u200b', '\ufeff':
			return -1
		}
		return r
	}, s)
	return strings.ToUpper(strings.TrimSpace(s))
}

// ParseIDNumber validates an ID number: length, digits, check character and birth date.
func ParseIDNumber(raw string) (IDNumber, error) {
	s := NormaliseDigits(raw)
	if len(s) != 18 {
		return IDNumber{}, ErrIDLength
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return IDNumber{}, ErrIDChars
		}
	}
	if c := s[17]; (c < '0' || c > '9') && c != 'X' {
		return IDNumber{}, ErrIDChars
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1880 || birth.After(time.Now()) {
		return IDNumber{}, ErrIDBirth
	}
	if IDCheckChar(s) != s[17] {
		return IDNumber{}, ErrIDChecksum
	}
	return IDNumber{Value: s, BirthDate: birth, Male: (s[16]-'0')%2 == 1}, nil
}

// MaskIDNumber shows the region code and the last four characters: 330681********1234.
func MaskIDNumber(s string) string {
	if len(s) != 18 {
		return strings.Repeat("*", len(s))
	}
	return s[:6] + "********" + s[14:]
}

package pii

import (
	"errors"
	"strings"
)

// ErrPhone is returned for a phone number that is not an 11-digit mainland mobile number or a
// landline of 7 to 12 digits.
var ErrPhone = errors.New("pii: not a valid phone number")

// ParsePhone normalises a phone number: full-width digits folded, spaces and dashes removed,
// a +86 or 0086 prefix dropped.
func ParsePhone(raw string) (string, error) {
	s := NormaliseDigits(raw)
	s = strings.TrimPrefix(s, "+86")
	if strings.HasPrefix(s, "0086") {
		s = s[4:]
	}
	if len(s) < 7 || len(s) > 12 {
		return "", ErrPhone
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", ErrPhone
		}
	}
	if len(s) == 11 && s[0] == '1' && (s[1] < '3' || s[1] > '9') {
		return "", ErrPhone
	}
	return s, nil
}

// MaskPhone shows the first three and last four digits of a mobile number: 138****5678.
func MaskPhone(s string) string {
	switch {
	case len(s) >= 11:
		return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
	case len(s) > 4:
		return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
	default:
		return strings.Repeat("*", len(s))
	}
}

// PhoneTail returns the last four digits, kept in clear for tail search.
func PhoneTail(s string) string {
	if len(s) < 4 {
		return s
	}
	return s[len(s)-4:]
}

package masswork

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text from the public. It is kept as plain text, never as HTML: the pages escape it. What is
// cleaned here is what no page should ever show: invalid UTF-8, control characters and, in a
// line, line breaks.

// matterCleanText returns multi-line text with invalid bytes and control characters (but line
// breaks and tabs) removed, line breaks made \n, and surrounding space trimmed.
func matterCleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r' || r == '\u2028' || r == '\u2029':
			return '\n'
		case unicode.IsControl(r) || r == '\ufeff' || r == '\u200b' || matterBidi(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// matterCleanLine returns one line of text: matterCleanText with line breaks and tabs turned into spaces.
func matterCleanLine(s string) string {
	s = matterCleanText(s)
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// matterBidi reports the bidirectional formatting characters, which can make text read
// differently from what it is.
func matterBidi(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\u200e' || r == '\u200f'
}

// matterRuneLen counts characters, as the length limits do.
func matterRuneLen(s string) int { return utf8.RuneCountInString(s) }

// matterFirstRunes returns the first n characters of s, on one line.
func matterFirstRunes(s string, n int) string {
	s = matterCleanLine(s)
	if matterRuneLen(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

package masswork

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Tracking codes and private keys. A tracking code is read over the phone, so it is short
// and all digits: 12 random digits (10^12 codes; guessing one of a million issued codes takes
// a million tries on average, against a rate-limited page). What a code shows is public; the
// reporter's own report and say need the private key of their link as well: 128 random bits,
// of which only the SHA-256 is kept.

// CodeLen is the number of digits of a tracking code.
const CodeLen = 12

// NewCode returns a random tracking code of CodeLen digits, each digit uniform.
func NewCode() string {
	const limit = 1_000_000_000_000           // 10^12
	const ceiling = (1 << 64) / limit * limit // reject above it, for uniform digits
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic("masswork: crypto/rand: " + err.Error()) // never fails on supported systems
		}
		n := binary.BigEndian.Uint64(b[:])
		if n < ceiling {
			s := make([]byte, CodeLen)
			n %= limit
			for i := CodeLen - 1; i >= 0; i-- {
				s[i] = byte('0' + n%10)
				n /= 10
			}
			return string(s)
		}
	}
}

// FormatCode shows a code in groups of four digits: "4821 0937 5562".
func FormatCode(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return code[:4] + " " + code[4:8] + " " + code[8:]
}

// ParseCode reads a code as people type it: with spaces or dashes, in full-width digits. It
// returns the 12 digits and whether the input was a code.
func ParseCode(s string) (string, bool) {
	if len(s) > 100 {
		return "", false
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\t' || r == '\u00a0' || r == '\u3000':
		default:
			return "", false
		}
	}
	if b.Len() != CodeLen {
		return "", false
	}
	return b.String(), true
}

// NewKey returns a new private key (128 random bits, base64url) and its hash to keep.
func NewKey() (key, hash string) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("masswork: crypto/rand: " + err.Error())
	}
	key = base64.RawURLEncoding.EncodeToString(b[:])
	return key, HashKey(key)
}

// HashKey returns the SHA-256 hex of a private or API key, as it is stored.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// KeyMatches reports, in constant time, whether key is the one whose hash is stored. An empty
// key or hash never matches.
func KeyMatches(key, hash string) bool {
	if key == "" || hash == "" || len(key) > 200 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(HashKey(key)), []byte(hash)) == 1
}

// matterNewAPIKey returns a new Open311 API key (32 random bytes, base64url) and its hash.
func matterNewAPIKey() (key, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("masswork: crypto/rand: " + err.Error())
	}
	key = base64.RawURLEncoding.EncodeToString(b[:])
	return key, HashKey(key)
}

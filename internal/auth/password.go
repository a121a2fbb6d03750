package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: ASVS 5.0 appendix C allows t=2 with at least 19 MiB; we use 2 passes
// over 19 MiB with one lane.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPasswordLen is the shortest password accepted (ASVS 5.0 6.2.1), counted in characters.
const MinPasswordLen = 8

// MaxPasswordLen bounds the work of hashing; at least 64 characters must be allowed (6.2.9).
const MaxPasswordLen = 256

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether password matches the PHC-format hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a user does not exist, so that a failed login takes the
// same time whether or not the name is known.
var dummyHash = HashPassword("dangjian-no-such-user")

// Errors returned by ValidatePassword, as message keys.
var (
	ErrPasswordShort  = errors.New("error.password_short")
	ErrPasswordLong   = errors.New("error.password_long")
	ErrPasswordCommon = errors.New("error.password_common")
)

// commonPasswords are refused outright (ASVS 5.0 6.2.4 and 6.2.11): the most common passwords
// and words of this field.
var commonPasswords = map[string]bool{
	"12345678": true, "123456789": true, "1234567890": true, "password": true, "password1": true,
	"qwertyui": true, "qwerty123": true, "11111111": true, "88888888": true, "66666666": true,
	"00000000": true, "abc12345": true, "a1234567": true, "iloveyou": true, "admin123": true,
	"admin888": true, "dangjian": true, "dangyuan": true, "123456dj": true, "dangjian123": true,
	"zhibu123": true, "changeme": true, "welcome1": true, "1qaz2wsx": true, "woaini520": true,
	"5201314520": true, "147258369": true, "987654321": true, "12341234": true, "11223344": true,
}

// ValidatePassword checks length and the list of common passwords; there are no composition
// rules (ASVS 5.0 6.2.5).
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return ErrPasswordShort
	case n > MaxPasswordLen:
		return ErrPasswordLong
	case commonPasswords[strings.ToLower(pw)]:
		return ErrPasswordCommon
	}
	return nil
}

// RandomPassword returns a random password of 16 characters that avoids look-alike letters.
func RandomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}

func randIntn(n int) int {
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}

package activity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// A check-in token is what the organizer's rotating QR code carries: the activity, the moment
// it was issued and a MAC over both, base64url without padding (46 characters). A QR token is
// good for about a minute; a member who scans one while logged out is given a pass token,
// good for ten minutes, to carry through the login.
const (
	tokenVersion = 1
	kindQR       = 'q'
	kindPass     = 'p'
	tokenLen     = 1 + 1 + 8 + 8 + 16

	// QRTokenTTL is how long a scanned QR code stays good; the code on screen changes every
	// QRRefresh, so a code is good through two refreshes and a slow scan.
	QRTokenTTL = 60 * time.Second
	// QRRefresh is how often the organizer's screen shows a new code.
	QRRefresh = 20 * time.Second
	// PassTTL is how long a member has to log in after scanning.
	PassTTL = 10 * time.Minute
	// clockSkew tolerates instances whose clocks differ a little.
	clockSkew = 5 * time.Second
)

// Token errors.
var (
	ErrTokenInvalid = errors.New("activity: check-in token invalid")
	ErrTokenExpired = errors.New("activity: check-in token expired")
)

func signToken(key []byte, kind byte, activityID int64, issued time.Time) string {
	b := make([]byte, tokenLen)
	b[0], b[1] = tokenVersion, kind
	binary.BigEndian.PutUint64(b[2:10], uint64(activityID))
	binary.BigEndian.PutUint64(b[10:18], uint64(issued.Unix()))
	copy(b[18:], tokenMAC(key, b[:18]))
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenMAC(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)[:16]
}

// parsedToken is a token whose MAC checked out.
type parsedToken struct {
	kind       byte
	activityID int64
	issued     time.Time
}

// parseToken checks a token's form, MAC and age at now.
func parseToken(key []byte, s string, now time.Time) (parsedToken, error) {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenLen) {
		return parsedToken{}, ErrTokenInvalid
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tokenLen || b[0] != tokenVersion || (b[1] != kindQR && b[1] != kindPass) {
		return parsedToken{}, ErrTokenInvalid
	}
	if !hmac.Equal(b[18:], tokenMAC(key, b[:18])) {
		return parsedToken{}, ErrTokenInvalid
	}
	id := int64(binary.BigEndian.Uint64(b[2:10]))
	secs := int64(binary.BigEndian.Uint64(b[10:18]))
	if id <= 0 || secs <= 0 {
		return parsedToken{}, ErrTokenInvalid
	}
	t := parsedToken{kind: b[1], activityID: id, issued: time.Unix(secs, 0)}
	ttl := QRTokenTTL
	if t.kind == kindPass {
		ttl = PassTTL
	}
	if t.issued.After(now.Add(clockSkew)) {
		return parsedToken{}, ErrTokenInvalid
	}
	if now.Sub(t.issued) > ttl {
		return parsedToken{}, ErrTokenExpired
	}
	return t, nil
}

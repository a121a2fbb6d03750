// Package audit describes dangjian's append-only, hash-chained audit trail: every change and
// every reveal of a personal number is one Record. The store writes a record in the same
// transaction as the change it describes, so a change without its record cannot happen.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Record is one entry of the audit trail.
type Record struct {
	ID         int64
	At         time.Time
	ActorID    int64
	ActorName  string
	Action     string // e.g. person.create, person.reveal_id_number, login.failed
	ObjectType string // organization, person, user, session
	ObjectID   int64
	OrgPath    string // organization the object belongs to, for browsing per organization
	PersonID   int64  // person the entry concerns, for browsing per person
	Before     string // JSON, personal numbers masked
	After      string // JSON, personal numbers masked
	IP         string
	PrevHash   string
	Hash       string
}

// GenesisHash is the previous hash of the first record.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the SHA-256 over the previous hash and every field of the record, in a
// fixed order with lengths, so that no two different records share an encoding.
func ComputeHash(r *Record) string {
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	put(r.PrevHash)
	put(strconv.FormatInt(r.ID, 10))
	put(strconv.FormatInt(r.At.UnixMilli(), 10))
	put(strconv.FormatInt(r.ActorID, 10))
	put(r.ActorName)
	put(r.Action)
	put(r.ObjectType)
	put(strconv.FormatInt(r.ObjectID, 10))
	put(r.OrgPath)
	put(strconv.FormatInt(r.PersonID, 10))
	put(r.Before)
	put(r.After)
	put(r.IP)
	return hex.EncodeToString(h.Sum(nil))
}

// JSON encodes v for Before and After; it never fails for the plain structs used here.
func JSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return `{"error":"unencodable"}`
	}
	return string(b)
}

// Problem is the first inconsistency found by a verification.
type Problem struct {
	ID     int64  // the record where the chain breaks
	Reason string // altered, removed, reordered
}

// Filter selects records for browsing.
type Filter struct {
	OrgRoots []string // only records under these subtrees; nil for all
	OrgPath  string   // one organization's subtree
	PersonID int64
	BeforeID int64 // page backwards from this id
	Limit    int
}

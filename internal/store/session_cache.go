package store

import (
	"slices"
	"sync"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
)

// sessionCache is an instance's copy of the sessions it has authenticated, with their accounts
// and scopes, at one pair of versions (tree and auth, versions.go) and one day (committee
// terms start and end on days). A request's session is answered from it when the versions of
// the moment are those of the copy, which then holds what the database holds; any change
// that could end a session or change an account's scope changes a version in its own
// transaction (migration 00015_auth_version), and the copy starts afresh.
//
// A session's last-seen time is not versioned: another instance may have written a later one.
// So an entry is used only while its last-seen time is under a minute old, that is, between two
// of Authenticate's touches; older, the session is read again, and Authenticate decides on the
// idle timeout and touches it on what the database holds.
type sessionCache struct {
	mu      sync.Mutex
	at      versions
	today   string
	entries map[string]*sessionEntry // by token hash
}

type sessionEntry struct {
	sess  auth.Session
	user  auth.User
	scope auth.Scope
}

// sessionFresh is how old an entry's last-seen time may be for the entry to be used; it is
// Authenticate's interval between touches.
const sessionFresh = time.Minute

// maxSessionEntries bounds the copy; a full copy starts afresh.
const maxSessionEntries = 50000

// get returns copies of an entry kept at v and today whose last-seen time is fresh at now.
func (c *sessionCache) get(v versions, today, tokenHash string, now time.Time) (*auth.Session, *auth.User, auth.Scope, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != v || c.today != today {
		return nil, nil, auth.Scope{}, false
	}
	e := c.entries[tokenHash]
	if e == nil || now.Sub(e.sess.LastSeenAt) >= sessionFresh {
		return nil, nil, auth.Scope{}, false
	}
	s, u, sc := e.sess, e.user, e.scope
	sc.AdminPaths, sc.ViewPaths = slices.Clone(sc.AdminPaths), slices.Clone(sc.ViewPaths)
	return &s, &u, sc, true
}

// keep stores what was read at v (read after v was) for today.
func (c *sessionCache) keep(v versions, today string, s *auth.Session, u *auth.User, sc auth.Scope) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != v || c.today != today || len(c.entries) >= maxSessionEntries {
		c.at, c.today, c.entries = v, today, map[string]*sessionEntry{}
	}
	sc.AdminPaths, sc.ViewPaths = slices.Clone(sc.AdminPaths), slices.Clone(sc.ViewPaths)
	c.entries[s.TokenHash] = &sessionEntry{sess: *s, user: *u, scope: sc}
}

// touched records a session's new last-seen time.
func (c *sessionCache) touched(tokenHash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[tokenHash]; e != nil {
		e.sess.LastSeenAt = at
	}
}

// forget drops an entry (the version changes too; this only frees the memory at once).
func (c *sessionCache) forget(tokenHash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, tokenHash)
}

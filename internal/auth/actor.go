// Package auth holds accounts, sessions and the caller's scope: which organization subtrees a
// user may administer, view, or see as a member. Every service method checks an Actor.
package auth

import (
	"strings"
	"time"
)

// Roles a user can be granted on an organization subtree.
const (
	RoleOrgAdmin = "org_admin"
	RoleViewer   = "viewer"
)

// User is an account.
type User struct {
	ID           int64
	Username     string
	DisplayName  string
	PersonID     int64
	PasswordHash string
	SysAdmin     bool
	CanReveal    bool
	Locale       string
	TOTPEnabled  bool
	FailedLogins int
	LockedUntil  time.Time
	Disabled     bool
	CreatedAt    time.Time
}

// Grant gives a user a role on an organization and its subtree.
type Grant struct {
	ID      int64
	UserID  int64
	Role    string
	OrgID   int64
	OrgPath string
	OrgName string
}

// Actor is the authenticated caller of a service method, with its scope resolved.
type Actor struct {
	UserID    int64
	Username  string
	Name      string
	PersonID  int64
	SysAdmin  bool
	CanReveal bool
	Locale    string

	// AdminPaths are the materialized paths of the subtrees the actor administers: granted
	// ones and those of organizations where the actor's person holds a committee position.
	AdminPaths []string
	// ViewPaths are subtrees the actor may read but not change (an upper committee inspecting).
	ViewPaths []string
	// MemberPath is the path of the actor's own primary organization, if the actor is a person
	// on the register.
	MemberPath string
	IP         string
	// TOTPEnabled reports whether the account has its TOTP second factor on; TOTPRequired,
	// whether the installation requires one of it (administrators, when AdminTOTP is on).
	TOTPEnabled  bool
	TOTPRequired bool
	// TreeVersion is the version of the organization tree in the snapshot the actor's scope
	// was read from, or 0 when unknown. Readers of the tree may serve a copy read at this
	// version instead of asking the database again.
	TreeVersion int64
}

// System is the actor used by the command line and background jobs.
func System(name string) *Actor {
	return &Actor{Username: name, Name: name, SysAdmin: true, AdminPaths: []string{"/"}}
}

func under(path string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(path, r) {
			return true
		}
	}
	return false
}

// CanAdmin reports whether the actor may change the organization at path and its register.
func (a *Actor) CanAdmin(path string) bool {
	return a != nil && (a.SysAdmin || under(path, a.AdminPaths))
}

// CanView reports whether the actor may read the organization's confidential pages (its
// roster, committee details and audit trail).
func (a *Actor) CanView(path string) bool {
	return a != nil && (a.CanAdmin(path) || under(path, a.ViewPaths))
}

// CanSee reports whether the actor may see the organization's non-confidential page: any
// organization it may view, and its own organization as a member.
func (a *Actor) CanSee(path string) bool {
	return a.CanView(path) || (a != nil && a.MemberPath != "" && path == a.MemberPath)
}

// IsAdmin reports whether the actor administers anything.
func (a *Actor) IsAdmin() bool { return a != nil && (a.SysAdmin || len(a.AdminPaths) > 0) }

// IsStaff reports whether the actor administers or views anything beyond its own record.
func (a *Actor) IsStaff() bool { return a.IsAdmin() || (a != nil && len(a.ViewPaths) > 0) }

// ReadRoots returns the subtrees whose rosters the actor may read: "/" for a system
// administrator, otherwise the admin and view paths, without nested duplicates.
func (a *Actor) ReadRoots() []string {
	if a == nil {
		return nil
	}
	if a.SysAdmin {
		return []string{"/"}
	}
	return Collapse(append(append([]string{}, a.AdminPaths...), a.ViewPaths...))
}

// Collapse removes paths that lie under another path in the list.
func Collapse(paths []string) []string {
	var out []string
	for _, p := range paths {
		covered := false
		for _, q := range paths {
			if q != p && strings.HasPrefix(p, q) {
				covered = true
				break
			}
		}
		if !covered && !contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// AdminRoots returns the subtrees the actor administers: "/" for a system administrator.
func (a *Actor) AdminRoots() []string {
	if a == nil {
		return nil
	}
	if a.SysAdmin {
		return []string{"/"}
	}
	return Collapse(a.AdminPaths)
}

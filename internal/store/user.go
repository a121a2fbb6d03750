package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/pii"
)

const userColumns = `u.id, u.username, u.display_name, COALESCE(u.person_id, 0), u.password_hash, u.is_sysadmin,
	u.can_reveal, u.locale, u.totp_enabled, u.failed_logins, u.locked_until, u.disabled, u.created_at`

func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	var u auth.User
	var locked, created int64
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PersonID, &u.PasswordHash, &u.SysAdmin, &u.CanReveal,
		&u.Locale, &u.TOTPEnabled, &u.FailedLogins, &locked, &u.Disabled, &created)
	u.LockedUntil, u.CreatedAt = fromMS(locked), fromMS(created)
	return &u, err
}

// PhoneIndex returns the keyed hash of a phone number typed at login, or "" if it is not one.
func (db *DB) PhoneIndex(phone string) string {
	p, err := pii.ParsePhone(phone)
	if err != nil {
		return ""
	}
	return db.sealer.Index("phone", p)
}

// SetupDone reports whether the first administrator has been created.
func (db *DB) SetupDone(ctx context.Context) (bool, error) {
	var n int
	err := db.readRow(ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", "setup_done").Scan(&n)
	return n > 0, err
}

// CreateFirstAdmin inserts the first administrator and marks setup as done in one
// transaction; the settings key is unique, so a second attempt fails with a conflict.
func (db *DB) CreateFirstAdmin(ctx context.Context, u *auth.User, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, "INSERT INTO settings (key, value) VALUES ('setup_done', ?)", db.Now().Format(time.RFC3339)); err != nil {
			if apperr.KindOf(mapErr(err)) == apperr.Conflict {
				return apperr.New(apperr.Conflict, "error.setup_done")
			}
			return err
		}
		return tx.createUser(ctx, u, rec)
	})
}

// CreateUser inserts an account.
func (db *DB) CreateUser(ctx context.Context, u *auth.User, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if u.SysAdmin {
			// An administrator created from the shell also closes the setup page.
			if _, err := tx.exec(ctx, db.upsertSetting(), "setup_done", db.Now().Format(time.RFC3339)); err != nil {
				return err
			}
		}
		return tx.createUser(ctx, u, rec)
	})
}

func (db *DB) upsertSetting() string {
	return "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
}

func (tx *Tx) createUser(ctx context.Context, u *auth.User, rec *audit.Record) error {
	now := tx.db.Now()
	id, err := tx.insert(ctx, `INSERT INTO users (username, display_name, person_id, password_hash, is_sysadmin, can_reveal,
		locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.DisplayName, nullInt(u.PersonID), u.PasswordHash, u.SysAdmin, u.CanReveal, u.Locale, ms(now), ms(now))
	if err != nil {
		if apperr.KindOf(mapErr(err)) == apperr.Conflict {
			return &apperr.Error{Kind: apperr.Conflict, Key: "error.invalid_form", Fields: map[string]string{"username": "error.username_taken"}}
		}
		return fmt.Errorf("store: create user: %w", err)
	}
	u.ID, u.CreatedAt = id, now
	rec.ObjectID = id
	if rec.ActorID == 0 && rec.Action == "user.setup_admin" {
		rec.ActorID = id
	}
	return tx.appendAudit(ctx, rec)
}

// FindUserByID returns one account.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*auth.User, error) {
	u, err := scanUser(db.readRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.id = ?", id))
	return u, mapErr(err)
}

// FindUserByLogin finds an account by username, or by the phone of its person.
func (db *DB) FindUserByLogin(ctx context.Context, login, phoneHash string) (*auth.User, error) {
	u, err := scanUser(db.readRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.username = ?", login))
	if err == nil || phoneHash == "" {
		return u, mapErr(err)
	}
	u, err = scanUser(db.readRow(ctx, "SELECT "+userColumns+
		" FROM users u JOIN people p ON p.id = u.person_id WHERE p.phone_hash = ? ORDER BY u.id LIMIT 1", phoneHash))
	return u, mapErr(err)
}

// FindUsers lists every account by username.
func (db *DB) FindUsers(ctx context.Context) ([]*auth.User, error) {
	rows, err := db.readQuery(ctx, "SELECT "+userColumns+" FROM users u ORDER BY u.username")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword stores a new password hash, ends every session of the user and revokes its
// API tokens.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = 0, updated_at = ? WHERE id = ?",
			hash, ms(db.Now()), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		if err := tx.endAccess(ctx, userID); err != nil {
			return err
		}
		return tx.appendAudit(ctx, rec)
	})
}

// endAccess ends every session of a user and revokes the user's API tokens: a stolen
// session must not leave behind a token that outlives the password change or the logout
// everywhere meant to end it.
func (tx *Tx) endAccess(ctx context.Context, userID int64) error {
	if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0", ms(tx.db.Now()), userID)
	return err
}

// SetLocale stores a user's language.
func (db *DB) SetLocale(ctx context.Context, userID int64, locale string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "UPDATE users SET locale = ? WHERE id = ?", locale, userID)
		return err
	})
}

// LoginFailed counts a failed login; at maxAttempts the account is locked until lockUntil and
// the counter starts again.
func (db *DB) LoginFailed(ctx context.Context, userID int64, maxAttempts int, lockUntil time.Time, rec *audit.Record) (bool, error) {
	locked := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins", userID).Scan(&n); err != nil {
			return err
		}
		if n >= maxAttempts {
			locked = true
			if _, err := tx.exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?", ms(lockUntil), userID); err != nil {
				return err
			}
			rec.Action = "login.locked"
		}
		return tx.appendAudit(ctx, rec)
	})
	return locked, err
}

// LoginSucceeded resets the failure counter and stores the new session. A session that still
// owes its second factor leaves the counter alone: wrong codes keep counting toward the lockout.
func (db *DB) LoginSucceeded(ctx context.Context, s *auth.Session, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if !s.MFAPending {
			if _, err := tx.exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?", s.UserID); err != nil {
				return err
			}
		}
		// Expired sessions of anyone are cleared here, at login, rather than by a sweeper.
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE expires_at < ?", ms(s.CreatedAt)); err != nil {
			return err
		}
		if err := tx.insertSession(ctx, s); err != nil {
			return err
		}
		return tx.appendAudit(ctx, rec)
	})
}

// insertSession stores a session, pending or full.
func (tx *Tx) insertSession(ctx context.Context, s *auth.Session) error {
	_, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, mfa_pending)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.UserID, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt), s.IP, s.UserAgent, s.MFAPending)
	return err
}

// FindSession returns a session by the hash of its token.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*auth.Session, error) {
	var s auth.Session
	var c, l, e int64
	err := db.readRow(ctx, `SELECT token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent,
		mfa_pending FROM sessions WHERE token_hash = ?`, tokenHash).Scan(&s.TokenHash, &s.UserID, &c, &l, &e, &s.IP, &s.UserAgent, &s.MFAPending)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(c), fromMS(l), fromMS(e)
	return &s, mapErr(err)
}

// TouchSession records activity on a session.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", ms(at), tokenHash)
		return err
	})
	if err == nil {
		db.sessions.touched(tokenHash, at)
	}
	return err
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	defer db.sessions.forget(tokenHash)
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
		return err
	})
}

// DeleteUserSessions ends every session of a user and revokes its API tokens.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.endAccess(ctx, userID); err != nil {
			return err
		}
		return tx.appendAudit(ctx, rec)
	})
}

// ResolveScope returns the subtrees a user administers (grants, and committee positions held
// today by the user's person), views (grants) and belongs to (the person's organization). It
// runs on every request, so it is one statement: one snapshot without a transaction.
func (db *DB) ResolveScope(ctx context.Context, userID, personID int64, today string) (auth.Scope, error) {
	var sc auth.Scope
	rows, err := db.readQuery(ctx, `SELECT g.role, o.path FROM role_grants g
			JOIN organizations o ON o.id = g.org_id WHERE g.user_id = ? AND o.dissolved_at = 0
		UNION ALL
		SELECT 'position', o.path FROM positions ps JOIN organizations o ON o.id = ps.org_id
			WHERE ps.person_id = ? AND o.dissolved_at = 0 AND (ps.term_start = '' OR ps.term_start <= ?)
			AND (ps.term_end = '' OR ps.term_end >= ?)
		UNION ALL
		SELECT 'member', o.path FROM people p JOIN organizations o ON o.id = p.org_id WHERE p.id = ?`,
		userID, personID, today, today, personID)
	if err != nil {
		return sc, fmt.Errorf("store: resolve scope: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, path string
		if err := rows.Scan(&kind, &path); err != nil {
			return sc, fmt.Errorf("store: resolve scope: %w", err)
		}
		addScope(&sc, kind, path)
	}
	return sc, rows.Err()
}

// Grant gives a user a role on an organization.
func (db *DB) Grant(ctx context.Context, g *auth.Grant, rec *audit.Record) error {
	return db.inTx(ctx, func(tx *Tx) error {
		o, err := tx.findOrganization(ctx, g.OrgID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO role_grants (user_id, role, org_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, role, org_id) DO NOTHING`, g.UserID, g.Role, g.OrgID, ms(db.Now())); err != nil {
			return err
		}
		rec.OrgPath = o.Path
		return tx.appendAudit(ctx, rec)
	})
}

// FindGrants lists a user's granted roles.
func (db *DB) FindGrants(ctx context.Context, userID int64) ([]*auth.Grant, error) {
	rows, err := db.readQuery(ctx, `SELECT g.id, g.user_id, g.role, g.org_id, o.path, o.name FROM role_grants g
		JOIN organizations o ON o.id = g.org_id WHERE g.user_id = ? ORDER BY o.path`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*auth.Grant
	for rows.Next() {
		var g auth.Grant
		if err := rows.Scan(&g.ID, &g.UserID, &g.Role, &g.OrgID, &g.OrgPath, &g.OrgName); err != nil {
			return nil, err
		}
		out = append(out, &g)
	}
	return out, rows.Err()
}

// addScope files one path of ResolveScope's answer by its kind: a granted role, a committee
// position, or the person's own organization.
func addScope(sc *auth.Scope, kind, path string) {
	switch kind {
	case auth.RoleOrgAdmin, "position":
		sc.AdminPaths = append(sc.AdminPaths, path)
	case "member":
		sc.MemberPath = path
	default:
		sc.ViewPaths = append(sc.ViewPaths, path)
	}
}

// prefixScanner scans leading columns into its own destinations, then the rest into the
// caller's: one query can fill two records with their usual scanners.
type prefixScanner struct {
	row    interface{ Scan(...any) error }
	prefix []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.row.Scan(append(p.prefix, dest...)...) }

// aggregate returns the SQL that joins the values of expr of a group with commas.
func (db *DB) aggregate(expr string) string {
	if db.Dialect == Postgres {
		return "string_agg(" + expr + ", ',')"
	}
	return "group_concat(" + expr + ", ',')"
}

// FindSessionScope returns a session, its account, the account's scope as ResolveScope
// resolves it, and the version of the organization tree, in one statement: every page asks
// for all of them, and on PostgreSQL each statement is a round trip. The scope's paths come
// aggregated, "role path,role path" for grants and "path,path" for positions: paths hold only
// digits and slashes, and roles are identifiers.
//
// While nothing it depends on has changed, the answer comes from the instance's copy
// (sessionCache) after one small read of the versions, shared with the requests that wait at
// the same time.
func (db *DB) FindSessionScope(ctx context.Context, tokenHash, today string) (*auth.Session, *auth.User, auth.Scope, error) {
	v, err := db.versions(ctx)
	if err != nil {
		return nil, nil, auth.Scope{}, err
	}
	if s, u, sc, ok := db.sessions.get(v, today, tokenHash, db.Now()); ok {
		return s, u, sc, nil
	}
	s, u, sc, err := db.readSessionScope(ctx, tokenHash, today)
	if err == nil {
		db.sessions.keep(v, today, s, u, sc)
	}
	return s, u, sc, err
}

// readSessionScope is FindSessionScope's statement.
func (db *DB) readSessionScope(ctx context.Context, tokenHash, today string) (*auth.Session, *auth.User, auth.Scope, error) {
	var s auth.Session
	var sc auth.Scope
	var c, l, e int64
	var grants, positions, member *string
	row := db.readRow(ctx, `SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.ip,
		s.user_agent, s.mfa_pending,
		(SELECT `+db.aggregate("g.role || ' ' || o.path")+` FROM role_grants g JOIN organizations o ON o.id = g.org_id
			WHERE g.user_id = u.id AND o.dissolved_at = 0),
		(SELECT `+db.aggregate("o.path")+` FROM positions ps JOIN organizations o ON o.id = ps.org_id
			WHERE ps.person_id = u.person_id AND o.dissolved_at = 0 AND (ps.term_start = '' OR ps.term_start <= ?)
			AND (ps.term_end = '' OR ps.term_end >= ?)),
		(SELECT o.path FROM people p JOIN organizations o ON o.id = p.org_id WHERE p.id = u.person_id),
		COALESCE((SELECT v FROM tree_version WHERE id = 1), 0),
		`+userColumns+` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, today, today, tokenHash)
	u, err := scanUser(prefixScanner{row, []any{&s.TokenHash, &s.UserID, &c, &l, &e, &s.IP, &s.UserAgent, &s.MFAPending,
		&grants, &positions, &member, &sc.TreeVersion}})
	if err != nil {
		return nil, nil, sc, mapErr(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(c), fromMS(l), fromMS(e)
	if grants != nil {
		for _, g := range strings.Split(*grants, ",") {
			role, path, _ := strings.Cut(g, " ")
			addScope(&sc, role, path)
		}
	}
	if positions != nil {
		for _, path := range strings.Split(*positions, ",") {
			addScope(&sc, "position", path)
		}
	}
	if member != nil {
		addScope(&sc, "member", *member)
	}
	return &s, u, sc, nil
}

-- +goose Up
-- The version of what an authenticated request's actor is made of, kept as the tree's is
-- (00011_tree_version): one row whose number changes in the same transaction as any change
-- that could end a session or change what its account may do — a session ended (logout,
-- logout everywhere, expiry) or its second factor settled; an account's name, password, roles,
-- second factor, locale or status changed, or the account removed; a grant or a committee
-- position given, changed or taken away; a person moved to another organization or removed.
-- (The organization tree has its own version.) An instance answers a session from its copy
-- while this number and the tree's are those the copy was read at.
--
-- Not counted, on purpose: a new session (no instance holds a copy of it yet), a session's
-- last-seen time (written once a minute by every active session; the copy is used only while
-- it is under a minute old), and the failed-login count and lock of an account (written at
-- every login; nothing after authentication reads them from the session's copy). A column
-- of users that the actor comes to depend on must be added to the list below.
CREATE TABLE auth_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    v  BIGINT NOT NULL
);
INSERT INTO auth_version (id, v) VALUES (1, 1);

-- Row triggers: a statement that touches no row (the purge of expired sessions at each login)
-- changes nothing.
-- +goose StatementBegin
CREATE FUNCTION auth_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_version SET v = v + 1 + floor(random() * 1000000000)::bigint WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER auth_version_sessions AFTER DELETE OR UPDATE OF user_id, expires_at, mfa_pending ON sessions
    FOR EACH ROW EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_users AFTER DELETE OR UPDATE OF username, display_name, person_id, password_hash,
    is_sysadmin, can_reveal, locale, totp_secret_enc, totp_enabled, disabled, email ON users
    FOR EACH ROW EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_grants AFTER INSERT OR UPDATE OR DELETE ON role_grants
    FOR EACH ROW EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_positions AFTER INSERT OR UPDATE OR DELETE ON positions
    FOR EACH ROW EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_people_delete AFTER DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION auth_version_bump();
-- Every edit of a person writes the organization column; only a move counts.
CREATE TRIGGER auth_version_people_move AFTER UPDATE OF org_id ON people
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION auth_version_bump();
-- TRUNCATE fires no row trigger.
CREATE TRIGGER auth_version_truncate AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();

-- +goose Down
DROP TRIGGER auth_version_truncate ON sessions;
DROP TRIGGER auth_version_people_move ON people;
DROP TRIGGER auth_version_people_delete ON people;
DROP TRIGGER auth_version_positions ON positions;
DROP TRIGGER auth_version_grants ON role_grants;
DROP TRIGGER auth_version_users ON users;
DROP TRIGGER auth_version_sessions ON sessions;
DROP FUNCTION auth_version_bump;
DROP TABLE auth_version;

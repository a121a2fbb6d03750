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
    v  INTEGER NOT NULL
);
INSERT INTO auth_version (id, v) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER auth_version_sessions_delete AFTER DELETE ON sessions
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_sessions_update AFTER UPDATE OF user_id, expires_at, mfa_pending ON sessions
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_users_delete AFTER DELETE ON users
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_users_update AFTER UPDATE OF username, display_name, person_id, password_hash, is_sysadmin, can_reveal,
    locale, totp_secret_enc, totp_enabled, disabled, email ON users
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_grants_insert AFTER INSERT ON role_grants
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_grants_update AFTER UPDATE ON role_grants
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_grants_delete AFTER DELETE ON role_grants
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_positions_insert AFTER INSERT ON positions
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_positions_update AFTER UPDATE ON positions
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_positions_delete AFTER DELETE ON positions
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_people_delete AFTER DELETE ON people
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_version_people_update AFTER UPDATE OF org_id ON people
WHEN OLD.org_id IS NOT NEW.org_id
BEGIN
    UPDATE auth_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER auth_version_people_update;
DROP TRIGGER auth_version_people_delete;
DROP TRIGGER auth_version_positions_delete;
DROP TRIGGER auth_version_positions_update;
DROP TRIGGER auth_version_positions_insert;
DROP TRIGGER auth_version_grants_delete;
DROP TRIGGER auth_version_grants_update;
DROP TRIGGER auth_version_grants_insert;
DROP TRIGGER auth_version_users_update;
DROP TRIGGER auth_version_users_delete;
DROP TRIGGER auth_version_sessions_update;
DROP TRIGGER auth_version_sessions_delete;
DROP TABLE auth_version;

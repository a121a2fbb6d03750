-- +goose Up
-- Instants are stored as milliseconds since the Unix epoch (UTC) in both dialects; calendar
-- dates as 'YYYY-MM-DD' text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organizations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id    INTEGER REFERENCES organizations(id),
    path         TEXT NOT NULL,            -- materialized path: /1/4/9/
    kind         TEXT NOT NULL,            -- committee, general_branch, branch, group
    name         TEXT NOT NULL,
    unit_name    TEXT NOT NULL DEFAULT '', -- the enterprise, village or community it belongs to
    unit_kind    TEXT NOT NULL DEFAULT '',
    sort_order   INTEGER NOT NULL DEFAULT 0,
    term_start   TEXT NOT NULL DEFAULT '', -- current committee term
    term_end     TEXT NOT NULL DEFAULT '',
    dissolved_at INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX organizations_path ON organizations(path);
CREATE INDEX organizations_parent ON organizations(parent_id);

CREATE TABLE people (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organizations(id),
    name           TEXT NOT NULL,
    name_pinyin    TEXT NOT NULL DEFAULT '',  -- zhangsan
    name_initials  TEXT NOT NULL DEFAULT '',  -- zs
    gender         TEXT NOT NULL DEFAULT '',  -- male, female
    ethnicity      TEXT NOT NULL DEFAULT '',
    birth_date     TEXT NOT NULL DEFAULT '',
    id_number_enc  BLOB,
    id_number_hash TEXT,
    id_number_mask TEXT NOT NULL DEFAULT '',
    phone_enc      BLOB,
    phone_hash     TEXT,
    phone_tail     TEXT NOT NULL DEFAULT '',
    phone_mask     TEXT NOT NULL DEFAULT '',
    education      TEXT NOT NULL DEFAULT '',
    work_unit      TEXT NOT NULL DEFAULT '',
    post           TEXT NOT NULL DEFAULT '',
    native_place   TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    zone           TEXT NOT NULL DEFAULT '',
    booth          TEXT NOT NULL DEFAULT '',
    stage          TEXT NOT NULL,             -- full, probationary, development_target, activist, applicant, masses
    applied_on     TEXT NOT NULL DEFAULT '',
    activist_on    TEXT NOT NULL DEFAULT '',
    target_on      TEXT NOT NULL DEFAULT '',
    admitted_on    TEXT NOT NULL DEFAULT '',
    full_on        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'normal',
    tags           TEXT NOT NULL DEFAULT '',  -- comma separated, with leading and trailing commas
    notes          TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX people_id_number_hash ON people(id_number_hash);
CREATE INDEX people_phone_hash ON people(phone_hash);
CREATE INDEX people_org_name ON people(org_id, name, id);
CREATE INDEX people_name ON people(name, id);
CREATE INDEX people_initials ON people(name_initials);
CREATE INDEX people_pinyin ON people(name_pinyin);
CREATE INDEX people_phone_tail ON people(phone_tail);

CREATE TABLE positions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    position    TEXT NOT NULL,
    term_start  TEXT NOT NULL DEFAULT '',
    term_end    TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX positions_org ON positions(org_id);
CREATE INDEX positions_person ON positions(person_id);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL DEFAULT '',
    person_id       INTEGER REFERENCES people(id),
    password_hash   TEXT NOT NULL,
    is_sysadmin     INTEGER NOT NULL DEFAULT 0,
    can_reveal      INTEGER NOT NULL DEFAULT 0,
    locale          TEXT NOT NULL DEFAULT '',
    totp_secret_enc BLOB,
    totp_enabled    INTEGER NOT NULL DEFAULT 0,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX users_person ON users(person_id);

CREATE TABLE role_grants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,              -- org_admin, viewer
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, role, org_id)
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,         -- SHA-256 of the cookie token; the token is never stored
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    mfa_pending  INTEGER NOT NULL DEFAULT 0,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   INTEGER NOT NULL DEFAULT 0,
    org_path    TEXT NOT NULL DEFAULT '',
    person_id   INTEGER NOT NULL DEFAULT 0,
    before_json TEXT NOT NULL DEFAULT '',
    after_json  TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_org ON audit_log(org_path, id);
CREATE INDEX audit_person ON audit_log(person_id, id);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE role_grants;
DROP TABLE users;
DROP TABLE positions;
DROP TABLE people;
DROP TABLE organizations;
DROP TABLE settings;

-- +goose Up
-- Activity records: the minutes, resolutions, lecture summary and closing summary of an
-- activity (Markdown), its photos and files, the approval of the record and the amendments
-- made after it. Files are kept in the database, not on disk: several app instances share one
-- PostgreSQL and have no shared disk.

-- Per-organization settings of activities. record_approver: who approves an organization's
-- activity records, the organization itself ('self') or the organization above it ('parent').
-- require_photos: a record may be submitted only with at least one photo (off: nothing is
-- forced that the organization's rules do not ask for).
CREATE TABLE org_activity_settings (
    org_id          INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    record_approver TEXT NOT NULL DEFAULT 'self',
    require_photos  INTEGER NOT NULL DEFAULT 0,
    updated_by      INTEGER REFERENCES users(id),
    updated_at      BIGINT NOT NULL,
    CHECK (record_approver IN ('self', 'parent'))
);

-- One record per activity. The recorder (or an administrator) writes a draft and submits it;
-- the approver approves it or returns it with a reason. An approved record is locked: later
-- corrections are amendments.
CREATE TABLE activity_records (
    activity_id       INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    minutes           TEXT NOT NULL DEFAULT '',
    resolutions       TEXT NOT NULL DEFAULT '',
    lecture_summary   TEXT NOT NULL DEFAULT '',
    summary           TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'draft', -- draft, submitted, approved, returned
    submitted_by      INTEGER REFERENCES users(id),
    submitted_by_name TEXT NOT NULL DEFAULT '',
    submitted_at      BIGINT NOT NULL DEFAULT 0,
    approved_by       INTEGER REFERENCES users(id),
    approved_by_name  TEXT NOT NULL DEFAULT '',
    approved_at       BIGINT NOT NULL DEFAULT 0,
    returned_by_name  TEXT NOT NULL DEFAULT '',
    returned_at       BIGINT NOT NULL DEFAULT 0,
    return_reason     TEXT NOT NULL DEFAULT '',
    updated_by        INTEGER REFERENCES users(id),
    updated_by_name   TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    CHECK (status IN ('draft', 'submitted', 'approved', 'returned'))
);
CREATE INDEX activity_records_status ON activity_records(status);

-- Corrections of an approved record: one row per field changed, with the text before and
-- after and the reason given.
CREATE TABLE record_amendments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    field        TEXT NOT NULL,  -- minutes, resolutions, lecture_summary, summary, file
    before_value TEXT NOT NULL,
    after_value  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    by_user      INTEGER REFERENCES users(id),
    by_name      TEXT NOT NULL DEFAULT '',
    at           BIGINT NOT NULL
);
CREATE INDEX record_amendments_activity ON record_amendments(activity_id, at);

-- Photos and files of an activity. The type is sniffed from the content, never taken from
-- the name or the browser; images have a JPEG thumbnail. The bytes come last so that
-- listings, which never read them, stay cheap.
CREATE TABLE activity_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,             -- sanitised: no path, no control characters
    content_type TEXT NOT NULL,             -- sniffed
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,             -- hex
    width        INTEGER NOT NULL DEFAULT 0, -- images
    height       INTEGER NOT NULL DEFAULT 0,
    caption      TEXT NOT NULL DEFAULT '',
    uploaded_by  INTEGER REFERENCES users(id),
    uploaded_by_name TEXT NOT NULL DEFAULT '',
    uploaded_at  BIGINT NOT NULL,
    thumb        BLOB,                     -- JPEG of at most 480 px; images only
    data         BLOB NOT NULL
);
CREATE UNIQUE INDEX activity_files_content ON activity_files(activity_id, sha256);

-- +goose Down
DROP TABLE activity_files;
DROP TABLE record_amendments;
DROP TABLE activity_records;
DROP TABLE org_activity_settings;

-- +goose Up
-- A roster import: the parsed rows wait here, sealed, between the preview and the job that
-- writes them in one transaction.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    actor_name   TEXT NOT NULL,
    org_id       INTEGER NOT NULL REFERENCES organizations(id), -- default organization of rows without one
    org_path     TEXT NOT NULL,
    filename     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,              -- preview, queued, running, done, failed, cancelled
    total_rows   INTEGER NOT NULL DEFAULT 0,
    error_rows   INTEGER NOT NULL DEFAULT 0,
    done_rows    INTEGER NOT NULL DEFAULT 0,
    rows_enc     BLOB,                       -- sealed JSON of the rows, personal numbers in clear inside
    preview_json TEXT NOT NULL DEFAULT '',   -- rows as shown: numbers masked, errors per field
    failure      TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX imports_user ON imports(user_id, id);

-- +goose Down
DROP TABLE imports;

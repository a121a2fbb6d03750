-- +goose Up
-- The tail of the audit chain (its last record's id and hash) kept in one row, followed by a
-- trigger on every append (the PostgreSQL migration says why). SQLite has one writer, so the
-- row's lock is the database's.
CREATE TABLE audit_tail (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    hash    TEXT NOT NULL -- '' before the first record: the genesis hash
);
INSERT INTO audit_tail (id, last_id, hash)
SELECT 1, COALESCE((SELECT id FROM audit_log ORDER BY id DESC LIMIT 1), 0),
    COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '');

-- +goose StatementBegin
CREATE TRIGGER audit_log_tail AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_tail SET last_id = NEW.id, hash = NEW.hash WHERE id = 1 AND NEW.id > last_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_tail;
DROP TABLE audit_tail;

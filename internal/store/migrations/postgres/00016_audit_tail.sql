-- +goose Up
-- The tail of the audit chain (its last record's id and hash) kept in one row, followed by a
-- trigger on every append. An append locks the row and reads the tail in one statement
-- (UPDATE ... RETURNING: a transaction that waited for the lock reads the tail its
-- predecessor committed), where it took an advisory lock and then read the chain's last
-- record: one round trip less for every audited change, inside the section that appends
-- wait for each other in.
CREATE TABLE audit_tail (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT NOT NULL,
    hash    TEXT NOT NULL -- '' before the first record: the genesis hash
);
INSERT INTO audit_tail (id, last_id, hash)
SELECT 1, COALESCE((SELECT id FROM audit_log ORDER BY id DESC LIMIT 1), 0),
    COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '');

-- +goose StatementBegin
CREATE FUNCTION audit_tail_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_tail t SET last_id = a.id, hash = a.hash
    FROM (SELECT id, hash FROM appended ORDER BY id DESC LIMIT 1) a
    WHERE t.id = 1 AND a.id > t.last_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_tail AFTER INSERT ON audit_log REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION audit_tail_follow();

-- +goose Down
DROP TRIGGER audit_log_tail ON audit_log;
DROP FUNCTION audit_tail_follow;
DROP TABLE audit_tail;

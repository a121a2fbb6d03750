-- +goose Up
-- The similarity index moves into each instance's memory (the PostgreSQL migration says why).
-- SQLite has one writer at a time, so gram_seq is a counter (similarity_seq) taken by the
-- triggers below in the transaction that inserts a matter or changes its grams, status or
-- category: an instance reads the matters from the counter after the one it saw last.
ALTER TABLE matters ADD COLUMN gram_set BLOB;
ALTER TABLE matters ADD COLUMN gram_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX matters_gram_seq ON matters(gram_seq);
CREATE TABLE similarity_seq (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO similarity_seq (id, seq) VALUES (1, 0);

-- The grams of the matters in the index now (the open ones), packed as the PostgreSQL
-- migration packs them: four bytes a gram, big-endian, ascending.
UPDATE matters SET gram_set = (
    SELECT unhex(group_concat(printf('%08X', g.gram & 4294967295), '' ORDER BY g.gram))
    FROM matter_grams g WHERE g.matter_id = matters.id)
WHERE id IN (SELECT matter_id FROM matter_grams);
-- The number of a matter's grams is its set's length now.
ALTER TABLE matters DROP COLUMN grams;

-- +goose StatementBegin
CREATE TRIGGER matters_gram_seq_insert AFTER INSERT ON matters
BEGIN
    UPDATE similarity_seq SET seq = seq + 1 WHERE id = 1;
    UPDATE matters SET gram_seq = (SELECT seq FROM similarity_seq WHERE id = 1) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER matters_gram_seq_update AFTER UPDATE OF status, category_id, gram_set ON matters
    WHEN OLD.status IS NOT NEW.status OR OLD.category_id IS NOT NEW.category_id OR OLD.gram_set IS NOT NEW.gram_set
BEGIN
    UPDATE similarity_seq SET seq = seq + 1 WHERE id = 1;
    UPDATE matters SET gram_seq = (SELECT seq FROM similarity_seq WHERE id = 1) WHERE id = NEW.id;
END;
-- +goose StatementEnd

DROP TABLE matter_grams;

-- +goose Down
CREATE TABLE matter_grams (
    category_id INTEGER NOT NULL,
    gram        INTEGER NOT NULL,
    matter_id   INTEGER NOT NULL,
    PRIMARY KEY (category_id, gram, matter_id)
);
CREATE INDEX matter_grams_matter ON matter_grams(matter_id);
-- The open matters' grams, unpacked: each four bytes in hex, read digit by digit, as a
-- signed number.
INSERT INTO matter_grams (category_id, gram, matter_id)
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 4 FROM i WHERE n + 4 < 40000),
g AS (SELECT m.id, m.category_id, hex(substr(m.gram_set, i.n + 1, 4)) AS h
    FROM matters m JOIN i ON i.n + 4 <= length(m.gram_set)
    WHERE m.gram_set IS NOT NULL AND m.status IN ('submitted', 'accepted', 'in_progress', 'resolved')),
v AS (SELECT id, category_id, ((instr('0123456789ABCDEF', substr(h, 1, 1)) - 1) << 28)
        | ((instr('0123456789ABCDEF', substr(h, 2, 1)) - 1) << 24)
        | ((instr('0123456789ABCDEF', substr(h, 3, 1)) - 1) << 20)
        | ((instr('0123456789ABCDEF', substr(h, 4, 1)) - 1) << 16)
        | ((instr('0123456789ABCDEF', substr(h, 5, 1)) - 1) << 12)
        | ((instr('0123456789ABCDEF', substr(h, 6, 1)) - 1) << 8)
        | ((instr('0123456789ABCDEF', substr(h, 7, 1)) - 1) << 4)
        | ((instr('0123456789ABCDEF', substr(h, 8, 1)) - 1) << 0) AS u FROM g)
SELECT category_id, CASE WHEN u >= 2147483648 THEN u - 4294967296 ELSE u END, id FROM v WHERE true
ON CONFLICT DO NOTHING;
ALTER TABLE matters ADD COLUMN grams INTEGER NOT NULL DEFAULT 0;
UPDATE matters SET grams = length(gram_set) / 4 WHERE gram_set IS NOT NULL;
DROP TRIGGER matters_gram_seq_update;
DROP TRIGGER matters_gram_seq_insert;
DROP TABLE similarity_seq;
DROP INDEX matters_gram_seq;
ALTER TABLE matters DROP COLUMN gram_seq;
ALTER TABLE matters DROP COLUMN gram_set;

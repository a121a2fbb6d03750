-- +goose Up
-- The similarity index moves into each instance's memory (the PostgreSQL migration says why).
-- SQLite has one writer at a time, so gram_seq is a counter (similarity_seq) taken by the
-- triggers below in the transaction that inserts a matter or changes its grams, status or
-- category: an instance reads the matters above the counter it saw last.
--
-- The matters open now get their grams from their reports the first time an instance reads
-- the index (the set is empty here: SQLite has no way to pack them in SQL).
ALTER TABLE matters ADD COLUMN gram_set BLOB;
ALTER TABLE matters ADD COLUMN gram_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX matters_gram_seq ON matters(gram_seq);
CREATE TABLE similarity_seq (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO similarity_seq (id, seq) VALUES (1, 0);

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
-- The index table comes back empty: a matter's grams come back when its text is read again.
CREATE TABLE matter_grams (
    category_id INTEGER NOT NULL,
    gram        INTEGER NOT NULL,
    matter_id   INTEGER NOT NULL,
    PRIMARY KEY (category_id, gram, matter_id)
);
CREATE INDEX matter_grams_matter ON matter_grams(matter_id);
DROP TRIGGER matters_gram_seq_update;
DROP TRIGGER matters_gram_seq_insert;
DROP TABLE similarity_seq;
DROP INDEX matters_gram_seq;
ALTER TABLE matters DROP COLUMN gram_seq;
ALTER TABLE matters DROP COLUMN gram_set;

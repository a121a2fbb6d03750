-- +goose Up
-- The similarity index moves into each instance's memory (store/masswork_similar.go). A
-- matter keeps its own distinct grams in one column (gram_set: 32-bit hashes, four bytes each,
-- big-endian, ascending), where a report wrote some twenty rows of matter_grams with two index
-- entries each: on PostgreSQL those rows were the largest part of a report's cost.
--
-- gram_seq says which transaction last changed what an instance's copy holds of a matter (its
-- grams, status or category): the id of the transaction (pg_current_xact_id), set on insert by
-- default and on such an update by the trigger below. An instance reads the matters written
-- by the transactions its previous read's snapshot could not see (from its xmax on, and those
-- running then): whatever committed since, in any order, is among them.
ALTER TABLE matters ADD COLUMN gram_set BYTEA;
ALTER TABLE matters ADD COLUMN gram_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE matters ALTER COLUMN gram_seq SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX matters_gram_seq ON matters(gram_seq);

-- The grams of the matters in the index now (the open ones); the others get theirs from their
-- reports if they open again.
UPDATE matters m SET gram_set = g.set
FROM (SELECT matter_id, string_agg(int4send(gram), ''::bytea ORDER BY gram) AS set FROM matter_grams GROUP BY matter_id) g
WHERE g.matter_id = m.id;
-- The number of a matter's grams is its set's length now.
ALTER TABLE matters DROP COLUMN grams;

-- +goose StatementBegin
CREATE FUNCTION matters_gram_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.gram_seq := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER matters_gram_seq BEFORE UPDATE OF status, category_id, gram_set ON matters FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.category_id IS DISTINCT FROM NEW.category_id
        OR OLD.gram_set IS DISTINCT FROM NEW.gram_set)
    EXECUTE FUNCTION matters_gram_seq();

DROP TABLE matter_grams;

-- +goose Down
CREATE TABLE matter_grams (
    category_id BIGINT NOT NULL,
    gram        INTEGER NOT NULL,
    matter_id   BIGINT NOT NULL,
    PRIMARY KEY (category_id, gram, matter_id)
);
CREATE INDEX matter_grams_matter ON matter_grams(matter_id);
INSERT INTO matter_grams (category_id, gram, matter_id)
SELECT m.category_id, (get_byte(m.gram_set, i) << 24) | (get_byte(m.gram_set, i + 1) << 16)
        | (get_byte(m.gram_set, i + 2) << 8) | get_byte(m.gram_set, i + 3), m.id
FROM matters m, generate_series(0, length(m.gram_set) - 4, 4) i
WHERE m.gram_set IS NOT NULL AND m.status IN ('submitted', 'accepted', 'in_progress', 'resolved')
ON CONFLICT DO NOTHING;
ALTER TABLE matters ADD COLUMN grams INTEGER NOT NULL DEFAULT 0;
UPDATE matters SET grams = length(gram_set) / 4 WHERE gram_set IS NOT NULL;
DROP TRIGGER matters_gram_seq ON matters;
DROP FUNCTION matters_gram_seq();
DROP INDEX matters_gram_seq;
ALTER TABLE matters DROP COLUMN gram_seq;
ALTER TABLE matters DROP COLUMN gram_set;

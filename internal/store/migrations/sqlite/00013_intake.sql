-- +goose Up
-- The version of the problem categories, kept as the tree's is (00011_tree_version): one row
-- whose number changes in the same transaction as every change to problem_categories. The
-- public form and the Open311 API read the organization and the categories of each report;
-- an instance answers them from its copy while this number and the tree's are the ones the
-- copy was read at, and reads them again as soon as either differs.
CREATE TABLE category_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    v  INTEGER NOT NULL
);
INSERT INTO category_version (id, v) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER category_version_insert AFTER INSERT ON problem_categories
BEGIN
    UPDATE category_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER category_version_update AFTER UPDATE ON problem_categories
BEGIN
    UPDATE category_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER category_version_delete AFTER DELETE ON problem_categories
BEGIN
    UPDATE category_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd


-- The similarity index is derived data, written with its matter in one transaction and
-- removed with it by the same code; its foreign key made each of the twenty-odd grams of a
-- report check the new matter once more. It goes (SQLite changes a table's constraints by
-- building it anew).
CREATE TABLE matter_grams_new (
    category_id INTEGER NOT NULL,
    gram        INTEGER NOT NULL,
    matter_id   INTEGER NOT NULL,
    PRIMARY KEY (category_id, gram, matter_id)
);
INSERT INTO matter_grams_new (category_id, gram, matter_id) SELECT category_id, gram, matter_id FROM matter_grams;
DROP TABLE matter_grams;
ALTER TABLE matter_grams_new RENAME TO matter_grams;
CREATE INDEX matter_grams_matter ON matter_grams(matter_id);

-- +goose Down
CREATE TABLE matter_grams_old (
    category_id INTEGER NOT NULL,
    gram        INTEGER NOT NULL,
    matter_id   INTEGER NOT NULL REFERENCES matters(id) ON DELETE CASCADE,
    PRIMARY KEY (category_id, gram, matter_id)
);
INSERT INTO matter_grams_old (category_id, gram, matter_id) SELECT category_id, gram, matter_id FROM matter_grams;
DROP TABLE matter_grams;
ALTER TABLE matter_grams_old RENAME TO matter_grams;
CREATE INDEX matter_grams_matter ON matter_grams(matter_id);
DROP TRIGGER category_version_delete;
DROP TRIGGER category_version_update;
DROP TRIGGER category_version_insert;
DROP TABLE category_version;

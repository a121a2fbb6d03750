-- +goose Up
-- The version of the problem categories, kept as the tree's is (00011_tree_version): one row
-- whose number changes in the same transaction as every change to problem_categories. The
-- public form and the Open311 API read the organization and the categories of each report;
-- an instance answers them from its copy while this number and the tree's are the ones the
-- copy was read at, and reads them again as soon as either differs.
CREATE TABLE category_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    v  BIGINT NOT NULL
);
INSERT INTO category_version (id, v) VALUES (1, 1);

-- +goose StatementBegin
CREATE FUNCTION category_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE category_version SET v = v + 1 + floor(random() * 1000000000)::bigint WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER category_version_change BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON problem_categories
    FOR EACH STATEMENT EXECUTE FUNCTION category_version_bump();


-- The similarity index is derived data, written with its matter in one transaction and
-- removed with it by the same code; its foreign key made each of the twenty-odd grams of a
-- report check (and lock) the new matter once more. It goes.
ALTER TABLE matter_grams DROP CONSTRAINT matter_grams_matter_id_fkey;

-- +goose Down
ALTER TABLE matter_grams ADD CONSTRAINT matter_grams_matter_id_fkey FOREIGN KEY (matter_id) REFERENCES matters(id) ON DELETE CASCADE;
DROP TRIGGER category_version_change ON problem_categories;
DROP FUNCTION category_version_bump;
DROP TABLE category_version;

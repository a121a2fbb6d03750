-- +goose Up
-- The version of the organization tree: one row whose number changes in the same transaction
-- as every change to organizations (triggers, so that no writer can forget it). Each request
-- reads it in the statement that finds its session; an instance may then serve the tree's
-- names from memory while the number is the one its copy was read at, and reads them again
-- as soon as it differs: never a tree older than the request's own snapshot, on any instance
-- sharing the database. The number grows by a random step, so that a database restored from a
-- backup while instances run does not come back, after as many changes, to a number an
-- instance holds for another tree.
CREATE TABLE tree_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    v  BIGINT NOT NULL
);
INSERT INTO tree_version (id, v) VALUES (1, 1);

-- The number is taken BEFORE each statement, so that a transaction holds the row's lock
-- before it locks any organization: two transactions changing the tree queue on this row
-- instead of deadlocking on each other's organizations.
-- +goose StatementBegin
CREATE FUNCTION tree_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tree_version SET v = v + 1 + floor(random() * 1000000000)::bigint WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER tree_version_change BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION tree_version_bump();

-- +goose Down
DROP TRIGGER tree_version_change ON organizations;
DROP FUNCTION tree_version_bump;
DROP TABLE tree_version;

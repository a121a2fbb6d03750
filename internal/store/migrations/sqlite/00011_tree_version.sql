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
    v  INTEGER NOT NULL
);
INSERT INTO tree_version (id, v) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER tree_version_insert AFTER INSERT ON organizations
BEGIN
    UPDATE tree_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tree_version_update AFTER UPDATE ON organizations
BEGIN
    UPDATE tree_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tree_version_delete AFTER DELETE ON organizations
BEGIN
    UPDATE tree_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tree_version_delete;
DROP TRIGGER tree_version_update;
DROP TRIGGER tree_version_insert;
DROP TABLE tree_version;

-- +goose Up
-- The people list of a large register (100,000 people, docs/performance.md) must not count or
-- sort every row of the caller's scope on every page.
--
-- org_people_counts holds the number of people of each organization's own register by stage
-- and status. Triggers keep it in step with people in the same transaction as each change, so
-- a page's total and the tree's counts read a few hundred counter rows instead of scanning the
-- register. Counts are per organization, not per subtree: moving an organization changes
-- nothing here. TestPeopleCountsMatchRecount checks the counters against a recount.
CREATE TABLE org_people_counts (
    org_id INTEGER NOT NULL,
    stage  TEXT NOT NULL,
    status TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (org_id, stage, status)
) WITHOUT ROWID;

-- A subtree is a path prefix. LIKE 'prefix%' can use an index only when the index collates as
-- LIKE compares, case-insensitively (paths are digits and slashes, so the order is the same).
CREATE INDEX organizations_path_like ON organizations(path COLLATE NOCASE);

-- Name-ordered pages walk this index in page order; org_id in the index answers the scope test
-- without reading the person's row. It replaces people_pinyin, whose column it leads with.
CREATE INDEX people_pinyin_order ON people(name_pinyin, id, org_id);
DROP INDEX people_pinyin;

-- A scope's people by organization, with what a search and a name-ordered page of a small scope
-- read, so that neither touches the rows of the people it skips. It replaces people_org_name.
CREATE INDEX people_org_search ON people(org_id, name_initials, name_pinyin, name, phone_tail);
DROP INDEX people_org_name;

INSERT INTO org_people_counts (org_id, stage, status, n)
    SELECT org_id, stage, status, COUNT(*) FROM people GROUP BY org_id, stage, status;

-- +goose StatementBegin
CREATE TRIGGER people_count_insert AFTER INSERT ON people
BEGIN
    INSERT INTO org_people_counts (org_id, stage, status, n) VALUES (NEW.org_id, NEW.stage, NEW.status, 1)
        ON CONFLICT (org_id, stage, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER people_count_delete AFTER DELETE ON people
BEGIN
    UPDATE org_people_counts SET n = n - 1 WHERE org_id = OLD.org_id AND stage = OLD.stage AND status = OLD.status;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER people_count_update AFTER UPDATE OF org_id, stage, status ON people
    WHEN OLD.org_id <> NEW.org_id OR OLD.stage <> NEW.stage OR OLD.status <> NEW.status
BEGIN
    UPDATE org_people_counts SET n = n - 1 WHERE org_id = OLD.org_id AND stage = OLD.stage AND status = OLD.status;
    INSERT INTO org_people_counts (org_id, stage, status, n) VALUES (NEW.org_id, NEW.stage, NEW.status, 1)
        ON CONFLICT (org_id, stage, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
CREATE INDEX people_org_name ON people(org_id, name, id);
DROP INDEX people_org_search;
CREATE INDEX people_pinyin ON people(name_pinyin);
DROP INDEX people_pinyin_order;
DROP INDEX organizations_path_like;
DROP TRIGGER people_count_update;
DROP TRIGGER people_count_delete;
DROP TRIGGER people_count_insert;
DROP TABLE org_people_counts;

-- +goose Up
-- The version of what a check-in needs to know of an activity (the PostgreSQL migration says
-- what counts): one row whose number changes in the same transaction as any change it covers.
CREATE TABLE activity_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    v  INTEGER NOT NULL
);
INSERT INTO activity_version (id, v) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER activity_version_activities_update AFTER UPDATE OF org_id, title, starts_at, ends_at, all_day, walk_ins,
    checkin_opens_at, checkin_closes_at, status ON activities
BEGIN
    UPDATE activity_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER activity_version_activities_delete AFTER DELETE ON activities
BEGIN
    UPDATE activity_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER activity_version_participants_insert AFTER INSERT ON participants
BEGIN
    UPDATE activity_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER activity_version_participants_update AFTER UPDATE OF activity_id, person_id, invited ON participants
    WHEN OLD.activity_id IS NOT NEW.activity_id OR OLD.person_id IS NOT NEW.person_id OR OLD.invited IS NOT NEW.invited
BEGIN
    UPDATE activity_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER activity_version_participants_delete AFTER DELETE ON participants
BEGIN
    UPDATE activity_version SET v = v + 1 + abs(random() % 1000000000) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER activity_version_participants_delete;
DROP TRIGGER activity_version_participants_update;
DROP TRIGGER activity_version_participants_insert;
DROP TRIGGER activity_version_activities_delete;
DROP TRIGGER activity_version_activities_update;
DROP TABLE activity_version;

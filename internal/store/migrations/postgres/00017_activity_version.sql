-- +goose Up
-- The version of what a check-in needs to know of an activity, kept as the tree's is
-- (00011_tree_version): one row whose number changes in the same transaction as any change to
-- an activity's organization, title, times, check-in window, status or walk-in setting, or to
-- who takes part in it (participants added, removed or changed between invited and walk-in).
-- An instance answers a scanned check-in from its copy of the activity and its participants
-- while this number and the tree's are those the copy was read at. New activities need no
-- bump: no instance holds a copy of one yet.
CREATE TABLE activity_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    v  BIGINT NOT NULL
);
INSERT INTO activity_version (id, v) VALUES (1, 1);

-- +goose StatementBegin
CREATE FUNCTION activity_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activity_version SET v = v + 1 + floor(random() * 1000000000)::bigint WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- Activities: a statement trigger taken BEFORE each statement, as the tree's, so that the row's
-- lock comes before any activity's; edits are few.
CREATE TRIGGER activity_version_activities BEFORE DELETE OR TRUNCATE OR UPDATE OF org_id, title, starts_at, ends_at,
    all_day, walk_ins, checkin_opens_at, checkin_closes_at, status ON activities
    FOR EACH STATEMENT EXECUTE FUNCTION activity_version_bump();
-- Participants: row triggers, so that a statement that changes no one (a walk-in who is a
-- participant already, an invitation of people invited already) changes nothing. They fire at
-- the end of the statement, still before the audit record a transaction appends last.
CREATE TRIGGER activity_version_participants AFTER INSERT OR DELETE ON participants
    FOR EACH ROW EXECUTE FUNCTION activity_version_bump();
CREATE TRIGGER activity_version_participants_update AFTER UPDATE OF activity_id, person_id, invited ON participants
    FOR EACH ROW WHEN (OLD.activity_id IS DISTINCT FROM NEW.activity_id OR OLD.person_id IS DISTINCT FROM NEW.person_id
        OR OLD.invited IS DISTINCT FROM NEW.invited) EXECUTE FUNCTION activity_version_bump();
CREATE TRIGGER activity_version_participants_truncate AFTER TRUNCATE ON participants
    FOR EACH STATEMENT EXECUTE FUNCTION activity_version_bump();

-- +goose Down
DROP TRIGGER activity_version_participants_truncate ON participants;
DROP TRIGGER activity_version_participants_update ON participants;
DROP TRIGGER activity_version_participants ON participants;
DROP TRIGGER activity_version_activities ON activities;
DROP FUNCTION activity_version_bump;
DROP TABLE activity_version;

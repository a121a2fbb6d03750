-- +goose Up
-- Notices: a reminder to invitees before an activity starts and to the recorder of an activity
-- whose record is due. A notice is shown in the app to its recipient; when SMTP is configured
-- it is also emailed to the recipient's accounts that have an address.

-- An account's own email address for notices (optional).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER REFERENCES people(id) ON DELETE CASCADE, -- a person on the register: whoever's account is linked sees it
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,  -- or one account
    kind        TEXT NOT NULL,                                  -- activity_soon, record_due
    activity_id INTEGER REFERENCES activities(id) ON DELETE CASCADE,
    occasion    BIGINT NOT NULL DEFAULT 0,                      -- the instant the notice is about (an activity's start or end): a new one is a new notice
    params      TEXT NOT NULL DEFAULT '{}',                     -- JSON: what the notice said (title, times, place, organization)
    created_at  BIGINT NOT NULL,
    read_at     BIGINT NOT NULL DEFAULT 0,
    CHECK (person_id IS NOT NULL OR user_id IS NOT NULL)
);
-- A notice exists once per recipient, kind, activity and occasion: two job runs or two app
-- instances racing insert it once (INSERT ... ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX notifications_once ON notifications (COALESCE(person_id, 0), COALESCE(user_id, 0), kind,
    COALESCE(activity_id, 0), occasion);
CREATE INDEX notifications_person ON notifications(person_id, created_at);
CREATE INDEX notifications_user ON notifications(user_id, created_at);
CREATE INDEX notifications_activity ON notifications(activity_id);

-- The emails of a notice, one per account and address: what was sent, when, or why not. An
-- instance claims a row before sending it (claimed_at), so that an email goes out once; a
-- claimed row that was neither sent nor failed is never sent again.
CREATE TABLE notification_emails (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id INTEGER NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    address         TEXT NOT NULL,
    locale          TEXT NOT NULL DEFAULT '', -- the account's language when the notice was made
    subject         TEXT NOT NULL DEFAULT '', -- as sent
    created_at      BIGINT NOT NULL,
    claimed_at      BIGINT NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_at         BIGINT NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    UNIQUE (notification_id, user_id)
);
CREATE INDEX notification_emails_pending ON notification_emails(sent_at, claimed_at, created_at);

-- The reminder job looks for activities by their start and end.
CREATE INDEX activities_starts_at ON activities(starts_at);
CREATE INDEX activities_ends_at ON activities(ends_at);

-- +goose Down
DROP INDEX activities_ends_at;
DROP INDEX activities_starts_at;
DROP TABLE notification_emails;
DROP TABLE notifications;
ALTER TABLE users DROP COLUMN email;

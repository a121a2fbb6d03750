-- +goose Up
-- Calendar feeds (iCalendar subscriptions): one private feed per user, of the activities they
-- take part in, and one per organization, public or private. A private feed's URL carries a
-- random token of which only the SHA-256 is kept; resetting replaces it.
CREATE TABLE calendar_feeds (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,                                  -- person, org
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE, -- person feeds
    org_id     INTEGER REFERENCES organizations(id),           -- organization feeds
    token_hash TEXT,                                           -- hex SHA-256 of the URL's token; NULL: none
    public     INTEGER NOT NULL DEFAULT 0,                     -- organization feeds: served without a token
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((kind = 'person' AND user_id IS NOT NULL AND org_id IS NULL)
        OR (kind = 'org' AND org_id IS NOT NULL AND user_id IS NULL))
);
CREATE UNIQUE INDEX calendar_feeds_user ON calendar_feeds(user_id);
CREATE UNIQUE INDEX calendar_feeds_org ON calendar_feeds(org_id);
CREATE UNIQUE INDEX calendar_feeds_token ON calendar_feeds(token_hash);

-- +goose Down
DROP TABLE calendar_feeds;

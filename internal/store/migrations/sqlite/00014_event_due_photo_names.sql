-- +goose Up
-- The deadline in force when an event happened, in milliseconds like "at": kept on resolved
-- events so that the on-time rate judges each resolution by its own round's deadline, not by
-- the one a later reopening set. 0 means none recorded (events written before this column);
-- statistics then fall back to the matter's deadline.
ALTER TABLE matter_events ADD COLUMN due BIGINT NOT NULL DEFAULT 0;

-- Report photos are kept under a neutral name, "photo-<n>.<ext>" (n their position among the
-- report's photos, ext that of the type they are kept as): the names phones give photos
-- often hold the reporter's name or their shop's. Those kept before are renamed so.
UPDATE problem_photos SET name = 'photo-' || (
        SELECT COUNT(*) FROM problem_photos q WHERE q.problem_id = problem_photos.problem_id
            AND (q.created_at < problem_photos.created_at OR (q.created_at = problem_photos.created_at AND q.id <= problem_photos.id))
    ) || CASE content_type WHEN 'image/png' THEN '.png' WHEN 'image/webp' THEN '.webp' WHEN 'image/gif' THEN '.gif' ELSE '.jpg' END;

-- +goose Down
-- The photos' former names are not restored: they are gone for good.
ALTER TABLE matter_events DROP COLUMN due;

-- +goose Up
-- Study hours (学时) an activity credits for attending it, when set; 0 means by its length
-- (hours of a timed activity, 8 a day for an all-day one). Only activities of a study type
-- (party lecture, study session, red-education trip) credit hours.
ALTER TABLE activities ADD COLUMN study_hours REAL NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE activities DROP COLUMN study_hours;

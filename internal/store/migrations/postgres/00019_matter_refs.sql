-- +goose Up
-- A report and a timeline event are written in the transaction that writes or locks their
-- matter, and no matter is ever deleted, so the checks of their references to it only
-- repeated what the transaction knows: three checks of every public report (each a query of
-- its own, about a tenth of a report's database work in the intake load,
-- docs/performance.md). The tests run on SQLite too, which keeps these references checked.
ALTER TABLE problems DROP CONSTRAINT problems_matter_id_fkey;
ALTER TABLE problems DROP CONSTRAINT problems_original_matter_id_fkey;
ALTER TABLE matter_events DROP CONSTRAINT matter_events_matter_id_fkey;

-- +goose Down
ALTER TABLE problems ADD CONSTRAINT problems_matter_id_fkey FOREIGN KEY (matter_id) REFERENCES matters(id);
ALTER TABLE problems ADD CONSTRAINT problems_original_matter_id_fkey FOREIGN KEY (original_matter_id) REFERENCES matters(id);
ALTER TABLE matter_events ADD CONSTRAINT matter_events_matter_id_fkey FOREIGN KEY (matter_id) REFERENCES matters(id);

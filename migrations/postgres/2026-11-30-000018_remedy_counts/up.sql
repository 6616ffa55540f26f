-- A record's remedies with a due date, counted as the record is written (by
-- whether they were done on time, late or not yet), so that the complaint
-- analysis sums them in its one pass over the records responded to.
ALTER TABLE feedback ADD COLUMN remedies_on_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback ADD COLUMN remedies_late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback ADD COLUMN remedies_not_done INTEGER NOT NULL DEFAULT 0;

ALTER TABLE feedback DROP COLUMN remedies_not_done;
ALTER TABLE feedback DROP COLUMN remedies_late;
ALTER TABLE feedback DROP COLUMN remedies_on_time;

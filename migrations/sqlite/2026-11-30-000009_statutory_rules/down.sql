ALTER TABLE settings DROP COLUMN overview_basis;
DROP TABLE timescale_state;
DROP TABLE timescale_versions;
ALTER TABLE feedback DROP COLUMN within_original_target;
ALTER TABLE feedback DROP COLUMN within_target;
ALTER TABLE feedback DROP COLUMN target_due_on;
ALTER TABLE feedback DROP COLUMN extension_agreed_on;
ALTER TABLE feedback DROP COLUMN panel_report_on;
ALTER TABLE feedback DROP COLUMN panel_held_on;

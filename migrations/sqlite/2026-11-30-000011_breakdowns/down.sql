ALTER TABLE settings DROP COLUMN populations;
ALTER TABLE feedback DROP COLUMN complainant_relationship;
DROP TABLE feedback_themes;

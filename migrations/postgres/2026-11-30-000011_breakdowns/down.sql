ALTER TABLE feedback DROP COLUMN complainant_relationship;
DROP TABLE feedback_themes;

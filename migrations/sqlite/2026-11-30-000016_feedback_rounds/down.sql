DROP TABLE feedback_rounds;
ALTER TABLE feedback DROP COLUMN reopened_on;

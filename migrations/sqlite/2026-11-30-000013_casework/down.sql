DROP TABLE contacts;
DROP INDEX ombudsman_cases_handler;
ALTER TABLE ombudsman_cases DROP COLUMN investigator_name;
ALTER TABLE ombudsman_cases DROP COLUMN investigator_id;
ALTER TABLE ombudsman_cases DROP COLUMN handler_id;
DROP INDEX feedback_handler;
ALTER TABLE feedback DROP COLUMN investigator_name;
ALTER TABLE feedback DROP COLUMN investigator_id;
ALTER TABLE feedback DROP COLUMN handler_id;

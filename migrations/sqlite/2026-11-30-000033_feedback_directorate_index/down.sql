DROP INDEX feedback_directorate;

DROP INDEX feedback_directorate_received;
DROP INDEX feedback_directorate_responded;
CREATE INDEX feedback_directorate_received ON feedback (directorate, received_on);
CREATE INDEX feedback_directorate_responded ON feedback (directorate, responded_on);

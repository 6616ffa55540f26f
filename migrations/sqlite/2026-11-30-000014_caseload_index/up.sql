-- The caseload of a period reads the records received before it and
-- answered in or after it: an index range by directorate and response date
-- (every kind at once, as the feedback statistics count them).
CREATE INDEX feedback_directorate_responded ON feedback (directorate, responded_on);

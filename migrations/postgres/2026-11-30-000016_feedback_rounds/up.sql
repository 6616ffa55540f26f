-- Reopening: a record answered and then reopened keeps each earlier
-- response as a round; its clock restarts from the day it was reopened.
ALTER TABLE feedback ADD COLUMN reopened_on DATE;
CREATE TABLE feedback_rounds (
    feedback_id BIGINT NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    started_on DATE NOT NULL,
    responded_on DATE NOT NULL,
    outcome TEXT,
    reopened_on DATE NOT NULL,
    reason TEXT NOT NULL,
    reopened_by TEXT NOT NULL,
    PRIMARY KEY (feedback_id, round)
);
CREATE INDEX feedback_rounds_reopened ON feedback_rounds (reopened_on);

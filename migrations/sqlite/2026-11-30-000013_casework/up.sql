-- Casework: who handles a record or case, and the log of contacts about it.

-- The handler (a user of the record's directorate) and the investigator
-- (a user, or the name of an external independent investigator).
ALTER TABLE feedback ADD COLUMN handler_id BIGINT REFERENCES users (id);
ALTER TABLE feedback ADD COLUMN investigator_id BIGINT REFERENCES users (id);
ALTER TABLE feedback ADD COLUMN investigator_name TEXT;
CREATE INDEX feedback_handler ON feedback (handler_id, due_on) WHERE handler_id IS NOT NULL;
ALTER TABLE ombudsman_cases ADD COLUMN handler_id BIGINT REFERENCES users (id);
ALTER TABLE ombudsman_cases ADD COLUMN investigator_id BIGINT REFERENCES users (id);
ALTER TABLE ombudsman_cases ADD COLUMN investigator_name TEXT;
CREATE INDEX ombudsman_cases_handler ON ombudsman_cases (handler_id) WHERE handler_id IS NOT NULL;

-- What was said and sent: one row per contact about a record or case.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entity TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    directorate TEXT NOT NULL REFERENCES directorates (code),
    occurred_at TIMESTAMP NOT NULL,
    direction TEXT NOT NULL,
    channel TEXT NOT NULL,
    party TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    redacted_at TIMESTAMP
);
CREATE INDEX contacts_record ON contacts (entity, record_id, occurred_at);

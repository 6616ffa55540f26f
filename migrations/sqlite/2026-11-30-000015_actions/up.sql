-- Actions: what the council promised on a feedback record or an Ombudsman
-- case ("apologise in writing by Friday"), who owns it, when it is due and
-- when it was done.
CREATE TABLE actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    redacted_at TIMESTAMP,
    directorate TEXT NOT NULL REFERENCES directorates (code),
    feedback_id BIGINT REFERENCES feedback (id),
    ombudsman_case_id BIGINT REFERENCES ombudsman_cases (id),
    recommendation INTEGER,
    remedy INTEGER,
    description TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    owner_name TEXT,
    due_on DATE,
    completed_on DATE,
    evidence TEXT
);
CREATE INDEX actions_feedback ON actions (feedback_id);
CREATE INDEX actions_case ON actions (ombudsman_case_id);
CREATE INDEX actions_owner_due ON actions (owner_id, due_on);
CREATE INDEX actions_directorate_due ON actions (directorate, due_on);
CREATE INDEX actions_updated ON actions (updated_at);

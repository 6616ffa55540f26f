-- The Complaint Handling Code (the Ombudsman applies it from 1 April 2026):
-- what its measures need on a feedback record.
ALTER TABLE feedback ADD COLUMN refused_on DATE;
ALTER TABLE feedback ADD COLUMN refusal_reason TEXT;
ALTER TABLE feedback ADD COLUMN refusal_details TEXT;
ALTER TABLE feedback ADD COLUMN ombudsman_signposted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE feedback ADD COLUMN escalation_refused_on DATE;
ALTER TABLE feedback ADD COLUMN escalation_refusal_reason TEXT;
ALTER TABLE feedback ADD COLUMN reasonable_adjustments TEXT;
ALTER TABLE feedback ADD COLUMN adjustments_review_on DATE;
ALTER TABLE feedback ADD COLUMN extension_notified_on DATE;

-- Which procedures the Code governs (the corporate procedure, and any the
-- council adds).
ALTER TABLE settings ADD COLUMN code_procedures TEXT NOT NULL DEFAULT '["corporate"]';


-- The self-assessment against the Code: one per year, or per trigger (a
-- restructure, a change of procedure). Approved ones are frozen: a change
-- makes a new revision that supersedes it.
CREATE TABLE code_assessments (
    id BIGSERIAL PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    year INTEGER NOT NULL,
    occasion TEXT NOT NULL,
    title TEXT NOT NULL,
    revision INTEGER NOT NULL,
    supersedes_id BIGINT REFERENCES code_assessments (id),
    compliance_threshold_percent INTEGER NOT NULL,
    sections TEXT NOT NULL,
    approved_by TEXT,
    approved_at TIMESTAMP
);
CREATE INDEX code_assessments_year ON code_assessments (year, revision);
-- One revision supersedes another at most once.
CREATE UNIQUE INDEX code_assessments_supersedes ON code_assessments (supersedes_id);

-- Each financial year's annual complaints performance and service
-- improvement report on its way through the council's governance.
CREATE TABLE code_years (
    year INTEGER PRIMARY KEY NOT NULL,
    presented_on DATE,
    body TEXT,
    response TEXT,
    published_on DATE,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- Documents attached to a year (the Ombudsman's annual letter, the
-- council's response) belong to no directorate.
ALTER TABLE documents ALTER COLUMN directorate DROP NOT NULL;

-- Cases the Ombudsman (LGSCO, or PHSO, or both jointly) takes up, with its
-- information requests and recommendations; and the service improvements
-- the council agrees.
CREATE TABLE ombudsman_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    ombudsman TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    directorate TEXT NOT NULL REFERENCES directorates (code),
    feedback_id BIGINT REFERENCES feedback (id) ON DELETE SET NULL,
    category TEXT,
    sub_category TEXT,
    received_on DATE NOT NULL,
    summary TEXT,
    witness_summons BOOLEAN NOT NULL,
    decision TEXT,
    -- Derived from the decision, stored for statistics in SQL.
    decision_bucket TEXT,
    decided_on DATE,
    remedied_before_ombudsman BOOLEAN NOT NULL,
    public_report BOOLEAN NOT NULL,
    public_report_title TEXT,
    -- The compliance outcome in force: set by a manager (explicit), or
    -- derived from the recommendations once all are completed.
    compliance_outcome TEXT,
    compliance_recorded_on DATE,
    compliance_explicit BOOLEAN NOT NULL
);
CREATE INDEX ombudsman_cases_directorate_decided ON ombudsman_cases (directorate, decided_on);
CREATE INDEX ombudsman_cases_decided ON ombudsman_cases (decided_on);
CREATE INDEX ombudsman_cases_compliance ON ombudsman_cases (compliance_recorded_on);
CREATE INDEX ombudsman_cases_received ON ombudsman_cases (directorate, received_on);
CREATE INDEX ombudsman_cases_updated ON ombudsman_cases (updated_at);
CREATE INDEX ombudsman_cases_feedback ON ombudsman_cases (feedback_id);

CREATE TABLE ombudsman_information_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES ombudsman_cases (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    requested_on DATE NOT NULL,
    due_on DATE NOT NULL,
    provided_on DATE
);
CREATE INDEX ombudsman_information_requests_case ON ombudsman_information_requests (case_id);
CREATE INDEX ombudsman_information_requests_due ON ombudsman_information_requests (due_on);

CREATE TABLE ombudsman_recommendations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES ombudsman_cases (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT,
    amount_pence BIGINT,
    due_on DATE,
    completed_on DATE
);
CREATE INDEX ombudsman_recommendations_case ON ombudsman_recommendations (case_id);
CREATE INDEX ombudsman_recommendations_open_due ON ombudsman_recommendations (due_on) WHERE completed_on IS NULL;

CREATE TABLE service_improvements (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    directorate TEXT NOT NULL REFERENCES directorates (code),
    description TEXT NOT NULL,
    ombudsman_case_id BIGINT REFERENCES ombudsman_cases (id) ON DELETE SET NULL,
    feedback_id BIGINT REFERENCES feedback (id) ON DELETE SET NULL,
    kind TEXT,
    category TEXT,
    sub_category TEXT,
    owner TEXT,
    agreed_on DATE NOT NULL,
    due_on DATE,
    completed_on DATE,
    evidence TEXT,
    status TEXT NOT NULL,
    published BOOLEAN NOT NULL
);
CREATE INDEX service_improvements_directorate_agreed ON service_improvements (directorate, agreed_on);
CREATE INDEX service_improvements_case ON service_improvements (ombudsman_case_id);
CREATE INDEX service_improvements_feedback ON service_improvements (feedback_id);
CREATE INDEX service_improvements_status_due ON service_improvements (status, due_on);
CREATE INDEX service_improvements_updated ON service_improvements (updated_at);

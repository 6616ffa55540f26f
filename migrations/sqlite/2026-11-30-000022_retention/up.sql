-- The retention schedule the council set (absent: the shipped one).
CREATE TABLE retention_schedule (
    id INTEGER PRIMARY KEY NOT NULL,
    rules TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- Records the retention schedule must not touch, and why.
CREATE TABLE legal_holds (
    entity TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    placed_at TIMESTAMP NOT NULL,
    placed_by TEXT NOT NULL,
    PRIMARY KEY (entity, record_id)
);

-- Leases on work that one instance of several must do alone (the daily
-- retention run): held until `expires_at`.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_run_on DATE
);

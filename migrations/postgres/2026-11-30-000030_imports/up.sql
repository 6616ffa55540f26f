-- Bulk imports (CSV): each job's options, status, counts and the first of
-- its rejected rows' errors, kept in the database so that any instance
-- behind the load balancer answers the progress of any job.
CREATE TABLE import_jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    directorate TEXT,
    dry_run BOOLEAN NOT NULL,
    filename TEXT,
    status TEXT NOT NULL,
    rows_total BIGINT NOT NULL,
    rows_processed BIGINT NOT NULL,
    rows_created BIGINT NOT NULL,
    rows_updated BIGINT NOT NULL,
    rows_skipped BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    errors TEXT NOT NULL,
    error_count BIGINT NOT NULL,
    failure TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX import_jobs_created ON import_jobs (created_at);

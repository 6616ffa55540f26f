-- Login throttling per (username, client address) and per client address,
-- instead of per username (which let anyone lock a user out).
DROP TABLE login_throttle;
CREATE TABLE login_attempts (
    -- `pair <address> <username>` or `address <address>`.
    attempt_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
CREATE INDEX login_attempts_last_failure_at ON login_attempts (last_failure_at);

-- Raised by a password, role or directorate change: tokens issued before
-- carry the old value and are refused.
ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;

-- Secrets the instances on one database share (the generated JWT key).
CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Idempotency keys keep only what a replay needs (the status and the created
-- resource), never the response body with its personal data. The old rows
-- held such bodies, so they go; a retry across the upgrade runs again, and
-- external_ref still refuses a duplicate record.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- 0 while the first request is in progress, then its HTTP status.
    status INTEGER NOT NULL,
    resource_type TEXT,
    resource_key TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_resource ON idempotency_keys (resource_type, resource_key);

-- Ombudsman cases and service improvements can be redacted too.
ALTER TABLE ombudsman_cases ADD COLUMN redacted_at TIMESTAMP;
ALTER TABLE service_improvements ADD COLUMN redacted_at TIMESTAMP;

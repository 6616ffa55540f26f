ALTER TABLE service_improvements DROP COLUMN redacted_at;
ALTER TABLE ombudsman_cases DROP COLUMN redacted_at;
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    location TEXT,
    etag TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
DROP TABLE instance_secrets;
ALTER TABLE users DROP COLUMN token_version;
DROP TABLE login_attempts;
CREATE TABLE login_throttle (
    username TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

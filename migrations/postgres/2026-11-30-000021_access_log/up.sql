-- Who read whose personal data: one row per record (or document, contact
-- log, export) read, written in batches off the request path.
CREATE TABLE access_log (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    access TEXT NOT NULL,
    detail TEXT,
    address TEXT,
    request_id TEXT
);
CREATE INDEX access_log_entity ON access_log (entity, entity_id, occurred_at);
CREATE INDEX access_log_user ON access_log (username, occurred_at);
CREATE INDEX access_log_time ON access_log (occurred_at);

-- The access log is written on every read of personal data. Its entries
-- arrive here first, a batch to a row (a JSON array), so that writing a
-- batch costs one small insert. They are moved into access_log, sorted by
-- record, in bulk: before the log is read, hourly, and whenever the queue
-- has grown. access_log's index by record is then written in order, many
-- entries to a page, rather than an entry at a time all over the index.
CREATE TABLE access_log_queue (
    id BIGSERIAL PRIMARY KEY,
    entries TEXT NOT NULL
);

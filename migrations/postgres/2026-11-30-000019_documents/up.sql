-- Documents attached to a record or case (letters, emails, evidence), their
-- contents kept on disk or in the database, and the files waiting to be
-- removed from disk once the transaction that let go of them has committed.
CREATE TABLE documents (
    id BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    directorate TEXT NOT NULL REFERENCES directorates (code),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    redacted_at TIMESTAMP
);
CREATE INDEX documents_record ON documents (entity, record_id, created_at);
CREATE INDEX documents_digest ON documents (sha256);

-- The contents of documents kept in the database.
CREATE TABLE document_contents (
    storage_key TEXT PRIMARY KEY NOT NULL,
    content BYTEA NOT NULL
);

-- Files on disk whose document was deleted or redacted: removed after the
-- commit, by whichever instance gets there first.
CREATE TABLE document_purges (
    storage_key TEXT PRIMARY KEY NOT NULL,
    queued_at TIMESTAMP NOT NULL
);

-- Subject access requests: who asked (the search), what was confirmed as
-- theirs and what third parties' data is to be blanked (the selection),
-- the statutory due date and its extension, and the export while it lasts.
CREATE TABLE subject_access_requests (
    id BIGSERIAL PRIMARY KEY,
    received_on DATE NOT NULL,
    due_on DATE NOT NULL,
    extended_due_on DATE,
    extension_reason TEXT,
    criteria TEXT NOT NULL,
    selection TEXT NOT NULL,
    completed_on DATE,
    export_key TEXT,
    export_storage TEXT,
    export_sha256 TEXT,
    export_size BIGINT,
    export_expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX subject_access_open ON subject_access_requests (completed_on, due_on);

-- A list page's `total` counts every record its filters match; on 250,000
-- records a count reads most of an index, which made counting most of a
-- list page's cost. Each instance keeps the totals it has counted, and
-- trusts one only while the records it counts have not changed: these
-- triggers bump a table's revision in the transaction of every change to
-- its rows (on SQLite's single writer, each change is one commit), and a
-- list reads the revision before it counts. `database_id` tells one
-- database file from another in the cache of a process that opens several.
CREATE TABLE list_revisions (
    name TEXT PRIMARY KEY NOT NULL,
    database_id TEXT NOT NULL,
    revision BIGINT NOT NULL
);
INSERT INTO list_revisions (name, database_id, revision)
VALUES ('feedback', lower(hex(randomblob(16))), 0);

CREATE TRIGGER feedback_revision_insert AFTER INSERT ON feedback BEGIN
    UPDATE list_revisions SET revision = revision + 1 WHERE name = 'feedback';
END;
CREATE TRIGGER feedback_revision_update AFTER UPDATE ON feedback BEGIN
    UPDATE list_revisions SET revision = revision + 1 WHERE name = 'feedback';
END;
CREATE TRIGGER feedback_revision_delete AFTER DELETE ON feedback BEGIN
    UPDATE list_revisions SET revision = revision + 1 WHERE name = 'feedback';
END;
-- The theme filter reads feedback_themes.
CREATE TRIGGER feedback_themes_revision_insert AFTER INSERT ON feedback_themes BEGIN
    UPDATE list_revisions SET revision = revision + 1 WHERE name = 'feedback';
END;
CREATE TRIGGER feedback_themes_revision_update AFTER UPDATE ON feedback_themes BEGIN
    UPDATE list_revisions SET revision = revision + 1 WHERE name = 'feedback';
END;
CREATE TRIGGER feedback_themes_revision_delete AFTER DELETE ON feedback_themes BEGIN
    UPDATE list_revisions SET revision = revision + 1 WHERE name = 'feedback';
END;

-- A bulk insert (an import's batch) loads the search index once for all its
-- rows instead of row by row: it adds a row here, inserts its records (the
-- insert trigger then leaves the index alone), removes the row and indexes
-- the records with one statement, all in its one transaction, so the row is
-- never committed and no other write ever sees it. Row by row, FTS5 writes
-- a new index segment at every statement, which made the index most of an
-- import's cost.
CREATE TABLE search_index_paused (
    paused INTEGER NOT NULL
);

DROP TRIGGER feedback_search_insert;
CREATE TRIGGER feedback_search_insert AFTER INSERT ON feedback
WHEN NOT EXISTS (SELECT 1 FROM search_index_paused)
BEGIN
    INSERT INTO feedback_search(rowid, reference, summary, complainant_name)
    VALUES (
        new.id,
        coalesce(new.reference,
            'FB-' || CASE WHEN new.id < 1000000 THEN substr('000000' || new.id, -6) ELSE new.id END),
        new.summary, new.complainant_name
    );
END;

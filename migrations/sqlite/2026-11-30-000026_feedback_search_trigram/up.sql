-- Free-text search (`q`) looks for a substring of the reference, the summary
-- and the complainant's name, case-insensitively. PostgreSQL answers it from
-- trigram indexes (migration 000006 there); here an FTS5 index with the
-- trigram tokenizer does the same: it holds the three columns of every record
-- (external content: the text itself stays in `feedback` only), kept by the
-- triggers below. `secure-delete` removes a changed or erased record's
-- trigrams from the index at once, so erased text leaves no trace in it.
CREATE VIRTUAL TABLE feedback_search USING fts5(
    reference, summary, complainant_name,
    content = 'feedback', content_rowid = 'id',
    tokenize = 'trigram case_sensitive 0'
);
INSERT INTO feedback_search(feedback_search, rank) VALUES ('secure-delete', 1);
INSERT INTO feedback_search(feedback_search) VALUES ('rebuild');

-- The reference is set from the id by the feedback_reference trigger, after
-- the insert: indexed here as that trigger writes it, so that setting it is
-- not a change the index must follow (a delete and an insert per record).
CREATE TRIGGER feedback_search_insert AFTER INSERT ON feedback BEGIN
    INSERT INTO feedback_search(rowid, reference, summary, complainant_name)
    VALUES (
        new.id,
        coalesce(new.reference,
            'FB-' || CASE WHEN new.id < 1000000 THEN substr('000000' || new.id, -6) ELSE new.id END),
        new.summary, new.complainant_name
    );
END;
CREATE TRIGGER feedback_search_delete AFTER DELETE ON feedback BEGIN
    INSERT INTO feedback_search(feedback_search, rowid, reference, summary, complainant_name)
    VALUES ('delete', old.id, old.reference, old.summary, old.complainant_name);
END;
CREATE TRIGGER feedback_search_update AFTER UPDATE OF summary, complainant_name ON feedback
BEGIN
    INSERT INTO feedback_search(feedback_search, rowid, reference, summary, complainant_name)
    VALUES ('delete', old.id, old.reference, old.summary, old.complainant_name);
    INSERT INTO feedback_search(rowid, reference, summary, complainant_name)
    VALUES (new.id, new.reference, new.summary, new.complainant_name);
END;

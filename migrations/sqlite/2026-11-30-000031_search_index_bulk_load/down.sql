DROP TRIGGER feedback_search_insert;
CREATE TRIGGER feedback_search_insert AFTER INSERT ON feedback BEGIN
    INSERT INTO feedback_search(rowid, reference, summary, complainant_name)
    VALUES (
        new.id,
        coalesce(new.reference,
            'FB-' || CASE WHEN new.id < 1000000 THEN substr('000000' || new.id, -6) ELSE new.id END),
        new.summary, new.complainant_name
    );
END;
DROP TABLE search_index_paused;

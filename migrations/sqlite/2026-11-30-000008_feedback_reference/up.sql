-- A feedback record's human reference, FB- and its id zero-padded to six
-- digits (FB-000123; FB-1234567 beyond), made by the database as the row is
-- inserted: the one place it is formatted, for single and bulk inserts alike.
CREATE TRIGGER feedback_reference AFTER INSERT ON feedback
WHEN NEW.reference IS NULL
BEGIN
    UPDATE feedback
    SET reference = 'FB-' || CASE WHEN NEW.id < 1000000 THEN substr('000000' || NEW.id, -6) ELSE NEW.id END
    WHERE id = NEW.id;
END;

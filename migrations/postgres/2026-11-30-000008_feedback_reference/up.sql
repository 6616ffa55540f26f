-- A feedback record's human reference, FB- and its id zero-padded to six
-- digits (FB-000123; FB-1234567 beyond), made by the database as the row is
-- inserted: the one place it is formatted, for single and bulk inserts alike.
CREATE FUNCTION feedback_reference() RETURNS trigger AS $$
BEGIN
    IF NEW.reference IS NULL THEN
        NEW.reference := 'FB-' || CASE WHEN NEW.id < 1000000 THEN lpad(NEW.id::text, 6, '0') ELSE NEW.id::text END;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER feedback_reference BEFORE INSERT ON feedback
FOR EACH ROW EXECUTE FUNCTION feedback_reference();

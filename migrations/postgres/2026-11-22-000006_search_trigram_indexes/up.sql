-- Free-text search (`q`) looks for a substring of the reference, the summary
-- and the complainant's name, case-insensitively (lower(x) LIKE '%text%').
-- Trigram indexes on exactly those expressions let PostgreSQL answer that
-- without reading every record. pg_trgm ships with PostgreSQL (contrib) and
-- is a trusted extension, so a database owner may install it; where it is
-- missing or refused, search still works, by reading every record.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX feedback_reference_trgm ON feedback USING gin (lower(reference) gin_trgm_ops);
    CREATE INDEX feedback_summary_trgm ON feedback USING gin (lower(summary) gin_trgm_ops);
    CREATE INDEX feedback_complainant_name_trgm ON feedback USING gin (lower(complainant_name) gin_trgm_ops);
EXCEPTION WHEN undefined_file OR insufficient_privilege OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm is not available (%): free-text search will read every record', SQLERRM;
END
$$;

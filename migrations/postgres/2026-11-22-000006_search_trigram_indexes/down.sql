DROP INDEX IF EXISTS feedback_complainant_name_trgm;
DROP INDEX IF EXISTS feedback_summary_trgm;
DROP INDEX IF EXISTS feedback_reference_trgm;

-- The access log is written on every read of personal data: keep one index,
-- the record's (what a data-protection officer asks first). Reads by user or
-- by time are rare, admin-only queries and may scan.
DROP INDEX access_log_user;
DROP INDEX access_log_time;

DROP TABLE login_throttle;
DROP TABLE idempotency_keys;
DROP TABLE audit_log;
DROP TABLE users;
DROP TABLE directorates;

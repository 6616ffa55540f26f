CREATE INDEX access_log_user ON access_log (username, occurred_at);
CREATE INDEX access_log_time ON access_log (occurred_at);

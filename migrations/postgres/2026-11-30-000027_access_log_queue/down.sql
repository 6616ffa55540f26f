-- Entries still queued are lost: settle the queue first (read the access log).
DROP TABLE access_log_queue;

DROP INDEX access_log_record;
CREATE INDEX access_log_entity ON access_log (entity, entity_id, occurred_at);

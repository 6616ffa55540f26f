-- The access log's index by record, without the time: a shorter key is
-- cheaper to write for every entry settled (about a quarter of a settle's
-- time on SQLite), and one record's entries are few enough to sort when
-- its log is read.
DROP INDEX access_log_entity;
CREATE INDEX access_log_record ON access_log (entity, entity_id);

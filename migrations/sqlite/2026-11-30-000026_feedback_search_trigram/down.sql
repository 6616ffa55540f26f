DROP TRIGGER feedback_search_update;
DROP TRIGGER feedback_search_delete;
DROP TRIGGER feedback_search_insert;
DROP TABLE feedback_search;

DROP TRIGGER feedback_reference;

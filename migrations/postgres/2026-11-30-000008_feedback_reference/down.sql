DROP TRIGGER feedback_reference ON feedback;
DROP FUNCTION feedback_reference();

-- Lists of open records (status=open) by directorate, newest first, and
-- their totals, without reading every record of the directorate.
CREATE INDEX feedback_open_by_directorate ON feedback (directorate, received_on)
    WHERE responded_on IS NULL AND closed_on IS NULL;

-- The overdue list of a directorate, most overdue first.
CREATE INDEX feedback_open_due_by_directorate ON feedback (directorate, due_on)
    WHERE responded_on IS NULL;

-- Lists narrowed by outcome ("every upheld complaint this year").
CREATE INDEX feedback_directorate_kind_outcome ON feedback (directorate, kind, outcome, received_on);

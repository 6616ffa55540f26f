-- Documents of no directorate (a year's) go; the column stays nullable.
DELETE FROM documents WHERE directorate IS NULL;
DROP TABLE code_years;
DROP TABLE code_assessments;
ALTER TABLE settings DROP COLUMN code_procedures;
ALTER TABLE feedback DROP COLUMN extension_notified_on;
ALTER TABLE feedback DROP COLUMN adjustments_review_on;
ALTER TABLE feedback DROP COLUMN reasonable_adjustments;
ALTER TABLE feedback DROP COLUMN escalation_refusal_reason;
ALTER TABLE feedback DROP COLUMN escalation_refused_on;
ALTER TABLE feedback DROP COLUMN ombudsman_signposted;
ALTER TABLE feedback DROP COLUMN refusal_details;
ALTER TABLE feedback DROP COLUMN refusal_reason;
ALTER TABLE feedback DROP COLUMN refused_on;

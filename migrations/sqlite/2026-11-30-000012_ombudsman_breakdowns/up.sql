-- Ombudsman cases by service, and the day a public report was published.
ALTER TABLE ombudsman_cases ADD COLUMN service_area TEXT;
ALTER TABLE ombudsman_cases ADD COLUMN public_report_on DATE;
-- A case's service defaults to its complaint's.
UPDATE ombudsman_cases SET service_area =
    (SELECT f.service_area FROM feedback f WHERE f.id = ombudsman_cases.feedback_id)
    WHERE feedback_id IS NOT NULL;

-- Ombudsman cases by service, and the day a public report was published.
ALTER TABLE ombudsman_cases ADD COLUMN service_area TEXT;
ALTER TABLE ombudsman_cases ADD COLUMN public_report_on DATE;
-- A case's service defaults to its complaint's.
UPDATE ombudsman_cases SET service_area =
    (SELECT f.service_area FROM feedback f WHERE f.id = ombudsman_cases.feedback_id)
    WHERE feedback_id IS NOT NULL;

-- A case's themes, one row per case and theme (by default its complaint's).
CREATE TABLE ombudsman_case_themes (
    case_id BIGINT NOT NULL REFERENCES ombudsman_cases (id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    PRIMARY KEY (case_id, theme)
);
CREATE INDEX ombudsman_case_themes_theme ON ombudsman_case_themes (theme, case_id);
INSERT INTO ombudsman_case_themes (case_id, theme)
    SELECT c.id, t.theme FROM ombudsman_cases c JOIN feedback_themes t ON t.feedback_id = c.feedback_id;

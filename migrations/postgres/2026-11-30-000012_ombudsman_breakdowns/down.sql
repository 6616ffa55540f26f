DROP TABLE ombudsman_case_themes;
ALTER TABLE ombudsman_cases DROP COLUMN public_report_on;
ALTER TABLE ombudsman_cases DROP COLUMN service_area;

-- Bank holidays (England and Wales) used for working days, shipped for
-- 2018-2030 from src/calendar/holidays.rs; admins add, remove or import more.
CREATE TABLE bank_holidays (
    holiday_date DATE PRIMARY KEY NOT NULL,
    title TEXT NOT NULL
);

INSERT INTO bank_holidays (holiday_date, title) VALUES
    ('2018-01-01', 'New Year''s Day'),
    ('2018-03-30', 'Good Friday'),
    ('2018-04-02', 'Easter Monday'),
    ('2018-05-07', 'Early May bank holiday'),
    ('2018-05-28', 'Spring bank holiday'),
    ('2018-08-27', 'Summer bank holiday'),
    ('2018-12-25', 'Christmas Day'),
    ('2018-12-26', 'Boxing Day'),
    ('2019-01-01', 'New Year''s Day'),
    ('2019-04-19', 'Good Friday'),
    ('2019-04-22', 'Easter Monday'),
    ('2019-05-06', 'Early May bank holiday'),
    ('2019-05-27', 'Spring bank holiday'),
    ('2019-08-26', 'Summer bank holiday'),
    ('2019-12-25', 'Christmas Day'),
    ('2019-12-26', 'Boxing Day'),
    ('2020-01-01', 'New Year''s Day'),
    ('2020-04-10', 'Good Friday'),
    ('2020-04-13', 'Easter Monday'),
    ('2020-05-08', 'Early May bank holiday (VE day)'),
    ('2020-05-25', 'Spring bank holiday'),
    ('2020-08-31', 'Summer bank holiday'),
    ('2020-12-25', 'Christmas Day'),
    ('2020-12-28', 'Boxing Day (substitute day)'),
    ('2021-01-01', 'New Year''s Day'),
    ('2021-04-02', 'Good Friday'),
    ('2021-04-05', 'Easter Monday'),
    ('2021-05-03', 'Early May bank holiday'),
    ('2021-05-31', 'Spring bank holiday'),
    ('2021-08-30', 'Summer bank holiday'),
    ('2021-12-27', 'Christmas Day (substitute day)'),
    ('2021-12-28', 'Boxing Day (substitute day)'),
    ('2022-01-03', 'New Year''s Day (substitute day)'),
    ('2022-04-15', 'Good Friday'),
    ('2022-04-18', 'Easter Monday'),
    ('2022-05-02', 'Early May bank holiday'),
    ('2022-06-02', 'Spring bank holiday'),
    ('2022-06-03', 'Platinum Jubilee bank holiday'),
    ('2022-08-29', 'Summer bank holiday'),
    ('2022-09-19', 'Bank Holiday for the State Funeral of Queen Elizabeth II'),
    ('2022-12-26', 'Boxing Day'),
    ('2022-12-27', 'Christmas Day (substitute day)'),
    ('2023-01-02', 'New Year''s Day (substitute day)'),
    ('2023-04-07', 'Good Friday'),
    ('2023-04-10', 'Easter Monday'),
    ('2023-05-01', 'Early May bank holiday'),
    ('2023-05-08', 'Bank holiday for the coronation of King Charles III'),
    ('2023-05-29', 'Spring bank holiday'),
    ('2023-08-28', 'Summer bank holiday'),
    ('2023-12-25', 'Christmas Day'),
    ('2023-12-26', 'Boxing Day'),
    ('2024-01-01', 'New Year''s Day'),
    ('2024-03-29', 'Good Friday'),
    ('2024-04-01', 'Easter Monday'),
    ('2024-05-06', 'Early May bank holiday'),
    ('2024-05-27', 'Spring bank holiday'),
    ('2024-08-26', 'Summer bank holiday'),
    ('2024-12-25', 'Christmas Day'),
    ('2024-12-26', 'Boxing Day'),
    ('2025-01-01', 'New Year''s Day'),
    ('2025-04-18', 'Good Friday'),
    ('2025-04-21', 'Easter Monday'),
    ('2025-05-05', 'Early May bank holiday'),
    ('2025-05-26', 'Spring bank holiday'),
    ('2025-08-25', 'Summer bank holiday'),
    ('2025-12-25', 'Christmas Day'),
    ('2025-12-26', 'Boxing Day'),
    ('2026-01-01', 'New Year''s Day'),
    ('2026-04-03', 'Good Friday'),
    ('2026-04-06', 'Easter Monday'),
    ('2026-05-04', 'Early May bank holiday'),
    ('2026-05-25', 'Spring bank holiday'),
    ('2026-08-31', 'Summer bank holiday'),
    ('2026-12-25', 'Christmas Day'),
    ('2026-12-28', 'Boxing Day (substitute day)'),
    ('2027-01-01', 'New Year''s Day'),
    ('2027-03-26', 'Good Friday'),
    ('2027-03-29', 'Easter Monday'),
    ('2027-05-03', 'Early May bank holiday'),
    ('2027-05-31', 'Spring bank holiday'),
    ('2027-08-30', 'Summer bank holiday'),
    ('2027-12-27', 'Christmas Day (substitute day)'),
    ('2027-12-28', 'Boxing Day (substitute day)'),
    ('2028-01-03', 'New Year''s Day (substitute day)'),
    ('2028-04-14', 'Good Friday'),
    ('2028-04-17', 'Easter Monday'),
    ('2028-05-01', 'Early May bank holiday'),
    ('2028-05-29', 'Spring bank holiday'),
    ('2028-08-28', 'Summer bank holiday'),
    ('2028-12-25', 'Christmas Day'),
    ('2028-12-26', 'Boxing Day'),
    ('2029-01-01', 'New Year''s Day'),
    ('2029-03-30', 'Good Friday'),
    ('2029-04-02', 'Easter Monday'),
    ('2029-05-07', 'Early May bank holiday'),
    ('2029-05-28', 'Spring bank holiday'),
    ('2029-08-27', 'Summer bank holiday'),
    ('2029-12-25', 'Christmas Day'),
    ('2029-12-26', 'Boxing Day'),
    ('2030-01-01', 'New Year''s Day'),
    ('2030-04-19', 'Good Friday'),
    ('2030-04-22', 'Easter Monday'),
    ('2030-05-06', 'Early May bank holiday'),
    ('2030-05-27', 'Spring bank holiday'),
    ('2030-08-26', 'Summer bank holiday'),
    ('2030-12-25', 'Christmas Day'),
    ('2030-12-26', 'Boxing Day');

-- One row: a counter bumped on every calendar change, so every instance
-- notices and reloads its cached calendar.
CREATE TABLE calendar_state (
    id INTEGER PRIMARY KEY NOT NULL,
    revision BIGINT NOT NULL
);
INSERT INTO calendar_state (id, revision) VALUES (1, 1);

CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    -- FB-000123, set from the id in the transaction that inserts the row.
    reference TEXT UNIQUE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    directorate TEXT NOT NULL REFERENCES directorates (code),
    kind TEXT NOT NULL,
    procedure TEXT,
    stage INTEGER,
    service_area TEXT,
    team TEXT,
    category TEXT,
    sub_category TEXT,
    themes TEXT NOT NULL,
    summary TEXT,
    channel TEXT,
    -- The complainant object as JSON (personal data), with the parts that
    -- search and statistics need alongside.
    complainant TEXT,
    complainant_name TEXT,
    is_young_person BOOLEAN,
    advocate_assisted BOOLEAN,
    received_on DATE NOT NULL,
    acknowledged_on DATE,
    responded_on DATE,
    closed_on DATE,
    extended_due_on DATE,
    extension_reason TEXT,
    outcome TEXT,
    remedies TEXT NOT NULL,
    learning TEXT,
    parent_id BIGINT REFERENCES feedback (id) ON DELETE SET NULL,
    reopened BOOLEAN NOT NULL,
    external_ref TEXT,
    -- The statutory clock as of the current calendar, kept current when the
    -- calendar changes, for filters and statistics in SQL.
    due_on DATE,
    limit_on DATE,
    working_days_taken INTEGER,
    redacted_at TIMESTAMP
);

CREATE UNIQUE INDEX feedback_external_ref ON feedback (directorate, external_ref);
CREATE INDEX feedback_directorate_received ON feedback (directorate, received_on);
CREATE INDEX feedback_directorate_kind_received ON feedback (directorate, kind, received_on);
CREATE INDEX feedback_directorate_kind_responded ON feedback (directorate, kind, responded_on);
CREATE INDEX feedback_kind_received ON feedback (kind, received_on);
CREATE INDEX feedback_kind_responded ON feedback (kind, responded_on);
CREATE INDEX feedback_received ON feedback (received_on);
CREATE INDEX feedback_open_due ON feedback (due_on) WHERE responded_on IS NULL;
CREATE INDEX feedback_updated ON feedback (updated_at);
CREATE INDEX feedback_parent ON feedback (parent_id);

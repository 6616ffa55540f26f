-- One row: the council, its population and the Ombudsman's averages for
-- similar authorities, year by year (the statistics compare against them).
CREATE TABLE settings (
    id INTEGER PRIMARY KEY NOT NULL,
    council_name TEXT NOT NULL,
    authority_type TEXT NOT NULL,
    population BIGINT,
    benchmarks TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO settings (id, council_name, authority_type, population, benchmarks, version, updated_at)
VALUES (1, 'Example County Council', 'county', NULL, '[]', 1, (now() AT TIME ZONE 'utc'));


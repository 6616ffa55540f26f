-- The council's own letter templates. The shipped ones live in the code;
-- a row here replaces the shipped template of its name, or adds one.
CREATE TABLE letter_templates (
    name TEXT PRIMARY KEY NOT NULL,
    entity TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

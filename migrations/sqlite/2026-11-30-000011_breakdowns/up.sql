-- Themes become countable: one row per record and theme, kept with the
-- record's `themes` list in the same transaction.
CREATE TABLE feedback_themes (
    feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    PRIMARY KEY (feedback_id, theme)
);
CREATE INDEX feedback_themes_theme ON feedback_themes (theme, feedback_id);
INSERT OR IGNORE INTO feedback_themes (feedback_id, theme)
    SELECT f.id, t.value FROM feedback f, json_each(f.themes) t;

-- The complainant's relationship, for filters and breakdowns.
ALTER TABLE feedback ADD COLUMN complainant_relationship TEXT;
UPDATE feedback SET complainant_relationship = json_extract(complainant, '$.relationship')
    WHERE complainant IS NOT NULL;

-- Benchmarks may name a directorate; the population may vary by year.
ALTER TABLE settings ADD COLUMN populations TEXT NOT NULL DEFAULT '[]';

-- The statutory rules as the regulations word them (issue 11).
--
-- Feedback records gain the children's stage 3 review panel's dates, the day
-- an extension was agreed, and three more stored clock columns: the original
-- target date and whether the response met the (extended) and the original
-- target. The stored clocks are recomputed by the service when it starts
-- (timescale_state.stored_clocks_formula tells it they are out of date).
ALTER TABLE feedback ADD COLUMN panel_held_on DATE;
ALTER TABLE feedback ADD COLUMN panel_report_on DATE;
ALTER TABLE feedback ADD COLUMN extension_agreed_on DATE;
ALTER TABLE feedback ADD COLUMN target_due_on DATE;
ALTER TABLE feedback ADD COLUMN within_target BOOLEAN;
ALTER TABLE feedback ADD COLUMN within_original_target BOOLEAN;

-- The timescales in force from a date, as JSON rules (src/timescales). The
-- service writes the shipped versions into an empty table when it starts.
CREATE TABLE timescale_versions (
    effective_from DATE PRIMARY KEY NOT NULL,
    rules TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- The timescales' revision (bumped on every change, so every instance
-- reloads them) and the formula the stored clocks were computed with.
CREATE TABLE timescale_state (
    id INTEGER PRIMARY KEY NOT NULL,
    revision BIGINT NOT NULL,
    stored_clocks_formula INTEGER NOT NULL
);
INSERT INTO timescale_state (id, revision, stored_clocks_formula) VALUES (1, 1, 1);

-- Whether the annual report's overview counts each kind as received or as
-- responded to; kinds not named take the shipped basis.
ALTER TABLE settings ADD COLUMN overview_basis TEXT NOT NULL DEFAULT '{}';

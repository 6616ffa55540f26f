-- Issue 11, items 6 to 9: the Ombudsman's decision rounds, the dates of its
-- witness summons powers, and extensions to its information requests.

-- A case the Ombudsman re-opens is decided again: each decision is a round.
-- Round 1 is the first decision; every later round was opened by a
-- re-opening (`reopened_on`) and is undecided until its decision. The case's
-- own `decision`, `decision_bucket`, `decided_on` and
-- `remedied_before_ombudsman` stay, as a copy of its latest round (the
-- list's filters and sorts read them); the statistics count the rounds.
CREATE TABLE ombudsman_decisions (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES ombudsman_cases (id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    decision TEXT,
    -- Derived from the decision, stored for statistics in SQL.
    decision_bucket TEXT,
    decided_on DATE,
    remedied_before_ombudsman BOOLEAN NOT NULL,
    reopened_on DATE,
    UNIQUE (case_id, round)
);
CREATE INDEX ombudsman_decisions_decided ON ombudsman_decisions (decided_on);

-- Every case decided so far has one round: its decision.
INSERT INTO ombudsman_decisions
    (case_id, round, decision, decision_bucket, decided_on, remedied_before_ombudsman, reopened_on)
SELECT id, 1, decision, decision_bucket, decided_on, remedied_before_ombudsman, NULL
FROM ombudsman_cases
WHERE decision IS NOT NULL;

-- The day the Ombudsman reminded the council of its power to summon
-- witnesses, and the day it issued a summons. `witness_summons` stays,
-- derived from `witness_summons_on`. A summons recorded before these dates
-- existed is dated by the case's decision (the day the statistics counted
-- it by until now), or, for an undecided case, its first contact.
ALTER TABLE ombudsman_cases ADD COLUMN witness_summons_warned_on DATE;
ALTER TABLE ombudsman_cases ADD COLUMN witness_summons_on DATE;
UPDATE ombudsman_cases
SET witness_summons_on = COALESCE(decided_on, received_on)
WHERE witness_summons;

-- An extension the council asked for, and the due date the Ombudsman
-- agreed to.
ALTER TABLE ombudsman_information_requests ADD COLUMN extension_requested_on DATE;
ALTER TABLE ombudsman_information_requests ADD COLUMN extended_due_on DATE;

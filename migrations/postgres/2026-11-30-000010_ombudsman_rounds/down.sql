-- Earlier decision rounds are lost: the case keeps its latest decision.
ALTER TABLE ombudsman_information_requests DROP COLUMN extended_due_on;
ALTER TABLE ombudsman_information_requests DROP COLUMN extension_requested_on;
ALTER TABLE ombudsman_cases DROP COLUMN witness_summons_on;
ALTER TABLE ombudsman_cases DROP COLUMN witness_summons_warned_on;
DROP INDEX ombudsman_decisions_decided;
DROP TABLE ombudsman_decisions;

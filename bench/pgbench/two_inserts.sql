-- The database's ceiling for POST /feedback: one transaction inserting a
-- feedback row and its audit row.
BEGIN;
INSERT INTO feedback (version, created_at, updated_at, created_by, directorate, kind, procedure,
    stage, category, sub_category, themes, summary, channel, complainant, complainant_name,
    received_on, remedies, reopened, due_on, limit_on, remedies_on_time, remedies_late,
    remedies_not_done, ombudsman_signposted)
VALUES (1, now(), now(), 'pgbench', 'adults', 'complaint', 'statutory_adults', 1, 'Charging',
    'Outcome of financial assessment', '[]', 'Unhappy with the outcome of a financial assessment.',
    'email', '{"name":"Test Person","relationship":"representative"}', 'Test Person',
    '2025-06-02', '[]', false, '2025-07-07', '2025-12-01', 0, 0, 0, false)
RETURNING id \gset
INSERT INTO audit_log (occurred_at, actor, entity_type, entity_id, action, changes)
VALUES (now(), 'pgbench', 'feedback', :id, 'create', '{"summary":{"from":null,"to":"x"}}');
END;

-- Hand-tuned: the Ombudsman statistics for adults, 2024-25, in one
-- statement: decisions by bucket, decision and category (with remedies,
-- reports and summonses), compliance recorded, information requests due
-- (all and late), and payments recommended.
SELECT decision_bucket, decision, category, COUNT(*),
       SUM(CASE WHEN remedied_before_ombudsman THEN 1 ELSE 0 END),
       SUM(CASE WHEN public_report THEN 1 ELSE 0 END),
       SUM(CASE WHEN witness_summons THEN 1 ELSE 0 END)
  FROM ombudsman_cases
 WHERE directorate = 'adults' AND decided_on BETWEEN '2024-04-01' AND '2025-03-31' AND decision IS NOT NULL
 GROUP BY decision_bucket, decision, category
UNION ALL
SELECT 'compliance', compliance_outcome, NULL, COUNT(*), 0, 0, 0
  FROM ombudsman_cases
 WHERE directorate = 'adults' AND compliance_recorded_on BETWEEN '2024-04-01' AND '2025-03-31' AND compliance_outcome IS NOT NULL
 GROUP BY compliance_outcome
UNION ALL
SELECT 'requests', NULL, NULL, COUNT(*),
       SUM(CASE WHEN r.provided_on > r.due_on OR (r.provided_on IS NULL AND r.due_on < CURRENT_DATE) THEN 1 ELSE 0 END), 0, 0
  FROM ombudsman_information_requests r JOIN ombudsman_cases c ON c.id = r.case_id
 WHERE c.directorate = 'adults' AND r.due_on BETWEEN '2024-04-01' AND '2025-03-31'
UNION ALL
SELECT 'redress', NULL, NULL, COUNT(*), SUM(r.amount_pence), 0, 0
  FROM ombudsman_recommendations r JOIN ombudsman_cases c ON c.id = r.case_id
 WHERE c.directorate = 'adults' AND c.decided_on BETWEEN '2024-04-01' AND '2025-03-31' AND c.decision IS NOT NULL

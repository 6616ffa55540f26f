-- Hand-tuned: the caseload of adults' Ombudsman cases in 2024-25 (a case is
-- open until its first decision), and the recommendations on the cases
-- upheld in the year by kind.
SELECT SUM(CASE WHEN k.received_on >= '2024-04-01' THEN 1 ELSE 0 END) AS received,
       SUM(CASE WHEN k.received_on < '2024-04-01' THEN 1 ELSE 0 END) AS open_at_start,
       SUM(CASE WHEN k.received_on < '2024-04-01' AND k.first_decided_on <= '2025-03-31' THEN 1 ELSE 0 END) AS carried_over,
       SUM(CASE WHEN k.first_decided_on IS NULL OR k.first_decided_on > '2025-03-31' THEN 1 ELSE 0 END) AS open_at_end,
       COUNT(*) AS worked_on
  FROM (SELECT c.received_on,
               (SELECT MIN(d.decided_on) FROM ombudsman_decisions d
                 WHERE d.case_id = c.id AND d.decision IS NOT NULL) AS first_decided_on
          FROM ombudsman_cases c
         WHERE c.directorate = 'adults' AND c.received_on <= '2025-03-31') k
 WHERE k.first_decided_on IS NULL OR k.first_decided_on >= '2024-04-01'

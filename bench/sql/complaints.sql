-- Hand-tuned: the complaint analysis for adults, 2024-25, in one statement:
-- responded to by reason, outcome, stage and working days (for the median),
-- with timeliness; received by stage, with young people and advocates.
SELECT category, sub_category, outcome, stage, working_days_taken, COUNT(*) AS n,
       SUM(CASE WHEN responded_on <= due_on THEN 1 ELSE 0 END) AS within_target,
       SUM(CASE WHEN responded_on > due_on THEN 1 ELSE 0 END) AS outside_target,
       SUM(CASE WHEN responded_on <= limit_on THEN 1 ELSE 0 END) AS within_limit,
       SUM(CASE WHEN extended_due_on IS NOT NULL THEN 1 ELSE 0 END) AS extended,
       SUM(CASE WHEN reopened THEN 1 ELSE 0 END) AS reopened
  FROM feedback
 WHERE directorate = 'adults' AND kind = 'complaint' AND responded_on BETWEEN '2024-04-01' AND '2025-03-31'
 GROUP BY category, sub_category, outcome, stage, working_days_taken
UNION ALL
SELECT 'received', NULL, NULL, stage, NULL, COUNT(*), SUM(CASE WHEN is_young_person THEN 1 ELSE 0 END),
       SUM(CASE WHEN is_young_person AND advocate_assisted THEN 1 ELSE 0 END), 0, 0, 0
  FROM feedback
 WHERE directorate = 'adults' AND kind = 'complaint' AND received_on BETWEEN '2024-04-01' AND '2025-03-31'
 GROUP BY stage

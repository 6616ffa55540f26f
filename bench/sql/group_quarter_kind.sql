-- Hand-written: every kind of feedback for adults, 2024-25, by quarter and
-- kind (the children's report's quarterly volumes): received per month
-- and kind (months fold into quarters), responded per month, kind and
-- outcome.
SELECT substr(CAST(received_on AS TEXT), 1, 7) AS month, kind, NULL AS outcome, COUNT(*) AS n, 0 AS outside_target, 0 AS extended
  FROM feedback
 WHERE directorate = 'adults' AND received_on BETWEEN '2024-04-01' AND '2025-03-31'
 GROUP BY substr(CAST(received_on AS TEXT), 1, 7), kind
UNION ALL
SELECT substr(CAST(responded_on AS TEXT), 1, 7), kind, outcome, COUNT(*),
       SUM(CASE WHEN NOT within_target THEN 1 ELSE 0 END),
       SUM(CASE WHEN extended_due_on IS NOT NULL THEN 1 ELSE 0 END)
  FROM feedback
 WHERE directorate = 'adults' AND responded_on BETWEEN '2024-04-01' AND '2025-03-31'
 GROUP BY substr(CAST(responded_on AS TEXT), 1, 7), kind, outcome

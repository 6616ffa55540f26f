-- Hand-written: complaints for adults, 2024-25, by service area: received
-- per area, and responded to per area and outcome with timeliness and
-- extensions (what `group_by=service_area` adds to the analysis).
SELECT service_area, NULL AS outcome, COUNT(*) AS n, 0 AS outside_target, 0 AS outside_original, 0 AS extended
  FROM feedback
 WHERE directorate = 'adults' AND kind = 'complaint' AND received_on BETWEEN '2024-04-01' AND '2025-03-31'
 GROUP BY service_area
UNION ALL
SELECT service_area, outcome, COUNT(*),
       SUM(CASE WHEN NOT within_target THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT within_original_target THEN 1 ELSE 0 END),
       SUM(CASE WHEN extended_due_on IS NOT NULL THEN 1 ELSE 0 END)
  FROM feedback
 WHERE directorate = 'adults' AND kind = 'complaint' AND responded_on BETWEEN '2024-04-01' AND '2025-03-31'
 GROUP BY service_area, outcome

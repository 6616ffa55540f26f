-- Hand-written: complaints for adults, 2024-25, by theme (a record counts
-- under each of its themes): what `group_by=theme` adds to the analysis.
SELECT ft.theme, NULL AS outcome, COUNT(*) AS n, 0 AS outside_target, 0 AS outside_original, 0 AS extended
  FROM feedback LEFT JOIN feedback_themes ft ON ft.feedback_id = feedback.id
 WHERE directorate = 'adults' AND kind = 'complaint' AND received_on BETWEEN '2024-04-01' AND '2025-03-31'
 GROUP BY ft.theme
UNION ALL
SELECT ft.theme, outcome, COUNT(*),
       SUM(CASE WHEN NOT within_target THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT within_original_target THEN 1 ELSE 0 END),
       SUM(CASE WHEN extended_due_on IS NOT NULL THEN 1 ELSE 0 END)
  FROM feedback LEFT JOIN feedback_themes ft ON ft.feedback_id = feedback.id
 WHERE directorate = 'adults' AND kind = 'complaint' AND responded_on BETWEEN '2024-04-01' AND '2025-03-31'
 GROUP BY ft.theme, outcome

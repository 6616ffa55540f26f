-- Hand-tuned: the caseload of every kind of adults' feedback in 2024-25,
-- read in three index ranges as for the complaints, grouped by kind.
SELECT kind,
       SUM(CASE WHEN received_on < '2024-04-01' THEN 1 ELSE 0 END) AS open_at_start,
       SUM(CASE WHEN received_on < '2024-04-01' AND responded_on <= '2025-03-31' THEN 1 ELSE 0 END) AS carried_over,
       SUM(CASE WHEN responded_on IS NULL OR responded_on > '2025-03-31' THEN 1 ELSE 0 END) AS open_at_end,
       COUNT(*) AS worked_on
  FROM (SELECT kind, received_on, responded_on FROM feedback
         WHERE directorate = 'adults' AND received_on BETWEEN '2024-04-01' AND '2025-03-31'
        UNION ALL
        SELECT kind, received_on, responded_on FROM feedback
         WHERE directorate = 'adults' AND received_on < '2024-04-01' AND responded_on >= '2024-04-01'
        UNION ALL
        SELECT kind, received_on, responded_on FROM feedback
         WHERE directorate = 'adults' AND received_on < '2024-04-01' AND responded_on IS NULL) k
 GROUP BY kind

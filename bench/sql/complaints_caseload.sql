-- Hand-tuned: the caseload of adults' complaints in 2024-25 (open at the
-- start, carried over, open at the end, worked on), read in three index
-- ranges: received in the year, received before it and answered in or after
-- it, received before it and still open.
SELECT SUM(CASE WHEN received_on < '2024-04-01' THEN 1 ELSE 0 END) AS open_at_start,
       SUM(CASE WHEN received_on < '2024-04-01' AND responded_on <= '2025-03-31' THEN 1 ELSE 0 END) AS carried_over,
       SUM(CASE WHEN responded_on IS NULL OR responded_on > '2025-03-31' THEN 1 ELSE 0 END) AS open_at_end,
       COUNT(*) AS worked_on
  FROM (SELECT received_on, responded_on FROM feedback
         WHERE directorate = 'adults' AND kind = 'complaint' AND received_on BETWEEN '2024-04-01' AND '2025-03-31'
        UNION ALL
        SELECT received_on, responded_on FROM feedback
         WHERE directorate = 'adults' AND kind = 'complaint' AND received_on < '2024-04-01' AND responded_on >= '2024-04-01'
        UNION ALL
        SELECT received_on, responded_on FROM feedback
         WHERE directorate = 'adults' AND kind = 'complaint' AND received_on < '2024-04-01' AND responded_on IS NULL) k

-- Hand-tuned: of adults' complaints answered in 2024-25, how many have a
-- record of each kind escalated from them.
SELECT child.kind, COUNT(DISTINCT child.parent_id)
  FROM feedback child
 WHERE child.parent_id IN (SELECT id FROM feedback
                            WHERE directorate = 'adults' AND kind = 'complaint'
                              AND responded_on BETWEEN '2024-04-01' AND '2025-03-31')
 GROUP BY child.kind

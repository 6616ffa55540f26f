-- Hand-tuned: of adults' complaints answered in 2024-25, how many have a
-- record of each kind escalated from them (driven by the answered records,
-- joined to their children by the parent index).
SELECT child.kind, COUNT(DISTINCT child.parent_id)
  FROM (SELECT id FROM feedback
         WHERE directorate = 'adults' AND kind = 'complaint'
           AND responded_on BETWEEN '2024-04-01' AND '2025-03-31') p
  JOIN feedback child ON child.parent_id = p.id
 GROUP BY child.kind

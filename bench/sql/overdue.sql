-- Hand-tuned: the breach report for adults today (due by the horizon the service computes: 5 working days ahead).
SELECT id, reference, kind, due_on, COUNT(*) OVER () AS total
  FROM feedback
 WHERE directorate = 'adults' AND responded_on IS NULL AND due_on <= ':horizon'
 ORDER BY due_on, id LIMIT 1000

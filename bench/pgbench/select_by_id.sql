-- The database's ceiling for GET /feedback/{id}: one record by its id.
\set id random(1, :records)
SELECT * FROM feedback WHERE id = :id;

-- Ceiling of GET /api/v1/tasks/{id}/: primary-key lookup of an existing row of bare.tasks (the
-- bare table of insert-bare.sql, seeded like tasks), the columns the service reads.
-- Needs -D minid=… -D maxid=…
\set id random(:minid, :maxid)
SELECT id, title, status, result, created_at, updated_at FROM bare.tasks WHERE id = :id;

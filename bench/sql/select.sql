-- Ceiling of GET /api/v1/tasks/{id}/: primary-key lookup of an existing row.
-- Needs -D minid=… -D maxid=…
\set id random(:minid, :maxid)
SELECT id, title, status, result, created_at, updated_at FROM tasks WHERE id = :id;

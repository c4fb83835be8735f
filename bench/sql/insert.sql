-- Ceiling of POST /api/v1/tasks/: the single-row INSERT, one transaction each (autocommit).
-- The title is a number (pgbench variables are numeric); the column is varchar, so $1 is text.
\set n random(1, 1000000000)
INSERT INTO tasks (title) VALUES (:n) RETURNING id, title, status, result, created_at, updated_at;

-- Ceiling of POST /api/v1/tasks/: PostgreSQL's own, a single-row INSERT ... RETURNING * into
-- bare.tasks (lib.sh bare_table: the columns, primary key and indexes of tasks, and no trigger,
-- history, foreign key or CHECK), one transaction each (autocommit). What one row costs the
-- database, not what our schema costs.
-- The title is a number (pgbench variables are numeric); the column is varchar, so $1 is text.
\set n random(1, 1000000000)
INSERT INTO bare.tasks (title) VALUES (:n) RETURNING *;

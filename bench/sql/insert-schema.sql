-- The old ceiling of POST /api/v1/tasks/, kept as a second line so that figures taken before
-- the bare-table ceiling (insert-bare.sql) still compare: the single-row INSERT into the copy of
-- the service's migrated tasks table, so the count triggers fire. One transaction each.
-- Since the task history, the service's create also appends a task_history row in the same
-- statement (a CTE); this stays the plain task insert so that POST ÷ INSERT ratios of builds
-- before and after the history compare (docs/benchmarks.md, "What the history costs the create
-- path").
-- The title is a number (pgbench variables are numeric); the column is varchar, so $1 is text.
\set n random(1, 1000000000)
INSERT INTO tasks (title) VALUES (:n) RETURNING id, title, status, result, created_at, updated_at;

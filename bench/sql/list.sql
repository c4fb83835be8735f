-- Ceiling of GET /api/v1/tasks/?status=S&page_size=L: the count and the first page.
-- Needs -D status=… -D limit=… -D offset=…
-- The count is the service's: the sum of the status's rows in task_counts (migration V2).
SELECT coalesce(sum(n), 0)::bigint FROM task_counts WHERE status = :status;
SELECT id, title, status, result, created_at, updated_at FROM tasks WHERE status = :status ORDER BY id DESC LIMIT :limit OFFSET :offset;

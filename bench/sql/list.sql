-- Ceiling of GET /api/v1/tasks/?status=S&page_size=L: the count and the first page.
-- Needs -D status=… -D limit=… -D offset=…
SELECT count(*) FROM tasks WHERE status = :status;
SELECT id, title, status, result, created_at, updated_at FROM tasks WHERE status = :status ORDER BY id DESC LIMIT :limit OFFSET :offset;

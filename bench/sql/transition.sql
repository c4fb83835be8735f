-- Ceiling of a worker's state change: lock the row, then claim it, in one transaction.
-- Needs -D minid=… -D maxid=…
\set id random(:minid, :maxid)
BEGIN;
SELECT id, title, status, claim_token, lease_until < now() FROM tasks WHERE id = :id FOR UPDATE;
UPDATE tasks SET status = 'processing', claim_token = gen_random_uuid(), claimed_by = 'bench', lease_until = now() + interval '30 seconds', updated_at = now() WHERE id = :id;
COMMIT;

-- The indexes of queues and task control, built without blocking writers, and the checks of V6
-- validated while writers go on (VALIDATE takes a lock that lets them). CONCURRENTLY cannot run
-- in a transaction: this migration runs statement by statement (V7__queue_indexes.sql.conf).

-- The claim (worker/QueueClaims): per queue, the waiting tasks in claim order. Only 'new' rows are
-- in it, so claimed and finished tasks cost it nothing; a claim reads one range per priority.
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_claim_idx
    ON tasks (queue, priority, due_at, id) WHERE status = 'new';

-- Scheduled tasks not yet claimed, by due time: the next due time of a queue (one index descent)
-- and the queue's scheduled count read only these rows.
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_scheduled_idx
    ON tasks (queue, due_at) WHERE status = 'new' AND run_after IS NOT NULL;

-- Lists filtered by queue, newest first.
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_queue_id_idx ON tasks (queue, id DESC);

-- Retention treats cancelled tasks as finished.
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_final_updated_idx ON tasks (updated_at)
    WHERE status IN ('done', 'failed', 'cancelled');
DROP INDEX CONCURRENTLY IF EXISTS tasks_finished_updated_idx;

ALTER TABLE tasks VALIDATE CONSTRAINT tasks_status_check;
ALTER TABLE tasks VALIDATE CONSTRAINT tasks_queue_check;
ALTER TABLE tasks VALIDATE CONSTRAINT tasks_priority_check;
ALTER TABLE tasks VALIDATE CONSTRAINT tasks_due_at_check;

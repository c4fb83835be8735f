-- Queues and task control (docs/queues.md): which queue a task waits in and at which priority,
-- the time before which no worker may claim it, the cancelled status, per-queue settings, the
-- workers that consume the queues, and exact counts per queue. Everything here is instant at any
-- table size: columns with a constant (or stable) default are added without rewriting tasks,
-- constraints are added NOT VALID (V7 validates them and builds the indexes concurrently).

ALTER TABLE tasks
    ADD COLUMN queue     VARCHAR(64) NOT NULL DEFAULT 'default',
    -- 0 first, 9 last
    ADD COLUMN priority  SMALLINT    NOT NULL DEFAULT 0,
    -- as the client asked: null, or the time before which no worker may claim the task
    ADD COLUMN run_after TIMESTAMPTZ NULL,
    -- when the task may be claimed: coalesce(run_after, created_at), stored so that the claim index
    -- orders by it. Existing tasks get the time of this migration (now() is evaluated once): they
    -- are due, in id order. A row inserted by hand without it is due at once.
    ADD COLUMN due_at    TIMESTAMPTZ NOT NULL DEFAULT now();

ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check
    CHECK (status IN ('new', 'processing', 'done', 'failed', 'cancelled')) NOT VALID;
ALTER TABLE tasks ADD CONSTRAINT tasks_queue_check
    CHECK (queue ~ '^[a-z0-9][a-z0-9_.-]*$') NOT VALID;
ALTER TABLE tasks ADD CONSTRAINT tasks_priority_check
    CHECK (priority BETWEEN 0 AND 9) NOT VALID;
-- a scheduled task is due at its time, never earlier, whoever wrote the row
ALTER TABLE tasks ADD CONSTRAINT tasks_due_at_check
    CHECK (run_after IS NULL OR due_at = run_after) NOT VALID;

-- History: cancels, who asked for them, and their reason ('cancel_all'; recoveries keep theirs).
ALTER TABLE task_history ADD COLUMN by_token VARCHAR(8) NULL;
ALTER TABLE task_history DROP CONSTRAINT task_history_event_check;
ALTER TABLE task_history ADD CONSTRAINT task_history_event_check
    CHECK (event IN ('created', 'claimed', 'recovered', 'handed_back', 'finished', 'cancelled'))
    NOT VALID;
ALTER TABLE task_history DROP CONSTRAINT task_history_status_check;
ALTER TABLE task_history ADD CONSTRAINT task_history_status_check
    CHECK (status IN ('new', 'processing', 'done', 'failed', 'cancelled')) NOT VALID;

-- Per-queue settings, obeyed by every node's claims (worker/QueueClaims: read under the queue's
-- advisory lock in the claim's own transaction). A queue without a row is neither paused nor
-- capped.
CREATE TABLE queues (
    name        VARCHAR(64) PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_.-]*$'),
    paused      BOOLEAN     NOT NULL DEFAULT false,
    -- cluster-wide cap on the queue's processing tasks; null: none
    max_running INTEGER     NULL CHECK (max_running >= 1),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The nodes, what they consume and whether they live: each node upserts its row every second and
-- deletes it when it stops; a row whose heartbeat is older than 10 s is a node that died.
CREATE TABLE workers (
    node_id    TEXT        PRIMARY KEY,
    -- all, http or worker
    role       TEXT        NOT NULL,
    -- what the node consumes and its in-flight limit per queue, as TASKS_QUEUES says:
    -- {"reports": 50, "*": 10000}; empty for a node that processes nothing
    queues     JSONB       NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Exact counts per queue and status: the rows counted so far are all in 'default', which is where
-- the column's default puts them (no scan of tasks).
ALTER TABLE task_counts ADD COLUMN queue VARCHAR(64) NOT NULL DEFAULT 'default';
DROP INDEX task_counts_status_idx;
CREATE INDEX task_counts_queue_status_idx ON task_counts (queue, status) INCLUDE (n);
CREATE INDEX task_counts_status_idx ON task_counts (status) INCLUDE (n);

CREATE OR REPLACE FUNCTION task_counts_inserted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO task_counts (queue, status, n)
    SELECT queue, status, count(*) FROM inserted GROUP BY queue, status;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION task_counts_updated() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    -- statements that change no status or queue (hand-backs, edits) append nothing
    INSERT INTO task_counts (queue, status, n)
    SELECT queue, status, sum(n) FROM (
        SELECT queue, status, -1 AS n FROM before_update
        UNION ALL
        SELECT queue, status, 1 AS n FROM after_update
    ) AS change
    GROUP BY queue, status
    HAVING sum(n) <> 0;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION task_counts_deleted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO task_counts (queue, status, n)
    SELECT queue, status, -count(*) FROM deleted GROUP BY queue, status;
    RETURN NULL;
END
$$;

-- Idempotency keys stand for the whole validated request (its canonical form: endpoint, fields,
-- instants in UTC, defaults applied), and for every task of a bulk create. Keys stored before
-- have neither: their task's own fields stand for the request.
ALTER TABLE idempotency_keys
    ADD COLUMN fingerprint TEXT     NULL,
    ADD COLUMN task_ids    BIGINT[] NULL;

-- What happened to each task, written by the same statement as the change it records (the
-- service's SQL appends it in a CTE): created, claimed, recovered, handed back, finished. It is
-- what GET /api/v1/tasks/{id}/history/ answers, and the change feed behind the event stream and
-- long polls reads it.
CREATE TABLE task_history (
    -- the order of the rows of one task; taken before commit, so NOT the order of commits
    seq     BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id BIGINT       NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    -- The writing transaction. The change feed follows commits by snapshot, not by seq: rows of
    -- transactions still running when it read (pg_snapshot_xip) or begun after (>= xmax) are the
    -- only ones it can have missed, and only those it reads next time. A row whose seq is lower
    -- than one already read, but which commits later, is found that way (the "late commit").
    xid     xid8         NOT NULL DEFAULT pg_current_xact_id(),
    -- the task's updated_at (created_at for 'created') after the change
    at      TIMESTAMPTZ  NOT NULL,
    event   VARCHAR(12)  NOT NULL
            CHECK (event IN ('created', 'claimed', 'recovered', 'handed_back', 'finished')),
    -- the task's status and result after the change
    status  VARCHAR(10)  NOT NULL,
    result  VARCHAR(10)  NULL,
    -- the worker that claimed, recovered, handed back or finished it
    worker  TEXT         NULL,
    -- why a recovery happened, as tasks_recovered_total{reason}: new_unclaimed, lease_expired
    reason  VARCHAR(16)  NULL
);

-- a task's history in order, and the cascade when its task is deleted
CREATE INDEX task_history_task_idx ON task_history (task_id, seq);
-- the change feed's reads: the few rows of recent transactions
CREATE INDEX task_history_xid_idx ON task_history (xid);

-- Every HTTP node LISTENs on task_history and reads what is new once per notification burst
-- (shared by all its watchers). One notification per statement; PostgreSQL folds identical ones
-- of a transaction into one.
CREATE FUNCTION task_history_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('task_history', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER task_history_notified AFTER INSERT ON task_history
    FOR EACH STATEMENT EXECUTE FUNCTION task_history_notify();

-- Retention deletes old finished tasks with their history. A stream resuming from a cursor older
-- than the newest history row deleted could miss changes that no longer exist: it gets
-- "event: reset" instead. One row, raised by each retention batch.
CREATE TABLE task_history_pruned (
    only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    below    xid8    NOT NULL
);
INSERT INTO task_history_pruned (below) VALUES ('0');

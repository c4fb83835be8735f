-- What happened to each task, written by the same statement as the change it records (the
-- service's SQL appends it in a CTE): created, claimed, recovered, handed back, finished. It is
-- what GET /api/v1/tasks/{id}/history/ answers, and the change feed behind the event stream and
-- long polls reads it (every HTTP node, a few times a second: no NOTIFY, whose commit-time lock
-- would make every creating transaction of the cluster wait for the others).
-- Not a foreign key to tasks: its check runs once per inserted row and cost the create path a
-- quarter of its throughput (bench/run.sh); history goes with its tasks by the statement
-- triggers below instead, also for DELETE and TRUNCATE typed by hand.
CREATE TABLE task_history (
    task_id BIGINT       NOT NULL,
    -- the order of the rows of one task; taken before commit, so NOT the order of commits
    seq     BIGINT       GENERATED ALWAYS AS IDENTITY,
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

-- a task's history in order, and its deletion with the task
ALTER TABLE task_history ADD CONSTRAINT task_history_pkey PRIMARY KEY (task_id, seq);
-- the change feed's reads: the few rows of recent transactions
CREATE INDEX task_history_xid_idx ON task_history (xid);

-- History goes with its task: one statement per deleting statement, not a check per row.
CREATE FUNCTION task_history_deleted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM task_history WHERE task_id IN (SELECT id FROM deleted);
    RETURN NULL;
END
$$;

CREATE FUNCTION task_history_truncated() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    TRUNCATE task_history;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_history_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION task_history_deleted();
CREATE TRIGGER tasks_history_truncate AFTER TRUNCATE ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION task_history_truncated();

-- Retention deletes old finished tasks with their history. A stream resuming from a cursor older
-- than the newest history row deleted could miss changes that no longer exist: it gets
-- "event: reset" instead. One row, raised by each retention batch.
CREATE TABLE task_history_pruned (
    only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    below    xid8    NOT NULL
);
INSERT INTO task_history_pruned (below) VALUES ('0');

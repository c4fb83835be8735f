-- Exact counts per status at the cost of reading a few rows, whatever the size of tasks.
--
-- Every statement that inserts, updates or deletes tasks appends its net change per status to
-- task_counts (statement-level triggers over the transition tables: one row per status the
-- statement changed, not one per task), so the count of a status is sum(n) of its rows. Nothing
-- is updated in place, so writers never wait for each other on a counter row. The triggers see
-- every writer, including SQL typed by hand; TRUNCATE empties the counts with the table.
-- The rows are folded in the background (TaskCounts.FOLD: delete them and insert their sums in
-- one statement), so that the table stays a handful of rows.

CREATE TABLE task_counts (
    status VARCHAR(10) NOT NULL,
    n      BIGINT      NOT NULL
);

-- Every read goes through this index. The service's sessions run with enable_seqscan=off: a
-- plan that has to scan a table sequentially is costed in the billions, which also makes
-- PostgreSQL JIT-compile it (tens of milliseconds, on every count).
CREATE INDEX task_counts_status_idx ON task_counts (status) INCLUDE (n);

-- The fold deletes what the triggers append, about once a second: dead rows would otherwise pile
-- up for the minute between autovacuum's rounds; vacuum it as soon as a thousand rows died.
ALTER TABLE task_counts SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0
);

-- SET search_path FROM CURRENT: the functions write the task_counts next to this tasks table,
-- whatever search_path the session changing tasks has.
CREATE FUNCTION task_counts_inserted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO task_counts (status, n)
    SELECT status, count(*) FROM inserted GROUP BY status;
    RETURN NULL;
END
$$;

CREATE FUNCTION task_counts_updated() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    -- statements that change no status (hand-backs, edits) append nothing
    INSERT INTO task_counts (status, n)
    SELECT status, sum(n) FROM (
        SELECT status, -1 AS n FROM before_update
        UNION ALL
        SELECT status, 1 AS n FROM after_update
    ) AS change
    GROUP BY status
    HAVING sum(n) <> 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION task_counts_deleted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO task_counts (status, n)
    SELECT status, -count(*) FROM deleted GROUP BY status;
    RETURN NULL;
END
$$;

-- TRUNCATE rather than DELETE: it waits for a fold in progress (whose sums a DELETE begun
-- before the fold committed would miss) and is right in every isolation level. Writers of
-- tasks cannot run meanwhile: TRUNCATE tasks holds its ACCESS EXCLUSIVE lock until commit.
CREATE FUNCTION task_counts_truncated() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    TRUNCATE task_counts;
    RETURN NULL;
END
$$;

-- Counting the existing rows and creating the triggers must see the same table: no writer may
-- commit in between (the lock is held until this migration commits).
LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE;

CREATE TRIGGER tasks_counted_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_inserted();
CREATE TRIGGER tasks_counted_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_updated();
CREATE TRIGGER tasks_counted_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_deleted();
CREATE TRIGGER tasks_counted_truncate AFTER TRUNCATE ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_truncated();

INSERT INTO task_counts (status, n)
SELECT status, count(*) FROM tasks GROUP BY status;

-- Retention deletes finished tasks whose last change is older than TASKS_RETENTION, oldest
-- first, a batch at a time: this index finds them without reading the rest of the table, and
-- stops at the first one that is young enough. Only finished rows are in it, so inserts and
-- claims do not maintain it; a completion adds one entry.
CREATE INDEX tasks_finished_updated_idx ON tasks (updated_at)
    WHERE status IN ('done', 'failed');

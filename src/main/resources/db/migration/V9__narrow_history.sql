-- The history's rows, narrow: one row per change is 68 bytes on the page instead of ~100, and
-- its indexes a third smaller. What a row says (event, status, result, reason) is one code of
-- task_history_changes, the worker a number of worker_names. task_history stays what it was for
-- anyone who reads or writes it by name (operators, a node of the previous version during a
-- rolling upgrade): a view of the same columns over the new rows and the rows written before
-- this migration, which stay where they are (task_history_old) until retention takes them with
-- their tasks. Only DDL, no copy: the migration takes a moment at any size. See
-- docs/change-feed.md.

-- What a history row can say, numbered.
CREATE TABLE task_history_changes (
    code     SMALLINT    PRIMARY KEY,
    event    VARCHAR(12) NOT NULL,
    status   VARCHAR(10) NOT NULL,
    result   VARCHAR(10) NULL,
    reason   VARCHAR(16) NULL,
    -- a status change, i.e. an event of the stream: not a hand-back, nor the takeover after one
    streamed BOOLEAN     NOT NULL
);
INSERT INTO task_history_changes (code, event, status, result, reason, streamed) VALUES
    (1, 'created', 'new', NULL, NULL, true),
    (2, 'claimed', 'processing', NULL, NULL, true),
    (3, 'recovered', 'processing', NULL, 'new_unclaimed', true),
    (4, 'recovered', 'processing', NULL, 'lease_expired', false),
    (5, 'recovered', 'processing', NULL, 'member_left', false),
    (6, 'handed_back', 'processing', NULL, NULL, false),
    (7, 'handed_back', 'processing', NULL, 'member_left', false),
    (8, 'finished', 'done', 'success', NULL, true),
    (9, 'finished', 'failed', 'error', NULL, true),
    (10, 'finished', 'done', 'error', NULL, true),
    (11, 'finished', 'failed', 'success', NULL, true),
    (12, 'cancelled', 'cancelled', NULL, NULL, true),
    (13, 'cancelled', 'cancelled', NULL, 'cancel_all', true);

-- The names of the workers that history rows mention, each numbered once.
CREATE TABLE worker_names (
    id   INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);

-- The number of a worker's name, given it on first use.
CREATE FUNCTION worker_id(worker TEXT) RETURNS INTEGER LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
DECLARE
    found INTEGER;
BEGIN
    IF worker IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT id INTO found FROM worker_names WHERE name = worker;
    IF found IS NULL THEN
        INSERT INTO worker_names (name) VALUES (worker) ON CONFLICT (name) DO NOTHING
        RETURNING id INTO found;
    END IF;
    IF found IS NULL THEN
        -- named meanwhile by another transaction, committed now
        SELECT id INTO found FROM worker_names WHERE name = worker;
    END IF;
    RETURN found;
END
$$;

LOCK TABLE tasks, task_history IN SHARE ROW EXCLUSIVE MODE;

ALTER TABLE task_history RENAME TO task_history_old;
ALTER INDEX task_history_pkey RENAME TO task_history_old_pkey;
ALTER INDEX task_history_xid_idx RENAME TO task_history_old_xid_idx;

CREATE SEQUENCE task_history_rows_seq AS BIGINT;
SELECT setval('task_history_rows_seq',
              coalesce(pg_sequence_last_value(pg_get_serial_sequence('task_history_old', 'seq')::regclass), 0)
              + 1, false);

-- Columns in this order pack without padding: 4 × 8 bytes, then 2 + 4 (+ the token of a cancel).
CREATE TABLE task_history_rows (
    task_id  BIGINT   NOT NULL,
    -- as before: the order of one task's rows; the change feed's cursor names it
    seq      BIGINT   NOT NULL DEFAULT nextval('task_history_rows_seq'),
    -- the writing transaction (the change feed follows commits by it)
    xid      xid8     NOT NULL DEFAULT pg_current_xact_id(),
    -- the task's updated_at (created_at for 'created') after the change
    at       TIMESTAMPTZ NOT NULL,
    -- task_history_changes.code
    change   SMALLINT NOT NULL,
    -- worker_names.id: who claimed, recovered, handed back or finished it
    worker   INTEGER  NULL,
    -- who asked for a cancel: the first 8 hex digits of the SHA-256 of their token
    by_token VARCHAR(8) NULL
);
ALTER SEQUENCE task_history_rows_seq OWNED BY task_history_rows.seq;
-- not unique (a task's few rows share a key), and full pages: ~23 bytes a row instead of ~42
CREATE INDEX task_history_rows_task_idx ON task_history_rows (task_id) WITH (fillfactor = 100);
CREATE INDEX task_history_rows_xid_idx ON task_history_rows (xid);

-- The columns of before, and whether the row is an event of the stream (null: a code this version
-- does not know). The two tables are a UNION ALL of one table each, joined to the names after:
-- so the planner reaches both by their indexes from a join's values (a task's id, a transaction).
CREATE VIEW task_history AS
    SELECT u.task_id, u.seq, u.xid, u.at,
           coalesce(c.event, u.event) AS event,
           coalesce(c.status, u.status) AS status,
           CASE WHEN u.change IS NULL THEN u.result ELSE c.result END AS result,
           coalesce(w.name, u.worker) AS worker,
           CASE WHEN u.change IS NULL THEN u.reason ELSE c.reason END AS reason,
           u.by_token,
           CASE WHEN u.change IS NULL
                THEN u.event <> 'handed_back'
                     AND coalesce(u.reason, '') NOT IN ('lease_expired', 'member_left')
                ELSE c.streamed END AS streamed
    FROM (SELECT task_id, seq, xid, at, change, worker AS worker_id,
                 NULL::VARCHAR(12) AS event, NULL::VARCHAR(10) AS status,
                 NULL::VARCHAR(10) AS result, NULL::TEXT AS worker, NULL::VARCHAR(16) AS reason,
                 by_token
          FROM task_history_rows
          UNION ALL
          SELECT task_id, seq, xid, at, NULL::SMALLINT, NULL::INTEGER,
                 event, status, result, worker, reason, by_token
          FROM task_history_old) AS u
    LEFT JOIN task_history_changes c ON c.code = u.change
    LEFT JOIN worker_names w ON w.id = u.worker_id;

-- A row written by name (a node of the previous version, or by hand) is stored coded; what no
-- code says is refused.
CREATE FUNCTION task_history_written() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
DECLARE
    coded SMALLINT;
BEGIN
    SELECT code INTO coded FROM task_history_changes
    WHERE event = NEW.event AND status = NEW.status AND result IS NOT DISTINCT FROM NEW.result
      AND reason IS NOT DISTINCT FROM NEW.reason;
    IF coded IS NULL THEN
        RAISE EXCEPTION 'task_history: no change is (%, %, %, %)',
            NEW.event, NEW.status, NEW.result, NEW.reason USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO task_history_rows (task_id, seq, xid, at, change, worker, by_token)
    VALUES (NEW.task_id, coalesce(NEW.seq, nextval('task_history_rows_seq')),
            coalesce(NEW.xid, pg_current_xact_id()), NEW.at, coded, worker_id(NEW.worker), NEW.by_token);
    RETURN NEW;
END
$$;

CREATE TRIGGER task_history_insert INSTEAD OF INSERT ON task_history
    FOR EACH ROW EXECUTE FUNCTION task_history_written();

CREATE OR REPLACE FUNCTION task_history_deleted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM task_history_rows WHERE task_id IN (SELECT id FROM deleted);
    DELETE FROM task_history_old WHERE task_id IN (SELECT id FROM deleted);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION task_history_truncated() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    TRUNCATE task_history_rows, task_history_old;
    RETURN NULL;
END
$$;

-- The change feed's commit-order log (docs/change-feed.md). One sequencer at a time (an advisory
-- lock) appends one row per committed transaction that wrote task history, in the order it saw
-- them commit; readers and resumed streams read it by position. A cursor is then a position,
-- which no transaction left open elsewhere on the server can hold back.
CREATE TABLE task_feed (
    pos BIGINT PRIMARY KEY,
    xid xid8   NOT NULL
);
-- retention finds the positions of the transactions whose history it deletes
CREATE INDEX task_feed_xid_idx ON task_feed (xid);

-- Where the sequencer stands: the snapshot of its last round (transactions that committed after
-- it are the ones to log next), the last position given, and the server it ran on. A restore onto
-- another server (another system identifier) starts a new epoch: cursors of the old one are
-- reset, and history rows restored with the old server's transaction ids are never logged again
-- (only rows with a higher seq, or of the transactions running at the switch, are).
CREATE TABLE task_feed_state (
    only_row  BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    system_id BIGINT  NOT NULL,
    epoch     INT     NOT NULL,
    last_pos  BIGINT  NOT NULL,
    snap_xmax xid8    NOT NULL,
    snap_xip  xid8[]  NOT NULL,
    epoch_seq BIGINT  NOT NULL,
    epoch_xip xid8[]  NOT NULL
);
INSERT INTO task_feed_state
SELECT true, (SELECT system_identifier FROM pg_control_system()), 1, 0,
       pg_snapshot_xmax(c), ARRAY(SELECT pg_snapshot_xip(c)),
       coalesce(pg_sequence_last_value(pg_get_serial_sequence('task_history', 'seq')::regclass), 0),
       ARRAY(SELECT pg_snapshot_xip(c))
FROM pg_current_snapshot() AS c;

-- Positions whose history is gone (retention deleted it, or the log was trimmed): a cursor at or
-- below the highest is reset. Insert-only, so that pruners on many nodes never wait for each
-- other; the log trim keeps only the highest row.
CREATE TABLE task_feed_pruned (
    pos BIGINT NOT NULL
);
CREATE INDEX task_feed_pruned_pos_idx ON task_feed_pruned (pos);
INSERT INTO task_feed_pruned (pos) VALUES (0);

-- replaced by task_feed_pruned
DROP TABLE task_history_pruned;

-- History rows are checked as the feed turns them into events: a row typed by hand with a status
-- the service does not know would otherwise reach it. NOT VALID: existing rows are not rescanned.
ALTER TABLE task_history ADD CONSTRAINT task_history_status_check
    CHECK (status IN ('new', 'processing', 'done', 'failed')) NOT VALID;
ALTER TABLE task_history ADD CONSTRAINT task_history_result_check
    CHECK (result IN ('success', 'error')) NOT VALID;

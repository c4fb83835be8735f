package io.taskservice.changefeed;

import io.taskservice.db.Database;
import io.taskservice.housekeeping.Chore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the change feed's commit-order log: each round finds the transactions that committed task
 * history since the previous round's snapshot and gives each the next position of {@code
 * task_feed}. Rounds run on every node but never at once: each takes a transaction-level advisory
 * lock first, in a statement of its own, so that its next statement's snapshot sees the previous
 * round's commit. One writer at a time, committing in order: a position is commit order as the feed
 * sees it, and a reader that passed a position can never be overtaken by a late commit. See
 * docs/change-feed.md.
 */
public final class Sequencer {
  private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

  /** The advisory lock of the sequencer (an arbitrary number, the same on every node). */
  static final long LOCK_KEY = 7_411_032_905L;

  /** How many positions the log keeps; a resume replays at most 10,000 changes anyway. */
  static final long KEEP_POSITIONS = 100_000;

  static final int TRIM_BATCH = 10_000;

  static final String LOCK = "SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ") AS held";

  // The transactions whose history became visible since the last round (the late-commit rule:
  // those running at its snapshot, or begun after it), numbered in seq order after the last
  // position, and the state moved to this statement's snapshot. Nothing is written when nothing
  // changed. On another server (or a transaction counter behind the state) nothing happens:
  // the caller starts a new epoch.
  static final String LOG =
      "WITH snap AS (SELECT pg_current_snapshot() AS c),"
          + " st AS (SELECT f.* FROM task_feed_state f, snap WHERE f.only_row"
          + "  AND f.system_id = (SELECT system_identifier FROM pg_control_system())"
          + "  AND f.snap_xmax <= pg_snapshot_xmax(snap.c)),"
          + " fresh AS (SELECT h.xid, min(h.seq) AS first_seq FROM st, task_history h"
          + "  WHERE (h.xid >= st.snap_xmax OR h.xid = ANY(st.snap_xip))"
          + "  AND (h.seq > st.epoch_seq OR h.xid = ANY(st.epoch_xip)) GROUP BY h.xid),"
          + " numbered AS (SELECT fresh.xid,"
          + "  st.last_pos + row_number() OVER (ORDER BY fresh.first_seq) AS pos FROM fresh, st),"
          + " logged AS (INSERT INTO task_feed (pos, xid) SELECT pos, xid FROM numbered),"
          + " saved AS (UPDATE task_feed_state f"
          + "  SET last_pos = coalesce((SELECT max(pos) FROM numbered), f.last_pos),"
          + "  snap_xmax = pg_snapshot_xmax(snap.c), snap_xip = ARRAY(SELECT pg_snapshot_xip(snap.c))"
          + "  FROM snap WHERE f.only_row AND EXISTS (SELECT 1 FROM st)"
          + "  AND (EXISTS (SELECT 1 FROM numbered) OR f.snap_xmax <> pg_snapshot_xmax(snap.c)"
          + "  OR f.snap_xip <> ARRAY(SELECT pg_snapshot_xip(snap.c))))"
          + " SELECT EXISTS (SELECT 1 FROM st) AS same_server,"
          + " (SELECT count(*) FROM numbered) AS logged";

  // A new epoch from this snapshot: rows restored with another server's transaction ids are never
  // taken for new commits; only higher seqs, or the transactions running now, are.
  static final String REBASE =
      "WITH snap AS (SELECT pg_current_snapshot() AS c)"
          + " UPDATE task_feed_state f"
          + " SET system_id = (SELECT system_identifier FROM pg_control_system()),"
          + " epoch = f.epoch + 1, snap_xmax = pg_snapshot_xmax(snap.c),"
          + " snap_xip = ARRAY(SELECT pg_snapshot_xip(snap.c)),"
          + " epoch_seq = coalesce(pg_sequence_last_value('task_history_rows_seq'), 0),"
          + " epoch_xip = ARRAY(SELECT pg_snapshot_xip(snap.c))"
          + " FROM snap WHERE f.only_row RETURNING f.epoch, f.system_id";

  // The oldest positions beyond what the log keeps, a batch at a time (nodes trimming at once
  // skip each other's rows); a mark resets cursors from before them; older marks are folded.
  static final String TRIM =
      "WITH old AS (SELECT pos FROM task_feed"
          + "  WHERE pos <= (SELECT last_pos FROM task_feed_state WHERE only_row) - $1"
          + "  ORDER BY pos LIMIT $2 FOR UPDATE SKIP LOCKED),"
          + " gone AS (DELETE FROM task_feed WHERE pos IN (SELECT pos FROM old) RETURNING pos),"
          + " marked AS (INSERT INTO task_feed_pruned (pos)"
          + "  SELECT max(pos) FROM gone HAVING count(*) > 0),"
          + " folded AS (DELETE FROM task_feed_pruned"
          + "  WHERE pos < (SELECT max(pos) FROM task_feed_pruned))"
          + " SELECT count(*) AS n FROM gone";

  private final Pool pool;
  private final long timeoutMs;

  public Sequencer(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /**
   * The rounds as periodic work: often on nodes that serve streams (a change waits for a round
   * before any node can read it), as a backstop elsewhere.
   */
  public Chore sequencing(long pauseMs) {
    return Chore.every("Sequencing the change feed", pauseMs, this::round);
  }

  /** Trimming the log to its last {@value #KEEP_POSITIONS} positions, every ten seconds. */
  public Chore trimming() {
    return Chore.every("Trimming the change feed's log", 10_000, this::trim);
  }

  /** One round: how many transactions it logged, or -1 when another node's round was under way. */
  public Future<Integer> round() {
    return Database.guard(
        pool.withTransaction(
            conn ->
                conn.query(LOCK)
                    .execute()
                    .compose(
                        held -> {
                          if (!held.iterator().next().getBoolean("held")) {
                            return Future.succeededFuture(-1);
                          }
                          return conn.preparedQuery(LOG)
                              .execute()
                              .compose(
                                  rows -> {
                                    Row row = rows.iterator().next();
                                    if (row.getBoolean("same_server")) {
                                      return Future.succeededFuture(
                                          row.getLong("logged").intValue());
                                    }
                                    return conn.query(REBASE).execute().map(this::rebased);
                                  });
                        })),
        timeoutMs);
  }

  private int rebased(io.vertx.sqlclient.RowSet<Row> rows) {
    Row row = rows.iterator().next();
    log.warn(
        "Change feed: the database runs on another server than before (system identifier {});"
            + " a new epoch {} begins, and event stream cursors of the previous one get a reset",
        row.getLong("system_id"),
        row.getInteger("epoch"));
    return 0;
  }

  private Future<?> trim() {
    return Database.guard(
        pool.preparedQuery(TRIM)
            .execute(Tuple.of(KEEP_POSITIONS, TRIM_BATCH))
            .map(rows -> rows.iterator().next().getLong("n")),
        timeoutMs);
  }
}

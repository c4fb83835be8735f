#!/usr/bin/env bash
# What one task costs, part by part: the POST load of run.sh (workers claiming and finishing every
# task meanwhile), then, per task it created, from the end of the warm-up until every one of them
# is final:
#   - CPU: the service JVM's and all PostgreSQL processes' (from /proc), in µs per task;
#   - WAL: bytes per task, split by the relation each record touched (pg_walinspect), grouped by
#     the part of a task's life that writes it (the task row and each of its indexes, history,
#     exact counts, the change feed's log, commits), full-page images apart;
#   - rows: inserted, updated (of which HOT) and deleted per task, per table;
#   - statements, when the server loads pg_stat_statements (shared_preload_libraries, with
#     pg_stat_statements.track=all so that the count triggers' statements show): calls, rows and
#     execution µs and WAL bytes per task for each statement of the service, labelled by part;
#   - waits: what PostgreSQL's active sessions of the database waited on, sampled every 100 ms.
# Writes bench/results/<stamp>-costs.md. BENCH_SMOKE=1: 2 s of load after 2 s of warm-up.
# The WAL figure is run.sh's (pg_current_wal_lsn() difference ÷ tasks); here a CHECKPOINT ends
# the warm-up, so that the full-page images are those of one checkpoint cycle begun with the run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_COSTS_DB:-tasks_bench_costs}
C=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-15}
DELAY_MS=${BENCH_DELAY_MS:-3000}
if [[ ${BENCH_SMOKE:-0} == 1 ]]; then
  DURATION=2
  WARMUP=2
fi

require_tools psql wrk java python3 curl
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-costs.md"
WAITS=$(mktemp /tmp/bench-costs-waits.XXXXXX)
TMP_DIRS+=("$WAITS")
trap bench_cleanup EXIT
LOAD_START=$(loadavg)

fresh_db "$BENCH_DB"
start_service "$BENCH_DB" TASKS_PROCESSING_DELAY_MS="$DELAY_MS"
q "$BENCH_DB" -c "CREATE EXTENSION IF NOT EXISTS pg_walinspect" ||
  die "pg_walinspect is missing (PostgreSQL 15's contrib: apt-get install postgresql-contrib)"
STATEMENTS=0
if q "$BENCH_DB" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" \
  >/dev/null 2>&1; then
  STATEMENTS=1
else
  log "pg_stat_statements is not loaded by this server: no statement table (see the header)"
fi

# CPU ticks (1/100 s) of the service and of every PostgreSQL process
jvm_ticks() { proc_ticks "$SERVICE_PID"; }
# of which the JIT compiler threads ("C2 CompilerThre", "C1 CompilerThre")
jit_ticks() {
  local sum=0 t
  for t in /proc/"$SERVICE_PID"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == C[12]\ CompilerThre* ]] || continue
    sum=$((sum + $(proc_ticks "$t")))
  done
  echo "$sum"
}
pg_ticks() {
  local sum=0 pid
  for pid in $(pgrep -x postgres || true); do
    sum=$((sum + $(proc_ticks "$pid")))
  done
  echo "$sum"
}

log "warm-up: POST load for ${WARMUP}s, then every task final and a checkpoint"
run_wrk post.lua "$WARMUP" "$C" >/dev/null
wait_all_final "$BENCH_DB" 600 >/dev/null
q "$BENCH_DB" -c "CHECKPOINT"
MAXID0=$(q "$BENCH_DB" -c "SELECT coalesce(max(id), 0) FROM tasks")
((STATEMENTS)) && q "$BENCH_DB" -c "SELECT pg_stat_statements_reset()" >/dev/null
q "$BENCH_DB" -c "DROP TABLE IF EXISTS bench_tables0; CREATE UNLOGGED TABLE bench_tables0 AS
  SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables"
read -r LSN0 COMMITS0 < <(q "$BENCH_DB" -F ' ' -c "SELECT pg_current_wal_lsn(),
  (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())")
JVM0=$(jvm_ticks)
JIT0=$(jit_ticks)
PG0=$(pg_ticks)

# what the database's active sessions wait on, every 100 ms while the load runs
(
  while :; do
    q "$BENCH_DB" -F ' ' -c "SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-')
      FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'
      AND pid <> pg_backend_pid()" >>"$WAITS" 2>/dev/null || true
    sleep 0.1
  done
) &
SAMPLER=$!

log "POST load for ${DURATION}s ($C connections)"
POST=$(run_wrk post.lua "$DURATION" "$C")
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
log "waiting until every task is final"
wait_all_final "$BENCH_DB" 600 >/dev/null
JVM1=$(jvm_ticks)
JIT1=$(jit_ticks)
PG1=$(pg_ticks)
LSN1=$(q "$BENCH_DB" -c "SELECT pg_current_wal_lsn()")
sleep 1.5 # statistics are flushed at most once a second
N=$(q "$BENCH_DB" -c "SELECT count(*) FROM tasks WHERE id > $MAXID0")
((N > 0)) || die "the run created no task"
COMMITS1=$(q "$BENCH_DB" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")

per_task() { awk -v a="$1" -v n="$N" -v p="${2:-0}" 'BEGIN { printf "%." p "f", a / n }'; }
WAL=$(q "$BENCH_DB" -c "SELECT pg_wal_lsn_diff('$LSN1', '$LSN0')::bigint")

# The part of a task's life each relation belongs to.
PART_OF="CASE
  WHEN rel IS NULL THEN 'commits and other records without a block'
  WHEN rel IN ('tasks', 'tasks_id_seq') THEN 'task row'
  WHEN rel LIKE 'tasks\_%' THEN 'task row: index ' || rel
  WHEN rel LIKE 'task\_history%' THEN 'history'
  WHEN rel LIKE 'task\_counts%' THEN 'exact counts'
  WHEN rel LIKE 'task\_feed%' THEN 'change feed log'
  WHEN rel LIKE 'idempotency%' THEN 'idempotency keys'
  ELSE 'other: ' || rel END"
WAL_TABLE=$(q "$BENCH_DB" -F '|' -c "
  WITH r AS (SELECT record_length AS len, fpi_length AS fpi,
      pg_filenode_relation(0, (regexp_match(block_ref, 'rel \d+/\d+/(\d+)'))[1]::oid)::text AS rel
    FROM pg_get_wal_records_info('$LSN0', '$LSN1')),
  parts AS (SELECT $PART_OF AS part, count(*) AS records, sum(len) AS bytes, sum(fpi) AS fpi FROM r GROUP BY 1)
  SELECT '| ' || part || ' | ' || round(records::numeric / $N, 2) || ' | ' || round(bytes::numeric / $N)
    || ' | ' || round(fpi::numeric / $N) || ' |'
  FROM parts ORDER BY bytes DESC")
read -r WAL_RECORDS WAL_FPI < <(q "$BENCH_DB" -F ' ' -c "SELECT sum(record_length), sum(fpi_length)
  FROM pg_get_wal_records_info('$LSN0', '$LSN1')")

ROWS_TABLE=$(q "$BENCH_DB" -F '|' -c "
  SELECT '| ' || s.relname || ' | ' || round((s.n_tup_ins - coalesce(b.n_tup_ins, 0))::numeric / $N, 2)
    || ' | ' || round((s.n_tup_upd - coalesce(b.n_tup_upd, 0))::numeric / $N, 2)
    || ' | ' || round((s.n_tup_hot_upd - coalesce(b.n_tup_hot_upd, 0))::numeric / $N, 2)
    || ' | ' || round((s.n_tup_del - coalesce(b.n_tup_del, 0))::numeric / $N, 2) || ' |'
  FROM pg_stat_user_tables s LEFT JOIN bench_tables0 b USING (relname)
  WHERE s.relname <> 'bench_tables0'
    AND s.n_tup_ins + s.n_tup_upd + s.n_tup_del > coalesce(b.n_tup_ins + b.n_tup_upd + b.n_tup_del, 0)
  ORDER BY 1")

# this script's own queries, and the transaction brackets (counted with their statements)
OWN_QUERIES='pg_stat_|pg_walinspect|pg_get_wal|pg_current_wal_lsn|bench_tables0|FROM tasks WHERE (status IN|id >)|CHECKPOINT|^(BEGIN|COMMIT|SELECT [$]1)$'
STATEMENT_TABLE="pg_stat_statements is not loaded by this server: no per-statement figures."
if ((STATEMENTS)); then
  # nested = run by a trigger or a function inside one of the service's statements
  STATEMENT_TABLE=$(
    echo "| Part | Statement | Nested | Calls per task | Rows per call | Execution µs per task | WAL B per task |"
    echo "|---|---|---|---|---|---|---|"
    q "$BENCH_DB" -F '|' -c "
    WITH s AS (SELECT regexp_replace(query, '\s+', ' ', 'g') AS query, toplevel, calls, rows,
        total_exec_time, wal_bytes FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query !~* '$OWN_QUERIES')
    SELECT '| ' || CASE
        WHEN query LIKE 'WITH created AS (INSERT INTO tasks%' THEN 'create'
        WHEN query LIKE 'WITH input AS MATERIALIZED%' THEN 'create with a key'
        WHEN query LIKE 'WITH due AS%' OR query LIKE '%pg_advisory_xact_lock%(74110%'
          OR query LIKE 'SELECT coalesce(q.paused%' THEN 'claim'
        WHEN query LIKE 'WITH done AS (UPDATE tasks%'
          OR query LIKE 'WITH input AS (SELECT * FROM unnest(\$1::bigint[], \$2::uuid[]%'
          OR query LIKE 'SELECT id, title, status, result, claim_token%' THEN 'completion'
        WHEN query LIKE 'INSERT INTO task_counts%' THEN 'exact counts (trigger)'
        WHEN query LIKE 'SELECT st.epoch%' THEN 'change feed: read'
        WHEN query LIKE 'WITH snap AS%' OR query LIKE 'SELECT pg_try_advisory_xact_lock%' THEN 'change feed: sequencer'
        ELSE 'other' END
      || ' | \`' || left(query, 70) || '…\` | ' || CASE WHEN toplevel THEN '' ELSE 'yes' END
      || ' | ' || round(calls::numeric / $N, 3) || ' | ' || round(rows::numeric / greatest(calls, 1), 1)
      || ' | ' || round((total_exec_time * 1000 / $N)::numeric, 1) || ' | ' || round(wal_bytes / $N) || ' |'
    FROM s WHERE total_exec_time * 1000 / $N >= 0.05 ORDER BY total_exec_time DESC"
    echo
    echo "Execution time of the service's top-level statements: $(q "$BENCH_DB" -c "
      SELECT round((sum(total_exec_time) * 1000 / $N)::numeric, 1) FROM pg_stat_statements
      WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query !~* '$OWN_QUERIES'") µs per task."
  )
fi

SAMPLES=$(awk 'END { print NR }' "$WAITS")
WAIT_TABLE=$(sort "$WAITS" | uniq -c | sort -rn | head -n 12 |
  awk -v n="$SAMPLES" '{ printf "| %s | %s | %d |\n", $2, $3, $1 }')

{
  echo "# What a task costs, part by part ($BENCH_STAMP$([[ ${BENCH_SMOKE:-0} == 1 ]] && echo ", smoke run"))"
  echo
  echo "- jar: $BENCH_JAR; PostgreSQL $(q postgres -c 'SHOW server_version') at ${PG_BASE#*@}; $(nproc) cores;" \
    "load average before: $LOAD_START"
  echo "- POST load: ${DURATION}s at $C connections after ${WARMUP}s of warm-up and a checkpoint;" \
    "TASKS_PROCESSING_DELAY_MS=$DELAY_MS; $POST"
  echo "- **$N tasks**, counted from the end of the warm-up until every one of them was final"
  echo
  echo "| Per task | Figure |"
  echo "|---|---|"
  echo "| WAL (pg_current_wal_lsn() difference) | **$(per_task "$WAL") B** |"
  echo "| of which full-page images | $(per_task "${WAL_FPI:-0}") B |"
  echo "| commits of the database | $(per_task $((COMMITS1 - COMMITS0)) 2) |"
  echo "| CPU of the service JVM | $(per_task $(((JVM1 - JVM0) * 10000)) 0) µs |"
  echo "| of which its JIT compiler threads | $(per_task $(((JIT1 - JIT0) * 10000)) 0) µs |"
  echo "| CPU of PostgreSQL (all its processes) | $(per_task $(((PG1 - PG0) * 10000)) 0) µs |"
  echo
  echo "## WAL by part (records, B and full-page image B per task)"
  echo
  echo "| Part | Records | B | of which full-page images B |"
  echo "|---|---|---|---|"
  echo "$WAL_TABLE"
  echo
  echo "Records total $(per_task "${WAL_RECORDS:-0}") B per task; the rest of the LSN difference is page and segment padding."
  echo
  echo "## Rows per task"
  echo
  echo "| Table | Inserted | Updated | of which HOT | Deleted |"
  echo "|---|---|---|---|---|"
  echo "$ROWS_TABLE"
  echo
  echo "## Statements"
  echo
  echo "$STATEMENT_TABLE"
  echo
  echo "## What active sessions waited on ($SAMPLES samples, 100 ms apart, during the load)"
  echo
  echo "| Type | Event | Samples |"
  echo "|---|---|---|"
  echo "$WAIT_TABLE"
} >"$REPORT"
cat "$REPORT"
log "written to $REPORT"

#!/usr/bin/env bash
# Whether the list's cost stays flat as the table grows. One service, one database, grown to each
# size of BENCH_SCALE_SIZES (default 10,000, 1,000,000 and 10,000,000 tasks; rows written straight
# into tasks with SQL, as an import would: 1% new, the rest done and failed, timestamps one second
# apart). At each size, wrk measures GET /api/v1/tasks/ page 1 and page 3, unfiltered and per
# status, and walks the cursor pages (from the first page, from the oldest tasks, and filtered).
# The table compares the largest size with the smallest (target: at least half the req/s).
#
# Then, at the largest size: storage per task (table, indexes, history), and a retention pass
# that deletes the oldest BENCH_SCALE_EXPIRE finished tasks (default 1,000,000) while wrk POSTs
# new tasks, next to the same POST load without retention.
#
# The list measures run with TASKS_ROLE=http (no worker would claim the seeded new tasks); the
# retention phase runs TASKS_ROLE=all (retention runs on workers).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_SCALE_DB:-tasks_bench_scale}
read -r -a SIZES <<<"${BENCH_SCALE_SIZES:-10000 1000000 10000000}"
EXPIRE=${BENCH_SCALE_EXPIRE:-1000000}
DURATION=${BENCH_SCALE_DURATION:-8}
RETENTION_LOAD=${BENCH_SCALE_RETENTION_LOAD:-30}
WARMUP=${BENCH_WARMUP:-3}
JIT_WARMUP=${BENCH_SCALE_JIT_WARMUP:-30}
C=${BENCH_CONNECTIONS:-32}
PAGE_SIZE=${BENCH_PAGE_SIZE:-20}
CHUNK=1000000
if [[ ${BENCH_SMOKE:-0} == 1 ]]; then
  SIZES=(10000 50000 200000)
  EXPIRE=20000
  DURATION=2
  RETENTION_LOAD=5
  WARMUP=1
  JIT_WARMUP=5
fi
TOTAL=${SIZES[-1]}
((EXPIRE < TOTAL)) || die "BENCH_SCALE_EXPIRE ($EXPIRE) must be below the largest size ($TOTAL)"

require_tools psql wrk java curl
warn_if_busy
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-list-scale.md"
WRK_LOG="$BENCH_RESULTS_DIR/$BENCH_STAMP-list-scale-wrk.log"
: >"$WRK_LOG"
trap bench_cleanup EXIT
LOAD_BEFORE=$(loadavg)

fresh_db "$BENCH_DB"
start_service "$BENCH_DB" TASKS_ROLE=http

# Appends tasks up to id $1 (ids continue where the table ends), a million per statement. Task g
# was last changed TOTAL - g seconds ago: the oldest are the first ids, whatever the sizes.
grow() {
  local to=$1 from
  from=$(($(q "$BENCH_DB" -c "SELECT coalesce(max(id), 0) FROM tasks") + 1))
  while ((from <= to)); do
    local upto=$((from + CHUNK - 1 < to ? from + CHUNK - 1 : to))
    q "$BENCH_DB" <<SQL
INSERT INTO tasks (id, title, status, result, created_at, updated_at)
SELECT g, 'task ' || g, st,
       CASE st WHEN 'done' THEN 'success' WHEN 'failed' THEN 'error' END,
       now() - interval '1 second' * ($TOTAL - g) - interval '3 seconds',
       now() - interval '1 second' * ($TOTAL - g)
FROM (SELECT g, CASE WHEN g % 100 = 0 THEN 'new' WHEN g % 2 = 0 THEN 'done' ELSE 'failed' END AS st
      FROM generate_series($from, $upto) AS g) AS s;
SQL
    from=$((upto + 1))
  done
  # the ids were given: the service's own inserts continue after them
  q "$BENCH_DB" -c "SELECT setval(pg_get_serial_sequence('tasks', 'id'), $to)" >/dev/null
  # an import leaves the visibility map unset: index-only scans need it (autovacuum would get
  # there within a minute; the measurement should not depend on when)
  q "$BENCH_DB" -c "VACUUM (ANALYZE) tasks"
}

# A cursor for the list's order starting right after (below) id $1: base64 of "p=<id>".
cursor_after() { printf 'p=%s' "$1" | base64 -w0 | sed 's/=/%3D/g'; }

declare -A RPS P99
CASES=()
measure() { # NAME SCRIPT QUERY SIZE
  local name=$1 script=$2 query=$3 size=$4
  [[ " ${CASES[*]} " == *" $name "* ]] || CASES+=("$name")
  if [[ $script == list.lua ]]; then
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' "$SERVICE_URL/api/v1/tasks/?$query")
    [[ $code == 200 ]] || die "GET /api/v1/tasks/?$query answered $code"
  fi
  log "wrk $size rows: $name (?$query)"
  run_wrk "$script" "$WARMUP" "$C" "$query" >/dev/null
  local r
  r=$(run_wrk "$script" "$DURATION" "$C" "$query")
  local errors=$(($(field non2xx "$r") + $(field socket_errors "$r")))
  ((errors == 0)) || log "WARNING: $errors errors in $name at $size rows"
  RPS[$name,$size]=$(field rps "$r" | cut -d. -f1)
  P99[$name,$size]=$(field p99_ms "$r")
}

# A fresh JVM runs the list at a fraction of its speed until the JIT has compiled it: warm it up
# once on every query before the first measure, so that the smallest size is not measured cold.
warm_up_jit() {
  log "JIT warm-up: ${JIT_WARMUP}s over every list query"
  run_wrk list.lua "$JIT_WARMUP" "$C" "page_size=$PAGE_SIZE" "page=3&page_size=$PAGE_SIZE" \
    "status=new&page_size=$PAGE_SIZE" "status=done&page=3&page_size=$PAGE_SIZE" \
    "cursor=&page_size=$PAGE_SIZE" "cursor=&page_size=$PAGE_SIZE&status=failed" >/dev/null
}

COUNTS=()
for size in "${SIZES[@]}"; do
  log "growing the table to $size tasks"
  start=$SECONDS
  grow "$size"
  COUNTS+=("$size: $(q "$BENCH_DB" -c "SELECT string_agg(status || '=' || n, ', ' ORDER BY status) FROM (SELECT status, count(*) n FROM tasks GROUP BY 1) s") (filled in $((SECONDS - start)) s)")
  oldest=$(q "$BENCH_DB" -c "SELECT min(id) FROM tasks")
  [[ $size == "${SIZES[0]}" ]] && warm_up_jit
  measure "page 1" list.lua "page_size=$PAGE_SIZE" "$size"
  measure "page 3" list.lua "page=3&page_size=$PAGE_SIZE" "$size"
  for status in new done failed; do
    measure "status=$status page 1" list.lua "status=$status&page_size=$PAGE_SIZE" "$size"
    measure "status=$status page 3" list.lua "status=$status&page=3&page_size=$PAGE_SIZE" "$size"
  done
  # a status no task has (an http node claims nothing): the page must not scan the table for it
  measure "status=processing page 1 (0 tasks)" list.lua "status=processing&page_size=$PAGE_SIZE" "$size"
  measure "cursor walk from the newest" cursor.lua "cursor=&page_size=$PAGE_SIZE" "$size"
  measure "cursor walk through the oldest" cursor.lua \
    "cursor=$(cursor_after $((oldest + 50 * PAGE_SIZE)))&page_size=$PAGE_SIZE" "$size"
  measure "cursor walk, status=done" cursor.lua "cursor=&page_size=$PAGE_SIZE&status=done" "$size"
done

# Plans of the list's statements at the largest size, as the service runs them (prepared,
# generic plan, enable_seqscan=off).
explain_generic() { # TITLE PARAM_TYPES SQL_WITH_$N ARGS
  printf '\n#### %s\n\n```\n' "$1"
  q "$BENCH_DB" <<SQL
SET enable_seqscan = off;
SET plan_cache_mode = force_generic_plan;
PREPARE s($2) AS $3;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE s($4);
SQL
  printf '```\n'
}
COLS="id, title, status, result, created_at, updated_at"
PLANS=$(
  explain_generic "count, status=done (task_counts)" "text" \
    "SELECT coalesce(sum(n), 0)::bigint FROM task_counts WHERE status = \$1" "'done'"
  explain_generic "page 3, status=new (ids first)" "text, int, bigint" \
    "SELECT $COLS FROM tasks WHERE id = ANY(ARRAY(SELECT id FROM tasks WHERE status = \$1 ORDER BY id DESC LIMIT \$2 OFFSET \$3)) ORDER BY id DESC" \
    "'new', $PAGE_SIZE, $((2 * PAGE_SIZE))"
  explain_generic "page 1, status=processing (no task has it)" "text, int, bigint" \
    "SELECT $COLS FROM tasks WHERE id = ANY(ARRAY(SELECT id FROM tasks WHERE status = \$1 ORDER BY id DESC LIMIT \$2 OFFSET \$3)) ORDER BY id DESC" \
    "'processing', $PAGE_SIZE, 0"
  explain_generic "cursor page, status=done, near the oldest" "text, bigint, int, int" \
    "SELECT $COLS FROM tasks WHERE id = ANY(ARRAY(SELECT id FROM tasks WHERE status = \$1 AND id <= \$2 ORDER BY id DESC LIMIT \$3 OFFSET \$4)) ORDER BY id DESC" \
    "'done', $((oldest + 1000)), $((PAGE_SIZE + 1)), 0"
  explain_generic "cursor page, near the oldest" "bigint, int, int" \
    "SELECT $COLS FROM tasks WHERE id <= \$1 ORDER BY id DESC LIMIT \$2 OFFSET \$3" \
    "$((oldest + 1000)), $((PAGE_SIZE + 1)), 0"
)

# Storage at the largest size: every relation of the task data, per task.
STORAGE=$(q "$BENCH_DB" <<'SQL'
SELECT string_agg(format('| `%s` | %s | %s |', relname, pg_size_pretty(bytes),
                         round(bytes::numeric / greatest(tasks, 1), 1)), E'\n' ORDER BY bytes DESC)
FROM (SELECT c.relname,
             CASE c.relkind WHEN 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END AS bytes,
             (SELECT count(*) FROM tasks) AS tasks
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') AND c.relname LIKE 'task%') s
SQL
)
TOTAL_BYTES=$(q "$BENCH_DB" -c "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'task%'")
ROWS_NOW=$(q "$BENCH_DB" -c "SELECT count(*) FROM tasks")
FINISHED_NOW=$(q "$BENCH_DB" -c "SELECT count(*) FROM tasks WHERE status IN ('done', 'failed')")
stop_service

# Retention under load. The seeded new tasks become done first, so that no worker processes them
# meanwhile; tasks 1..EXPIRE are then the expired ones (last changed more than TOTAL - EXPIRE
# seconds ago, and a little more by the time the pass runs).
q "$BENCH_DB" -c "UPDATE tasks SET status = 'done', result = 'success' WHERE status = 'new'" >/dev/null
q "$BENCH_DB" -c "VACUUM (ANALYZE) tasks"
KEEP="$((TOTAL - EXPIRE))s"
post_load() { # SECONDS: POST load on the running service
  run_wrk post.lua "$1" "$C"
}
log "POST load without retention (${RETENTION_LOAD}s, fresh service)"
start_service "$BENCH_DB" TASKS_ROLE=all
BASE=$(post_load "$RETENTION_LOAD")
stop_service
EXPIRED=$(q "$BENCH_DB" -c "SELECT count(*) FROM tasks WHERE status IN ('done', 'failed') AND updated_at < now() - interval '$((TOTAL - EXPIRE)) seconds'")
log "POST load with TASKS_RETENTION=$KEEP: $EXPIRED tasks to delete"
start_service "$BENCH_DB" TASKS_ROLE=all TASKS_RETENTION="$KEEP"
WITH=$(post_load "$RETENTION_LOAD")
deadline=$((SECONDS + 1800))
until grep -q 'Retention: deleted' "$SERVICE_LOG"; do
  ((SECONDS < deadline)) || die "no retention pass finished within 30 minutes"
  sleep 1
done
PASS=$(grep -m1 'Retention: deleted' "$SERVICE_LOG" | sed -E 's/.*deleted ([0-9]+) finished tasks in ([0-9]+) ms.*/\1 \2/')
stop_service
LEFT=$(q "$BENCH_DB" -c "SELECT count(*) FROM tasks WHERE id <= $EXPIRE")

fmt() { printf "%'d" "$1"; }
{
  echo "# List scaling $BENCH_STAMP"
  echo
  echo "- $(nproc) cores; $(q postgres -c 'SELECT version()' | cut -d, -f1); shared_buffers=$(q postgres -c 'SHOW shared_buffers'); load average before: $LOAD_BEFORE"
  echo "- tables: $(printf '%s; ' "${COUNTS[@]}")page_size=$PAGE_SIZE"
  echo "- wrk: $C connections, ${DURATION}s after ${WARMUP}s warm-up; service with TASKS_ROLE=http"
  echo
  printf '| measure |'
  for size in "${SIZES[@]}"; do printf ' %s rows: req/s (p99 ms) |' "$(fmt "$size")"; done
  printf ' %s ÷ %s |\n|---|' "$(fmt "$TOTAL")" "$(fmt "${SIZES[0]}")"
  for _ in "${SIZES[@]}"; do printf -- '---|'; done
  printf -- '---|\n'
  for name in "${CASES[@]}"; do
    printf '| %s |' "$name"
    for size in "${SIZES[@]}"; do printf ' %s (%s) |' "$(fmt "${RPS[$name,$size]}")" "${P99[$name,$size]}"; done
    awk -v a="${RPS[$name,$TOTAL]}" -v b="${RPS[$name,${SIZES[0]}]}" 'BEGIN { printf " **%.2f** |\n", a / b }'
  done
  echo
  echo "### Storage at $(fmt "$ROWS_NOW") tasks ($(fmt "$FINISHED_NOW") finished)"
  echo
  echo "| relation | size | bytes per task |"
  echo "|---|---|---|"
  echo "$STORAGE"
  echo "| **all task data** | $(q postgres -c "SELECT pg_size_pretty($TOTAL_BYTES::bigint)") | **$(awk -v b="$TOTAL_BYTES" -v n="$ROWS_NOW" 'BEGIN { printf "%.1f", b / n }')** |"
  echo
  echo "### Retention under load"
  echo
  echo "TASKS_RETENTION=$KEEP: $(fmt "$EXPIRED") expired finished tasks; the first pass deleted $(fmt "${PASS% *}") of them in $(awk -v ms="${PASS#* }" 'BEGIN { printf "%.1f s", ms / 1000 }') (batches of 1,000, one after the other), tasks 1..$(fmt "$EXPIRE") left: $LEFT. Meanwhile wrk POSTed new tasks (${RETENTION_LOAD}s, $C connections, fresh service, workers processing them); the same load on a fresh service without retention:"
  echo
  echo "| POST load | req/s | p50 ms | p99 ms |"
  echo "|---|---|---|---|"
  echo "| without retention | $(field rps "$BASE" | cut -d. -f1) | $(field p50_ms "$BASE") | $(field p99_ms "$BASE") |"
  echo "| during the retention pass | $(field rps "$WITH" | cut -d. -f1) | $(field p50_ms "$WITH") | $(field p99_ms "$WITH") |"
  echo
  echo "### Plans at $(fmt "$TOTAL") rows (generic plans of the prepared statements, enable_seqscan=off)"
  echo "$PLANS"
} >"$REPORT"
echo
cat "$REPORT"
log "written to $REPORT"

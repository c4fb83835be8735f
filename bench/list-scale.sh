#!/usr/bin/env bash
# How the list endpoint scales with a large table: fills BENCH_SCALE_ROWS tasks (default
# 1,000,000: mostly done/failed, 1% new), then measures GET /api/v1/tasks/ with and without a
# status filter, on page 1 and on a deep page, and prints EXPLAIN (ANALYZE, BUFFERS) of the count
# and page queries the service runs (look for "Index Only Scan" and "Heap Fetches: 0").
#
# The service runs with TASKS_ROLE=http (API only): with a worker, the sweeper would claim the
# seeded 'new' tasks and process them during the measurement.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_SCALE_DB:-tasks_bench_scale}
ROWS=${BENCH_SCALE_ROWS:-1000000}
DURATION=${BENCH_SCALE_DURATION:-8}
WARMUP=${BENCH_WARMUP:-3}
C=${BENCH_CONNECTIONS:-32}
PAGE_SIZE=${BENCH_PAGE_SIZE:-20}
DEEP_PAGE=${BENCH_DEEP_PAGE:-5000}
if [[ ${BENCH_SMOKE:-0} == 1 ]]; then
  ROWS=100000
  DURATION=2
  WARMUP=1
  DEEP_PAGE=500
fi

require_tools psql wrk java curl
warn_if_busy
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-list-scale.md"
WRK_LOG="$BENCH_RESULTS_DIR/$BENCH_STAMP-list-scale-wrk.log"
: >"$WRK_LOG"
trap bench_cleanup EXIT

fresh_db "$BENCH_DB"
start_service "$BENCH_DB" TASKS_ROLE=http

log "filling $ROWS tasks"
q "$BENCH_DB" <<SQL
INSERT INTO tasks (title, status, result, created_at, updated_at)
SELECT 'task ' || g, st,
       CASE st WHEN 'done' THEN 'success' WHEN 'failed' THEN 'error' END,
       now() - interval '1 second' * ($ROWS - g),
       now() - interval '1 second' * ($ROWS - g) + interval '3 seconds'
FROM (SELECT g, CASE WHEN g % 100 = 0 THEN 'new' WHEN g % 2 = 0 THEN 'done' ELSE 'failed' END AS st
      FROM generate_series(1, $ROWS) AS g) AS s;
-- sets the visibility map: without it the count cannot be an index-only scan
VACUUM (ANALYZE) tasks;
SQL
COUNTS=$(q "$BENCH_DB" -c "SELECT string_agg(status || '=' || n, ', ' ORDER BY status) FROM (SELECT status, count(*) n FROM tasks GROUP BY 1) s")
log "table: $COUNTS"

CASES=(
  "page_size=$PAGE_SIZE"
  "page=$DEEP_PAGE&page_size=$PAGE_SIZE"
  "status=done&page_size=$PAGE_SIZE"
  "status=done&page=$DEEP_PAGE&page_size=$PAGE_SIZE"
  "status=new&page_size=$PAGE_SIZE"
)
ROWS_MD=()
for query in "${CASES[@]}"; do
  # check the page exists (a page past the end is a 404, which would be measured as an error)
  code=$(curl -s -o /dev/null -w '%{http_code}' "$SERVICE_URL/api/v1/tasks/?$query")
  [[ $code == 200 ]] || die "GET /api/v1/tasks/?$query answered $code"
  log "wrk: GET /api/v1/tasks/?$query (${DURATION}s, $C connections)"
  run_wrk list.lua "$WARMUP" "$C" "$query" >/dev/null
  r=$(run_wrk list.lua "$DURATION" "$C" "$query")
  ROWS_MD+=("| \`?$query\` | $(field rps "$r" | cut -d. -f1) | $(field p50_ms "$r") | $(field p99_ms "$r") | $(($(field non2xx "$r") + $(field socket_errors "$r"))) |")
done

explain() { # TITLE SQL
  printf '\n#### %s\n\n```\n' "$1"
  q "$BENCH_DB" -c "EXPLAIN (ANALYZE, BUFFERS) $2"
  printf '```\n'
}
# The service's statements are prepared: after five executions PostgreSQL may switch to a generic
# plan, estimated without the parameter's value; show that plan too for the filtered queries.
explain_generic() { # TITLE PARAM_TYPES SQL_WITH_$N ARGS
  printf '\n#### %s (generic plan of the prepared statement)\n\n```\n' "$1"
  q "$BENCH_DB" <<SQL
SET plan_cache_mode = force_generic_plan;
PREPARE s($2) AS $3;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE s($4);
SQL
  printf '```\n'
}
COLS="id, title, status, result, created_at, updated_at"
DEEP_OFFSET=$(((DEEP_PAGE - 1) * PAGE_SIZE))
{
  echo "# List scaling $BENCH_STAMP"
  echo
  echo "- $(nproc) cores; $(q postgres -c 'SELECT version()' | cut -d, -f1); shared_buffers=$(q postgres -c 'SHOW shared_buffers')"
  echo "- table: $ROWS tasks ($COUNTS), page_size=$PAGE_SIZE, deep page=$DEEP_PAGE (OFFSET $DEEP_OFFSET)"
  echo "- wrk: $C connections, ${DURATION}s after ${WARMUP}s warm-up; service with TASKS_ROLE=http"
  echo
  echo "| Query | req/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${ROWS_MD[@]}"
  echo
  echo "### Plans (as the service runs them, after VACUUM ANALYZE)"
  explain "count, no filter" "SELECT count(*) FROM tasks"
  explain "count, status=done" "SELECT count(*) FROM tasks WHERE status = 'done'"
  explain "count, status=new" "SELECT count(*) FROM tasks WHERE status = 'new'"
  explain "page 1, no filter" "SELECT $COLS FROM tasks ORDER BY id DESC LIMIT $PAGE_SIZE OFFSET 0"
  explain "page $DEEP_PAGE, no filter" "SELECT $COLS FROM tasks ORDER BY id DESC LIMIT $PAGE_SIZE OFFSET $DEEP_OFFSET"
  explain "page 1, status=done" "SELECT $COLS FROM tasks WHERE status = 'done' ORDER BY id DESC LIMIT $PAGE_SIZE OFFSET 0"
  explain "page $DEEP_PAGE, status=done" "SELECT $COLS FROM tasks WHERE status = 'done' ORDER BY id DESC LIMIT $PAGE_SIZE OFFSET $DEEP_OFFSET"
  explain_generic "count, status=done" "text" "SELECT count(*) FROM tasks WHERE status = \$1" "'done'"
  explain_generic "count, status=new" "text" "SELECT count(*) FROM tasks WHERE status = \$1" "'new'"
  explain_generic "page $DEEP_PAGE, status=done" "text, bigint, bigint" \
    "SELECT $COLS FROM tasks WHERE status = \$1 ORDER BY id DESC LIMIT \$2 OFFSET \$3" "'done', $PAGE_SIZE, $DEEP_OFFSET"
} >"$REPORT"
echo
cat "$REPORT"
log "written to $REPORT"

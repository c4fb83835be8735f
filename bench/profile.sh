#!/usr/bin/env bash
# One JFR profile of the service under each load of run.sh: POST create, GET by id, GET list.
# Starts the jar on a fresh database, seeds it, warms it up, then for each load records
#   jcmd <pid> JFR.start settings=<profile.jfc, sampling every 2 ms>  …  wrk  …  jcmd <pid> JFR.stop
# (the recording of -XX:StartFlightRecording=…,settings=profile, but one file per load so that
# the hot methods of each can be told apart), and summarises every recording with
# bench/jfr-summary.py: hottest methods (self and total), threads, allocation sites, GC pauses.
# Recordings and summaries go to bench/results/<timestamp>-profile-<load>.{jfr,txt}.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_PROFILE_DB:-tasks_bench_profile}
C=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_PROFILE_DURATION:-20}
WARMUP=${BENCH_WARMUP:-30} # a fresh node compiles for the first 30-45 s of load (run.sh)
SEED=${BENCH_SEED_ROWS:-10000}
LIST_QUERY="status=${BENCH_LIST_STATUS:-done}&page_size=${BENCH_PAGE_SIZE:-20}"
if [[ ${BENCH_SMOKE:-0} == 1 ]]; then
  DURATION=3
  WARMUP=1
fi

require_tools psql wrk java jcmd jfr python3 curl
mkdir -p "$BENCH_RESULTS_DIR"
PREFIX="$BENCH_RESULTS_DIR/$BENCH_STAMP-profile"
trap bench_cleanup EXIT

# JDK 17's profile settings sample Java stacks every 10 ms, which gives only a few hundred
# usable samples in 20 s: use a copy with a shorter period, and deeper stacks (Vert.x is deep).
JFC=$(mktemp /tmp/bench-profile.XXXXXX.jfc)
TMP_DIRS+=("$JFC")
JAVA_HOME_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
sed '/<event name="jdk.ExecutionSample">/,/<\/event>/ s#<setting name="period"\([^>]*\)>[^<]*<#<setting name="period"\1>'"${BENCH_JFR_PERIOD:-2 ms}"'<#' \
  "$JAVA_HOME_DIR/lib/jfr/profile.jfc" >"$JFC"
grep -A2 '"jdk.ExecutionSample"' "$JFC" | grep -q "${BENCH_JFR_PERIOD:-2 ms}" || die "could not set the sampling period in $JFC"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:+$BENCH_JAVA_OPTS }-XX:FlightRecorderOptions:stackdepth=128"

fresh_db "$BENCH_DB"
start_service "$BENCH_DB"
seed_finished "$BENCH_DB" "$SEED"
read -r MINID MAXID < <(q "$BENCH_DB" -F ' ' -c "SELECT min(id), max(id) FROM tasks")

log "warm-up: ${WARMUP}s of each load"
run_wrk get.lua "$WARMUP" "$C" "$MINID" "$MAXID" >/dev/null
run_wrk list.lua "$WARMUP" "$C" "$LIST_QUERY" >/dev/null
run_wrk post.lua "$WARMUP" "$C" >/dev/null
wait_all_final "$BENCH_DB" 600 >/dev/null
# the warm-up creates left rows that are not all-visible yet: the list would measure heap fetches
q "$BENCH_DB" -c "VACUUM (ANALYZE) tasks"
warn_if_busy

profile() { # NAME SCRIPT [args…]
  local name=$1 script=$2
  shift 2
  log "profiling $name: wrk $script for ${DURATION}s"
  jcmd "$SERVICE_PID" JFR.start name="$name" settings="$JFC" >/dev/null
  local r
  r=$(run_wrk "$script" "$DURATION" "$C" "$@")
  jcmd "$SERVICE_PID" JFR.stop name="$name" filename="$PREFIX-$name.jfr" >/dev/null
  {
    echo "# $name: $r"
    python3 "$BENCH_DIR/jfr-summary.py" "$PREFIX-$name.jfr"
  } >"$PREFIX-$name.txt"
  log "$name: $r"
  log "summary: $PREFIX-$name.txt"
}
# As in run.sh: the reads on the vacuumed seed first (after the POST run the list would mostly
# measure counting the new, not yet vacuumed rows), then the creates.
profile get get.lua "$MINID" "$MAXID"
profile list list.lua "$LIST_QUERY"
profile post post.lua

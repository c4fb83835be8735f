#!/usr/bin/env bash
# Old build against new build in one session: bench/run.sh with OLD_JAR, then NEW_JAR, alternately
# (old, new, old, new, …), PAIRS times (default 3), then one table of each pair's figures, the
# medians of old and new and the spread between pairs (the noise).
#   Usage: bench/pair.sh OLD_JAR NEW_JAR [PAIRS]
# The jars are copied first (a rebuild during the runs would otherwise change what is measured).
# BENCH_* variables pass through to every run (BENCH_SMOKE=1, BENCH_DURATION, …). Each run writes
# its own report (bench/results/<stamp>-<n>-old.md, …); the table goes to
# bench/results/<stamp>-pair.md. See bench/README.md.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { die "usage: bench/pair.sh OLD_JAR NEW_JAR [PAIRS]"; }
(($# == 2 || $# == 3)) || usage
OLD_JAR=$1
NEW_JAR=$2
PAIRS=${3:-3}
[[ $PAIRS =~ ^[1-9][0-9]*$ ]] || usage
[[ -f $OLD_JAR ]] || die "no jar at $OLD_JAR"
[[ -f $NEW_JAR ]] || die "no jar at $NEW_JAR"

PAIR_STAMP=$BENCH_STAMP
mkdir -p "$BENCH_RESULTS_DIR"
PAIR_REPORT="$BENCH_RESULTS_DIR/$PAIR_STAMP-pair.md"
trap bench_cleanup EXIT

JAR_DIR=$(mktemp -d /tmp/bench-pair.XXXXXX)
TMP_DIRS+=("$JAR_DIR")
cp "$OLD_JAR" "$JAR_DIR/old.jar"
cp "$NEW_JAR" "$JAR_DIR/new.jar"

# path, the first 12 hex digits of its SHA-256, and the commit of the tree it presumably comes from
describe_jar() {
  local jar=$1 copy=$2 abs commit=""
  abs=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
  if git -C "$(dirname "$abs")/.." rev-parse --git-dir >/dev/null 2>&1; then
    commit=", tree at $(git -C "$(dirname "$abs")/.." log -1 --format='%h %s')"
  fi
  # shellcheck disable=SC2016 # backquotes for markdown
  printf '`%s` (sha256 %s%s)' "$abs" "$(sha256sum "$copy" | cut -c1-12)" "$commit"
}
OLD_DESC=$(describe_jar "$OLD_JAR" "$JAR_DIR/old.jar")
NEW_DESC=$(describe_jar "$NEW_JAR" "$JAR_DIR/new.jar")
LOAD_START=$(loadavg)
warn_if_busy

# The BENCH_* variables the runs inherit, as NAME=value (BENCH_JAR, BENCH_STAMP and
# BENCH_RESULTS_DIR are set per run).
passed_variables() {
  local names
  names=$(compgen -e | grep '^BENCH_' | grep -v '^BENCH_\(JAR\|STAMP\|RESULTS_DIR\)$' || true)
  if [[ -z $names ]]; then
    echo "none, all at their defaults"
    return
  fi
  local v
  for v in $names; do printf '%s=%s ' "$v" "${!v}"; done
  echo "(the rest at their defaults)"
}

# ---------------------------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------------------------
declare -A SUMMARY # [old,1] → the run's "BENCH k=v …" line
RUN_STAMPS=()
for ((i = 1; i <= PAIRS; i++)); do
  for build in old new; do
    stamp="$PAIR_STAMP-$i-$build"
    console="$BENCH_RESULTS_DIR/$stamp-console.log"
    log "pair $i/$PAIRS, $build build: bench/run.sh (report $stamp.md, console output $(basename "$console"))"
    if ! BENCH_STAMP=$stamp BENCH_JAR=$JAR_DIR/$build.jar BENCH_RESULTS_DIR=$BENCH_RESULTS_DIR \
      "$BENCH_DIR/run.sh" >"$console" 2>&1; then
      tail -n 20 "$console" >&2
      die "pair $i, $build build: bench/run.sh failed (see $console)"
    fi
    SUMMARY[$build,$i]=$(cat "$BENCH_RESULTS_DIR/$stamp-summary.txt")
    RUN_STAMPS+=("$stamp")
    s=${SUMMARY[$build,$i]}
    log "  POST ÷ bare INSERT $(field post_ratio "$s"), GET ÷ PK SELECT $(field get_ratio "$s")," \
      "list $(field list_ratio "$s"), drain $(field drain_s "$s") s, WAL $(field wal_per_task "$s") B per task"
  done
done

# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------
# The values of KEY over the runs of BUILD, one a line (empty when a run could not measure it).
values() {
  local key=$1 build=$2 i
  for ((i = 1; i <= PAIRS; i++)); do field "$key" "${SUMMARY[$build,$i]}"; done
}
# stdin: numbers, one a line (empty lines skipped) → "median min max count", or nothing
stats() {
  { grep -E '^-?[0-9.]+$' || true; } | sort -g | awk '
    { v[++n] = $1 }
    END {
      if (n == 0) exit
      m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      print m, v[1], v[n], n
    }'
}
median() { values "$1" "$2" | stats | cut -d' ' -f1; }
# new − old of KEY within each pair, one a line (pairs where either run lacks the figure left out)
pair_differences() {
  local key=$1 i old new
  for ((i = 1; i <= PAIRS; i++)); do
    old=$(field "$key" "${SUMMARY[old,$i]}")
    new=$(field "$key" "${SUMMARY[new,$i]}")
    if [[ -n $old && -n $new ]]; then awk -v a="$new" -v b="$old" 'BEGIN { print a - b }'; fi
  done
}
fmt() { # VALUE DECIMALS → the value rounded, or — when empty
  if [[ -n $1 ]]; then awk -v x="$1" -v p="$2" 'BEGIN { printf "%." p "f", x }'; else echo "—"; fi
}
signed() { # VALUE DECIMALS → +x, −x, or ±0 when it rounds to zero
  awk -v x="$1" -v p="$2" 'BEGIN {
    s = sprintf("%." p "f", x < 0 ? -x : x)
    printf "%s%s", (s + 0 == 0 ? "±" : (x < 0 ? "−" : "+")), s
  }'
}
spread() { # MIN MAX RUNS DECIMALS → max − min, or — with fewer than two runs
  if [[ -n $3 ]] && (($3 > 1)); then fmt "$(awk -v a="$1" -v b="$2" 'BEGIN { print b - a }')" "$4"; else echo "—"; fi
}

# key | label | decimals
METRICS=(
  "post_ratio|**POST ÷ bare INSERT**|2"
  "get_ratio|**GET by id ÷ PK SELECT**|2"
  "list_ratio|GET list ÷ count + page|2"
  "drain_s|Drain: last 201 → all final, s|2"
  "wal_per_task|WAL per task of the POST run, B|0"
  "history_per_task|History on disk per task, B|0"
  "commits_per_task|Commits per task of the POST run|2"
  "post_rps|POST req/s|0"
  "post_schema_ratio|POST ÷ schema INSERT (old ceiling)|2"
)

header="| Measure |"
rule="|---|"
for ((i = 1; i <= PAIRS; i++)); do
  header+=" pair $i: old / new |"
  rule+="---|"
done
header+=" median old | median new | new − old (medians) | noise: pairs' new − old, lowest … highest | noise: spread of the runs, old / new |"
rule+="---|---|---|---|---|"

TABLE=$(
  echo "$header"
  echo "$rule"
  for metric in "${METRICS[@]}"; do
    IFS='|' read -r key label decimals <<<"$metric"
    line="| $label |"
    for ((i = 1; i <= PAIRS; i++)); do
      line+=" $(fmt "$(field "$key" "${SUMMARY[old,$i]}")" "$decimals") / $(fmt "$(field "$key" "${SUMMARY[new,$i]}")" "$decimals") |"
    done
    read -r old_median old_min old_max old_n < <(values "$key" old | stats; echo)
    read -r new_median new_min new_max new_n < <(values "$key" new | stats; echo)
    diff="—"
    if [[ -n $old_median && -n $new_median ]]; then
      diff=$(signed "$(awk -v a="$new_median" -v b="$old_median" 'BEGIN { print a - b }')" "$decimals")
      if awk -v b="$old_median" 'BEGIN { exit !(b != 0) }'; then
        diff+=" ($(signed "$(awk -v a="$new_median" -v b="$old_median" 'BEGIN { print (a - b) / b * 100 }')" 1) %)"
      fi
    fi
    line+=" $(fmt "$old_median" "$decimals") | $(fmt "$new_median" "$decimals") | $diff |"
    read -r _ pair_min pair_max pair_n < <(pair_differences "$key" | stats; echo)
    if [[ -n $pair_n ]] && ((pair_n > 1)); then
      line+=" $(signed "$pair_min" "$decimals") … $(signed "$pair_max" "$decimals") |"
    else
      line+=" — |"
    fi
    line+=" $(spread "$old_min" "$old_max" "$old_n" "$decimals") / $(spread "$new_min" "$new_max" "$new_n" "$decimals") |"
    echo "$line"
  done
)
medians() { # KEY DECIMALS → "old → new"
  printf '%s → %s' "$(fmt "$(median "$1" old)" "$2")" "$(fmt "$(median "$1" new)" "$2")"
}

ERRORS=""
for stamp in "${RUN_STAMPS[@]}"; do
  n=$(field errors "$(cat "$BENCH_RESULTS_DIR/$stamp-summary.txt")")
  [[ -n $n && $n != 0 ]] && ERRORS+=" $stamp ($n)"
done

{
  echo "# task-service: old and new build, $PAIRS alternating pair(s), $PAIR_STAMP$([[ ${BENCH_SMOKE:-0} == 1 ]] && echo " (smoke runs)")"
  echo
  echo "- old: $OLD_DESC"
  echo "- new: $NEW_DESC"
  echo "- order: old, new, … ($PAIRS pair(s)), each a full bench/run.sh on a fresh database and a fresh JVM"
  echo "- variables passed to every run: $(passed_variables)"
  echo "- load average before the first run: $LOAD_START ($(nproc) cores)"
  echo "- reports: $(printf '%s.md ' "${RUN_STAMPS[@]}")"
  echo
  echo "**Medians, old → new: POST ÷ bare INSERT $(medians post_ratio 2) · GET by id ÷ PK SELECT" \
    "$(medians get_ratio 2)** · list $(medians list_ratio 2) · drain $(medians drain_s 2) s ·" \
    "WAL per task $(medians wal_per_task 0) B · history per task $(medians history_per_task 0) B"
  echo
  echo "$TABLE"
  echo
  echo "Noise, the spread between pairs (\"—\" with one pair): the lowest and highest new − old of the"
  echo "pairs (old and new of one pair ran next to each other, so a machine that drifts over the session"
  echo "moves both), and the largest minus the smallest figure of each build over its runs. A difference"
  echo "of medians that the pairs do not all show, or that is within the spread of the runs, is noise."
  echo "The ceilings are measured anew in every run: each ratio is against its own run's PostgreSQL."
  if [[ -n $ERRORS ]]; then
    echo
    echo "**Runs with errors** (service non-2xx or socket errors, pgbench failures, drain non-201):$ERRORS."
  fi
} >"$PAIR_REPORT"
echo
cat "$PAIR_REPORT"
echo
log "written to $PAIR_REPORT"

#!/usr/bin/env bash
# 90-bench-smoke.sh - keeps `make bench` working: runs src/bench/bench.sh at a tiny size
# (BENCH_SMOKE=1: 500 events, one run of each route, gen on a 100-table synthetic model) and
# checks that it completes, prints its tables, and that every route agreed with the runner's
# row counts. It asserts no time: benchmarks never run as tests.
# Env: RUNNER GEN DATAGEN (the bench tools are taken from DATAGEN's folder).
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
BENCH_BIN=$(dirname "$DATAGEN_PROG")

source tests/lib-pg.sh
if [ -z "$PG_BIN" ]; then skip "PostgreSQL server binaries not found"; finish; exit; fi
for b in "$RUNNER_PROG" "$GEN_PROG" "$DATAGEN_PROG" "$BENCH_BIN/bench-rowbyrow" "$BENCH_BIN/bench-synthmodel"; do
    if [ ! -x "$b" ]; then fail "missing binary $b (make all)"; finish; exit 1; fi
done

tmp=$(mktemp -d /tmp/stargen-bench-smoke.XXXXXX)
trap 'pg_remove "$tmp/bench/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
start=$(date +%s)
BENCH_SMOKE=1 SIZES=500 RUNS=1 BENCH_DIR="$tmp/bench" RUNNER="$RUNNER_PROG" GEN="$GEN_PROG" \
    DATAGEN="$DATAGEN_PROG" BENCH_BIN="$BENCH_BIN" src/bench/bench.sh >"$tmp/out" 2>"$tmp/err"
rc=$?
took=$(($(date +%s) - start))
[ -n "${VERBOSE:-}" ] && echo "bench smoke took ${took}s"

if [ $rc = 0 ]; then ok "bench.sh completes"; else fail "bench.sh exited $rc" "$(tail -n 20 "$tmp/err")"; fi
if grep -q 'MISMATCH\|FAILED' "$tmp/err" "$tmp/out"; then
    fail "a route failed or disagreed on row counts" "$(grep -h 'MISMATCH\|FAILED' "$tmp/err" "$tmp/out")"
else ok "no route failed or disagreed"; fi
for h in '## Load: JSON to star schema' '## Ratios' '## Where the time goes' '## Step by step' '## gen: compile time' '## Targets'; do
    if grep -qF "$h" "$tmp/out"; then ok "prints '$h'"; else fail "no '$h' in the output" "$(head -n 30 "$tmp/out")"; fi
done
for r in runner hand naive untuned tsvgen rowbyrow; do
    if grep -qE "\| $r \| 1 \| [0-9.]+ \|" "$tmp/out"; then ok "table row for $r"
    else fail "no timed table row for $r" "$(grep -F "| $r |" "$tmp/out")"; fi
done
res="$tmp/bench/results.tsv"
if [ -f "$res" ]; then
    n=$(awk -F'\t' '$1 == "load" && $2 == "500" && $9 == "ok"' "$res" | wc -l)
    if [ "$n" = 6 ]; then ok "results.tsv: 6 routes ok at 500 events"
    else fail "results.tsv: $n ok load rows at 500 events, want 6" "$(cat "$res")"; fi
    # the hand-written floor ran its own SQL (its steps are timed) and agreed on keys
    if awk -F'\t' '$2 == "hand" && $5 == "load_songplays" { found = 1 } END { exit !found }' "$tmp/bench/steps.tsv"; then
        ok "the hand-written floor timed its own load_songplays"
    else fail "no load_songplays step of the hand route in steps.tsv" "$(cat "$tmp/bench/steps.tsv")"; fi
    if awk -F'\t' '$1 == "load" && $3 == "runner" && $8 + 0 > 0 { found = 1 } END { exit !found }' "$res"; then
        ok "runner peak RSS recorded"
    else fail "no runner peak RSS in results.tsv"; fi
    if awk -F'\t' '$1 == "gen" && $2 == "100" && $9 == "ok" { found = 1 } END { exit !found }' "$res"; then
        ok "gen timed on the 100-table model"
    else fail "no gen row for the 100-table model" "$(cat "$res")"; fi
else
    fail "no results.tsv"
fi
if grep -qE '^\| 100 tables \|' "$tmp/out"; then ok "gen scaling row printed"; else fail "no gen scaling row"; fi
# pg.sh may keep the cluster under /var/tmp when the postgres user cannot reach $tmp
alt="/var/tmp/stargen-pg-$(echo "$(realpath -m "$tmp/bench/pg")" | md5sum | cut -c1-12)"
if pgrep -f "$tmp/bench/pg/data" >/dev/null || pgrep -f "$alt/data" >/dev/null; then fail "the benchmark's PostgreSQL is still running"; else ok "server stopped"; fi
finish

#!/usr/bin/env bash
# run.sh - runs the libFuzzer harnesses built by `make fuzz-build` (build/fuzz/fuzz_*).
#
#   tests/fuzz/run.sh SECONDS [HARNESS...]     (make fuzz FUZZ_SECONDS=N runs all of them)
#
# For each harness (default: every build/fuzz/fuzz_* binary), in turn:
#   1. replays every input of tests/fuzz/regressions/<harness>/ once (inputs that
#      crashed, leaked, hung or broke an oracle before); a failure is a finding and
#      that input stays out of the corpus (so the fuzzing itself still runs);
#   2. copies the seed corpus tests/fuzz/corpus/<harness>/ (plus the regressions) to
#      build/fuzz/corpus/<harness>/ and fuzzes for SECONDS with -max_total_time,
#      -timeout=1 (an input taking over 1 s is a hang), -rss_limit_mb=2048, the
#      harness's dictionary, leak detection on; crash/leak/timeout/oom inputs go to
#      build/fuzz/artifacts/<harness>/, the full log to build/fuzz/<harness>.log;
#   3. prints one line: executions, exec/s, libFuzzer's final cov: and ft:, corpus
#      size, findings.
# FUZZ_PARALLEL=1 runs the harnesses at the same time (one per core) instead of in turn.
# Exit status: 0 when no harness found anything, 1 otherwise, 2 on usage errors.
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${1:-}
case "$secs" in '' | *[!0-9]*) echo "usage: tests/fuzz/run.sh SECONDS [HARNESS...]" >&2; exit 2 ;; esac
shift
B=build/fuzz
if [ $# -gt 0 ]; then harnesses=("$@"); else
    harnesses=()
    for f in "$B"/fuzz_*; do [ -x "$f" ] && harnesses+=("$(basename "$f")"); done
fi
[ ${#harnesses[@]} -gt 0 ] || { echo "run.sh: no harness in $B; run make fuzz-build" >&2; exit 2; }

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# fuzz_one HARNESS: writes build/fuzz/HARNESS.summary (one line) and returns 0 or 1.
fuzz_one() {
    local h=$1 bin=$B/$1 corpus=$B/corpus/$1 art=$B/artifacts/$1 log=$B/$1.log
    local seeds=tests/fuzz/corpus/$1 regs=tests/fuzz/regressions/$1 dict=tests/fuzz/$1.dict
    local findings=0 replayed=0
    if [ ! -x "$bin" ]; then
        echo "$h: not built ($bin missing)" >"$B/$h.summary"
        return 1
    fi
    rm -rf "$corpus" "$art"
    mkdir -p "$corpus" "$art"
    [ -d "$seeds" ] && cp "$seeds"/* "$corpus"/ 2>/dev/null
    : >"$log"
    local r
    for r in "$regs"/*; do
        [ -f "$r" ] || continue
        replayed=$((replayed + 1))
        if "$bin" -timeout=1 -rss_limit_mb=2048 "$r" >>"$log" 2>&1; then
            cp "$r" "$corpus"/ # a passing regression seeds the corpus too
        else
            echo "$h: regression input $r fails again; see $log" >&2
            findings=$((findings + 1))
        fi
    done
    local dictarg=()
    [ -f "$dict" ] && dictarg=(-dict="$dict")
    "$bin" -max_total_time="$secs" -timeout=1 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" "${dictarg[@]}" "$corpus" >>"$log" 2>&1
    local rc=$?
    local execs cov ft rate arts
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
    rate=$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$log" | tail -n 1 | grep -o '[0-9]*$')
    cov=$(grep -o ' cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
    ft=$(grep -o ' ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
    arts=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
        -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
    findings=$((findings + arts))
    [ "$rc" != 0 ] && [ "$arts" = 0 ] && findings=$((findings + 1))
    printf '%s: %s executions (%s/s), cov: %s ft: %s, corpus %s inputs, %s regressions replayed, %s findings%s\n' \
        "$h" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$(find "$corpus" -type f | wc -l)" \
        "$replayed" "$findings" "$([ "$findings" != 0 ] && echo " (exit $rc; inputs in $art/, log $log)")" \
        >"$B/$h.summary"
    [ "$findings" = 0 ]
}

status=0
if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
    pids=()
    for h in "${harnesses[@]}"; do fuzz_one "$h" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || status=1; done
else
    for h in "${harnesses[@]}"; do
        echo "fuzzing $h for ${secs}s" >&2
        fuzz_one "$h" || status=1
    done
fi
for h in "${harnesses[@]}"; do cat "$B/$h.summary"; done
if [ $status != 0 ]; then
    echo "fuzz: findings; reproduce with build/fuzz/HARNESS INPUT" >&2
    for h in "${harnesses[@]}"; do grep -m 3 -E 'ERROR: |runtime error|SUMMARY' "$B/$h.log" >&2; done
fi
exit $status

#!/usr/bin/env bash
# Time ratios of gen on inputs that double (issue 13 item 6): a model twice the size may
# take at most 2.5 times as long.  Measured as a ratio (best of five runs each), never an
# absolute time, so a slow or busy machine does not fail it; sizes are chosen so that the
# smaller run takes long enough to be measured (tens of milliseconds or more).
#   1. a large valid model (N staging tables of 12 columns): the YAML reader and builder;
#   2. a model whose N keys each hold a list nested 60 deep (valid YAML, refused keys):
#      the reader's cost in nesting depth;
#   3. 100,000 vs 200,000 nested "[": stopped at 64 levels, so both are quick (a ratio
#      near 1), where libyaml's document loader took minutes.
set -u
source tests/lib.sh
if instrumented_gen; then
    skip "time ratios are measured on the release build (make test), not under a sanitizer or valgrind"
    finish
    exit
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# mk_tables N FILE: a valid model with N staging tables of 12 columns each
mk_tables() {
    awk -v n="$1" 'BEGIN {
        print "version: 1\nsources:\n  log_data:\n    s3: s3://b/log_data/\n    path: log_data/\n    region: us-west-2\n    format: json\nstaging:"
        for (t = 0; t < n; t++) {
            printf "  stg_%d:\n    source: log_data\n    columns:\n", t
            for (c = 0; c < 12; c++) printf "      c%d: {type: varchar(64), not_null: false}\n", c
        }
        print "tables:\n  dim_a:\n    kind: dimension\n    columns:\n      id: {type: varchar(64), primary_key: true}\n    load:\n      from: stg_0 s\n      where: s.c0 is not null\n      dedupe: distinct\n      map:\n        id: s.c0"
    }' >"$2"
}
# mk_deep N FILE: N top-level keys, each a list nested 60 deep
mk_deep() {
    awk -v n="$1" 'BEGIN {
        o = ""; c = ""; for (i = 0; i < 60; i++) { o = o "["; c = c "]" }
        print "version: 1"
        for (k = 0; k < n; k++) printf "k%d: %sx%s\n", k, o, c
    }' >"$2"
}
# mk_open N FILE: one key holding N unclosed "["
mk_open() { { printf 'version: 1\nx: '; head -c "$1" /dev/zero | tr '\0' '['; echo; } >"$2"; }

# best_ms FILE WANT_EXIT: the least CPU time (user+system, tests/lib.sh cpu_us) of five runs of
# gen on FILE, in milliseconds. The timed runs are `gen --check` against an out/ written once
# before them (untimed): they build and emit everything in memory and compare, so the time is
# gen's work, not the writes and syncs of out/ (a CI run once saw them double after a 1M-event
# bench had filled the page cache).
best_ms() {
    local best="" i rc ms
    rm -rf "$tmp/out"
    "${GEN_CMD[@]}" -q -m "$1" -o "$tmp/out" >/dev/null 2>&1
    for i in 1 2 3 4 5; do
        ms=$(cpu_us "${GEN_CMD[@]}" -q --check -m "$1" -o "$tmp/out")
        rc=$?
        [ "$rc" = "$2" ] || { echo "exit $rc, expected $2"; return 1; }
        ms=$((ms / 1000))
        [ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
    done
    echo "$best"
}

# ratio NAME MAKER N WANT_EXIT: time on size N and 2N; ok when t(2N) <= 2.5 t(N) (+ 20 ms
# for process start-up and timer noise)
ratio() {
    local name=$1 maker=$2 n=$3 want=$4 a b
    "$maker" "$n" "$tmp/a.yaml"
    "$maker" $((n * 2)) "$tmp/b.yaml"
    if ! a=$(best_ms "$tmp/a.yaml" "$want") || ! b=$(best_ms "$tmp/b.yaml" "$want"); then
        fail "$name: gen did not exit $want" "$a $b"
        return
    fi
    if [ $((b * 10)) -le $((a * 25 + 200)) ]; then
        ok "$name: ${a} ms -> ${b} ms for twice the input"
    else
        fail "$name: twice the input took ${b} ms after ${a} ms (more than 2.5 times)"
    fi
}

ratio "valid model, tables doubled" mk_tables 3000 0
ratio "lists nested 60 deep, keys doubled" mk_deep 4000 1
ratio "unclosed [ doubled" mk_open 100000 1

# the depth error itself (badmodels 333 pins its text)
mk_open 200000 "$tmp/open.yaml"
"${GEN_CMD[@]}" -q -m "$tmp/open.yaml" -o "$tmp/out" 2>"$tmp/open.err"
if grep -q "nests deeper than 64 levels \[yaml\]" "$tmp/open.err"; then
    ok "200,000 nested [ stop at 64 levels"
else
    fail "200,000 nested [: no depth error" "$(head -n 5 "$tmp/open.err")"
fi
finish

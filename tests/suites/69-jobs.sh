#!/usr/bin/env bash
# 69-jobs.sh - runner --jobs N: independent steps side by side (issue 15), on a private PostgreSQL.
# - --jobs 0 / x / 33 refused (exit 2); `-- stargen:after` errors (unknown step, a later step,
#   the step itself, on publish) exit 2 naming file:line; --dry-run prints each step's list;
# - the same warehouse with --jobs 1 and --jobs 4, every star table compared row for row
#   (EXCEPT ALL both ways), on datagen data and on the real sample (skipped when absent);
# - order and overlap, from stargen_history (STARGEN_TEST_STEP_DELAY_MS makes each statement
#   last long enough to see): under --jobs 4 no step starts before the steps its after line
#   names have finished, and independent steps do run at the same time; under --jobs 1 and
#   with the after lines removed (an older out/), nothing overlaps;
# - a corrupt data file for one staging load under --jobs 4: the exit code of --jobs 1,
#   the error names the file, nothing published; SIGINT during a parallel run: exit 1, the
#   previous warehouse intact, no runner session left.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
source tests/lib-pg.sh
OUT="$STARGEN_ROOT/out/postgres"
SAMPLE="$STARGEN_ROOT/../shared/data/sparkify-sample"
T=$(mktemp -d /tmp/stargen-jobs-test.XXXXXX)
bgpids=()
cleanup() {
    for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    pg_remove "$T/pg"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
has() { grep -qF -- "$2" "$1"; }
eq() { [ "$1" = "$2" ] || { echo "  got [$1] want [$2]"; return 1; }; }
run() { # run NAME ARGS... : stdout -> $T/NAME.out, stderr -> $T/NAME.err, exit -> $rc
    local name=$1; shift
    "${RUNNER_CMD[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
}

# ---------------------------------------------------------------- options, directives (no server)
for bad in 0 x 33 -1 "" 1.5; do
    run "jobs_bad" --jobs "$bad" --dry-run --data "$T" "$OUT"
    check "--jobs '$bad': exit 2" eq "$rc" 2
    check "--jobs '$bad': says why" has "$T/jobs_bad.err" "runner: error: --jobs takes a whole number from 1 to 32, not \"$bad\""
done
run help --help
check "--help describes --jobs" has "$T/help.out" "-j, --jobs N           run up to N independent steps at the same time"

# a broken after line: exit 2 before connecting, naming file:line (line 3: after the header)
broken() { # broken NAME FILE NEWLINE: a copy of out/postgres whose FILE's after line is NEWLINE
    rm -rf "$T/$1"; cp -r "$OUT" "$T/$1"
    sed -i "3s/^-- stargen:after .*/$3/" "$T/$1/$2"
    run "$1" --dry-run --data "$T" "$T/$1"
}
broken unknown 04_load_artists.sql "-- stargen:after steps=load_staging_songs,nosuch"
check "after: unknown step: exit 2" eq "$rc" 2
check "after: unknown step: file:line" has "$T/unknown.err" "04_load_artists.sql:3: stargen:after: no step is named nosuch"
broken forward 04_load_artists.sql "-- stargen:after steps=load_time"
check "after: a later step: exit 2" eq "$rc" 2
check "after: a later step: file:line" has "$T/forward.err" "04_load_artists.sql:3: stargen:after: step load_time comes later: a step comes after earlier steps only"
broken self 04_load_artists.sql "-- stargen:after steps=load_artists"
check "after: itself: exit 2" eq "$rc" 2
check "after: itself: file:line" has "$T/self.err" "04_load_artists.sql:3: stargen:after: step load_artists is this step"
broken twice 04_load_artists.sql "-- stargen:after steps=drop,drop"
check "after: a name twice: exit 2" eq "$rc" 2
check "after: a name twice: file:line" has "$T/twice.err" "04_load_artists.sql:3: stargen:after: step drop is named twice"
broken badkey 04_load_artists.sql "-- stargen:after step=drop"
check "after: unknown key: exit 2" eq "$rc" 2
check "after: unknown key: file:line" has "$T/badkey.err" "04_load_artists.sql:3: stargen:after: unknown key \"step\""
rm -rf "$T/pub"; cp -r "$OUT" "$T/pub"
sed -i '2a -- stargen:after steps=drop' "$T/pub/09_publish.sql"
run pub --dry-run --data "$T" "$T/pub"
check "after: on the publish step: exit 2" eq "$rc" 2
check "after: on the publish step: file:line" has "$T/pub.err" "09_publish.sql:3: stargen:after does not apply to the publish step"
rm -rf "$T/late"; cp -r "$OUT" "$T/late"
printf '%s\n' '-- stargen:after steps=drop' >>"$T/late/04_load_artists.sql"
run late --dry-run --data "$T" "$T/late"
check "after: after a statement: exit 2" eq "$rc" 2
check "after: after a statement: says where" grep -q "04_load_artists.sql:[0-9]*: stargen:after must come once, before the first statement" "$T/late.err"

# --dry-run prints each step's list
mkdir -p "$T/empty/song_data" "$T/empty/log_data"
echo '{}' >"$T/empty/song_data/a.json"; echo '{}' >"$T/empty/log_data/a.json"
run dry --dry-run --data "$T/empty" "$OUT"
check "--dry-run: exit 0" eq "$rc" 0
check "--dry-run: a step's after list" has "$T/dry.out" "  after: load_staging_events, load_staging_songs"
check "--dry-run: publish waits for every step" eq "$(grep -A1 '^\[10/11\] 09_publish.sql' "$T/dry.out" | tail -1)" "  after: every earlier step"
check "--dry-run: the first step waits for none" eq "$(grep -A1 '^\[1/11\] 00_drop.sql' "$T/dry.out" | tail -1)" "  -- statement 1 ($OUT/00_drop.sql:4)"

# ---------------------------------------------------------------- a private server
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then
    fail "cannot start PostgreSQL" "$(cat "$T/pgstart.log")"
    finish
    exit 1
fi
chmod 755 "$T"
unset PGPASSWORD PGSERVICE STARGEN_DATA STARGEN_TEST_STEP_DELAY_MS
q() { psql -XAtq -c "$1" 2>&1; }
STAR="artists songs users songplays time"
fp_sql="SELECT concat_ws(' '"
for t in $STAR; do fp_sql+=", (SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM $t x)"; done
fp_sql+=")"
fingerprint() { q "$fp_sql"; }

# same_warehouse DB DATA: --jobs 1, keep a copy of each star table, --jobs 4, compare row for row
same_warehouse() {
    local db=$1 data=$2
    createdb "$db" || { fail "$db: createdb"; return; }
    export PGDATABASE=$db
    run "${db}_j1" -q --jobs 1 --data "$data" "$OUT"
    check "$db: --jobs 1 runs" eq "$rc" 0
    for t in $STAR; do q "CREATE TABLE j1_$t AS SELECT * FROM $t" >/dev/null; done
    run "${db}_j4" -q --jobs 4 --data "$data" "$OUT"
    check "$db: --jobs 4 runs" eq "$rc" 0
    local t diff n
    for t in $STAR; do
        n=$(q "SELECT count(*) FROM $t")
        diff=$(q "SELECT (SELECT count(*) FROM (SELECT * FROM $t EXCEPT ALL SELECT * FROM j1_$t) a) || ' ' || (SELECT count(*) FROM (SELECT * FROM j1_$t EXCEPT ALL SELECT * FROM $t) b)")
        check "$db: $t ($n rows) the same under --jobs 1 and 4" eq "$diff" "0 0"
        check "$db: $t is not empty" test "$n" -gt 0
    done
}

DATAGEN_DIR="$T/gen"
if "${DATAGEN_CMD[@]}" --events 20000 --seed 42 --out "$DATAGEN_DIR" >/dev/null 2>"$T/datagen.err"; then
    same_warehouse gendata "$DATAGEN_DIR"
else
    fail "sparkify-data --events 20000 failed" "$(cat "$T/datagen.err")"
fi
if [ -d "$SAMPLE" ]; then
    same_warehouse sample "$SAMPLE"
else
    skip "../shared/data/sparkify-sample absent: the sample comparison" 10
fi

# ---------------------------------------------------------------- order and overlap
export PGDATABASE=gendata
# the after lists of a folder, as "step dep" lines
deps_of() {
    local f s
    for f in "$1"/[0-9]*.sql; do
        s=$(basename "$f" .sql); s=${s#*_}
        sed -n '3s/^-- stargen:after steps=//p' "$f" | tr ',' '\n' | sed "s/^/$s /"
    done
}
timed() { # timed NAME FOLDER ARGS...: a run with a delay before each statement
    local name=$1 folder=$2; shift 2
    STARGEN_TEST_STEP_DELAY_MS=150 "${RUNNER_CMD[@]}" -q --data "$DATAGEN_DIR" "$@" "$folder" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    run_id=$(q "SELECT run_id FROM stargen_history ORDER BY started_at DESC LIMIT 1")
}
violations() { # violations RUN_ID DEPS_FILE: steps that started before a step they wait for ended
    psql -XAtq -v ON_ERROR_STOP=1 <<SQL 2>&1
CREATE TEMP TABLE d (step text, dep text);
\copy d from '$2' with (delimiter ' ')
SELECT count(*) FROM d
JOIN stargen_history s ON s.run_id = '$1' AND s.step = d.step
JOIN stargen_history p ON p.run_id = '$1' AND p.step = d.dep
WHERE s.started_at < p.started_at + make_interval(secs => p.seconds) - interval '2 milliseconds';
SQL
}
overlaps() { # overlaps RUN_ID: pairs of steps of the run whose times intersect (by more than 20 ms;
    # the checks run inside the publish transaction, so that pair is left out)
    q "SELECT count(*) FROM stargen_history a JOIN stargen_history b ON a.run_id = b.run_id AND a.step < b.step
       WHERE a.run_id = '$1' AND 'checks' NOT IN (a.step, b.step) AND a.started_at + make_interval(secs => a.seconds) - interval '20 milliseconds' > b.started_at
         AND b.started_at + make_interval(secs => b.seconds) - interval '20 milliseconds' > a.started_at"
}
overlap_of() { # overlap_of RUN_ID A B: 1 when steps A and B ran at the same time
    q "SELECT count(*) FROM stargen_history a JOIN stargen_history b ON a.run_id = b.run_id
       WHERE a.run_id = '$1' AND a.step = '$2' AND b.step = '$3'
         AND a.started_at + make_interval(secs => a.seconds) > b.started_at
         AND b.started_at + make_interval(secs => b.seconds) > a.started_at"
}
deps_of "$OUT" >"$T/deps.txt"
check "the after lists were read" test "$(wc -l <"$T/deps.txt")" -ge 8
timed t4 "$OUT" --jobs 4
check "--jobs 4 (delayed): exit 0" eq "$rc" 0
check "--jobs 4: no step starts before the steps it waits for end" eq "$(violations "$run_id" "$T/deps.txt")" 0
check "--jobs 4: the staging loads ran at the same time" eq "$(overlap_of "$run_id" load_staging_events load_staging_songs)" 1
check "--jobs 4: load_songplays ran beside load_users" eq "$(overlap_of "$run_id" load_songplays load_users)" 1
check "--jobs 4: publish ran alone" eq "$(q "SELECT count(*) FROM stargen_history a JOIN stargen_history b ON a.run_id = b.run_id AND a.step <> b.step
    WHERE a.run_id = '$run_id' AND a.step = 'publish' AND b.step <> 'checks' AND b.started_at + make_interval(secs => b.seconds) > a.started_at")" 0
check "--jobs 4: every step recorded once" eq "$(q "SELECT count(*) || ' ' || count(DISTINCT step) FROM stargen_history WHERE run_id = '$run_id'")" "11 11"
J4FP=$(fingerprint)
# the violation check itself can fail: pretend load_time waits for load_users' run to end later
echo "load_users load_time" >"$T/wrong.txt"
check "the order check sees a step that started too early" test "$(violations "$run_id" "$T/wrong.txt")" -ge 1
timed t2 "$OUT" --jobs 2
check "--jobs 2 (delayed): exit 0" eq "$rc" 0
check "--jobs 2: no step starts before the steps it waits for end" eq "$(violations "$run_id" "$T/deps.txt")" 0
check "--jobs 2: at most two steps at a time" eq "$(q "SELECT count(*) FROM stargen_history a JOIN stargen_history b ON a.run_id = b.run_id AND a.step < b.step
    JOIN stargen_history c ON c.run_id = a.run_id AND b.step < c.step
    WHERE a.run_id = '$run_id'
      AND greatest(a.started_at, b.started_at, c.started_at) + interval '20 milliseconds' < least(a.started_at + make_interval(secs => a.seconds),
          b.started_at + make_interval(secs => b.seconds), c.started_at + make_interval(secs => c.seconds))")" 0
check "--jobs 2: some steps overlapped" test "$(overlaps "$run_id")" -ge 1
timed t1 "$OUT" --jobs 1
check "--jobs 1 (delayed): exit 0" eq "$rc" 0
check "--jobs 1: nothing overlaps" eq "$(overlaps "$run_id")" 0
check "--jobs 1 and 4 give the same warehouse" eq "$(fingerprint)" "$J4FP"

# an older out/: no after lines, so every step waits for every earlier one
rm -rf "$T/old"; cp -r "$OUT" "$T/old"
sed -i '/^-- stargen:after /d' "$T/old"/*.sql
check "the after lines are gone" eq "$(grep -c 'stargen:after' "$T/old"/*.sql | grep -vc ':0$')" 0
timed old "$T/old" --jobs 4
check "no after lines, --jobs 4: exit 0" eq "$rc" 0
check "no after lines, --jobs 4: one step at a time" eq "$(overlaps "$run_id")" 0
check "no after lines: the same warehouse" eq "$(fingerprint)" "$J4FP"

# --from inside a parallel stretch: the steps before it count as done
timed from "$OUT" --jobs 4 --from load_artists
check "--jobs 4 --from load_artists: exit 0" eq "$rc" 0
check "--jobs 4 --from load_artists: the steps from there ran" eq "$(q "SELECT count(*) FROM stargen_history WHERE run_id = '$run_id'")" 7
check "--jobs 4 --from: the same warehouse" eq "$(fingerprint)" "$J4FP"

# ---------------------------------------------------------------- a failing step, SIGINT
BAD="$T/bad"; cp -r "$DATAGEN_DIR" "$BAD"
badfile=$(find "$BAD/song_data" -name '*.json' | sort | head -n 1)
printf '{"song_id": "broken' >"$badfile"
for j in 1 4; do
    before=$(fingerprint)
    STARGEN_TEST_STEP_DELAY_MS=50 "${RUNNER_CMD[@]}" --jobs $j --data "$BAD" "$OUT" >"$T/bad$j.out" 2>"$T/bad$j.err"
    eval "rc$j=$?"
    check "corrupt song file, --jobs $j: nothing published" eq "$(fingerprint)" "$before"
    check "corrupt song file, --jobs $j: the error names the file" has "$T/bad$j.err" "$(basename "$badfile")"
    check "corrupt song file, --jobs $j: the step failed" has "$T/bad$j.out" "load_staging_songs .............. FAILED"
    check "corrupt song file, --jobs $j: publish did not run" eq "$(grep -c '] publish' "$T/bad$j.out")" 0
done
check "corrupt song file: exit 1 with --jobs 1" eq "$rc1" 1
check "corrupt song file: the same exit code with --jobs 4" eq "$rc4" "$rc1"

before=$(fingerprint)
songs_before=$(q "SELECT count(*) FROM stargen_history WHERE step = 'load_staging_songs' AND status = 'success'")
STARGEN_TEST_STEP_DELAY_MS=300 "${RUNNER_CMD[@]}" --jobs 4 --data "$DATAGEN_DIR" "$OUT" >"$T/int.out" 2>"$T/int.err" &
pid=$!; bgpids+=("$pid")
# wait until the run is past the staging loads, then interrupt it
for _ in $(seq 300); do
    [ "$(q "SELECT count(*) FROM stargen_history WHERE step = 'load_staging_songs' AND status = 'success'")" -gt "$songs_before" ] && break
    sleep 0.05
done
check "SIGINT: the run got going (several runner sessions)" test "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stargen-runner'")" -ge 2
kill -INT "$pid"
wait "$pid"; irc=$?
check "SIGINT during --jobs 4: exit 1" eq "$irc" 1
check "SIGINT: the previous warehouse stays" eq "$(fingerprint)" "$before"
check "SIGINT: publish never ran" eq "$(grep -c '] publish' "$T/int.out")" 0
check "SIGINT: says so" grep -Eq "interrupted|canceling statement" "$T/int.err"
sleep 0.3
check "SIGINT: no runner session left" eq "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stargen-runner'")" 0
check "SIGINT: the lock is free" eq "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" 0
finish

#!/usr/bin/env bash
# bench.sh - the load and generator benchmarks (`make bench`); BENCH.md explains the method.
#
# On one fresh private PostgreSQL (default settings) and the same generated data per size, it
# times five ways to build the Sparkify star schema end to end (create, load staging, transform):
#   runner    ./runner -q --jobs $JOBS on out/postgres (client-side JSON parsing, COPY FROM STDIN;
#             independent steps on up to JOBS connections)
#   serial    the same with --jobs 1 (one step at a time): what --jobs buys
#   untuned   the same with the server's own work_mem and jit (without src/runner/tuning.c)
#   hand      the hand-written floor (src/bench/hand.sql): \copy of pre-typed TSV (made
#             beforehand, untimed) + the minimal transforms an expert writes by hand: primary
#             keys, no foreign keys, no dedupe window, no checks
#   tsvgen    psql: the same \copy of the TSV into the same staging tables, with the same COPY
#             options, plus every other step of out/postgres (isolates the staging-load cost)
#   naive     psql: raw JSON lines COPY'd into jsonb columns, INSERT ... SELECT with NULLIF casts
#             into the same staging tables, then the same transform steps
#   rowbyrow  build/rel/bench-rowbyrow: one INSERT per row, one lookup SELECT per event,
#             autocommit (how the well-known Python solutions load it)
# Every route's row counts must equal the runner's reference run: a mismatch is printed loudly
# and the script exits 1 (hand: row counts and key sets of every table; its tie-breaks differ). Then it times ./gen on synthetic models (bench-synthmodel) and on
# schema.yaml. Progress goes to stderr; the Markdown tables to stdout; raw numbers to
# $BENCH_DIR/results.tsv and $BENCH_DIR/steps.tsv.
#
# Env knobs:
#   SIZES="sample 100000 1000000 5000000"  sizes in events; "sample" = ../shared/data/sparkify-sample; "" skips
#   RUNS=N            timed runs per size, routes alternated within each run (default 3)
#   SEED=42           data generator seed
#   ROUTES="runner hand naive untuned tsvgen rowbyrow"  (serial: add it to see --jobs 1)
#   JOBS=2            the runner routes' --jobs (the machine's cores; 1 = one step at a time)
#   ROWBYROW_LIMIT=600  row by row runs in full only when its estimate is under this (seconds)
#   ROWBYROW_PROBE=120  seconds of events the first row-by-row run may spend before it estimates
#   GEN_TABLES="100 1000 2000 5000"  synthetic model sizes for the gen benchmark ("" skips it)
#   GEN_RUNS=3        timed gen runs per model
#   BENCH_DIR=build/bench   everything it writes (data, TSVs, the cluster, results)
#   BENCH_SMOKE=1     CI smoke: defaults SIZES=500 RUNS=1 GEN_TABLES=100 GEN_RUNS=1
#   RUNNER GEN DATAGEN BENCH_BIN  the binaries (./runner ./gen build/rel/sparkify-data build/rel)
set -euo pipefail
{ # the whole script is one compound command: bash reads it all before it runs, so editing
  # this file while a long benchmark runs cannot change what that run does
cd "$(dirname "$0")/../.."
ROOT=$PWD

if [ -n "${BENCH_SMOKE:-}" ]; then
    SIZES="${SIZES:-500}" RUNS="${RUNS:-1}" GEN_TABLES="${GEN_TABLES-100}" GEN_RUNS="${GEN_RUNS:-1}"
fi
SIZES="${SIZES-sample 100000 1000000 5000000}"  # "" skips the load benchmark
SEED="${SEED:-42}"
ROUTES="${ROUTES:-runner hand naive untuned tsvgen rowbyrow}"
JOBS="${JOBS:-2}"
ROWBYROW_LIMIT="${ROWBYROW_LIMIT:-600}"
ROWBYROW_PROBE="${ROWBYROW_PROBE:-120}"
GEN_TABLES="${GEN_TABLES-100 1000 2000 5000}"
GEN_RUNS="${GEN_RUNS:-3}"
BENCH_DIR="${BENCH_DIR:-build/bench}"
SAMPLE="${SAMPLE:-$ROOT/../shared/data/sparkify-sample}"
BENCH_BIN="${BENCH_BIN:-build/rel}"
DATAGEN="${DATAGEN:-$BENCH_BIN/sparkify-data}"

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"
command -v psql >/dev/null || die "psql not found: apt-get install postgresql-client"

mkdir -p "$BENCH_DIR"
B=$(realpath "$BENCH_DIR")
# One consistent snapshot of what is measured: the binaries and out/postgres as they are now.
SNAP="$B/snapshot"
rm -rf "$SNAP" && mkdir -p "$SNAP"
cp "${RUNNER:-./runner}" "$SNAP/runner"
cp "${GEN:-./gen}" "$SNAP/gen"
cp -r out/postgres "$SNAP/postgres"
cp schema.yaml "$SNAP/schema.yaml"
ROWBYROW_BIN=$(realpath "$BENCH_BIN/bench-rowbyrow")
SYNTH_BIN=$(realpath "$BENCH_BIN/bench-synthmodel")
STEPS=()
for f in "$SNAP"/postgres/[0-9]*.sql; do STEPS+=("$f"); done
[ ${#STEPS[@]} -gt 0 ] || die "out/postgres holds no steps: run ./gen"
is_copy_step() { grep -q '^-- stargen:copy ' "$1"; }
copy_table() { grep -m1 -E '^COPY .* FROM STDIN' "$1" | awk '{ print $2 }'; }
copy_cols() { grep -m1 -E '^COPY .* FROM STDIN' "$1" | sed -E 's/^COPY [^ ]+ (\(.*\)) FROM STDIN.*/\1/'; }
copy_source() { grep -m1 '^-- stargen:copy ' "$1" | tr ' ' '\n' | sed -n 's/^source=//p'; }

STAR_TABLES="songplays users songs artists time"
STAGING_TABLES="staging_events staging_songs"
RAW_TABLES="staging_events_raw staging_songs_raw"

RESULTS="$B/results.tsv" STEPS_TSV="$B/steps.tsv"
printf 'kind\tsize\troute\trun\tseconds\tevents\tbytes\tpeak_rss_kb\tstatus\tdetail\n' >"$RESULTS"
printf 'size\troute\trun\tphase\tstep\tseconds\n' >"$STEPS_TSV"
FAILED=0

# ---------------------------------------------------------------- the database
source tests/lib-pg.sh
PGD="$B/pg"
cleanup() { pg_remove "$PGD" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
pg_remove "$PGD" >/dev/null 2>&1 || true
pg_start "$PGD" || die "cannot start PostgreSQL"
DB=bench
createdb "$DB"
export PGDATABASE="$DB"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DB")
q() { psql -X -A -t -d "$DB" -c "$1"; }
PG_VERSION=$(q "SHOW server_version")
SETTINGS=""
for s in shared_buffers work_mem maintenance_work_mem max_wal_size synchronous_commit fsync; do
    SETTINGS+="$s=$(q "SHOW $s") "
done
log "== PostgreSQL $PG_VERSION: $SETTINGS"
SERVER_WORK_MEM=$(q "SHOW work_mem") SERVER_JIT=$(q "SHOW jit")

# Untimed: drop everything the routes create, then CHECKPOINT, so each timed run starts alike.
reset_db() {
    "${PSQL[@]}" -f "${STEPS[0]}" 2>/dev/null
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS ${RAW_TABLES// /, }" 2>/dev/null
    # 00_drop drops only the staging tables since the publish layout: the star tables and
    # any shadow left by a failed run go here, so every route starts from nothing
    local t star=""
    for t in $STAR_TABLES; do star+="${star:+, }$t, ${t}__stargen_new, ${t}__stargen_old"; done
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS $star CASCADE" 2>/dev/null
    q "CHECKPOINT" >/dev/null
}

# counts ROUTE: "table=rows ..." for the star tables; for the runner, tsvgen and naive routes,
# which run the same transform SQL, also the staging tables and an order-independent content
# hash of every table (songplays without its identity column): the same counts with other
# contents would still be a wrong answer. Row by row is checked on counts only (its user
# levels and song lookup follow the Python solutions, not the model's dedupe rules). The hand
# floor breaks ties its own way (DISTINCT ON, ON CONFLICT DO NOTHING keep any one row of a key),
# so what must be equal is the row count and the key set of every table (songplays: all its
# columns but the identity, as it has no other key); content_diff names the tables whose other
# columns differ.
key_of() {
    case "$1" in
    songplays) echo "row(x.start_time, x.user_id, x.level, x.song_id, x.artist_id, x.session_id, x.location, x.user_agent)::text" ;;
    staging_*) echo "x::text" ;;
    artists) echo "x.artist_id::text" ;; songs) echo "x.song_id::text" ;;
    users) echo "x.user_id::text" ;; time) echo "x.start_time::text" ;;
    *) die "no key for table $1" ;;
    esac
}
counts() {
    local t out="" tables="$STAR_TABLES" expr
    if [ "$1" = rowbyrow ]; then
        for t in $tables; do out+="$t=$(q "SELECT count(*) FROM $t") "; done
    elif [ "$1" = keys ]; then
        for t in $STAGING_TABLES $STAR_TABLES; do
            out+="$t=$(q "SELECT count(*) || '/' || coalesce(sum(hashtext($(key_of "$t"))::bigint), 0) FROM $t x") "
        done
    else
        for t in $STAGING_TABLES $STAR_TABLES; do
            expr="x::text"
            [ "$t" = songplays ] && expr="row(x.start_time, x.user_id, x.level, x.song_id, x.artist_id, x.session_id, x.location, x.user_agent)::text"
            out+="$t=$(q "SELECT count(*) || '/' || coalesce(sum(hashtext($expr)::bigint), 0) FROM $t x") "
        done
    fi
    echo "${out% }"
}

step_row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$SIZE" "$1" "$RUN" "$2" "$3" "$4" >>"$STEPS_TSV"; }
phase_of() { # phase of a step file: create (before the first load), staging, transform, other
    local f=$1 name
    name=$(basename "$f" .sql); name=${name#*_}
    if is_copy_step "$f"; then echo staging
    elif [ "$SEEN_LOAD" = 0 ]; then echo create
    elif [[ $name == load_* ]]; then echo transform
    else echo other; fi
}

# ---------------------------------------------------------------- the routes
# Each sets ELAPSED (seconds) and STATUS (ok | est | fail); DETAIL is free text.

# untuned: the runner with the server's own work_mem and jit (PGOPTIONS sets them for the
# session, and src/runner/tuning.c leaves a value someone set alone): what tuning.c buys
route_untuned() { PGOPTIONS="-c work_mem=$SERVER_WORK_MEM -c jit=$SERVER_JIT" route_runner untuned; }
# serial: the runner one step at a time (--jobs 1): what running independent steps side by side buys
route_serial() { JOBS=1 route_runner serial; }
route_runner() {
    local t0 t1 rss route=${1:-runner}
    t0=$(now)
    if ! /usr/bin/time -v -o "$B/time.txt" "$SNAP/runner" -q --jobs "$JOBS" -d "dbname=$DB" \
        --data "$DATA" --json "$B/runner.json" "$SNAP/postgres" >"$B/runner.out" 2>&1; then
        t1=$(now); ELAPSED=$(secs "$t0" "$t1"); STATUS=fail; DETAIL="runner failed"
        cat "$B/runner.out" >&2; return
    fi
    t1=$(now)
    ELAPSED=$(secs "$t0" "$t1") STATUS=ok
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$B/time.txt")
    PEAK_RSS=$rss DETAIL="user_s=$(sed -n 's/.*User time (seconds): //p' "$B/time.txt")"
    # per-step seconds from the runner's own report
    local f name s checks_s
    SEEN_LOAD=0
    # the publish step's time includes the checks it runs inside its transaction: count them
    # once, under checks
    checks_s=$(grep -F '"name": "checks",' "$B/runner.json" | sed -E 's/.*"seconds": ([0-9.]+).*/\1/')
    for f in "${STEPS[@]}"; do
        name=$(basename "$f" .sql); name=${name#*_}
        s=$(grep -F "\"name\": \"$name\"," "$B/runner.json" | sed -E 's/.*"seconds": ([0-9.]+).*/\1/')
        if [ "$name" = publish ] && [ -n "$s" ] && [ -n "$checks_s" ]; then
            s=$(awk -v p="$s" -v c="$checks_s" 'BEGIN { d = p - c; printf "%.3f", d < 0 ? 0 : d }')
        fi
        step_row "$route" "$(phase_of "$f")" "$name" "${s:-0}"
        if is_copy_step "$f"; then SEEN_LOAD=1; fi
    done
    return 0
}

# The psql routes run one driver script in one psql session, as the runner uses one
# connection: each step of out/postgres inside BEGIN ... COMMIT (what the runner and
# psql --single-transaction do), a COPY step replaced by the route's own load, and after each
# step a marker row with the server clock, from which the per-step seconds are taken.
# make_driver ROUTE FILE: writes the driver (untimed); COPY steps come from ${ROUTE}_load.
make_driver() {
    local route=$1 out=$2 f name
    {
        echo '\set ON_ERROR_STOP 1'
        echo '\pset format unaligned'
        echo '\pset tuples_only on'
        echo "SELECT '@@mark start start ' || extract(epoch FROM clock_timestamp());"
        SEEN_LOAD=0
        for f in "${STEPS[@]}"; do
            [ "$route" = rowbyrow ] && is_copy_step "$f" && break
            name=$(basename "$f" .sql); name=${name#*_}
            echo 'BEGIN;'
            if is_copy_step "$f"; then "${route}_load" "$f"; else echo "\\i $f"; fi
            echo 'COMMIT;'
            echo "SELECT '@@mark $(phase_of "$f") $name ' || extract(epoch FROM clock_timestamp());"
            if is_copy_step "$f"; then SEEN_LOAD=1; fi
        done
        if [ "$route" = rowbyrow ]; then
            # the star tables, empty, under their real names: the load steps build them as
            # <table>__stargen_new shadows that the publish step renames
            echo 'BEGIN;'
            echo "DROP TABLE IF EXISTS ${STAR_TABLES// /, };"
            for f in "${STEPS[@]}"; do
                sed -n '/^CREATE TABLE [^ ]*__stargen_new (/,/^);/p' "$f" | sed 's/__stargen_new//g'
            done
            echo 'COMMIT;'
        fi
    } >"$out"
}
# psql_route ROUTE: runs $B/ROUTE.sql, sets ELAPSED and STATUS, records the step times.
psql_route() {
    local route=$1 t0 t1
    t0=$(now)
    if ! psql -X -q -d "$DB" -f "$B/$route.sql" >"$B/$route.out" 2>"$B/$route.err"; then
        STATUS=fail DETAIL="$route failed: $(grep -m1 ERROR "$B/$route.err")" ELAPSED=$(secs "$t0" "$(now)")
        return 0
    fi
    t1=$(now)
    ELAPSED=$(secs "$t0" "$t1") STATUS=ok DETAIL=""
    awk -v size="$SIZE" -v route="$route" -v run="$RUN" '
        $1 == "@@mark" { if (prev != "") printf "%s\t%s\t%s\t%s\t%s\t%.3f\n", size, route, run, $2, $3, $4 - prev; prev = $4 }' \
        "$B/$route.out" >>"$STEPS_TSV"
}

# tsvgen: the step file itself, with its COPY FROM STDIN turned into \copy FROM the TSV file
# (the same table, columns and options: FORMAT text, FREEZE after the TRUNCATE)
tsvgen_load() {
    local t
    t=$(copy_table "$1")
    sed -E "s|^COPY (.*) FROM STDIN (WITH .*);\$|\\\\copy \\1 FROM '$B/tsv/$t.tsv' \\2|" "$1" >"$B/tsvgen-$t.sql"
    grep -q '^\\copy ' "$B/tsvgen-$t.sql" || die "could not make the tsvgen step of $1"
    echo "\\i $B/tsvgen-$t.sql"
}

# naive: raw JSON lines into a jsonb column, then INSERT ... SELECT with casts
naive_sql() {
    case "$1" in
    staging_events)
        cat <<'EOF'
INSERT INTO staging_events (artist, auth, first_name, gender, item_in_session, last_name, length,
    level, location, method, page, registration, session_id, song, status, ts, user_agent, user_id)
SELECT NULLIF(doc ->> 'artist', ''), NULLIF(doc ->> 'auth', ''), NULLIF(doc ->> 'firstName', ''),
    NULLIF(doc ->> 'gender', ''), NULLIF(doc ->> 'itemInSession', '')::INTEGER,
    NULLIF(doc ->> 'lastName', ''), NULLIF(doc ->> 'length', '')::DOUBLE PRECISION,
    NULLIF(doc ->> 'level', ''), NULLIF(doc ->> 'location', ''), NULLIF(doc ->> 'method', ''),
    NULLIF(doc ->> 'page', ''), NULLIF(doc ->> 'registration', '')::DOUBLE PRECISION,
    NULLIF(doc ->> 'sessionId', '')::INTEGER, NULLIF(doc ->> 'song', ''),
    NULLIF(doc ->> 'status', '')::SMALLINT, NULLIF(doc ->> 'ts', '')::BIGINT,
    NULLIF(doc ->> 'userAgent', ''), NULLIF(doc ->> 'userId', '')::INTEGER
FROM staging_events_raw;
EOF
        ;;
    staging_songs)
        cat <<'EOF'
INSERT INTO staging_songs (num_songs, artist_id, artist_latitude, artist_longitude,
    artist_location, artist_name, song_id, title, duration, year)
SELECT NULLIF(doc ->> 'num_songs', '')::INTEGER, doc ->> 'artist_id',
    NULLIF(doc ->> 'artist_latitude', '')::DOUBLE PRECISION,
    NULLIF(doc ->> 'artist_longitude', '')::DOUBLE PRECISION, doc ->> 'artist_location',
    doc ->> 'artist_name', doc ->> 'song_id', doc ->> 'title',
    NULLIF(doc ->> 'duration', '')::DOUBLE PRECISION, NULLIF(doc ->> 'year', '')::SMALLINT
FROM staging_songs_raw;
EOF
        ;;
    *) die "naive route: no extraction SQL for staging table $1" ;;
    esac
}
# naive: the raw table and its COPY fed by every *.json file of the source in byte order, each
# ended by a newline (awk 1 is cat that adds a missing final newline: no two objects share a
# line), then the extraction
naive_load() {
    local t src
    t=$(copy_table "$1") src=$(copy_source "$1")
    printf '#!/bin/sh\ncd "%s" && find . -type f -name "*.json" -print0 | LC_ALL=C sort -z | xargs -0 -r awk 1\n' \
        "$DATA/$src" >"$B/feed-$t.sh"
    echo "DROP TABLE IF EXISTS ${t}_raw;"
    echo "CREATE UNLOGGED TABLE ${t}_raw (doc JSONB NOT NULL);"
    echo "\\copy ${t}_raw (doc) FROM PROGRAM 'sh $B/feed-$t.sh' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
    naive_sql "$t"
}

route_tsvgen() { psql_route tsvgen; }
route_hand() { psql_route hand; }
# hand: src/bench/hand.sql with the TSV folder and the staging DDL filled in (untimed)
make_hand() {
    sed -e "s|@TSV@|$B/tsv|g" -e "s|@STAGING_DDL@|${STEPS[1]}|g" src/bench/hand.sql >"$1"
    grep -v '@@mark' "$1" | grep -q '@' && die "hand.sql: a placeholder was left in $1"
    grep -q 'CREATE UNLOGGED TABLE staging_events' "${STEPS[1]}" ||
        die "hand.sql expects ${STEPS[1]} to create the staging tables"
    return 0
}
route_naive() { psql_route naive; }

# row by row: the create steps through psql, then bench-rowbyrow
RBR_MODE="" # probe | full | skip, per size
route_rowbyrow() {
    local t0 t1 tc budget=0 out
    t0=$(now)
    psql -X -q -d "$DB" -f "$B/rowbyrow.sql" >/dev/null 2>"$B/rowbyrow.err" ||
        { STATUS=fail DETAIL="rowbyrow: create failed: $(grep -m1 ERROR "$B/rowbyrow.err")"; return 0; }
    tc=$(now)
    [ "$RBR_MODE" = probe ] && budget=$ROWBYROW_PROBE
    if ! out=$("$ROWBYROW_BIN" -d "dbname=$DB" --budget "$budget" "$DATA" 2>"$B/rowbyrow.err"); then
        STATUS=fail DETAIL="rowbyrow failed: $(head -c 300 "$B/rowbyrow.err")"; return 0
    fi
    t1=$(now)
    DETAIL=$out
    step_row rowbyrow create create "$(secs "$t0" "$tc")"
    if [[ $out == *complete=1* ]]; then
        ELAPSED=$(secs "$t0" "$t1") STATUS=ok
        step_row rowbyrow rows bench-rowbyrow "$(secs "$tc" "$t1")"
    else
        local est
        est=$(sed -E 's/.*estimate_s=([0-9.]+).*/\1/' <<<"$out")
        ELAPSED=$(awk -v c="$(secs "$t0" "$tc")" -v e="$est" 'BEGIN { printf "%.3f", c + e }')
        STATUS=est
    fi
}

# content_diff: after the hand route, the star tables whose full contents differ from the
# runner's reference although their keys agree (tie-breaks), as "contents_differ=t1,t2"
content_diff() {
    local t d="" full=" $REF_FULL "
    for t in $STAR_TABLES; do
        [[ $full == *" $t=$(counts_one "$t") "* ]] || d+="${d:+,}$t"
    done
    [ -z "$d" ] || echo "contents_differ=$d"
}
counts_one() {
    local expr="x::text"
    [ "$1" = songplays ] && expr=$(key_of songplays)
    q "SELECT count(*) || '/' || coalesce(sum(hashtext($expr)::bigint), 0) FROM $1 x"
}

# run_route ROUTE: reset, time one run of ROUTE, check its row counts, record it.
run_route() {
    local route=$1 got want
    reset_db
    PEAK_RSS="" DETAIL="" STATUS="" ELAPSED=0
    "route_$route"
    if [ "$STATUS" = ok ]; then
        case "$route" in
        rowbyrow) got=$(counts rowbyrow) want=$REF_STAR ;;
        hand) got=$(counts keys) want=$REF_KEYS DETAIL=$(content_diff) ;;
        *) got=$(counts "$route") want=$REF_FULL ;;
        esac
        if [ "$got" != "$want" ]; then
            STATUS=mismatch FAILED=1
            log "!!!!!!!! ROW COUNT MISMATCH: $route, size $SIZE, run $RUN"
            log "!!!!!!!!   got  $got"
            log "!!!!!!!!   want $want"
            DETAIL="got: $got"
        fi
    elif [ "$STATUS" = fail ]; then
        FAILED=1
        log "!!!!!!!! $route FAILED at size $SIZE: $DETAIL"
    fi
    printf 'load\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$SIZE" "$route" "$RUN" "$ELAPSED" \
        "$EVENTS" "$BYTES" "${PEAK_RSS:-}" "$STATUS" "$DETAIL" >>"$RESULTS"
    log "   run $RUN $route: $ELAPSED s ($STATUS)${PEAK_RSS:+, peak RSS $PEAK_RSS KB}${DETAIL:+, $DETAIL}"
}

# ---------------------------------------------------------------- one size
bench_size() {
    SIZE=$1
    local keep_data=0 runs r route
    if [ "$SIZE" = sample ]; then
        if [ ! -d "$SAMPLE/log_data" ]; then log "== sample: $SAMPLE absent, skipped"; SKIPPED+=" sample"; return; fi
        DATA=$(realpath "$SAMPLE") keep_data=1
    else
        DATA="$B/data-$SIZE"
        log "== $SIZE events: generating data (seed $SEED)"
        "$DATAGEN" --events "$SIZE" --seed "$SEED" --out "$DATA" --force >/dev/null
    fi
    BYTES=$(find "$DATA" -type f -name '*.json' -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f\n", s }')
    # untimed preparation: a reference run of the runner (also warms the page cache), its row
    # counts, and the pre-typed TSV of each staging table for the hand and tsvgen routes
    reset_db
    "$SNAP/runner" -q -d "dbname=$DB" --data "$DATA" "$SNAP/postgres" || die "reference runner run failed"
    REF_FULL=$(counts runner) REF_STAR=$(counts rowbyrow) REF_KEYS=$(counts keys)
    MATCHED=$(q "SELECT count(*) FROM songplays WHERE song_id IS NOT NULL")
    EVENTS=$(q "SELECT count(*) FROM staging_events")
    rm -rf "$B/tsv" && mkdir -p "$B/tsv"
    local f t
    for f in "${STEPS[@]}"; do
        is_copy_step "$f" || continue
        t=$(copy_table "$f")
        "${PSQL[@]}" -c "\\copy $t $(copy_cols "$f") TO '$B/tsv/$t.tsv'" >/dev/null
    done
    for route in tsvgen naive rowbyrow; do make_driver "$route" "$B/$route.sql"; done
    make_hand "$B/hand.sql"
    log "   $EVENTS events, $BYTES bytes of JSON; reference: $REF_STAR ($MATCHED songplays matched a song)"
    if [ -n "${RUNS_SET:-}" ]; then runs=$RUNS; else runs=3; fi
    RBR_MODE=probe
    for ((r = 1; r <= runs; r++)); do
        RUN=$r
        for route in $ROUTES; do
            [ "$route" = rowbyrow ] && [ "$RBR_MODE" = skip ] && continue
            run_route "$route"
            [ "$route" = rowbyrow ] && [ "$RBR_MODE" = probe ] || continue
            # the first row-by-row run was a probe: decide what the later runs do
            if [ "$STATUS" != est ]; then
                RBR_MODE=full # it finished within the probe: a full measurement
            elif awk -v e="$ELAPSED" -v l="$ROWBYROW_LIMIT" 'BEGIN { exit !(e > l) }'; then
                RBR_MODE=skip
                log "   row by row would take ~$ELAPSED s (> $ROWBYROW_LIMIT s): estimate only"
            else
                RBR_MODE=full
                log "   row by row should take ~$ELAPSED s: measuring it in full"
                run_route rowbyrow
            fi
        done
    done
    reset_db
    rm -rf "$B/tsv"
    [ "$keep_data" = 1 ] || rm -rf "$DATA"
}

[ -n "${RUNS:-}" ] && RUNS_SET=1
SKIPPED=""
for size in $SIZES; do
    case "$size" in sample | [0-9]*) ;; *) die "bad size '$size' in SIZES" ;; esac
    bench_size "$size"
done

# ---------------------------------------------------------------- gen
bench_gen() { # bench_gen LABEL TABLES MODEL
    # The first run writes every file into a fresh folder (timed once: mostly the file
    # system). The timed runs then regenerate over that folder, as a user's edit-and-make
    # loop does: the whole compile, a compare, nothing rewritten. Instructions come from
    # callgrind, which counts the same on a busy machine as on an idle one.
    local label=$1 tables=$2 model=$3 r t0 t1 rss dir first instr=""
    dir="$B/gen/out-$label"
    rm -rf "$dir"
    t0=$(now)
    "$SNAP/gen" -q -m "$model" -o "$dir" || { FAILED=1; log "!!!!!!!! gen failed on $model"; return; }
    t1=$(now)
    first=$(secs "$t0" "$t1")
    if command -v valgrind >/dev/null; then
        valgrind --tool=callgrind --callgrind-out-file="$B/gen/cg.out" "$SNAP/gen" -q --check \
            -m "$model" -o "$dir" >/dev/null 2>&1 &&
            instr=$(awk '/^summary:/ {print $2}' "$B/gen/cg.out")
    fi
    for ((r = 1; r <= GEN_RUNS; r++)); do
        t0=$(now)
        /usr/bin/time -f '%M' -o "$B/gen-rss.txt" "$SNAP/gen" -q -m "$model" -o "$dir" ||
            { FAILED=1; log "!!!!!!!! gen failed on $model"; return; }
        t1=$(now)
        rss=$(tail -n 1 "$B/gen-rss.txt")
        printf 'gen\t%s\tgen\t%s\t%s\t\t%s\t%s\tok\tfiles=%s first=%s instr=%s\n' "$label" "$r" \
            "$(secs "$t0" "$t1")" "$(stat -c %s "$model")" "$rss" "$(find "$dir" -type f | wc -l)" \
            "$first" "$instr" >>"$RESULTS"
    done
    log "   gen $label ($tables tables): first write $first s; regenerate $(awk -F'\t' -v l="$label" '$1 == "gen" && $2 == l { printf "%s s ", $5 }' "$RESULTS")"
}
if [ -n "$GEN_TABLES" ]; then
    log "== gen scaling"
    rm -rf "$B/gen" && mkdir -p "$B/gen"
    bench_gen schema.yaml "the Sparkify" "$SNAP/schema.yaml"
    for n in $GEN_TABLES; do
        "$SYNTH_BIN" "$n" "$B/gen/model-$n.yaml"
        bench_gen "$n" "$n" "$B/gen/model-$n.yaml"
    done
fi

# ---------------------------------------------------------------- report
# Reads results.tsv and steps.tsv; prints the Markdown tables and the targets.
REPORT_AWK='
function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    if (n == 0) return ""
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function minof(list,   n, a, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
function maxof(list,   n, a, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
function commas(x,   s, r) { s = sprintf("%.0f", x); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } return s r }
function sec(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
function sizename(s) { return s == "sample" ? "sample (" commas(events[s]) ")" : commas(s) }
function verdict(ok) { return ok ? "**met**" : "**not met**" }
FNR == 1 { file++; next }
file == 1 && $1 == "load" {
    k = $2 SUBSEP $3
    if (!(($2) in seen)) { seen[$2] = 1; sizes[++nsizes] = $2 }
    if (!(k in rseen)) { rseen[k] = 1; routes[$2, ++nroutes[$2]] = $3 }
    events[$2] = $6; bytes[$2] = $7
    if ($9 == "ok") { ok[k] = ok[k] " " $5; nok[k]++ }
    else if ($9 == "est") { est[k] = $5; estd[k] = $10 }
    else bad[k] = bad[k] " " $9
    if ($8 != "" && $8 + 0 > rss[k] + 0) rss[k] = $8
}
file == 1 && $1 == "gen" {
    g = $2; if (!(g in gseen)) { gseen[g] = 1; gens[++ngens] = g }
    gt[g] = gt[g] " " $5; gbytes[g] = $7; if ($8 + 0 > grss[g] + 0) grss[g] = $8; n10 = split($10, kv, " "); for (k = 1; k <= n10; k++) { split(kv[k], pr, "="); if (pr[1] == "files") gfiles[g] = pr[2]; else if (pr[1] == "first") gfirst[g] = pr[2]; else if (pr[1] == "instr") ginstr[g] = pr[2] }
}
file == 2 {
    k = $1 SUBSEP $2 SUBSEP $4; ph[k, $3] += $6
    if (!((k, $3) in pseen)) { pseen[k, $3] = 1; runsof[k] = runsof[k] " " $3 }
    phases[$4] = 1
    ks = $1 SUBSEP $2 SUBSEP $5; st_t[ks, $3] += $6
    if (!((ks, $3) in st_seen)) { st_seen[ks, $3] = 1; st_runs[ks] = st_runs[ks] " " $3 }
    if ($5 != "start" && !($5 in stepseen)) { stepseen[$5] = 1; stepnames[++nsteps] = $5 }
}
function step_median(s, r, st,   k, n, a, i, list) {
    k = s SUBSEP r SUBSEP st
    if (!(k in st_runs)) return ""
    n = split(st_runs[k], a, " "); list = ""
    for (i = 1; i <= n; i++) list = list " " st_t[k, a[i]]
    return median(list)
}
function phase_median(s, r, p,   k, n, a, i, list) {
    k = s SUBSEP r SUBSEP p
    if (!(k in runsof)) return ""
    n = split(runsof[k], a, " "); list = ""
    for (i = 1; i <= n; i++) list = list " " ph[k, a[i]]
    return median(list)
}
function med(s, r) { return median(ok[s SUBSEP r]) }
END {
    printf "## Load: JSON to star schema, end to end\n\n"
    printf "PostgreSQL %s; %s\n\n", pgv, settings
    printf "| events | JSON MB | route | runs | median s | min-max s | events/s | MB/s | x hand |\n"
    printf "|---:|---:|---|---:|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= nsizes; i++) {
        s = sizes[i]; f = med(s, "hand")
        for (j = 1; j <= nroutes[s]; j++) {
            r = routes[s, j]; k = s SUBSEP r; label = (j == 1 ? sizename(s) : ""); mb = (j == 1 ? sprintf("%.1f", bytes[s] / 1e6) : "")
            if (nok[k] > 0) {
                m = med(s, r)
                printf "| %s | %s | %s | %d | %s | %s-%s | %s | %.1f | %s |\n", label, mb, r, nok[k], sec(m), sec(minof(ok[k])), sec(maxof(ok[k])), commas(events[s] / m), bytes[s] / 1e6 / m, ratio(m, f)
            } else if (k in est) {
                anyest = 1
                printf "| %s | %s | %s | est. | ~%s | (estimate) | ~%s | ~%.2f | ~%s |\n", label, mb, r, sec(est[k]), commas(events[s] / est[k]), bytes[s] / 1e6 / est[k], ratio(est[k], f)
            } else printf "| %s | %s | %s | - | FAILED:%s | | | | |\n", label, mb, r, bad[k]
        }
    }
    if (anyest) printf "\nest.: row by row would run over %s s at that size; the figure is its measured songs phase plus its measured per-event rate on the real data of that size (a probe of up to %s s of events) times all of its events.\n", limit, probe
    printf "\n## Ratios\n\nMedians of the alternated runs. runner/hand: the goal is <= 1.00; naive/runner: the goal is >= 2.00. The runner runs with --jobs " jobs " (serial: --jobs 1); its per-step seconds below overlap when steps run side by side.\n\n| events | runs | runner/hand | naive/runner | serial/runner | untuned/runner | runner/tsvgen | rowbyrow/runner | runner peak RSS MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= nsizes; i++) {
        s = sizes[i]; rn = med(s, "runner"); rb = med(s, "rowbyrow"); pre = ""
        if (rb == "" && ((s SUBSEP "rowbyrow") in est)) { rb = est[s, "rowbyrow"]; pre = "~" }
        rr = ratio(rb, rn); if (rr != "-") rr = pre rr
        printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", sizename(s), nok[s, "runner"], ratio(rn, med(s, "hand")), ratio(med(s, "naive"), rn), ratio(med(s, "serial"), rn), ratio(med(s, "untuned"), rn), ratio(rn, med(s, "tsvgen")), rr, rss[s, "runner"] == "" ? "-" : sprintf("%.1f", rss[s, "runner"] / 1024)
    }
    printf "\n## Where the time goes (median seconds per phase)\n\n| events | route | create | staging load | transform | other steps | rows (row by row) |\n|---:|---|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= nsizes; i++) {
        s = sizes[i]
        for (j = 1; j <= nroutes[s]; j++) {
            r = routes[s, j]; line = ""
            if (nok[s, r] == 0) continue
            split("create staging transform other rows", pn, " ")
            for (p = 1; p <= 5; p++) { v = phase_median(s, r, pn[p]); line = line " | " (v == "" ? "-" : sec(v)) }
            printf "| %s | %s%s |\n", (j == 1 ? sizename(s) : ""), r, line
        }
    }
    printf "\n## Step by step: runner against the hand-written floor (median seconds)\n\n| events | step | runner | untuned | hand | tsvgen | runner - hand |\n|---:|---|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= nsizes; i++) {
        s = sizes[i]; first = 1
        for (j = 1; j <= nsteps; j++) {
            st = stepnames[j]; a = step_median(s, "runner", st); b = step_median(s, "hand", st); c = step_median(s, "tsvgen", st); u = step_median(s, "untuned", st)
            if (a == "" && b == "") continue
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", (first ? sizename(s) : ""), st, (a == "" ? "-" : sec(a)), (u == "" ? "-" : sec(u)), (b == "" ? "-" : sec(b)), (c == "" ? "-" : sec(c)), ((a == "" || b == "") ? "-" : sprintf("%+.2f", a - b)); first = 0
        }
    }
    if (ngens > 0) {
        printf "\n## gen: compile time by model size\n\nRegenerate: the whole compile over an existing output folder (nothing changed, nothing rewritten), as in the edit-and-make loop; first write: into an empty folder, once (mostly the file system). Instructions: callgrind, the same on a busy machine as on an idle one; linearity is judged on them.\n\n| model | YAML KB | files | regenerate median s | min-max s | first write s | M instructions | k instructions per table | vs 100 tables | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        base = ""
        for (i = 1; i <= ngens; i++) if (gens[i] == "100" && ginstr["100"] != "") base = ginstr["100"] / 100
        lin = 1; worst = 0
        for (i = 1; i <= ngens; i++) {
            g = gens[i]; m = median(gt[g]); pt = "-"; dev = "-"
            if (g ~ /^[0-9]+$/ && ginstr[g] != "") { pt = sprintf("%.1f", ginstr[g] / g / 1000); if (base != "") { d = (ginstr[g] / g) / base - 1; dev = sprintf("%+.1f%%", d * 100); if (d > worst || -d > worst) worst = (d < 0 ? -d : d); if (d > 0.25 || d < -0.25) lin = 0 } }
            printf "| %s | %.0f | %s | %.3f | %.3f-%.3f | %s | %s | %s | %s | %.1f |\n", (g ~ /^[0-9]+$/ ? g " tables" : g), gbytes[g] / 1024, gfiles[g], m, minof(gt[g]), maxof(gt[g]), gfirst[g], (ginstr[g] == "" ? "-" : sprintf("%.0f", ginstr[g] / 1e6)), pt, dev, grss[g] / 1024
        }
    }
    printf "\n## Targets\n\n"
    for (i = 1; i <= nsizes; i++) {
        s = sizes[i]; if (s != "100000" && s != "1000000" && s != "5000000") continue
        if (((s SUBSEP "runner") in ok) && ((s SUBSEP "hand") in ok)) { x = med(s, "runner") / med(s, "hand"); any = 1; printf "- runner <= 1.0x the hand-written floor at %s events: %.2fx, %s\n", commas(s), x, verdict(x <= 1.0) }
        if (((s SUBSEP "runner") in ok) && ((s SUBSEP "naive") in ok) && s != "100000") { x = med(s, "naive") / med(s, "runner"); any = 1; printf "- runner >= 2x faster than naive psql at %s events: %.2fx, %s\n", commas(s), x, verdict(x >= 2) }
    }
    if (("100000" SUBSEP "naive") in ok && ("100000" SUBSEP "runner") in ok) { x = med("100000", "naive") / med("100000", "runner"); any = 1; printf "- runner >= 2x faster than naive psql at 100k: %.2fx, %s\n", x, verdict(x >= 2) }
    if (("100000" SUBSEP "runner") in ok) {
        rb = med("100000", "rowbyrow"); pre = ""; if (rb == "" && (("100000" SUBSEP "rowbyrow") in est)) { rb = est["100000", "rowbyrow"]; pre = "~" }
        if (rb != "") { x = rb / med("100000", "runner"); any = 1; printf "- runner >= 100x faster than row by row at 100k: %s%.0fx%s, %s\n", pre, x, (pre == "" ? "" : " (row by row estimated)"), verdict(x >= 100) }
    }
    for (i = 1; i <= nsizes; i++) { s = sizes[i]; if ((s == "1000000" || s == "5000000") && rss[s, "runner"] != "") { any = 1; printf "- runner peak RSS < 64 MB at %s events: %.1f MB, %s\n", commas(s), rss[s, "runner"] / 1024, verdict(rss[s, "runner"] < 65536) } }
    if ("2000" in gseen) { m = median(gt["2000"]); any = 1; printf "- gen on 2,000 tables < 1 s and < 256 MB: %.3f s, %.1f MB, %s\n", m, grss["2000"] / 1024, verdict(m < 1 && grss["2000"] < 262144) }
    if (base != "" && ngens > 2) { any = 1; printf "- gen growth linear (instructions per table within +-25%% of the 100-table point): worst %+.1f%%, %s\n", worst * 100, verdict(lin) }
    if (!any) printf "(none of the target sizes was run)\n"
    if (skipped != "") printf "\nSkipped:%s (absent)\n", skipped
}'
report() {
    awk -F'\t' -v settings="$SETTINGS" -v pgv="$PG_VERSION" -v skipped="$SKIPPED" \
        -v jobs="$JOBS" -v limit="$ROWBYROW_LIMIT" -v probe="$ROWBYROW_PROBE" "$REPORT_AWK" "$RESULTS" "$STEPS_TSV"
}
report
[ "$FAILED" = 0 ] || { log "bench: FAILED: a route failed or disagreed on row counts (see above)"; exit 1; }
exit 0
}

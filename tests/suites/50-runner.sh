#!/usr/bin/env bash
# 50-runner.sh - the runner end to end against a private PostgreSQL.
#
# Fixtures: tests/runner/basic (postgres step folder with client-side COPYs),
# tests/runner/data (ndjson with and without a final newline, pretty-printed
# one-object-per-file JSON), tests/runner/redshift (for --dry-run),
# tests/runner/sparkify (staging tables for ../shared/data/sparkify-sample).
# Env: RUNNER (default ./runner).  Prints "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh # check DESCRIPTION COMMAND...: ok when COMMAND exits 0
ROOT=$STARGEN_ROOT
LOCK_KEY=8319381555649015297 # src/runner/runner.h RUNNER_LOCK_KEY

has() { grep -qF -- "$2" "$1"; }        # has FILE TEXT
hasnt() { ! grep -qF -- "$2" "$1"; }
eq() { [ "$1" = "$2" ] || { echo "  got [$1] want [$2]"; return 1; }; }

if [ ! -x "$RUNNER_PROG" ]; then
    fail "runner binary $RUNNER_PROG not found (make runner)"
    finish
    exit 1
fi

T=$(mktemp -d /tmp/stargen-runner-test.XXXXXX)
source tests/lib-pg.sh
bgpids=()
cleanup() {
    for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    pg_remove "$T/pg"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then
    fail "cannot start PostgreSQL" "$(cat "$T/pgstart.log")"
    finish
    exit 1
fi
chmod 755 "$T"
unset PGPASSWORD PGSERVICE STARGEN_DATA
q() { psql -XAtq -c "$1" 2>&1; }
run() { # run NAME ARGS... : stdout -> $T/NAME.out, stderr -> $T/NAME.err, exit -> $rc
    local name=$1; shift
    "${RUNNER_CMD[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
}

DATA="$ROOT/tests/runner/data"
cp -r tests/runner/basic "$T/basic"

# --- exit codes and usage -----------------------------------------------------
run help --help
check "--help exits 0" eq "$rc" 0
check "--help lists exit codes" has "$T/help.out" "3  could not connect, or another runner holds the lock"
run noargs
check "no folder: exit 2" eq "$rc" 2
run nofolder "$T/does-not-exist"
check "missing folder: exit 2" eq "$rc" 2
check "missing folder named" has "$T/nofolder.err" "cannot open step folder $T/does-not-exist"
run badopt --bogus tests/runner/basic
check "unknown option: exit 2" eq "$rc" 2
run nodb -d "dbname=no_such_db_here" --data "$DATA" tests/runner/basic
check "connection failure: exit 3" eq "$rc" 3
check "connection failure explained" has "$T/nodb.err" 'database "no_such_db_here" does not exist'

# --- happy path ---------------------------------------------------------------
run happy --data "$DATA" --json "$T/happy.json" "$T/basic"
check "happy path exits 0" eq "$rc" 0
check "progress line for the COPY" grep -qE '^\[ 4/7\] load_staging_plays \.+ ok +5 rows +[0-9.]+ s$' "$T/happy.out"
check "summary line" grep -qE '^done: 7 steps ok in [0-9.]+ s$' "$T/happy.out"
check "staging_plays count" eq "$(q 'select count(*) from staging_plays')" 5
check "staging_tracks count" eq "$(q 'select count(*) from staging_tracks')" 2
check "plays count" eq "$(q 'select count(*) from plays')" 4
check "\\/ decoded, quotes kept" eq "$(q "select agent from staging_plays where user_id = 7 and ts = 1541105830796")" '"Mozilla/5.0 (X11; Linux x86_64)"'
check "\\u and surrogate pair decoded" eq "$(q "select user_name from staging_plays where user_id = 8")" "Björk 😀"
check "escaped tab decoded" eq "$(q "select agent = E'tab\\there' from staging_plays where user_id = 8")" t
check "epoch ms -> timestamp" eq "$(q "select start_time from staging_plays where user_id = 7 order by ts limit 1")" "2018-11-01 20:57:10.796"
check "pre-1970 epoch" eq "$(q "select start_time from staging_plays where user_id = 9")" "1969-12-31 23:59:59.999"
check "nested object as JSON text" eq "$(q "select meta from staging_plays where user_id = 7 and meta is not null")" '{"device":"phone","tags":["a","b"]}'
check "empty userId -> NULL, emptyasnull" eq "$(q "select count(*) from staging_plays where user_id is null and user_name is null")" 1
check "booleans" eq "$(q "select string_agg(coalesce(paid::text, 'null'), ',' order by ts) from staging_plays")" "true,true,false,null,true"
check "pretty-printed file, backslash and quotes" eq "$(q "select title from staging_tracks where track_id = 'TR2'")" 'Back\slash "quoted"'
check "no final newline: last object loaded" eq "$(q "select count(*) from staging_plays where ts = 1541107000000")" 1
check "history rows for the run" eq "$(q "select count(*) from stargen_history where status = 'success'")" 7
check "--json is valid" jq -e . "$T/happy.json"
check "--json statuses" eq "$(jq -r '[.results[].status] | unique | join(",")' "$T/happy.json")" success
check "--json run fields" eq "$(jq -r '[.status, .dialect, (.run_id | length), (.started_at | test("^[0-9-]+T[0-9:.]+Z$"))] | join(" ")' "$T/happy.json")" "success postgres 36 true"
check "--json checksum is sha256 of the file" eq "$(jq -r '.results[3].checksum' "$T/happy.json")" "$(sha256sum "$T/basic/03_load_staging_plays.sql" | cut -d' ' -f1)"
check "--json rows" eq "$(jq -r '.results[3].rows' "$T/happy.json")" 5

# --- rerun: same tables ---------------------------------------------------------
run rerun -q --data "$DATA" "$T/basic"
check "rerun exits 0" eq "$rc" 0
check "-q prints nothing on success" eq "$(cat "$T/rerun.out" "$T/rerun.err")" ""
check "rerun: same staging count" eq "$(q 'select count(*) from staging_plays')" 5
check "rerun: same plays count" eq "$(q 'select count(*) from plays')" 4

# --- a broken statement in a middle step ----------------------------------------
cp "$T/basic/05_load_plays.sql" "$T/05.orig"
cat >"$T/basic/05_load_plays.sql" <<'EOF'
-- Generated by stargen from schema.yaml (dialect: postgres). Do not edit: change the model and run ./gen.
DELETE FROM plays;

INSERT INTO plays (user_id, start_time, title)
SELECT p.user_id, p.start_time, p.nosuchcol
FROM staging_plays AS p;
EOF
q "insert into staging_tracks values ('MARK', 'marker', 'm', 1, 1)" >/dev/null
run broken --data "$DATA" --json "$T/broken.json" "$T/basic"
check "broken step: exit 1" eq "$rc" 1
check "broken step: file:line:col" has "$T/broken.err" "$T/basic/05_load_plays.sql:5:33: ERROR 42703: column p.nosuchcol does not exist"
check "broken step: step named" has "$T/broken.err" "error: step 05_load_plays failed"
check "broken step: statement shown" has "$T/broken.err" "SELECT p.user_id, p.start_time, p.nosuchcol"
check "broken step: progress says FAILED" grep -qE '^\[ 6/7\] load_plays \.+ FAILED' "$T/broken.out"
check "earlier steps committed (marker gone: 04 truncated and reloaded)" eq "$(q "select count(*) from staging_tracks")" 2
check "failed step left nothing (its DELETE rolled back)" eq "$(q 'select count(*) from plays')" 4
check "failure row in history" eq "$(q "select status || ' ' || left(error, 5) from stargen_history where step = 'load_plays' order by started_at desc limit 1")" "error 42703"
check "--json on failure: statuses" eq "$(jq -r '[.results[].status] | join(",")' "$T/broken.json")" "success,success,success,success,success,error,not_run"
check "--json on failure: error fields" eq "$(jq -r '.results[5].error | [.sqlstate, .line, .col] | join(" ")' "$T/broken.json")" "42703 5 33"
cp "$T/05.orig" "$T/basic/05_load_plays.sql"
run resume --data "$DATA" --from load_plays --json "$T/resume.json" "$T/basic"
check "--from resumes: exit 0" eq "$rc" 0
check "--from ran two steps" eq "$(grep -cE '^\[.*\] .* ok ' "$T/resume.out")" 2
check "--from: skipped steps in --json" eq "$(jq -r '[.results[].status] | join(",")' "$T/resume.json")" "skipped,skipped,skipped,skipped,skipped,success,success"
echo "-- edited" >>"$T/basic/06_report.sql"
run only --data "$DATA" --only 6 "$T/basic"
check "--only by number" eq "$(grep -cE '^\[.*\] .* ok ' "$T/only.out")" 1
check "checksum drift noted" grep -qE '^note: 06_report.sql changed since it last ran \(.*checksum [0-9a-f]{12}, now [0-9a-f]{12}\)$' "$T/only.out"
run unknown --data "$DATA" --from nosuchstep "$T/basic"
check "unknown --from: exit 2" eq "$rc" 2
check "unknown --from lists steps" has "$T/unknown.err" "valid steps: 00_drop 01_create_staging 02_create_star 03_load_staging_plays 04_load_staging_tracks 05_load_plays 06_report"

# --- malformed JSON and bad values ---------------------------------------------
mkdir -p "$T/data"
cp -r "$DATA/plays" "$DATA/tracks" "$T/data/"
printf '{"userId":"1","ts":1}\n{"userId":"2","ts":2}\n{"userId":"3","ts":3,}\n' >"$T/data/plays/2018/11/2018-11-03-events.json"
run badjson --data "$T/data" --only load_staging_plays "$T/basic"
check "malformed JSON: exit 1" eq "$rc" 1
check "malformed JSON: file and line" has "$T/badjson.err" "error: plays/2018/11/2018-11-03-events.json:3: expected a string key in object, found '}'"
check "malformed JSON: staging unchanged" eq "$(q 'select count(*) from staging_plays')" 5
printf '{"userId":"1","ts":1}\n\n{"userId":"abc","ts":2}\n' >"$T/data/plays/2018/11/2018-11-03-events.json"
run badint --data "$T/data" --only load_staging_plays "$T/basic"
check "bad integer: exit 1" eq "$rc" 1
check "bad integer: message" has "$T/badint.err" 'error: plays/2018/11/2018-11-03-events.json:3: column user_id: invalid integer "abc"'
check "bad integer: staging unchanged" eq "$(q 'select count(*) from staging_plays')" 5
rm "$T/data/plays/2018/11/2018-11-03-events.json"
rm -r "$T/data/tracks"
run nosource --data "$T/data" --only load_staging_tracks "$T/basic"
check "missing source folder: exit 2 (preflight, nothing run)" eq "$rc" 2
check "missing source folder: named" has "$T/nosource.err" "source tracks/ not found under the data root $T/data"

# --- placeholders -----------------------------------------------------------------
mkdir "$T/ph"
printf -- '-- Generated by stargen from schema.yaml (dialect: postgres). Do not edit: change the model and run ./gen.\nCREATE TABLE ph_marker (x int);\n' >"$T/ph/00_first.sql"
# placeholders are filled only where declared (-- stargen:placeholder, docs/out-format.md)
printf -- "-- Generated by stargen from schema.yaml (dialect: postgres). Do not edit: change the model and run ./gen.\n-- stargen:placeholder name=STARGEN_T_MISSING_ONE type=iam_role offset=8\n-- stargen:placeholder name=STARGEN_T_MISSING_TWO type=iam_role offset=36\n-- stargen:placeholder name=STARGEN_T_MISSING_ONE type=iam_role offset=64\nSELECT '\${STARGEN_T_MISSING_ONE}', '\${STARGEN_T_MISSING_TWO}', '\${STARGEN_T_MISSING_ONE}';\n" >"$T/ph/01_second.sql"
run ph "$T/ph"
check "missing placeholders: exit 2" eq "$rc" 2
check "missing placeholders listed together" has "$T/ph.err" "no value for placeholders STARGEN_T_MISSING_ONE, STARGEN_T_MISSING_TWO"
check "missing placeholders: nothing ran" eq "$(q "select to_regclass('ph_marker') is null")" t
STARGEN_T_MISSING_ONE="arn:aws:iam::123456789012:role/secret-value-1" STARGEN_T_MISSING_TWO=arn:aws:iam::123456789012:role/v2 run phok "$T/ph"
check "placeholders filled: exit 0" eq "$rc" 0
check "placeholder value never printed" hasnt "$T/phok.out" "secret-value-1"

# --- dry run ------------------------------------------------------------------------
REDSHIFT_IAM_ROLE="arn:aws:iam::999999999999:role/TopSecretRole" PGHOST=/nonexistent/socket \
    run dry --dry-run --data "$DATA" tests/runner/redshift
check "--dry-run: exit 0 without a server" eq "$rc" 0
check "--dry-run: placeholder unresolved" has "$T/dry.out" "IAM_ROLE '\${REDSHIFT_IAM_ROLE}' REGION 'us-west-2'"
check "--dry-run: value not printed" hasnt "$T/dry.out" "TopSecretRole"
check "--dry-run: checksums" has "$T/dry.out" "$(sha256sum tests/runner/redshift/02_load_staging_plays.sql | cut -d' ' -f1)"
check "--dry-run: no connection attempt" eq "$(cat "$T/dry.err")" ""
PGHOST=/nonexistent/socket run drymiss --dry-run tests/runner/redshift
check "--dry-run: notes a missing placeholder" has "$T/drymiss.out" "note: no value yet for REDSHIFT_IAM_ROLE"
PGHOST=/nonexistent/socket run dry2 --dry-run --data "$DATA" tests/runner/basic
check "--dry-run: COPY source files listed" has "$T/dry2.out" "plays/2018/11/2018-11-02-events.json"
PGHOST=/nonexistent/socket run dry3 --dry-run --data "$T/nowhere" tests/runner/basic
check "--dry-run: missing source reported" has "$T/dry3.out" "reads: MISSING: source plays/ not found"

# --- passwords never shown ------------------------------------------------------------
cat >"$T/dwh.cfg" <<EOF
[CLUSTER]
HOST=$PGHOST
DB_NAME=postgres
DB_USER=postgres
DB_PASSWORD=CfgPassw0rdXYZ
DB_PORT=$PGPORT

[IAM_ROLE]
ARN='arn:aws:iam::123:role/CfgRoleABC'
EOF
PGPASSWORD=EnvPassw0rdQRS run cfg --config "$T/dwh.cfg" --data "$DATA" --json "$T/cfg.json" "$T/basic"
check "--config run: exit 0" eq "$rc" 0
cp "$T/dwh.cfg" "$T/bad.cfg"
sed -i 's/^DB_NAME=.*/DB_NAME=no_such_db_cfg/' "$T/bad.cfg"
PGPASSWORD=EnvPassw0rdQRS run cfgbad --config "$T/bad.cfg" --data "$DATA" --json "$T/cfgbad.json" "$T/basic"
check "--config bad db: exit 3" eq "$rc" 3
PGPASSWORD=EnvPassw0rdQRS run cfgdry --config "$T/bad.cfg" --dry-run tests/runner/redshift
check "--config target shown" has "$T/cfgdry.out" "dbname=no_such_db_cfg user=postgres"
check "--json written on connection failure" eq "$(jq -r '[.status, ([.results[].status] | unique | join(","))] | join(" ")' "$T/cfgbad.json")" "error not_run"
run cfguri -d "postgresql://postgres:UriPassw0rdJKL@/no_such_db_uri?host=$PGHOST&port=$PGPORT" --data "$DATA" "$T/basic"
check "-d URI bad db: exit 3" eq "$rc" 3
check "-d URI target shown without password" has "$T/cfguri.err" "dbname=no_such_db_uri user=postgres)"
check "passwords never printed or reported" eq "$(cat "$T"/cfg*.out "$T"/cfg*.err "$T/cfg.json" "$T/cfgbad.json" | grep -cE 'CfgPassw0rdXYZ|EnvPassw0rdQRS|CfgRoleABC|UriPassw0rdJKL')" 0

# --- lock -----------------------------------------------------------------------------
psql -XAtq -c "select pg_advisory_lock($LOCK_KEY)" -c "select pg_sleep(8)" >/dev/null 2>&1 &
bgpids+=($!)
for _ in $(seq 50); do
    [ "$(q "select count(*) from pg_locks where locktype = 'advisory' and granted")" = 1 ] && break
    sleep 0.1
done
run locked --data "$DATA" "$T/basic"
check "second runner refused: exit 3" eq "$rc" 3
check "refusal names the holder" grep -qE "refusing to run: another runner holds the lock on this database \(pid [0-9]+, application_name 'psql'" "$T/locked.err"
kill "${bgpids[-1]}" 2>/dev/null
q "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory'" >/dev/null

# --- SIGKILL mid-run: the lock frees itself --------------------------------------------
mkdir "$T/slow"
printf -- '-- Generated by stargen from schema.yaml (dialect: postgres). Do not edit: change the model and run ./gen.\nCREATE TABLE IF NOT EXISTS slow_marker (x int);\n' >"$T/slow/00_mark.sql"
printf -- '-- Generated by stargen from schema.yaml (dialect: postgres). Do not edit: change the model and run ./gen.\nSELECT pg_sleep(10);\n' >"$T/slow/01_sleep.sql"
"${RUNNER_CMD[@]}" "$T/slow" >"$T/slow.out" 2>&1 &
victim=$!
bgpids+=($victim)
for _ in $(seq 50); do
    [ "$(q "select count(*) from pg_stat_activity where application_name = 'stargen-runner' and query like '%pg_sleep%'")" = 1 ] && break
    sleep 0.1
done
exec 3>&2 2>/dev/null
kill -9 "$victim"
wait "$victim"
exec 2>&3 3>&-
t0=$(date +%s)
rc=3
while [ "$rc" = 3 ] && [ $(($(date +%s) - t0)) -lt 12 ]; do
    run afterkill --only mark "$T/slow"
    [ "$rc" = 3 ] && sleep 0.3
done
check "after SIGKILL the next run proceeds" eq "$rc" 0
check "the killed step left no success row" eq "$(q "select count(*) from stargen_history where step = 'sleep' and status = 'success'")" 0

# --- Sparkify sample from ../shared ----------------------------------------------------
SAMPLE="$ROOT/../shared/data/sparkify-sample"
if [ -d "$SAMPLE" ]; then
    run sparkify --data "$SAMPLE" tests/runner/sparkify
    check "sparkify: exit 0" eq "$rc" 0
    check "sparkify: staging_events = 8056" eq "$(q 'select count(*) from staging_events')" 8056
    check "sparkify: staging_songs = 71" eq "$(q 'select count(*) from staging_songs')" 71
    check "sparkify: progress rows" grep -qE 'load_staging_events \.+ ok +8056 rows' "$T/sparkify.out"
    check "sparkify: userAgent \\/ decoded" eq "$(q "select count(*) from staging_events where user_agent like '%Mozilla/5.0%'")" "$(q "select count(*) from staging_events where user_agent like '%Mozilla%'")"
    check "sparkify: no backslash left in userAgent" eq "$(q "select count(*) from staging_events where user_agent like '%\\\\%'")" 0
    check "sparkify: \\u name decoded" eq "$(q "select title from staging_songs where song_id = 'SOQOTLQ12AB01868D0'")" "Clementina Santafè"
    check "sparkify: empty userId -> NULL" eq "$(q "select count(*) from staging_events where user_id is null")" "$(grep -ho '"userId":""' -r "$SAMPLE/log_data" | wc -l)"
    check "sparkify: NextSong events" eq "$(q "select count(*) from staging_events where page = 'NextSong'")" 6820
else
    skip "../shared absent (sparkify sample cases)" 9
fi
finish

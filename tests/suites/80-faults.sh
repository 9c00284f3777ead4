#!/usr/bin/env bash
# 80-faults.sh - faults during a real run on a private PostgreSQL: the runner gives a clear
# error, the step's table holds its complete result or the state before the step (never a
# partial table), `--from STEP` completes the run with the exact counts of a clean run, and
# nothing is left behind.  Data: DATAGEN --events 300000 (about 140 MB, 30 log files).
#
#   0. a clean run: the reference row counts of the 7 tables
#   1. server stopped mid-COPY (pg_ctl stop -m immediate) during a fresh run: the
#      step's table is empty after the restart (state before), --from completes
#   2. connection dropped (pg_terminate_backend from psql) mid-COPY of a --from run: the
#      table keeps its previous 300000 rows, not the DELETE and a partial COPY
#   3. statement timeout (PGOPTIONS='-c statement_timeout=1000') in the server-side
#      INSERT ... SELECT of load_songplays: the table keeps its rows
#   4. the data folder unreadable halfway: the 16th of 30 log files is mode 000 and the
#      runner runs as an unprivileged user (as root, via runuser -u nobody: chmod does not
#      stop root from reading, so a revoked permission is only real for another user).
#      The walk lists the file, 15 files (~150k rows) stream into the COPY, then opening
#      the 16th fails: the COPY is aborted and the table keeps its rows. `nobody` runs copies
#      of the runner and the steps kept in the suite's world-traversable temp folder, since
#      the checkout may sit in a folder only its owner can enter (a mktemp -d, /root).
#   5. the runner interrupted (SIGTERM) mid-COPY: exit 1, "interrupted", table intact
#   6. connection retries: server down at start and up 1 s later -> the runner waits,
#      says so and succeeds; never up -> exit 3 after 4 attempts; wrong password and
#      unknown database -> exit 3 at once, no retry
#   after all: TMPDIR (set to an empty folder for every runner) still empty, no
#   stargen/runner file added to /tmp, no *.tmp.* beside the --json reports, out/
#   and the data folder byte-identical.
# Env: RUNNER, DATAGEN.  Takes about 60-90 s.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
EVENTS=${FAULT_EVENTS:-300000}
[ -x "$DATAGEN_PROG" ] || { fail "data generator $DATAGEN_PROG not built"; finish; exit 1; }

# As root, $T must be reachable by `nobody` (test 4): in TMPDIR when it can enter it, else in /tmp.
base=${TMPDIR:-/tmp}
if [ "$(id -u)" = 0 ] && ! runuser -u nobody -- test -x "$base" 2>/dev/null; then base=/tmp; fi
T=$(mktemp -d "$base/stargen-faults.XXXXXX") || exit 1
chmod 755 "$T"
source tests/lib-pg.sh
bgpids=()
cleanup() {
    for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    pg_remove "$T/pg" >/dev/null 2>&1
    chmod -R u+rwx "$T" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
unset PGPASSWORD PGOPTIONS PGSERVICE STARGEN_DATA

# the runner's own temp names: FILE.tmp.PID (the --json report), runner*
tmp_names() { ls -A /tmp | grep -E '\.tmp\.[0-9]+$|^runner' | sort; }
tmp_before=$(tmp_names)
out_before=$(cd "$STARGEN_ROOT" && find out -type f -print0 | sort -z | xargs -0 sha256sum)

"${DATAGEN_CMD[@]}" --events "$EVENTS" --out "$T/data" >"$T/datagen.log" 2>&1 || { fail "datagen failed" "$(cat "$T/datagen.log")"; finish; exit 1; }
chmod -R a+rX "$T/data"
data_before=$(cd "$T/data" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then fail "cannot start PostgreSQL" "$(cat "$T/pgstart.log")"; finish; exit 1; fi
SOCK=$PGHOST
createdb f
mkdir -p "$T/tmpdir" "$T/work"
chmod 777 "$T/tmpdir" "$T/work"
STEPS=$STARGEN_ROOT/out/postgres
TABLES="staging_events staging_songs songplays users songs artists time"
q() { psql -X -A -t -q -d f -c "$1" 2>&1; }
counts() { local t; for t in $TABLES; do printf '%s=%s ' "$t" "$(count "$t")"; done; }
count() { local n; n=$(q "SELECT count(*) FROM $1"); case "$n" in '' | *[!0-9]*) echo "(error: ${n%%$'\n'*})" ;; *) echo "$n" ;; esac; }
# runner NAME [ARGS...]: runs in $T/work with TMPDIR=$T/tmpdir; exit in $rc
runner() {
    local name=$1
    shift
    (cd "$T/work" && TMPDIR=$T/tmpdir exec "${RUNNER_CMD[@]}" -d dbname=f --data "$T/data" --json "$T/work/$name.json" "$@" "$STEPS") \
        >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
}
# runner_bg NAME [ARGS...]: the same in the background; pid in $bg
runner_bg() {
    local name=$1
    shift
    (cd "$T/work" && TMPDIR=$T/tmpdir exec "${RUNNER_CMD[@]}" -d dbname=f --data "$T/data" --json "$T/work/$name.json" "$@" "$STEPS") \
        >"$T/$name.out" 2>"$T/$name.err" &
    bg=$!
    bgpids+=("$bg")
}
# wait_copy PID: until the runner's COPY is streaming (or the runner ended); 0 when seen
wait_copy() {
    local i
    for i in $(seq 1 400); do
        kill -0 "$1" 2>/dev/null || return 1
        [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stargen-runner' AND query LIKE 'COPY staging_events%' AND state = 'active'")" = 1 ] &&
            { sleep 0.3; return 0; }
        sleep 0.05
    done
    return 1
}
wait_rc() { wait "$1"; rc=$?; }
has() { grep -qF -- "$2" "$1"; }
expect() { # expect LABEL COND-DESCRIPTION CMD...
    local l=$1 d=$2
    shift 2
    if "$@"; then ok "$l: $d"; else fail "$l: $d" "$(tail -n 15 "$T/$l.err" 2>/dev/null)"; fi
}

# ---- 0. clean run ----------------------------------------------------------------------
runner clean
expect clean "a clean run exits 0" test "$rc" = 0
REF=$(counts)
CLEAN_EVENTS=$(count staging_events)
[ "$CLEAN_EVENTS" = "$EVENTS" ] && ok "clean: staging_events has $EVENTS rows" || fail "clean: staging_events has $CLEAN_EVENTS rows, want $EVENTS"
echo "reference counts: $REF" >"$T/ref"

# ---- 1. server stopped mid-COPY ----------------------------------------------------------
runner_bg kill
if wait_copy "$bg"; then
    pg_kill "$T/pg"
    wait_rc "$bg"
    expect kill "runner exits 1" test "$rc" = 1
    expect kill "the error names the step and the lost connection" \
        grep -qE "step [0-9]*_load_staging_events failed|server closed the connection|terminat|connection" "$T/kill.err"
    pg_start "$T/pg" >/dev/null 2>&1 || fail "kill: server does not restart"
    n=$(count staging_events)
    [ "$n" = 0 ] && ok "kill: after restart staging_events is empty, the state before the step (not partial)" ||
        fail "kill: after restart staging_events has $n rows (0 = before, $EVENTS = complete)"
    runner kill-resume --from load_staging_events
    expect kill-resume "--from load_staging_events exits 0" test "$rc" = 0
    [ "$(counts)" = "$REF" ] && ok "kill: --from gives the clean run's counts" || fail "kill: counts after --from: $(counts)" "want $REF"
else
    fail "kill: the COPY was never seen running" "$(cat "$T/kill.err")"
fi

# ---- 2. connection dropped ----------------------------------------------------------------
runner_bg term --from load_staging_events
if wait_copy "$bg"; then
    q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stargen-runner'" >/dev/null
    wait_rc "$bg"
    expect term "runner exits 1" test "$rc" = 1
    expect term "the error says the connection was terminated" grep -qiE "terminating connection|server closed the connection" "$T/term.err"
    n=$(count staging_events)
    [ "$n" = "$EVENTS" ] && ok "term: staging_events keeps its $EVENTS rows (state before; no partial DELETE/COPY)" ||
        fail "term: staging_events has $n rows, want $EVENTS"
    runner term-resume --from load_staging_events
    expect term-resume "--from exits 0" test "$rc" = 0
    [ "$(counts)" = "$REF" ] && ok "term: --from gives the clean run's counts" || fail "term: counts after --from: $(counts)" "want $REF"
else
    fail "term: the COPY was never seen running" "$(cat "$T/term.err")"
fi

# ---- 3. statement timeout ---------------------------------------------------------------------
before=$(count songplays)
PGOPTIONS='-c statement_timeout=1000' runner timeout --from load_songplays
expect timeout "runner exits 1" test "$rc" = 1
expect timeout "the error is the server's statement timeout (SQLSTATE 57014) in load_songplays" \
    grep -qF "57014: canceling statement due to statement timeout" "$T/timeout.err"
has "$T/timeout.err" "load_songplays failed" || fail "timeout: the failed step is not load_songplays" "$(head -n 3 "$T/timeout.err")"
n=$(count songplays)
[ "$n" = "$before" ] && ok "timeout: songplays keeps its $before rows (the DELETE rolled back with the INSERT)" ||
    fail "timeout: songplays has $n rows, want $before"
runner timeout-resume --from load_songplays
expect timeout-resume "--from load_songplays exits 0" test "$rc" = 0
[ "$(counts)" = "$REF" ] && ok "timeout: --from gives the clean run's counts" || fail "timeout: counts after --from: $(counts)" "want $REF"

# ---- 4. data folder unreadable halfway ----------------------------------------------------------
mapfile -t logs < <(find "$T/data/log_data" -type f -name '*.json' | LC_ALL=C sort)
half=${logs[15]}
chmod 000 "$half"
as_user=() unpriv_cmd=("${RUNNER_CMD[@]}") unpriv_steps=$STEPS reach=""
if [ "$(id -u)" = 0 ]; then
    as_user=(runuser -u nobody --)
    chmod 777 "$T/work"
    mkdir "$T/unpriv"
    cp "$RUNNER_PROG" "$T/unpriv/runner"
    cp -r "$STEPS" "$T/unpriv/steps"
    chmod -R a+rX "$T/unpriv"
    unpriv_cmd[-1]=$T/unpriv/runner unpriv_steps=$T/unpriv/steps
    # what that run needs: execute the runner, read a step and the data, write the report, connect
    for need in "-x $T/unpriv/runner" "-r $(echo "$unpriv_steps"/*_load_staging_events.sql)" "-r ${logs[0]}" \
        "-w $T/work" "-w $T/tmpdir" "-w $SOCK/.s.PGSQL.$PGPORT"; do
        runuser -u nobody -- test ${need%% *} "${need#* }" || reach="$reach ${need#* }"
    done
fi
if [ -n "$reach" ]; then
    skip "unreadable: the user nobody cannot reach$reach (a folder on the way is private)" 3
else
    (cd "$T/work" && TMPDIR=$T/tmpdir exec "${as_user[@]}" env PGHOST="$SOCK" PGPORT="$PGPORT" PGUSER=postgres \
        "${unpriv_cmd[@]}" -d dbname=f --data "$T/data" --json "$T/work/unreadable.json" --from load_staging_events "$unpriv_steps") \
        >"$T/unreadable.out" 2>"$T/unreadable.err"
    rc=$?
    expect unreadable "runner exits 1" test "$rc" = 1
    expect unreadable "the error names the unreadable file: Permission denied" \
        grep -qE "$(basename "$half").*Permission denied" "$T/unreadable.err"
    n=$(count staging_events)
    [ "$n" = "$EVENTS" ] && ok "unreadable: staging_events keeps its $EVENTS rows (15 files streamed, then rolled back)" ||
        fail "unreadable: staging_events has $n rows, want $EVENTS"
fi
chmod 644 "$half"
runner unreadable-resume --from load_staging_events
expect unreadable-resume "--from exits 0 once the file is readable" test "$rc" = 0
[ "$(counts)" = "$REF" ] && ok "unreadable: --from gives the clean run's counts" || fail "unreadable: counts after --from: $(counts)" "want $REF"

# ---- 5. interrupted -----------------------------------------------------------------------------
runner_bg sigterm --from load_staging_events
if wait_copy "$bg"; then
    kill -TERM "$bg"
    wait_rc "$bg"
    expect sigterm "runner exits 1 on SIGTERM" test "$rc" = 1
    expect sigterm "it says it was interrupted" grep -qi "interrupt\|cancel" "$T/sigterm.err"
    n=$(count staging_events)
    [ "$n" = "$EVENTS" ] && ok "sigterm: staging_events keeps its $EVENTS rows" || fail "sigterm: staging_events has $n rows, want $EVENTS"
    runner sigterm-resume --from load_staging_events
    [ "$rc" = 0 ] && [ "$(counts)" = "$REF" ] && ok "sigterm: --from gives the clean run's counts" || fail "sigterm: resume exit $rc, counts $(counts)"
else
    fail "sigterm: the COPY was never seen running"
fi

# ---- 6. connection retries ------------------------------------------------------------------------
mkdir -p "$T/tiny"
printf -- '-- Generated by stargen.\nSELECT 1;\n' >"$T/tiny/01_one.sql"
tiny() { # tiny NAME [ARGS...]
    local name=$1
    shift
    local t0=$SECONDS
    (cd "$T/work" && TMPDIR=$T/tmpdir exec "${RUNNER_CMD[@]}" "$@" "$T/tiny") >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    took=$((SECONDS - t0))
}
pg_stop "$T/pg"
( sleep 1; pg_start "$T/pg" >/dev/null 2>&1 ) &
starter=$!
tiny late -d dbname=f
wait "$starter"
expect late "server up 1 s late: the runner waits and exits 0" test "$rc" = 0
expect late "it prints its retries" grep -qE "^note: connection failed \(.*\); retrying in [0-9.]+ s \(attempt 2 of 4\)" "$T/late.err"
pg_stop "$T/pg"
tiny never -d dbname=f
expect never "server never up: exit 3" test "$rc" = 3
expect never "after 4 attempts (3 retries printed)" test "$(grep -c '^note: connection failed' "$T/never.err")" = 3
expect never "then the error names the target" grep -qE "^runner: error: could not connect: .*\(target: host=.* dbname=f" "$T/never.err"
[ "$took" -ge 3 ] && [ "$took" -le 10 ] && ok "never: gave up after bounded backoff (${took} s)" || fail "never: took ${took} s"
pg_start "$T/pg" >/dev/null 2>&1 || fail "retries: server does not restart"
# password authentication for one role (the cluster trusts everyone else on its socket)
q "CREATE ROLE pwuser LOGIN PASSWORD 'right-Pa55'" >/dev/null
q "CREATE DATABASE pw OWNER pwuser" >/dev/null
HBA=$(q "SHOW hba_file")
{ echo "local all pwuser scram-sha-256"; cat "$HBA"; } >"$T/hba" && cat "$T/hba" >"$HBA"
q "SELECT pg_reload_conf()" >/dev/null
sleep 0.3
tiny pwok -d "dbname=pw user=pwuser password=right-Pa55"
expect pwok "control: the right password connects" test "$rc" = 0
tiny pwbad -d "dbname=pw user=pwuser password=wrong-Pa55"
expect pwbad "wrong password: exit 3" test "$rc" = 3
expect pwbad "at once, without retrying" test "$(grep -c 'retrying' "$T/pwbad.err")" = 0
expect pwbad "says password authentication failed" grep -qF 'password authentication failed for user "pwuser"' "$T/pwbad.err"
expect pwbad "never prints the password" sh -c "! grep -qF 'wrong-Pa55' '$T/pwbad.err' '$T/pwbad.out'"
tiny nodb -d "dbname=no_such_database"
expect nodb "unknown database: exit 3" test "$rc" = 3
expect nodb "at once, without retrying" test "$(grep -c 'retrying' "$T/nodb.err")" = 0
expect nodb "says the database does not exist" grep -qF 'database "no_such_database" does not exist' "$T/nodb.err"

# ---- nothing left behind -----------------------------------------------------------------------
left=$(ls -A "$T/tmpdir")
[ -z "$left" ] && ok "no temp file in TMPDIR" || fail "temp files left in TMPDIR: $left"
new=$(comm -13 <(echo "$tmp_before") <(tmp_names))
[ -z "$new" ] && ok "no *.tmp.PID or runner* file added to /tmp" || fail "new files in /tmp: $new"
left=$(find "$T/work" -name '*.tmp*')
[ -z "$left" ] && ok "no half-written --json report left" || fail "temp reports left: $left"
[ "$(cd "$STARGEN_ROOT" && find out -type f -print0 | sort -z | xargs -0 sha256sum)" = "$out_before" ] &&
    ok "out/ unchanged" || fail "out/ changed during the fault runs"
[ "$(cd "$T/data" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)" = "$data_before" ] &&
    ok "the data folder unchanged" || fail "the data folder changed"
command -v jq >/dev/null || skip "jq not installed: --json reports not parsed"
bad_reports=""
reports="clean:success kill:error term:error timeout:error sigterm:error"
[ -z "$reach" ] && reports="$reports unreadable:error"
for j in $reports; do
    command -v jq >/dev/null || break
    f=$T/work/${j%%:*}.json want=${j#*:}
    jq -e --arg w "$want" '.status == $w and (.results | map(select(.status == "error")) | length) == (if $w == "error" then 1 else 0 end)' \
        "$f" >/dev/null 2>&1 || bad_reports="$bad_reports ${j%%:*}"
done
[ -z "$bad_reports" ] && ok "every --json report parses, with its run status and exactly the failed step" ||
    fail "--json reports wrong:$bad_reports"
finish

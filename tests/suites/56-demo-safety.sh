#!/usr/bin/env bash
# 56-demo-safety.sh - issue 11, done-when: "make demo twice in a row and a failed run in between
# leave the warehouse readable throughout".
#
# The demo's runner commands (scripts/demo.sh: `runner -d dbname=sparkify --data data
# out/postgres`, then `runner --report`) on small generated data (build/rel/sparkify-data),
# against a private PostgreSQL:
#   round 1 (data set A) builds the warehouse; then, while a reader queries every star table's
#   row count in one snapshot, over and over:
#   - a failed run: a data file with a bad value (the staging load fails, exit 1);
#   - a failed run: the runner killed with SIGKILL in the middle of its steps;
#   - round 2 (data set B: other events, so a mix of A and B is visible), with --report;
#   - round 3 (data set A again, the same command twice in a row), with --report.
# Every read must be A's complete counts or B's, never an error, an empty or partial table;
# both must be seen, and after each failed run the warehouse is still A's.
# Env: RUNNER, DATAGEN (tests/lib.sh).  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
source tests/lib-pg.sh
T=$(mktemp -d "${TMPDIR:-/tmp}/stargen-56.XXXXXX") || exit 1
chmod 755 "$T"
cleanup() { [ -n "${rpid:-}" ] && kill "$rpid" 2>/dev/null; pg_remove "$T/pg" >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
unset PGPASSWORD PGSERVICE STARGEN_DATA
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then
    fail "start PostgreSQL" "$(cat "$T/pgstart.log")"; finish; exit 1
fi
createdb sparkify
OUT="$STARGEN_ROOT/out/postgres"
q() { psql -X -A -t -d sparkify -c "$1" 2>&1; }
demo_run() { "${RUNNER_CMD[@]}" -q -d dbname=sparkify --data "$1" "$OUT"; }
demo_report() { "${RUNNER_CMD[@]}" -q -d dbname=sparkify --report "$OUT"; }
STAR="songplays users songs artists time"
counts_sql="SELECT concat_ws(' '"
for t in $STAR; do counts_sql+=", (SELECT count(*) FROM $t)"; done
counts_sql+=")"

# data sets A and B: small, deterministic
if ! "${DATAGEN_CMD[@]}" --events 3000 --seed 42 --out "$T/A" >"$T/gen.log" 2>&1 ||
    ! "${DATAGEN_CMD[@]}" --events 2000 --seed 7 --out "$T/B" >>"$T/gen.log" 2>&1; then
    fail "sparkify-data" "$(cat "$T/gen.log")"; finish; exit 1
fi

# ---- round 1 ----
if out=$(demo_run "$T/A" 2>&1) && demo_report >"$T/report1.out" 2>&1; then ok "round 1 (data set A): run and --report"
else fail "round 1 failed" "$out$(cat "$T/report1.out")"; finish; exit 1; fi
CA=$(q "$counts_sql")
case " $CA " in *" 0 "*) fail "data set A leaves an empty star table: [$CA]" ;; *) ok "round 1 fills every star table: [$CA]" ;; esac

# ---- the reader, from now on ----
# one line per read: the counts, or "ERR " and the error's first line
( while [ ! -e "$T/stop" ]; do
    if r=$(psql -X -A -t -d sparkify -c "$counts_sql" 2>&1); then echo "$r"; else echo "ERR ${r%%$'\n'*}"; fi
done >"$T/reads" ) & rpid=$!
sleep 0.3

# ---- a failed run: a bad value in a data file ----
cp -r "$T/A" "$T/bad"
f=$(find "$T/bad/log_data" -name '*.json' | sort | tail -n 1)
printf '{"ts": "not a number", "page": "NextSong"}\n' >>"$f"
STARGEN_TEST_STEP_DELAY_MS=20 "${RUNNER_CMD[@]}" -q -d dbname=sparkify --data "$T/bad" "$OUT" >"$T/bad.out" 2>"$T/bad.err"; rc=$?
if [ "$rc" = 1 ] && grep -q "$(basename "$f")" "$T/bad.err"; then ok "a run on a bad data file fails (exit 1), naming the file"
else fail "the bad-data run (exit $rc)" "$(cat "$T/bad.err")"; fi
got=$(q "$counts_sql")
if [ "$got" = "$CA" ]; then ok "after the failed run the warehouse is still A's"; else fail "after the failed run: [$got], want A [$CA]"; fi

# ---- a failed run: killed in the middle ----
STARGEN_TEST_STEP_DELAY_MS=150 "${RUNNER_CMD[@]}" -q -d dbname=sparkify --data "$T/B" "$OUT" >/dev/null 2>&1 & kpid=$!
sleep 2
kill -9 "$kpid" 2>/dev/null; wait "$kpid" 2>/dev/null; rc=$?
[ "$rc" = 137 ] && ok "a run killed with SIGKILL mid-way" || fail "the run to kill ended before the kill (exit $rc): make the delay longer"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stargen-runner'" >/dev/null
for _ in $(seq 100); do [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ] && break; sleep 0.05; done
got=$(q "$counts_sql")
if [ "$got" = "$CA" ]; then ok "after the killed run the warehouse is still A's"; else fail "after the killed run: [$got], want A [$CA]"; fi

# ---- rounds 2 (B) and 3 (A), the demo's two commands each ----
STARGEN_TEST_STEP_DELAY_MS=20 demo_run "$T/B" >"$T/r2.out" 2>&1 && demo_report >"$T/report2.out" 2>&1; r2=$?
CB=$(q "$counts_sql")
STARGEN_TEST_STEP_DELAY_MS=20 demo_run "$T/A" >"$T/r3.out" 2>&1 && demo_report >"$T/report3.out" 2>&1; r3=$?
touch "$T/stop"; wait "$rpid"; rpid=
if [ "$r2" = 0 ] && [ "$r3" = 0 ]; then ok "rounds 2 (B) and 3 (A): run and --report"; else fail "rounds 2/3: exit $r2 $r3" "$(cat "$T/r2.out" "$T/r3.out")"; fi
[ "$CB" != "$CA" ] && ok "data sets A and B give different counts: A [$CA], B [$CB]" ||
    fail "A and B give the same counts [$CA]: the reader could not tell a mix"
got=$(q "$counts_sql")
[ "$got" = "$CA" ] && ok "round 3 leaves A's warehouse again" || fail "after round 3: [$got], want [$CA]"

nreads=$(wc -l <"$T/reads")
ndead=$(grep -c -x 'ERR ERROR:  deadlock detected' "$T/reads")
bad=$(grep -v -x -e "$CA" -e "$CB" -e 'ERR ERROR:  deadlock detected' "$T/reads" | sort | uniq -c | head -n 10)
if [ -z "$bad" ] && [ "$nreads" -ge 20 ]; then
    ok "the reader never saw an empty, partial or mixed warehouse, nor a missing table: $nreads reads, $(grep -c -x -e "$CA" "$T/reads") of A, $(grep -c -x -e "$CB" "$T/reads") of B"
else fail "the reader saw other states or too few reads ($nreads)" "$bad"; fi
# A read that takes its table locks in another order than the publish step's renames
# (here songplays first; the swap renames artists first) would deadlock with the swap, and
# PostgreSQL would cancel one side.  The publish step waits for a lock at most half of
# deadlock_timeout, so it gives way first and the runner retries it (execute.c): no read is
# ever cancelled.
if [ "$ndead" = 0 ]; then ok "no read was cancelled by a deadlock with the swap ($nreads reads)"
else fail "$ndead of $nreads reads were cancelled (deadlock detected) by the publish step's renames"; fi
grep -q -x -e "$CB" "$T/reads" && grep -q -x -e "$CA" "$T/reads" &&
    ok "the reader saw both A and B (it read throughout)" || fail "the reader did not see both warehouses"
finish

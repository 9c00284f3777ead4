#!/usr/bin/env bash
# 59-redshift-incremental.sh - incremental sources on Redshift (issue 14 item 1): the COPY reads
# a per-run manifest of the new files, which the runner builds from an S3 listing and
# stargen_ledger, PUTs with a signed request and fills into the COPY.
#
# What runs here, for real: gen's output for the golden model "incremental"; the runner's
# Redshift mode on the Redshift stand-in (a PostgreSQL database dressed as Redshift,
# tests/standin-redshift.sql, as in 64-redshift-standin.sh) against a local S3 (s3rver behind
# tests/s3/proxy.py, which verifies every SigV4 signature, as in 70-s3.sh): the listing of the
# source prefixes, the ledger (its DDL, selection by size and ETag, pending rows, promotion in
# the publish transaction), the refusal of a changed file naming it, on_changed reload and
# skip, the manifest's exact JSON read back by GET, the URL filled into the statement,
# --dry-run's exact list of new files (read-only: no PUT, no table), --full-reload, a run with
# no new file (the COPY is not run), and a failed COPY that records nothing.
#
# What stands in: PostgreSQL cannot parse Redshift's COPY ... IAM_ROLE ... MANIFEST, so in a
# copy of out/redshift each COPY becomes SELECT rsfake.copy_manifest(table, '${STARGEN_MANIFEST}',
# '${SHOP_ROLE}') with the same two declared placeholders (offsets moved with them): a function
# that, like the COPY, GETs the manifest from S3 and loads every file it lists (JSON lines,
# 'auto' by column name), failing the statement when a file is missing or not JSON.  The
# Redshift DDL clauses are stripped as in 64.  Documented, not run on a cluster: Redshift's own
# COPY ... MANIFEST reading that JSON (docs.aws.amazon.com/redshift/latest/dg/
# loading-data-files-using-manifest.html), the ledger DDL and its statements on a real
# Redshift, and ETags of real S3 (multipart uploads).
# Env: RUNNER, GEN.  Prints "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh

for tool in node npm python3 psql curl; do
    if ! command -v "$tool" >/dev/null; then skip "$tool is not installed: this suite needs it"; finish; exit 0; fi
done
if [ ! -f build/s3rver/node_modules/s3rver/package.json ]; then
    mkdir -p build
    if ! npm install --prefix build/s3rver s3rver@3 --no-audit --no-fund >build/s3rver-install.log 2>&1; then
        skip "cannot install s3rver from npm (offline?): see build/s3rver-install.log"; finish; exit 0
    fi
fi

tmp=$(mktemp -d /tmp/stargen-rsinc.XXXXXX)
chmod 755 "$tmp"
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

NODE_PATH="$STARGEN_ROOT/build/s3rver/node_modules" node --openssl-legacy-provider tests/s3/s3.js \
    serve "$tmp/s3" "$tmp/s3.port" >"$tmp/s3rver.log" 2>&1 &
pids+=($!)
if ! wait_file "$tmp/s3.port"; then fail "s3rver did not start" "$(cat "$tmp/s3rver.log")"; finish; exit 1; fi
S3=http://127.0.0.1:$(cat "$tmp/s3.port")
s3js() { NODE_PATH="$STARGEN_ROOT/build/s3rver/node_modules" node tests/s3/s3.js "$@"; }
SECRET='sEcReT-59/+Qx'
python3 tests/s3/proxy.py "$(cat "$tmp/s3.port")" "$tmp/proxy.port" --secret "$SECRET" \
    --log "$tmp/proxy.log" 2>"$tmp/proxy.err" &
pids+=($!)
wait_file "$tmp/proxy.port" || { fail "proxy did not start" "$(cat "$tmp/proxy.err")"; finish; exit 1; }
touch "$tmp/proxy.log"
EP=http://127.0.0.1:$(cat "$tmp/proxy.port")
for b in shop-lake shop-meta; do s3js mkbucket "$S3" "$b" || fail "mkbucket $b"; done

export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
if ! pg_start "$tmp/pg" >"$tmp/pgstart.log" 2>&1; then fail "cannot start PostgreSQL" "$(cat "$tmp/pgstart.log")"; finish; exit 1; fi
q() { psql -XAtq -d rs -c "$1" 2>&1; }
createdb rs && psql -X -q -v ON_ERROR_STOP=1 -d rs -f tests/standin-redshift.sql >/dev/null &&
    psql -X -q -d rs -c "ALTER DATABASE rs SET search_path = rsfake, pg_catalog, public" -c "ALTER DATABASE rs SET standard_conforming_strings = off" >/dev/null ||
    { fail "cannot build the Redshift stand-in"; finish; exit 1; }
# the COPY ... MANIFEST stand-in: GET the manifest (s3rver takes unsigned GETs), then each file
# it lists, one JSON object per line, into the table by column name
psql -X -q -v ON_ERROR_STOP=1 -d rs >/dev/null <<SQL || { fail "cannot create rsfake.copy_manifest"; finish; exit 1; }
CREATE TABLE rsfake.copies (n serial, tbl text, url text, role text);
CREATE FUNCTION rsfake.fetch(url text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE b text := split_part(substr(url, 6), '/', 1); k text; body text;
BEGIN
    k := substr(url, 6 + length(b) + 1);
    IF k ~ '[^A-Za-z0-9/._-]' THEN RAISE EXCEPTION 'stand-in: key % needs quoting', k; END IF;
    CREATE TEMP TABLE IF NOT EXISTS rsfake_body (n serial, line text);
    TRUNCATE rsfake_body;
    EXECUTE format('COPY rsfake_body (line) FROM PROGRAM %L WITH (FORMAT csv, QUOTE %L, DELIMITER %L)',
                   'curl -sSf ''$S3/' || b || '/' || k || '''', E'\x01', E'\x02');
    SELECT string_agg(line, E'\n' ORDER BY n) INTO body FROM rsfake_body;
    RETURN coalesce(body, '');
END \$\$;
CREATE FUNCTION rsfake.copy_manifest(tbl text, url text, role text) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE e jsonb; line text; m jsonb;
BEGIN
    INSERT INTO rsfake.copies (tbl, url, role) VALUES (tbl, url, role);
    m := rsfake.fetch(url)::jsonb;
    FOR e IN SELECT * FROM jsonb_array_elements(m->'entries') LOOP
        FOR line IN SELECT regexp_split_to_table(rsfake.fetch(e->>'url'), E'\n') LOOP
            CONTINUE WHEN line = '';
            EXECUTE format('INSERT INTO %I SELECT * FROM jsonb_populate_record(NULL::%I, \$1)', tbl, tbl) USING line::jsonb;
        END LOOP;
    END LOOP;
END \$\$;
SQL

unset STARGEN_DATA AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_REGION
export AWS_SHARED_CREDENTIALS_FILE="$tmp/no-credentials" STARGEN_S3_BACKOFF_MS=20 STARGEN_S3_TIMEOUT=10
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY="$SECRET" AWS_ENDPOINT_URL="$EP"
export SHOP_ROLE='arn:aws:iam::123456789012:role/shop'
run() { local n=$1; shift; "${RUNNER_CMD[@]}" -d dbname=rs "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"; rc=$?; }
both() { cat "$tmp/$1.out" "$tmp/$1.err"; }

# ---- gen: the golden model's Redshift COPY reads a manifest; the hints of [redshift-manifests] compile
MODEL="$STARGEN_ROOT/tests/golden/incremental/schema.yaml"
"${GEN_CMD[@]}" -q -m "$MODEL" -o "$tmp/out" || { fail "gen failed on the incremental model"; finish; exit 1; }
f=$tmp/out/redshift/03_load_stage_orders.sql
if grep -qx -- "-- stargen:placeholder name=STARGEN_MANIFEST type=manifest offset=76 source=s3://shop-lake/orders/ manifests=s3://shop-meta/stargen/manifests/ changed=error" "$f" &&
    grep -qx "FROM '\${STARGEN_MANIFEST}'" "$f" && grep -qx "MANIFEST" "$f" && ! grep -q "FROM 's3://shop-lake" "$f"; then
    ok "the Redshift COPY of an incremental source reads FROM the manifest spot, with MANIFEST"
else fail "Redshift incremental COPY" "$(cat "$f")"; fi
hint_compiles() { # CASE: apply the hint's "manifests: URI" to the case's model, gen must pass
    local c=tests/badmodels/$1 uri
    uri=$(grep -o 'manifests: s3://[^ ]*/' "$c/expected.stderr" | head -1 | cut -d' ' -f2)
    python3 - "$c/schema.yaml" "$tmp/$1.yaml" "$uri" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
s = re.sub(r'\n  manifests: .*', '', s)
s = s.replace("redshift:\n", "redshift:\n  manifests: %s\n" % sys.argv[3], 1)
open(sys.argv[2], "w").write(s)
PY
    [ -n "$uri" ] && "${GEN_CMD[@]}" -q -m "$tmp/$1.yaml" -o "$tmp/$1.out"
}
for c in 340-incremental-without-manifests 341-manifests-under-source 342-manifests-not-a-folder; do
    if out=$(hint_compiles "$c" 2>&1); then ok "the hint of badmodel $c gives a model that compiles"; else fail "hint of $c does not compile" "$out"; fi
done

# ---- the stand-in folder: Redshift DDL clauses stripped (as in 64); each COPY becomes the
# stand-in call, its two declared placeholders kept and their offsets moved
RS=$tmp/rs
cp -r "$tmp/out/redshift" "$RS"
perl -0pi -e 's/\n(?:BACKUP NO|DISTSTYLE \w+|DISTKEY \([^)]*\)|(?:COMPOUND |INTERLEAVED )?SORTKEY \([^)]*\))(?=[\n;])//g; s/ ENCODE \w+//g' "$RS"/[0-9]*.sql
python3 - "$RS"/0[34]_load_*.sql <<'PY' || fail "cannot rewrite the COPY statements"
import re, sys
for p in sys.argv[1:]:
    s = open(p).read()
    m = re.search(r"(-- stargen:placeholder name=STARGEN_MANIFEST type=manifest offset=)\d+( [^\n]*\n)"
                  r"(-- stargen:placeholder name=SHOP_ROLE type=iam_role offset=)\d+\n"
                  r"COPY (\w+) \([^)]*\)\nFROM '\$\{STARGEN_MANIFEST\}'\n[^;]*\nMANIFEST\n[^;]*;\n", s)
    assert m, p
    stmt = "SELECT rsfake.copy_manifest('%s', '${STARGEN_MANIFEST}', '${SHOP_ROLE}');\n" % m.group(4)
    new = "%s%d%s%s%d\n%s" % (m.group(1), stmt.index("${STARGEN_MANIFEST}"), m.group(2), m.group(3),
                              stmt.index("${SHOP_ROLE}"), stmt)
    open(p, "w").write(s[:m.start()] + new + s[m.end():])
PY

# ---- data: one file per day
mkdir -p "$tmp/d"
order() { printf '{"order_id": %s, "customer_id": %s, "status": "%s", "amount": "%s", "updated_at": "%s"}\n' "$@"; }
cust() { printf '{"customer_id": %s, "name": "%s", "city": "%s", "updated_at": "%s"}\n' "$@"; }
{ order 1 10 new 10.00 "2024-01-01 09:00:00"; order 2 11 new 20.00 "2024-01-01 10:00:00"; } >"$tmp/d/o1.json"
{ order 1 10 paid 10.00 "2024-01-02 09:00:00"; order 3 10 new 30.50 "2024-01-02 11:00:00"; } >"$tmp/d/o2.json"
{ order 2 11 shipped 20.00 "2024-01-03 08:00:00"; order 4 12 new 5.25 "2024-01-03 12:00:00"; } >"$tmp/d/o3.json"
{ cust 10 Ann Oslo "2024-01-01 00:00:00"; cust 11 Bob Rome "2024-01-01 00:00:00"; } >"$tmp/d/c1.json"
put() { s3js putone "$S3" "$1" "$2" "$3" >/dev/null || fail "upload $2"; }
put shop-lake orders/2024-01-01.json "$tmp/d/o1.json"
put shop-lake orders/2024-01-02.json "$tmp/d/o2.json"
put shop-lake customers/2024-01-01.json "$tmp/d/c1.json"
size() { wc -c <"$1" | tr -d ' '; }
puts() { grep -c '^PUT ' "$tmp/proxy.log"; }
manifests() { s3js get "$S3" shop-meta "$1"; } # prints the object

# ---- dry run before any run: every file new, nothing written
p0=$(puts)
run dry1 --dry-run "$RS"
want="  load_stage_orders: incremental source s3://shop-lake/orders/: 2 of 2 files to stage (no stargen_ledger yet: every file is new):
    new s3://shop-lake/orders/2024-01-01.json
    new s3://shop-lake/orders/2024-01-02.json
  load_stage_customers: incremental source s3://shop-lake/customers/: 1 of 1 file to stage (no stargen_ledger yet: every file is new):
    new s3://shop-lake/customers/2024-01-01.json"
got=$(sed -n '/^incremental sources/,$p' "$tmp/dry1.out" | tail -n +2)
if [ $rc = 0 ] && [ "$got" = "$want" ]; then ok "--dry-run lists exactly the new files of each prefix (S3 listed)"; else fail "dry run 1 (exit $rc)" "$got
$(cat "$tmp/dry1.err")"; fi
if [ "$(puts)" = "$p0" ] && [ "$(q "SELECT to_regclass('stargen_ledger') IS NULL")" = t ]; then ok "--dry-run is read-only: no PUT, no ledger table"; else fail "dry run wrote something"; fi

# ---- run 1: both sources, every file
run r1 "$RS"
rid=$(q "SELECT DISTINCT run_id FROM stargen_history WHERE step = 'load_stage_orders'")
if [ $rc = 0 ] && [ "$(q "SELECT count(*) FROM orders")" = 3 ] && [ "$(q "SELECT status FROM orders WHERE order_id = 1")" = paid ] && [ "$(q "SELECT count(*) FROM customers")" = 2 ]; then
    ok "run 1 loads every file through the manifests (3 orders, order 1 paid, 2 customers)"
else fail "run 1 (exit $rc)" "$(both r1)"; fi
key_o="stargen/manifests/$rid/03_load_stage_orders.manifest"
key_c="stargen/manifests/$rid/04_load_stage_customers.manifest"
want_o='{"entries":[
{"url":"s3://shop-lake/orders/2024-01-01.json","mandatory":true,"meta":{"content_length":'$(size "$tmp/d/o1.json")'}},
{"url":"s3://shop-lake/orders/2024-01-02.json","mandatory":true,"meta":{"content_length":'$(size "$tmp/d/o2.json")'}}
]}'
if [ "$(manifests "$key_o")" = "$want_o" ]; then ok "the orders manifest, read back by GET, is exactly the two files with their sizes"; else fail "orders manifest" "$(manifests "$key_o" 2>&1)"; fi
if manifests "$key_c" | grep -qF '{"url":"s3://shop-lake/customers/2024-01-01.json","mandatory":true,"meta":{"content_length":'"$(size "$tmp/d/c1.json")"'}}'; then ok "the customers manifest lists its file"; else fail "customers manifest" "$(manifests "$key_c" 2>&1)"; fi
if [ "$(q "SELECT string_agg(url, ' ' ORDER BY n) FROM rsfake.copies")" = "s3://shop-meta/$key_o s3://shop-meta/$key_c" ] &&
    [ "$(q "SELECT DISTINCT role FROM rsfake.copies")" = "$SHOP_ROLE" ]; then
    ok "each COPY was sent its manifest's URL (per run and step) and the IAM role"
else fail "URLs sent" "$(q "SELECT * FROM rsfake.copies")"; fi
if grep -q "^PUT /shop-meta/$key_o .*auth=yes" "$tmp/proxy.log" && ! grep -q "SignatureDoesNotMatch" "$tmp/proxy.log" "$tmp/r1.err"; then ok "the manifests are PUT with signed requests (signatures verified)"; else fail "PUT not signed" "$(cat "$tmp/proxy.log")"; fi
if grep -q "load_stage_orders: incremental source s3://shop-lake/orders/: 2 files to stage (2 new, 0 again), 0 already loaded, 0 changed and skipped; manifest s3://shop-meta/$key_o" <(both r1); then ok "the run says what it stages and where the manifest is"; else fail "run 1 info line" "$(both r1)"; fi
ledger=$(q "SELECT source || ' ' || file_key || ' ' || size || ' ' || (version LIKE 'etag:\"%\"') || ' ' || (sha256 = '') || ' ' || status || ' ' || (run_id = '$rid') FROM stargen_ledger ORDER BY 1")
want_l="s3://shop-lake/customers/ s3://shop-lake/customers/2024-01-01.json $(size "$tmp/d/c1.json") true true loaded true
s3://shop-lake/orders/ s3://shop-lake/orders/2024-01-01.json $(size "$tmp/d/o1.json") true true loaded true
s3://shop-lake/orders/ s3://shop-lake/orders/2024-01-02.json $(size "$tmp/d/o2.json") true true loaded true"
if [ "$ledger" = "$want_l" ]; then ok "stargen_ledger: one loaded row per file (key, size, ETag; no checksum: the runner reads no file)"; else fail "ledger after run 1" "$ledger"; fi
if grep -qF "$SECRET" "$tmp/r1.out" "$tmp/r1.err" "$tmp/dry1.out" "$tmp/dry1.err"; then fail "the secret key reached the output"; else ok "the secret key is never printed"; fi

# ---- nothing new: no COPY, no PUT, the run says so
p0=$(puts); n0=$(q "SELECT count(*) FROM rsfake.copies")
run r2 "$RS"
if [ $rc = 0 ] && [ "$(puts)" = "$p0" ] && [ "$(q "SELECT count(*) FROM rsfake.copies")" = "$n0" ] &&
    grep -q "load_stage_orders: incremental source s3://shop-lake/orders/: no new file (2 already loaded, 0 changed and skipped); the COPY is not run" <(both r2) &&
    [ "$(q "SELECT count(*) FROM orders")" = 3 ]; then
    ok "a run with no new file runs no COPY and PUTs no manifest, and says so; the tables stay"
else fail "no-new-file run (exit $rc)" "$(both r2)"; fi

# ---- day 3: one new file: dry run lists it alone, the run's manifest holds it alone
put shop-lake orders/2024-01-03.json "$tmp/d/o3.json"
run dry3 --dry-run "$RS"
want="  load_stage_orders: incremental source s3://shop-lake/orders/: 1 of 3 files to stage:
    new s3://shop-lake/orders/2024-01-03.json
  load_stage_customers: incremental source s3://shop-lake/customers/: 0 of 1 file to stage:"
got=$(sed -n '/^incremental sources/,$p' "$tmp/dry3.out" | tail -n +2)
if [ $rc = 0 ] && [ "$got" = "$want" ]; then ok "--dry-run after a run lists exactly the one new file"; else fail "dry run 3 (exit $rc)" "$got"; fi
run dryf --dry-run --full-reload "$RS"
if [ $rc = 0 ] && [ "$(grep -c '^    again s3://' "$tmp/dryf.out")" = 3 ] && [ "$(grep -c '^    new s3://' "$tmp/dryf.out")" = 1 ]; then ok "--dry-run --full-reload lists every file (3 again, 1 new)"; else fail "dry run --full-reload" "$(cat "$tmp/dryf.out")"; fi
p0=$(puts)
run r3 "$RS"
rid3=$(q "SELECT run_id FROM stargen_history WHERE step = 'load_stage_orders' ORDER BY started_at DESC LIMIT 1")
want_o3='{"entries":[
{"url":"s3://shop-lake/orders/2024-01-03.json","mandatory":true,"meta":{"content_length":'$(size "$tmp/d/o3.json")'}}
]}'
if [ $rc = 0 ] && [ "$(manifests "stargen/manifests/$rid3/03_load_stage_orders.manifest")" = "$want_o3" ] && [ "$(($(puts) - p0))" = 1 ]; then
    ok "the next run's manifest holds only the new file (one PUT: customers had none)"
else fail "run 3 (exit $rc)" "$(both r3)"; fi
if [ "$(q "SELECT count(*) || ' ' || string_agg(order_id || ':' || status, ',' ORDER BY order_id) FROM orders")" = "4 1:paid,2:shipped,3:new,4:new" ] &&
    [ "$(q "SELECT count(*) FROM stargen_ledger WHERE status = 'loaded'")" = 4 ]; then
    ok "the star tables take the new file's rows (upsert), the ledger has 4 loaded files"
else fail "after run 3" "$(q "SELECT * FROM orders ORDER BY 1")"; fi

# ---- a changed file under on_changed: error is refused, named; nothing recorded, no PUT
printf '{"order_id": 1, "customer_id": 10, "status": "lost", "amount": "1.00", "updated_at": "2024-01-09 00:00:00"}\n' >"$tmp/d/o1x.json"
put shop-lake orders/2024-01-01.json "$tmp/d/o1x.json"
p0=$(puts); l0=$(q "SELECT count(*) FROM stargen_ledger")
run r4 "$RS"
if [ $rc = 1 ] && grep -q 's3://shop-lake/orders/2024-01-01.json changed after it was loaded (size' <(both r4) && grep -q "on_changed: reload" <(both r4) &&
    [ "$(puts)" = "$p0" ] && [ "$(q "SELECT count(*) FROM stargen_ledger")" = "$l0" ] && [ "$(q "SELECT status FROM orders WHERE order_id = 1")" = paid ]; then
    ok "a changed file is refused, named, with the way out; no manifest, the ledger and tables unchanged"
else fail "changed file (exit $rc)" "$(both r4)"; fi
run dry4 --dry-run "$RS"
if [ $rc = 2 ] && grep -q "2024-01-01.json changed after it was loaded" "$tmp/dry4.out"; then ok "--dry-run reports the changed file as a problem (exit 2)"; else fail "dry run with a changed file (exit $rc)" "$(both dry4)"; fi
# on_changed: skip (the directive's changed=skip): warned, named, not staged
SK=$tmp/rs-skip; cp -r "$RS" "$SK"; sed -i 's/ changed=error$/ changed=skip/' "$SK/03_load_stage_orders.sql"
run r5 "$SK"
if [ $rc = 0 ] && grep -q "warning: load_stage_orders: s3://shop-lake/orders/2024-01-01.json changed after it was loaded; not staged again (on_changed: skip)" <(both r5) &&
    [ "$(q "SELECT status FROM orders WHERE order_id = 1")" = paid ]; then
    ok "on_changed: skip warns, naming the file, and stages nothing of it"
else fail "on_changed skip (exit $rc)" "$(both r5)"; fi
put shop-lake orders/2024-01-01.json "$tmp/d/o1.json" # the same bytes again: the same ETag
run r6 "$RS"
if [ $rc = 0 ] && grep -q "no new file (3 already loaded" <(both r6); then ok "the restored file (same bytes, same ETag) counts as loaded again"; else fail "restored file (exit $rc)" "$(both r6)"; fi
# on_changed: reload (customers): the changed file is staged again and its row replaced
{ cust 10 Ann Bergen "2024-01-05 00:00:00"; cust 11 Bob Rome "2024-01-01 00:00:00"; } >"$tmp/d/c1x.json"
put shop-lake customers/2024-01-01.json "$tmp/d/c1x.json"
run r7 "$RS"
if [ $rc = 0 ] && grep -q "load_stage_customers: incremental source s3://shop-lake/customers/: 1 file to stage (0 new, 1 again)" <(both r7) &&
    [ "$(q "SELECT city FROM customers WHERE customer_id = 10")" = Bergen ] &&
    [ "$(q "SELECT count(*) || ' ' || max(size) FROM stargen_ledger WHERE file_key = 's3://shop-lake/customers/2024-01-01.json'")" = "1 $(size "$tmp/d/c1x.json")" ]; then
    ok "on_changed: reload stages the changed file again; its ledger row is replaced, not doubled"
else fail "on_changed reload (exit $rc)" "$(both r7)"; fi

# ---- a failed COPY records nothing: the pending rows roll back with it
printf '{"order_id": 5, "customer_id": 10, "status": "new"\n' >"$tmp/d/o4bad.json"
put shop-lake orders/2024-01-04.json "$tmp/d/o4bad.json"
run r8 "$RS"
if [ $rc = 1 ] && [ "$(q "SELECT count(*) FROM stargen_ledger WHERE file_key LIKE '%2024-01-04%'")" = 0 ] && [ "$(q "SELECT count(*) FROM orders")" = 4 ]; then
    ok "a failed COPY leaves no ledger row for its files (neither pending nor loaded)"
else fail "failed COPY (exit $rc)" "$(both r8)
$(q "SELECT file_key, status FROM stargen_ledger")"; fi
printf '{"order_id": 5, "customer_id": 10, "status": "new", "amount": "1.50", "updated_at": "2024-01-04 10:00:00"}\n' >"$tmp/d/o4.json"
put shop-lake orders/2024-01-04.json "$tmp/d/o4.json"
run dry9 --dry-run "$RS"
got=$(sed -n '/^incremental sources/,$p' "$tmp/dry9.out" | grep '^    ')
if [ $rc = 0 ] && [ "$got" = "    new s3://shop-lake/orders/2024-01-04.json" ]; then ok "--dry-run after the failure lists the failed file as new again, alone"; else fail "dry run 9 (exit $rc)" "$got"; fi
run r9 "$RS"
if [ $rc = 0 ] && [ "$(q "SELECT count(*) FROM orders")" = 5 ] && [ "$(q "SELECT count(*) FROM stargen_ledger WHERE status = 'loaded'")" = 5 ] &&
    [ "$(q "SELECT count(*) FROM stargen_ledger WHERE status <> 'loaded'")" = 0 ]; then
    ok "the rerun loads it and records it loaded"
else fail "rerun after the failure (exit $rc)" "$(both r9)"; fi

# ---- staged but not published: pending rows, promoted only by publish
put shop-lake orders/2024-01-05.json "$tmp/d/o3.json"
run r10 --only load_stage_orders "$RS"
if [ $rc = 0 ] && [ "$(q "SELECT status FROM stargen_ledger WHERE file_key LIKE '%2024-01-05%'")" = pending ]; then ok "a staging step alone records its file pending"; else fail "pending (exit $rc)" "$(both r10)"; fi
run r11 --dry-run "$RS"
if grep -q "^    new s3://shop-lake/orders/2024-01-05.json" "$tmp/r11.out"; then ok "a pending file is still new to the next run"; else fail "pending file not listed" "$(cat "$tmp/r11.out")"; fi
run r12 "$RS"
if [ $rc = 0 ] && [ "$(q "SELECT string_agg(status, ',') FROM stargen_ledger WHERE file_key LIKE '%2024-01-05%'")" = loaded ]; then ok "the publish step promotes it to loaded (one row)"; else fail "promotion (exit $rc)" "$(both r12)"; fi

# ---- --full-reload: every file of each prefix in the manifest; the ledger rows replaced, not doubled
before=$(q "SELECT string_agg(order_id || ':' || status, ',' ORDER BY order_id) FROM orders")
run r13 --full-reload "$RS"
rid13=$(q "SELECT run_id FROM stargen_history WHERE step = 'load_stage_orders' ORDER BY started_at DESC LIMIT 1")
urls=$(manifests "stargen/manifests/$rid13/03_load_stage_orders.manifest" | grep -o '"url":"[^"]*"' | tr '\n' ' ')
if [ $rc = 0 ] && [ "$urls" = '"url":"s3://shop-lake/orders/2024-01-01.json" "url":"s3://shop-lake/orders/2024-01-02.json" "url":"s3://shop-lake/orders/2024-01-03.json" "url":"s3://shop-lake/orders/2024-01-04.json" "url":"s3://shop-lake/orders/2024-01-05.json" ' ] &&
    grep -q "5 files to stage (0 new, 5 again), 0 already loaded (--full-reload stages them again)" <(both r13) &&
    [ "$(q "SELECT count(*) || ' ' || count(DISTINCT file_key) || ' ' || min(run_id) FROM stargen_ledger WHERE source = 's3://shop-lake/orders/'")" = "5 5 $rid13" ] &&
    [ "$(q "SELECT string_agg(order_id || ':' || status, ',' ORDER BY order_id) FROM orders")" = "$before" ]; then
    ok "--full-reload stages every file through one manifest; the ledger has one row per file, of this run; the upserted tables are unchanged"
else fail "--full-reload (exit $rc)" "$urls
$(both r13)"; fi

finish

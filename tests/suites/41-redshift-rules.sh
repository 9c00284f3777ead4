#!/usr/bin/env bash
# Our own Redshift rules (tests/redshift-rules.py) over every generated Redshift file: the
# committed out/redshift, every golden model's out/redshift, and what gen writes for the
# positive controls of the bad-model corpus. Then the checker's own tests: each rule must
# catch a planted violation (so this suite can fail), with the Redshift page it cites.
set -u
source tests/lib.sh
RULES="python3 $STARGEN_ROOT/tests/redshift-rules.py"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if out=$($RULES out/redshift 2>&1); then ok "out/redshift follows the Redshift rules"; else fail "out/redshift breaks Redshift rules" "$out"; fi
for d in tests/golden/*/; do
    c=$(basename "$d")
    if out=$($RULES "$d/out/redshift" 2>&1); then ok "golden $c follows the Redshift rules"; else fail "golden $c breaks Redshift rules" "$out"; fi
done
for d in tests/badmodels/ok-*/; do
    c=$(basename "$d")
    rm -rf "$tmp/o"
    if ! (cd "$d" && "${GEN_CMD[@]}" -q -m schema.yaml -o "$tmp/o" 2>/dev/null); then fail "$c: gen failed"; continue; fi
    if out=$($RULES "$tmp/o/redshift" 2>&1); then ok "$c follows the Redshift rules"; else fail "$c breaks Redshift rules" "$out"; fi
done

# Planted violations: NAME, the SQL, the rule that must fire.
plant() {
    local name=$1 rule=$2 sql=$3
    mkdir -p "$tmp/p"; printf '%s\n' "$sql" >"$tmp/p/$name.sql"
    out=$($RULES "$tmp/p/$name.sql" 2>&1); rc=$?
    if [ $rc = 1 ] && grep -q ": $rule: " <<<"$out"; then ok "rule $rule catches $name"; else fail "rule $rule missed $name (exit $rc)" "$out"; fi
    rm -f "$tmp/p/$name.sql"
}
plant text255-on-integer encode-type 'CREATE TABLE t (
    a INTEGER ENCODE TEXT255
);'
plant az64-on-varchar encode-type 'CREATE TABLE t (
    a VARCHAR(10) ENCODE AZ64
);'
plant mostly16-on-smallint encode-type 'CREATE TABLE t (
    a SMALLINT ENCODE MOSTLY16
);'
plant two-distkeys distkey 'CREATE TABLE t (a INTEGER, b INTEGER)
DISTSTYLE KEY
DISTKEY (a)
DISTKEY (b);'
plant all-with-distkey distkey 'CREATE TABLE t (a INTEGER)
DISTSTYLE ALL
DISTKEY (a);'
plant key-without-distkey distkey 'CREATE TABLE t (a INTEGER)
DISTSTYLE KEY;'
plant distkey-not-a-column distkey 'CREATE TABLE t (a INTEGER)
DISTSTYLE KEY
DISTKEY (b);'
plant interleaved-9 sortkey 'CREATE TABLE t (a INT, b INT, c INT, d INT, e INT, f INT, g INT, h INT, i INT)
INTERLEAVED SORTKEY (a, b, c, d, e, f, g, h, i);'
plant name-128-bytes name-length "CREATE TABLE $(printf 'a%.0s' $(seq 128)) (a INTEGER);"
plant statupdate-off statupdate "COPY t (a) FROM 's3://b/p/' IAM_ROLE 'x' REGION 'us-west-2' FORMAT AS JSON 'auto' STATUPDATE OFF;"
plant ctas-stage ctas-stage 'CREATE TEMP TABLE stargen_stage AS SELECT 1 AS a;'
plant truncate-in-step transaction 'DELETE FROM a;
TRUNCATE b;'
plant append-in-step transaction 'ALTER TABLE a APPEND FROM b;'
plant create-database transaction 'CREATE DATABASE x;'
plant vacuum transaction 'VACUUM t;'
mkdir -p "$tmp/p"; printf "COPY t (a) FROM 's3://b/p/' IAM_ROLE 'x' FORMAT AS JSON 'auto';\n" >"$tmp/p/noregion.sql"
if ! $RULES --strict-region "$tmp/p/noregion.sql" >/dev/null 2>&1 && $RULES "$tmp/p/noregion.sql" >/dev/null 2>&1; then
    ok "copy-region: a failure with --strict-region, a note otherwise"; else fail "copy-region not reported as documented"; fi
printf -- "-- stargen:no-transaction\nVACUUM t;\n" >"$tmp/p/notxn.sql"
if $RULES "$tmp/p/notxn.sql" >/dev/null 2>&1; then ok "a no-transaction step may VACUUM"; else fail "no-transaction step refused"; fi
printf "DELETE FROM t WHERE a = 'TRUNCATE x;';\n-- TRUNCATE in a comment\n" >"$tmp/p/quoted.sql"
if $RULES "$tmp/p/quoted.sql" >/dev/null 2>&1; then ok "TRUNCATE inside a string or comment is not a statement"; else fail "string/comment mistaken for a statement"; fi
finish

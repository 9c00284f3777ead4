#!/usr/bin/env bash
# 68-binary-copy.sh - issue 15: the runner sends a client-side COPY in FORMAT binary when every
# column of its target has an exact binary encoding (text, varchar, char, smallint, integer,
# bigint, real, double precision, boolean), and in text otherwise.  The same inputs are loaded
# with binary (the default) and with STARGEN_COPY_FORMAT=text (for tests only) into two
# databases of one private cluster, and every staging table is compared row for row (EXCEPT ALL
# both ways, counts, and the sorted COPY TO text, which tells -0 from 0):
#   - hostile edge-case JSON (escapes, \u sequences, surrogate pairs, integer limits, floats at
#     the edges, denormals, -0, NaN/Infinity, booleans by boolin's rule, char/varchar padding and
#     trailing spaces, empty and blank strings with and without emptyasnull/blanksasnull,
#     objects and arrays into text, a pretty-printed object), spread over two files
#   - the real Sparkify sample (../shared/data/sparkify-sample, skipped when absent)
#   - datagen output (build/rel/sparkify-data --events 20000)
# Also: which format each COPY used (the server's statement log): a table with a timestamp and
# a numeric column stays text; errors: the same client-side message in both formats (over-long
# varchar, integer out of range, \u0000, ...), values that text leaves to the server (a float
# literal of 400 digits, 0.000...1 with 400 zeros, a real out of range, a string that is not a
# boolean) refused client-side in binary naming file, line and column; a server-side error
# during a binary COPY still names the file and object (the server counts tuples as lines).
# Env: GEN, RUNNER.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }

T=$(mktemp -d "${TMPDIR:-/tmp}/stargen-binary.XXXXXX") || exit 1
chmod 755 "$T"
source tests/lib-pg.sh
cleanup() { pg_remove "$T/pg" >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
unset PGPASSWORD PGOPTIONS PGSERVICE STARGEN_DATA REDSHIFT_IAM_ROLE STARGEN_COPY_FORMAT
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then
    fail "cannot start PostgreSQL" "$(cat "$T/pgstart.log")"
    finish
    exit 1
fi
LOG=$(realpath "$T/pg")/server.log
psql -X -q -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
q() { psql -X -A -t -q -d "$1" -c "$2" 2>&1; }

# run NAME FORMAT DB DATA OUTDIR: the runner's stdout/stderr in $T/NAME.*, exit in $rc, the
# COPY statements the server saw in $T/NAME.copies
run() {
    local name=$1 fmt=$2 db=$3 data=$4 out=$5 before
    before=$(wc -l <"$LOG")
    if [ "$fmt" = text ]; then
        STARGEN_COPY_FORMAT=text "${RUNNER_CMD[@]}" -q -d "dbname=$db" --data "$data" "$out" >"$T/$name.out" 2>"$T/$name.err"
    else
        "${RUNNER_CMD[@]}" -q -d "dbname=$db" --data "$data" "$out" >"$T/$name.out" 2>"$T/$name.err"
    fi
    rc=$?
    sleep 0.2 # the log collector writes asynchronously
    tail -n +"$((before + 1))" "$LOG" | grep -o 'COPY [a-z_]* (.*) FROM STDIN.*' >"$T/$name.copies"
}

# same_table LABEL DB_BIN DB_TEXT TABLE: the two loads hold the same rows
same_table() {
    local label=$1 b=$2 t=$3 tab=$4 nb nt diff1 diff2
    nb=$(q "$b" "SELECT count(*) FROM $tab")
    nt=$(q "$t" "SELECT count(*) FROM $tab")
    q "$b" "DROP TABLE IF EXISTS ${tab}__text; CREATE TABLE ${tab}__text (LIKE $tab)" >/dev/null
    psql -X -q -d "$t" -c "COPY $tab TO STDOUT" | psql -X -q -d "$b" -c "COPY ${tab}__text FROM STDIN"
    diff1=$(q "$b" "SELECT count(*) FROM (SELECT * FROM $tab EXCEPT ALL SELECT * FROM ${tab}__text) x")
    diff2=$(q "$b" "SELECT count(*) FROM (SELECT * FROM ${tab}__text EXCEPT ALL SELECT * FROM $tab) x")
    if [ "$nb" = "$nt" ] && [ "$nb" -gt 0 ] 2>/dev/null && [ "$diff1" = 0 ] && [ "$diff2" = 0 ] &&
        cmp -s <(psql -X -q -d "$b" -c "COPY $tab TO STDOUT" | LC_ALL=C sort) \
            <(psql -X -q -d "$t" -c "COPY $tab TO STDOUT" | LC_ALL=C sort); then
        ok "$label: $tab: $nb rows, the same in binary and text"
    else
        fail "$label: $tab differs between binary and text" "rows binary $nb, text $nt; binary-only $diff1, text-only $diff2
$(diff <(psql -X -q -d "$b" -c "COPY $tab TO STDOUT" | LC_ALL=C sort) \
            <(psql -X -q -d "$t" -c "COPY $tab TO STDOUT" | LC_ALL=C sort) | head -n 10)"
    fi
}

# used LABEL NAME TABLE FORMAT: the COPY of TABLE in run NAME was sent in FORMAT
used() {
    if grep -q "^COPY $3 (.*) FROM STDIN WITH (FORMAT $4\b" "$T/$2.copies"; then
        ok "$1: $3 loaded in FORMAT $4"
    else
        fail "$1: $3 not loaded in FORMAT $4" "$(cat "$T/$2.copies")"
    fi
}

# ---- the edge-case model ---------------------------------------------------------------------
mkdir -p "$T/m" "$T/d/edge" "$T/d/mixed"
cat >"$T/m/schema.yaml" <<'EOF'
version: 1
sources:
  edge:
    s3: s3://b/edge/
    path: edge/
  mixed:
    s3: s3://b/mixed/
    path: mixed/
staging:
  stage_edge:
    source: edge
    columns:
      id:  {type: integer, json: id}
      s:   {type: varchar(max), json: s}
      v8:  {type: varchar(8), json: v8}
      c3:  {type: char(3), json: c3}
      i2:  {type: smallint, json: i2}
      i4:  {type: integer, json: i4}
      i8:  {type: bigint, json: i8}
      r4:  {type: real, json: r4}
      f8:  {type: double precision, json: f8}
      b:   {type: boolean, json: b}
  stage_blank:
    source: edge
    empty_as_null: true
    blanks_as_null: true
    columns:
      id:  {type: integer, json: id}
      s:   {type: varchar(max), json: s}
      c3:  {type: char(3), json: c3}
  stage_mixed:
    source: mixed
    time_format: epochmillisecs
    columns:
      id:  {type: integer, json: id}
      ts:  {type: timestamp, json: ts}
      amt: {type: "decimal(10,2)", json: amt}
      f8:  {type: double precision, json: f8}
tables:
  edges:
    kind: dimension
    columns:
      id: {type: integer, primary_key: true}
      s:  varchar(max)
    load:
      from: stage_edge
      map:
        id: stage_edge.id
        s:  stage_edge.s
EOF
if ! (cd "$T/m" && "${GEN_CMD[@]}" -q -o out) >"$T/gen.err" 2>&1; then
    fail "gen of the edge-case model" "$(cat "$T/gen.err")"
    finish
    exit 1
fi
OUT=$T/m/out/postgres
# file a: limits, escapes, empties; file b: floats, booleans, objects into text
cat >"$T/d/edge/a.json" <<'EOF'
{"id":1,"s":"plain","v8":"abcdefgh","c3":"ab","i2":32767,"i4":2147483647,"i8":9223372036854775807,"r4":3.4028234e38,"f8":1.7976931348623157e308,"b":true}
{"id":2,"s":"tab\there\nnl\\back\"q\/slash\r\b\f","v8":"\u00e9\u00e9a","c3":"x  ","i2":-32768,"i4":-2147483648,"i8":-9223372036854775808,"r4":1e-45,"f8":5e-324,"b":false}
{"id":3,"s":"\ud83d\ude00 emoji \u2603 snow \ud834\udd1e","v8":"","c3":"","i2":"-1","i4":"+7","i8":"0","r4":-0.0,"f8":-0,"b":"yes"}
{"id":4,"s":"","v8":"   ","c3":"   ","i2":null,"r4":"NaN","f8":"-Infinity","b":" off "}
{"id":5,"s":" \t ","v8":"abcdefgh  ","c3":"abc ","i2":"","i4":"","i8":"","r4":"","f8":"","b":""}
{"id":6,"s":"C:\\path\\n not a newline \\N","v8":"\u00fc\u00fc\u00fc\u00fc","c3":1.5,"i8":1541105830796,"r4":0.1,"f8":0.1,"b":1}
EOF
cat >"$T/d/edge/b.json" <<'EOF'
{"id":7,"s":{"nested":["a\\b","\u0001"],"n":1.5e3},"v8":12345678,"f8":1e-310,"r4":"1.5e-40","b":0}
{"id":8,"s":[1, 2 ,"x"],"f8":"1E+300","r4":"inf","b":"T","i4":12345}
{"id":9,"s":"\u0008\u000c\u000b\r\u007f","f8":2.2250738585072014e-308,"r4":1.17549435e-38,"b":"of"}
{"id":10,"f8":3.14159265358979323846264338327950288419716939937510582097494459,"r4":3.14159265358979323846,"b":"N"}
{"id":11,"f8":123456789012345678901234567890,"r4":-16777217,"i8":"-9223372036854775808","b":"1"}
{
  "id": 12,
  "s": {
    "k": "v\u00e9",
    "t": "x\ty"
  },
  "c3": " a",
  "f8": "-1e-300"
}
{"id":13,"S":"upper-case key","V8":"ignored?","b":"FALSE","f8":"nan","r4":"-Infinity"}
{"id":14,"s":"\u0020\u0009","c3":"\u0020","v8":"a       ","i2":"+00032"}
EOF
cat >"$T/d/mixed/m.json" <<'EOF'
{"id":1,"ts":1541105830796,"amt":"12.345","f8":1.5}
{"id":2,"ts":-1000,"amt":-0.5,"f8":"-0"}
{"id":3,"ts":null,"amt":"","f8":null}
EOF
createdb eb && createdb et
run edge-bin binary eb "$T/d" "$OUT"
brc=$rc
run edge-text text et "$T/d" "$OUT"
if [ "$brc" = 0 ] && [ "$rc" = 0 ]; then
    ok "edge cases: both runs succeed"
else
    fail "edge cases: a run failed (binary $brc, text $rc)" "$(cat "$T/edge-bin.err" "$T/edge-text.err")"
fi
for t in stage_edge stage_blank stage_mixed; do same_table "edge cases" eb et "$t"; done
used "edge cases, binary" edge-bin stage_edge binary
used "edge cases, binary" edge-bin stage_blank binary
used "edge cases, binary (timestamp, numeric)" edge-bin stage_mixed text
used "edge cases, forced text" edge-text stage_edge text
used "edge cases, forced text" edge-text stage_blank text
n=$(grep -c 'FORMAT binary' "$T/edge-text.copies")
[ "$n" = 0 ] && ok "STARGEN_COPY_FORMAT=text: no COPY in binary" || fail "STARGEN_COPY_FORMAT=text: $n COPYs in binary"
# a few values pinned, so that the two formats cannot agree on something wrong
want=$(jq -j 'select(.id==2) | .s' "$T/d/edge/a.json" | od -An -tx1 | tr -d ' \n')
got=$(q eb "SELECT encode(convert_to(s, 'UTF8'), 'hex') FROM stage_edge WHERE id = 2")
[ "$got" = "$want" ] && ok "binary: decoded escapes arrive byte-exact" || fail "binary: row 2's s" "db   $got
want $want"
got=$(q eb "SELECT concat_ws(',', i2, i4, i8, r4, f8, b, octet_length(c3), '[' || c3::text || ']', v8) FROM stage_edge WHERE id IN (1, 2, 3, 5) ORDER BY id")
want="32767,2147483647,9223372036854775807,3.4028235e+38,1.7976931348623157e+308,t,3,[ab],abcdefgh
-32768,-2147483648,-9223372036854775808,1e-45,5e-324,f,3,[x],ééa
-1,7,0,-0,-0,t,3,[],
3,[abc],abcdefgh"
[ "$got" = "$want" ] && ok "binary: limits, denormals, -0, char(n) padding and trailing spaces as pinned" ||
    fail "binary: pinned values differ" "got:
$got
want:
$want"
got=$(q eb "SELECT count(*) FILTER (WHERE s IS NULL) || ',' || count(*) FILTER (WHERE c3 IS NULL) FROM stage_blank WHERE id IN (4, 5, 14)")
[ "$got" = "3,2" ] && ok "binary: emptyasnull/blanksasnull make NULLs" || fail "binary: stage_blank NULLs: $got, want 3,2"

# ---- errors ----------------------------------------------------------------------------------
# err_case NAME JSONLINE: a data root whose edge/ has a good first file and, in z.json, a good
# line then JSONLINE (line 2); runs both formats into fresh databases
err_case() {
    local name=$1 line=$2
    mkdir -p "$T/e-$name/edge" "$T/e-$name/mixed"
    cp "$T/d/edge/a.json" "$T/e-$name/edge/"
    cp "$T/d/mixed/m.json" "$T/e-$name/mixed/"
    printf '%s\n%s\n' '{"id":100,"s":"fine"}' "$line" >"$T/e-$name/edge/z.json"
    createdb "eb_$name" && createdb "et_$name"
    run "e-$name-bin" binary "eb_$name" "$T/e-$name" "$OUT"
    ebrc=$rc
    run "e-$name-text" text "et_$name" "$T/e-$name" "$OUT"
    etrc=$rc
}
msg() { grep -m1 'error: .*json:' "$1" | sed 's/^[^:]*: error: //'; }
# the same client-side error in both formats
for c in 'varchar|{"id":101,"v8":"abcdefghi"}|z.json:2: column v8: value is 9 bytes, longer than varchar(8)' \
    'char|{"id":101,"c3":"abcd"}|z.json:2: column c3: value is 4 bytes, longer than varchar(3)' \
    'int2|{"id":101,"i2":32768}|z.json:2: column i2: integer out of range 32768' \
    'int8|{"id":101,"i8":"-9223372036854775809"}|z.json:2: column i8: integer out of range' \
    'nul|{"id":101,"s":"a\u0000b"}|z.json:2: column s: \u0000 is not allowed in text' \
    'surrogate|{"id":101,"s":"\udc00"}|z.json:2: column s: unpaired surrogate \uDC00' \
    'exp|{"id":101,"f8":1e400}|z.json:2: column f8: number out of range for double precision 1e400' \
    'float|{"id":101,"f8":"1.5x"}|z.json:2: column f8: invalid number "1.5x"'; do
    name=${c%%|*}
    rest=${c#*|}
    line=${rest%%|*}
    want=${rest#*|}
    err_case "$name" "$line"
    mb=$(msg "$T/e-$name-bin.err")
    mt=$(msg "$T/e-$name-text.err")
    if [ "$ebrc" != 0 ] && [ "$ebrc" = "$etrc" ] && [ "$mb" = "$mt" ] && [[ "$mb" == *"$want"* ]]; then
        ok "error $name: the same message in binary and text: $mb"
    else
        fail "error $name: binary (exit $ebrc) and text (exit $etrc) differ, or not as expected" "binary: $mb
text:   $mt
want:   ...$want..."
    fi
done
# what text leaves to the server, binary refuses client-side (never sends 0 or infinity)
z400=$(printf '0%.0s' $(seq 400))
for c in "digits|{\"id\":101,\"f8\":1${z400}}|column f8: number out of range for double precision 1000" \
    "tiny|{\"id\":101,\"f8\":0.${z400}1}|column f8: number out of range for double precision 0.000" \
    'real|{"id":101,"r4":3.5e38}|column r4: number out of range for real 3.5e38' \
    'realtiny|{"id":101,"r4":"1e-50"}|column r4: number out of range for real "1e-50"' \
    'bool|{"id":101,"b":"maybe"}|column b: invalid boolean "maybe"'; do
    name=${c%%|*}
    rest=${c#*|}
    line=${rest%%|*}
    want=${rest#*|}
    err_case "$name" "$line"
    mb=$(msg "$T/e-$name-bin.err")
    n=$(q "eb_$name" "SELECT count(*) FROM stage_edge")
    if [ "$ebrc" != 0 ] && [[ "$mb" == *"z.json:2: $want"* ]] && [ "$n" = 0 ]; then
        ok "error $name: refused client-side in binary, naming file, line and column"
    else
        fail "error $name: binary exit $ebrc, stage_edge rows $n" "$(cat "$T/e-$name-bin.err")"
    fi
    if [ "$etrc" != 0 ] && grep -q 'out of range\|invalid input syntax' "$T/e-$name-text.err"; then
        ok "error $name: text fails too (the server refuses it)"
    else
        fail "error $name: text exit $etrc" "$(cat "$T/e-$name-text.err")"
    fi
done
# a server-side error during a binary COPY names the source file and object: the same report as
# in text (a CHECK constraint added to the staging table refuses row id 8, object 2 of b.json)
cp -r "$OUT" "$T/checked"
sed -i 's/^    i4 INTEGER,$/    i4 INTEGER CHECK (i4 <> 12345),/' "$T/checked/01_create_staging.sql"
if grep -q 'CHECK (i4 <> 12345)' "$T/checked/01_create_staging.sql"; then
    createdb eb_chk && createdb et_chk
    run chk-bin binary eb_chk "$T/d" "$T/checked"
    ebrc=$rc
    run chk-text text et_chk "$T/d" "$T/checked"
    db=$(grep -m1 'data: COPY row' "$T/chk-bin.err" | sed 's/^ *//')
    dt=$(grep -m1 'data: COPY row' "$T/chk-text.err" | sed 's/^ *//')
    if [ "$ebrc" != 0 ] && [ "$db" = "data: COPY row 8 is object 2 of edge/b.json" ] && [ "$db" = "$dt" ] &&
        grep -q 'violates check constraint' "$T/chk-bin.err"; then
        ok "server-side error in binary: $db (as in text)"
    else
        fail "server-side error in binary: the file and object" "binary (exit $ebrc): $(cat "$T/chk-bin.err")
text: $(cat "$T/chk-text.err")"
    fi
    used "server-side error" chk-bin stage_edge binary
else
    fail "could not add a CHECK constraint to the staging table"
fi

# ---- the real sample and datagen output ---------------------------------------------------------
SAMPLE=../shared/data/sparkify-sample
if [ -d "$SAMPLE/log_data" ] && [ -d "$SAMPLE/song_data" ]; then
    createdb sb && createdb st
    run sample-bin binary sb "$SAMPLE" out/postgres
    brc=$rc
    run sample-text text st "$SAMPLE" out/postgres
    if [ "$brc" = 0 ] && [ "$rc" = 0 ]; then
        ok "Sparkify sample: both runs succeed"
        for t in staging_events staging_songs; do same_table "Sparkify sample" sb st "$t"; done
        used "Sparkify sample" sample-bin staging_events binary
        used "Sparkify sample" sample-bin staging_songs binary
    else
        fail "Sparkify sample: a run failed (binary $brc, text $rc)" "$(cat "$T/sample-bin.err" "$T/sample-text.err")"
    fi
else
    skip "the Sparkify sample is absent ($SAMPLE)" 5
fi
if [ -x "$DATAGEN_PROG" ] || command -v "$DATAGEN_PROG" >/dev/null; then
    "${DATAGEN_CMD[@]}" --events 20000 --seed 7 --out "$T/gen" >"$T/datagen.log" 2>&1 || fail "datagen" "$(cat "$T/datagen.log")"
    createdb gb && createdb gt
    run gen-bin binary gb "$T/gen" out/postgres
    brc=$rc
    run gen-text text gt "$T/gen" out/postgres
    if [ "$brc" = 0 ] && [ "$rc" = 0 ]; then
        ok "datagen 20000 events: both runs succeed"
        for t in staging_events staging_songs; do same_table "datagen" gb gt "$t"; done
        used "datagen" gen-bin staging_events binary
        # the star tables built from them agree too
        for t in songplays users songs artists time; do same_table "datagen star" gb gt "$t"; done
    else
        fail "datagen: a run failed (binary $brc, text $rc)" "$(cat "$T/gen-bin.err" "$T/gen-text.err")"
    fi
else
    skip "$DATAGEN_PROG is not built" 9
fi
# an unknown STARGEN_COPY_FORMAT is refused, not ignored
createdb ev
STARGEN_COPY_FORMAT=binray "${RUNNER_CMD[@]}" -q -d dbname=ev --data "$T/d" "$OUT" >"$T/ev.out" 2>"$T/ev.err"
rc=$?
[ "$rc" != 0 ] && grep -q 'STARGEN_COPY_FORMAT is "binray"' "$T/ev.err" && ok "STARGEN_COPY_FORMAT=binray is refused" ||
    fail "STARGEN_COPY_FORMAT=binray: exit $rc" "$(cat "$T/ev.err")"
finish

#!/usr/bin/env bash
# 75-injection.sh - a model or data that tries to smuggle SQL is either refused by gen
# with a located error, or produces SQL that is inert: run for real on a private
# PostgreSQL, a sentinel table `users` is unchanged and every literal arrives byte-exact.
#
#   A. refused at check time: a column named `x; drop table users`, a JSON key with a
#      quote, an s3 URI and a source path with `'`, an iam_role literal, a sql check with
#      `;`, a placeholder-looking injection in a region (gen exits 1, writes nothing)
#   B. inert: quotes, backslashes, `--`, `/* */`, `\N`, tabs in string literals of
#      mappings, where and like; descriptions with `*/` and `--`; a JSON key with a
#      space; every generated PostgreSQL file also run through psql -f (the other way a
#      reviewer may run it); again with standard_conforming_strings=off forced on the
#      server side (the runner turns it back on)
#   C. data: JSON strings with `\N`, `\.`, tabs, CR/LF, backslashes, quotes,
#      `'); drop table x; --`, surrogate pairs, and a JSON key with a quote, load
#      byte-exact through COPY text (compared in hex with jq's decoding)
#   D. a description holding a carriage return (PostgreSQL ends a -- comment at CR):
#      gen must not write a CR into out/ (owner bug, see the FAIL text), and the runner
#      refuses a step file with a CR inside a -- comment
#   E. an undeclared ${NAME} arrives as written; a declared one with quotes is refused
# Env: GEN, RUNNER.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }

T=$(mktemp -d "${TMPDIR:-/tmp}/stargen-injection.XXXXXX") || exit 1
source tests/lib-pg.sh
cleanup() { pg_remove "$T/pg" >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
unset PGPASSWORD PGOPTIONS PGSERVICE STARGEN_DATA
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then
    fail "cannot start PostgreSQL" "$(cat "$T/pgstart.log")"
    finish
    exit 1
fi
chmod 755 "$T"
createdb inj
q() { psql -X -A -t -q -d inj -c "$1" 2>&1; }
hex() { od -An -tx1 -v | tr -d ' \n'; }

# The sentinel: a table named users whose rows must never change.
q "CREATE TABLE users (id integer PRIMARY KEY, name text); INSERT INTO users VALUES (1, 'alice'), (2, 'bob')" >/dev/null
SENTINEL=$(q "SELECT md5(string_agg(id || ':' || name, ',' ORDER BY id)) FROM users")
sentinel_ok() { [ "$(q "SELECT md5(string_agg(id || ':' || name, ',' ORDER BY id)) FROM users")" = "$SENTINEL" ]; }

# ---- the model: every piece of it can be replaced through a variable ------------------
COLNAME=note JSONKEY="odd key" S3=s3://b/people/ SRCPATH=people/ REGION=us-west-2
IAM='${REDSHIFT_IAM_ROLE}' CHECKSQL="select p.id from people p where p.lit is null"
TDESC=x CDESC=x
model() {
    cat <<EOF
version: 1
redshift:
  iam_role: $IAM
sources:
  people:
    s3: $S3
    path: $SRCPATH
    region: $REGION
staging:
  stage_people:
    source: people
    jsonpaths: s3://b/meta/stage_people.jsonpaths.json
    columns:
      id:   integer
      name: varchar(200)
      $COLNAME: {type: varchar(200), json: "$JSONKEY"}
tables:
  people:
    kind: dimension
    description: "$TDESC"
    columns:
      id:   {type: integer, primary_key: true, description: "$CDESC"}
      name: varchar(200)
      lit:  varchar(200)
      note: varchar(200)
      flag: boolean
    load:
      from: stage_people s
      where: "s.name <> 'it''s; drop table users; --' and s.name not like '%\\\\%%' and s.name <> '/* */ \\\\'''"
      map:
        id:   s.id
        name: s.name
        lit:  "'O''Brien \\\\ \\\\\\\\ \\\\N\\t''); drop table users; -- /* */ \$\$ \$x\$'"
        note: s.$COLNAME
        flag: "s.name like '%''); drop table users; --'"
checks:
  - name: lit_present
    description: "ends a comment */ drop table users; /* -- drop table users;"
    sql: "$CHECKSQL"
EOF
}
# the literal lit must load as (YAML and SQL decoding done by hand):
LIT=$'O\'Brien \\ \\\\ \\N\t\'); drop table users; -- /* */ $$ $x$'

gen_model() { # gen_model NAME: writes $T/NAME.yaml from the variables, runs gen; rc in $grc
    model >"$T/$1.yaml"
    mkdir -p "$T/$1.out"
    echo keep >"$T/$1.out/SENTINEL"
    (cd "$T" && "${GEN_CMD[@]}" -m "$1.yaml" -o "$1.out") >"$T/$1.stdout" 2>"$T/$1.stderr"
    grc=$?
}
# refused NAME CHECK-NAME TEXT: gen exits 1, names the check, writes nothing
refused() {
    local name=$1 check=$2 text=$3
    gen_model "$name"
    if [ "$grc" = 1 ] && grep -qF "[$check]" "$T/$name.stderr" && grep -qF -- "$text" "$T/$name.stderr" &&
        [ "$(ls "$T/$name.out")" = SENTINEL ]; then
        ok "refused: $name"
    else
        fail "refused: $name (exit $grc, want 1 with [$check] and: $text)" "$(cat "$T/$name.stderr")"
    fi
}

# ---- A. refused at check time ------------------------------------------------------------
gen_model control
[ "$grc" = 0 ] && ok "control model compiles" || fail "control model does not compile" "$(cat "$T/control.stderr")"

COLNAME='"x; drop table users"' refused column-semicolon identifier 'bad column "x; drop table users"'
COLNAME='"x\"y"' refused column-quote identifier 'bad column'
JSONKEY="first'Name" refused json-key-quote json-key "JSON key \"first'Name\" holds a quote"
JSONKEY='a\\b' refused json-key-backslash json-key 'holds a quote, backslash or control character'
S3="\"s3://b/p'; drop table users; --/\"" refused s3-quote source-uri 's3 URI must not contain quotes'
SRCPATH="\"it's/\"" refused path-quote source-path "must not contain spaces or quotes"
SRCPATH='"a b;drop table users/"' refused path-space-semicolon source-path "must not contain spaces or quotes"
REGION="\"us-west-2'; drop table users; --\"" refused region-quote source-region 'is not an AWS region name'
IAM="\"arn:aws:iam::123456789012:role/r'; drop table users; --\"" refused iam-literal secret-literal "never a literal role"
CHECKSQL="select 1 where false; drop table users" refused check-sql-semicolon check-sql 'one SELECT statement'

# ---- B. inert: run everything on PostgreSQL -----------------------------------------------
mkdir -p "$T/data/people"
# C. data: the nasty strings, written with jq so that the JSON is exactly right
jq -n -c '
  {"id": 1, "name": "\\N", "odd key": "back\\slash \\\\ \\N \\. end"},
  {"id": 2, "name": "tab\there\nnew line\r\ncrlf", "odd key": "\\."},
  {"id": 3, "name": "\u0027); drop table users; --", "odd key": "it\u0027s \"quoted\""},
  {"id": 4, "name": "caf\u00e9 \ud83d\ude00 \u2028 /* */ $$", "odd key": "a\tb\\tc"},
  {"id": 5, "name": "%\u0027); delete from users; --%", "odd key": "", "it\u0027s \"key": "x"},
  {"id": 6, "name": "/* */ \\\u0027", "odd key": "\\\\N"}' >"$T/data/people/people.json"
# a key with a quote in the data (not mapped) must not matter; \u escapes in the file too
printf '%s\n' '{"id":7,"name":"\u0041\u00e9\ud83d\ude00\/","odd key":"x\"y","q\"k":1}' >>"$T/data/people/people.json"

CDESC='*/ drop table users; -- /*' TDESC='-- drop table users; */' gen_model inert
if [ "$grc" = 0 ]; then ok "inert model compiles"; else fail "inert model does not compile" "$(cat "$T/inert.stderr")"; fi
P=$T/inert.out/postgres
if grep -rqF "'O''Brien \\ \\\\ \\N	''); drop table users; -- /* */ \$\$ \$x\$'" "$P" 2>/dev/null; then
    ok "postgres literal: quotes doubled, backslashes kept (standard_conforming_strings)"
else fail "postgres literal not found as expected" "$(grep -rn "AS lit" "$P" 2>/dev/null)"; fi
if grep -rqF "'O''Brien \\\\ \\\\\\\\ \\\\N	''); drop table users; -- /* */ \$\$ \$x\$'" "$T/inert.out/redshift" 2>/dev/null; then
    ok "redshift literal: quotes doubled, backslashes doubled"
else fail "redshift literal not found as expected" "$(grep -rn "AS lit" "$T/inert.out/redshift" 2>/dev/null)"; fi

run_inert() { # run_inert NAME [env...]: the runner on $P; rc in $rrc
    local name=$1
    shift
    env "$@" "${RUNNER_CMD[@]}" -q -d dbname=inj --data "$T/data" "$P" >"$T/$name.out" 2>"$T/$name.err"
    rrc=$?
}
check_loaded() { # check_loaded LABEL: the rows arrived byte-exact, the sentinel is unchanged
    local label=$1 want got
    if [ "$rrc" = 0 ]; then ok "$label: runner exits 0"; else fail "$label: runner exit $rrc" "$(cat "$T/$label.err")"; fi
    sentinel_ok && ok "$label: sentinel table users unchanged" || fail "$label: sentinel table users changed"
    want=$(jq -j '.name' "$T/data/people/people.json" | hex)
    got=$(psql -X -A -t -q -d inj -c "SELECT encode(convert_to(string_agg(name, '' ORDER BY id), 'UTF8'), 'hex') FROM stage_people")
    [ "$got" = "$want" ] && ok "$label: every JSON string arrives byte-exact (7 rows, hex compared)" ||
        fail "$label: staged strings differ from the JSON" "db   $got
json $want"
    want=$(jq -j '."odd key"' "$T/data/people/people.json" | hex)
    got=$(psql -X -A -t -q -d inj -c "SELECT encode(convert_to(string_agg(coalesce(note, '<null>'), '' ORDER BY id), 'UTF8'), 'hex') FROM stage_people")
    [ "$got" = "$want" ] && ok "$label: the key \"odd key\" (a space) loads byte-exact" ||
        fail "$label: values of \"odd key\" differ" "db   $got
json $want"
    want=$(printf '%s' "$LIT" | hex)
    got=$(psql -X -A -t -q -d inj -c "SELECT encode(convert_to(min(lit), 'UTF8'), 'hex') || ':' || count(DISTINCT lit) FROM people")
    [ "$got" = "$want:1" ] && ok "$label: the mapped literal arrives byte-exact" ||
        fail "$label: the literal differs" "db   $got
want $want:1"
    # where: name <> 'it''s; drop...' and not like '%\%%' (contains a % sign: backslash is
    # LIKE's escape in both engines) and <> '/* */ \'': rows 5 and 6 go
    got=$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM people")
    [ "$got" = "1,2,3,4,7" ] && ok "$label: the where clause with quotes and backslashes filters as written" ||
        fail "$label: rows kept by the where clause: $got, want 1,2,3,4,7"
    got=$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM people WHERE flag")
    [ "$got" = "3" ] && ok "$label: the like pattern with a quote matches the one row" ||
        fail "$label: flag is true for rows $got, want 3"
}
run_inert runner
check_loaded runner

# every generated file but the COPY steps through psql -f as well
bad_psql=""
for f in "$P"/*.sql "$P"/queries/*.sql; do
    [ -f "$f" ] || continue
    grep -q 'stargen:copy' "$f" && continue
    # each step is one transaction, as the runner runs it (the publish step's LOCK needs one)
    one=(-1); grep -q 'stargen:no-transaction' "$f" && one=()
    psql -X -q -d inj -v ON_ERROR_STOP=1 "${one[@]}" -f "$f" </dev/null >/dev/null 2>"$T/psql.err" || bad_psql="$bad_psql $(basename "$f")"
done
[ -z "$bad_psql" ] && ok "psql -f runs every non-COPY step" || fail "psql -f failed on:$bad_psql" "$(cat "$T/psql.err")"
sentinel_ok && ok "psql -f: sentinel table users unchanged" || fail "psql -f: sentinel table users changed"

# the server configured with standard_conforming_strings=off: '\' would escape the quote
run_inert scs-off PGOPTIONS="-c standard_conforming_strings=off"
check_loaded scs-off

# ---- D. carriage return in a description ------------------------------------------------
CDESC=x TDESC=x
model | sed -e 's|^    description: "ends a comment.*|    description: "a\\rdrop table users; --"|' >"$T/cr.yaml"
printf '%s\n' '  - name: no_rows_cr' '    description: "x\rdrop table users; --"' \
    '    no_rows: {from: people p, where: "p.id < 0"}' >>"$T/cr.yaml"
mkdir -p "$T/cr.out"
(cd "$T" && "${GEN_CMD[@]}" -m cr.yaml -o cr.out) >/dev/null 2>"$T/cr.stderr"
grc=$?
if [ "$grc" = 1 ]; then
    ok "a description with a carriage return is refused"
elif [ "$grc" = 0 ] && ! grep -rlq $'\r' "$T/cr.out"; then
    ok "a description with a carriage return is written without it"
else
    fail "gen wrote a carriage return into a -- comment (exit $grc): PostgreSQL ends the comment there and runs the rest as SQL (owner: emit_checks.c, descriptions of checks and queries)" \
        "$(grep -rl $'\r' "$T/cr.out" 2>/dev/null)"
fi
# what such a file does when run the other usual way: psql -f (a separate database)
createdb crdb
psql -X -q -d crdb -c "CREATE TABLE users (id integer); CREATE TABLE people (id integer)" >/dev/null
for f in "$T"/cr.out/postgres/*checks.sql; do [ -f "$f" ] && psql -X -q -d crdb -f "$f" </dev/null >/dev/null 2>&1; done
if [ "$(psql -X -A -t -q -d crdb -c "SELECT count(*) FROM pg_tables WHERE tablename = 'users'")" = 1 ]; then
    ok "psql -f of the checks step leaves the sentinel table"
else
    fail "psql -f of the generated checks step dropped the sentinel table users (the CR ended the -- comment)"
fi
# the runner refuses such a file whoever wrote it
mkdir -p "$T/crsteps"
printf -- '-- Generated by stargen from schema.yaml (dialect: postgres). Do not edit: change the model and run ./gen.\n-- a comment\rDROP TABLE users; --\nSELECT 1;\n' >"$T/crsteps/01_cr.sql"
"${RUNNER_CMD[@]}" -q -d dbname=inj "$T/crsteps" >/dev/null 2>"$T/crsteps.err"
rc=$?
if [ "$rc" = 2 ] && grep -qF "01_cr.sql:2: carriage return inside a -- comment" "$T/crsteps.err"; then
    ok "runner refuses a step file with a CR inside a -- comment (exit 2)"
else fail "runner ran or misreported a CR inside a comment (exit $rc)" "$(cat "$T/crsteps.err")"; fi
printf -- '-- Generated by stargen.\nSELECT 1 -- trailing\rDROP TABLE users;\n' >"$T/crsteps/01_cr.sql"
"${RUNNER_CMD[@]}" -q -d dbname=inj "$T/crsteps" >/dev/null 2>"$T/crsteps.err"
rc=$?
[ "$rc" = 2 ] && ok "runner refuses a CR in a trailing -- comment (exit 2)" || fail "CR in a trailing comment: exit $rc" "$(cat "$T/crsteps.err")"
sentinel_ok && ok "CR comments: sentinel table users unchanged" || fail "CR comments: sentinel table users changed"

# ---- E. placeholders: only declared spots are filled, values are checked ------------------
# (issue 13 items 2 and 3; more in 77-hostile.sh)
mkdir -p "$T/ph"
INJ=$'arn:aws:iam::123456789012:role/x\\\'); DROP TABLE users; -- $$'
# undeclared: the text arrives as written, whatever the environment holds
printf -- "-- Generated by stargen.\nCREATE TABLE IF NOT EXISTS ph (v text);\nINSERT INTO ph VALUES ('\${INJ_VALUE}');\n" >"$T/ph/01_ph.sql"
INJ_VALUE=$INJ "${RUNNER_CMD[@]}" -q -d dbname=inj "$T/ph" >"$T/ph.out" 2>"$T/ph.err"
rc=$?
got=$(psql -X -A -t -q -d inj -c "SELECT v FROM ph")
if [ "$rc" = 0 ] && [ "$got" = '${INJ_VALUE}' ]; then ok "an undeclared \${INJ_VALUE} arrives as written"
else fail "undeclared placeholder: exit $rc, stored $got" "$(cat "$T/ph.err")"; fi
# declared: a value that is not an IAM role ARN is refused before anything runs
printf -- "-- Generated by stargen.\n-- stargen:placeholder name=INJ_VALUE type=iam_role offset=24\nINSERT INTO ph VALUES ('\${INJ_VALUE}');\n" >"$T/ph/01_ph.sql"
INJ_VALUE=$INJ "${RUNNER_CMD[@]}" -q -d dbname=inj "$T/ph" >"$T/ph.out" 2>"$T/ph.err"
rc=$?
if [ "$rc" = 2 ] && grep -qF 'the value of INJ_VALUE (from the environment) is not an IAM role ARN' "$T/ph.err" &&
    ! grep -qF 'DROP TABLE' "$T/ph.err" "$T/ph.out"; then ok "a declared placeholder value with quotes is refused, not shown (exit 2)"
else fail "declared placeholder with quotes: exit $rc" "$(cat "$T/ph.err")"; fi
sentinel_ok && ok "placeholder: sentinel table users unchanged" || fail "placeholder: sentinel table users changed"

finish

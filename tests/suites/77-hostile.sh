#!/usr/bin/env bash
# 77-hostile.sh - issue 13, round two of hostile input, the runner's half: each issue case
# reproduced as reported, plus a sibling per class.
#
#   2. ${NAME} in model text is never filled from the environment: a mapped literal
#      '${PGPASSWORD}' (and ${AWS_SECRET_ACCESS_KEY}) is stored as written, a where clause
#      '${HOME}' keeps its rows, a ${X} in a check description asks for no value; only the
#      IAM role gen declares (-- stargen:placeholder) is filled
#   3. a placeholder value that would end the literal under Redshift's string rules
#      (standard_conforming_strings=off) is refused before anything runs, never printed
#   5. secrets in -d strings: a password with a space, a URI password with '@', a query
#      string tail, PGPASSWORD=e and PGPASSWORD=postgres: QXSECRET9 never appears on
#      stdout, stderr, --json or in stargen_history, and nothing is masked by value
#   9. a data file named bad\xff\nerror: forged.json: the failure is recorded in
#      stargen_history and no "error:" line is forged; siblings: a step file name with a
#      newline, a server message with a newline, the step folder (--dry-run, --publish, a
#      missing folder), an unreadable data file (preflight, --dry-run), AWS_PROFILE and
#      AWS_REGION from the environment
# Env: GEN, RUNNER.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }

T=$(mktemp -d "${TMPDIR:-/tmp}/stargen-hostile.XXXXXX") || exit 1
chmod 755 "$T"
source tests/lib-pg.sh
cleanup() { pg_remove "$T/pg" >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
unset PGPASSWORD PGOPTIONS PGSERVICE STARGEN_DATA REDSHIFT_IAM_ROLE
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then
    fail "cannot start PostgreSQL" "$(cat "$T/pgstart.log")"
    finish
    exit 1
fi
SOCK=$PGHOST
createdb h
q() { psql -X -A -t -q -d h -c "$1" 2>&1; }
SECRET=QXSECRET9
# no_secret LABEL FILE...: QXSECRET9 occurs in none of the files
no_secret() {
    local label=$1
    shift
    if grep -qaF "$SECRET" "$@" 2>/dev/null; then
        fail "$label: $SECRET leaked" "$(grep -naF "$SECRET" "$@" 2>/dev/null | head -n 5)"
    else ok "$label: $SECRET appears nowhere"; fi
}
run() { # run NAME [ENV=V...] -- ARGS...: stdout/stderr/--json in $T/NAME.*, exit in $rc
    local name=$1
    shift
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    (cd "$T" && env "${envs[@]}" "${RUNNER_CMD[@]}" --json "$T/$name.json" "$@") >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
}

# ---- 2. ${NAME} in model text ---------------------------------------------------------------
cat >"$T/model.yaml" <<'EOF'
version: 1
sources:
  items:
    s3: s3://b/items/
    path: items/
staging:
  stage_items:
    source: items
    columns:
      id: integer
      v:  varchar(100)
tables:
  items:
    kind: dimension
    columns:
      id:   {type: integer, primary_key: true}
      v:    varchar(100)
      note: varchar(200)
      aws:  varchar(200)
    load:
      from: stage_items st
      where: "st.v <> '${HOME}'"
      map:
        id:   st.id
        v:    st.v
        note: "'price in ${PGPASSWORD}'"
        aws:  "'${AWS_SECRET_ACCESS_KEY}'"
checks:
  - name: items_present
    description: "costs ${X} per row"
    sql: "select i.id from items i where i.id is null"
EOF
mkdir -p "$T/data/items"
printf '{"id": 1, "v": "a"}\n{"id": 2, "v": "/root"}\n{"id": 3, "v": "%s"}\n' "$HOME" >"$T/data/items/i.json"
(cd "$T" && "${GEN_CMD[@]}" -q -m model.yaml -o m.out) >"$T/gen.out" 2>"$T/gen.err"
rc=$?
[ "$rc" = 0 ] && ok "2: a model with \${NAME} in a mapping, a where clause and a description compiles" ||
    fail "2: gen exit $rc" "$(cat "$T/gen.err")"
if grep -q 'stargen:placeholder' "$T/m.out/postgres/"*.sql; then
    fail "2: gen declared a placeholder in the PostgreSQL steps" "$(grep -n 'stargen:placeholder' "$T/m.out/postgres/"*.sql)"
else ok "2: nothing but the IAM role is declared (no placeholder in out/postgres)"; fi
grep -qx -- '-- stargen:placeholder name=REDSHIFT_IAM_ROLE type=iam_role offset=[0-9]*' "$T/m.out/redshift/"[0-9][0-9]_load_stage_items.sql &&
    ok "2: out/redshift declares the IAM role placeholder" || fail "2: out/redshift lacks the IAM role declaration" "$(ls "$T/m.out/redshift")"
run model PGPASSWORD=$SECRET AWS_SECRET_ACCESS_KEY=${SECRET}aws X=x -- -q -d "host=$SOCK port=$PGPORT dbname=h" --data "$T/data" "$T/m.out/postgres"
[ "$rc" = 0 ] && ok "2: the run exits 0 (\${X} in a check's description asks for nothing)" || fail "2: runner exit $rc" "$(cat "$T/model.err")"
got=$(q "SELECT note || '|' || aws FROM items ORDER BY id LIMIT 1")
[ "$got" = 'price in ${PGPASSWORD}|${AWS_SECRET_ACCESS_KEY}' ] && ok "2: mapped literals are stored as written" ||
    fail "2: mapped literals stored as: $got"
got=$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM items")
[ "$got" = "1,2,3" ] && ok "2: where st.v <> '\${HOME}' keeps every row" || fail "2: rows kept: $got, want 1,2,3"
[ "$(q "SELECT count(*) FROM items WHERE note LIKE '%$SECRET%' OR aws LIKE '%$SECRET%'")" = 0 ] &&
    ok "2: no secret in the table" || fail "2: a secret reached the table"
no_secret "2: run outputs" "$T/model.out" "$T/model.err" "$T/model.json"
# no value at all for X, PGPASSWORD, HOME: still runs
run model2 HOME= -- -q -d "host=$SOCK port=$PGPORT dbname=h" --data "$T/data" "$T/m.out/postgres"
[ "$rc" = 0 ] && ok "2: runs with none of those variables set" || fail "2: runner exit $rc without the variables" "$(cat "$T/model2.err")"

# ---- 3. a value that ends the literal under Redshift's string rules --------------------------
mkdir -p "$T/rs"
H='-- Generated by stargen from schema.yaml (dialect: redshift). Do not edit: change the model and run ./gen.'
printf "%s\n-- stargen:placeholder name=REDSHIFT_IAM_ROLE type=iam_role offset=8\nSELECT '\${REDSHIFT_IAM_ROLE}';\n" "$H" >"$T/rs/01_role.sql"
BAD="arn:aws:iam::123456789012:role/x\\'); CREATE TABLE pwned (i int); --"
run inj REDSHIFT_IAM_ROLE="$BAD" PGOPTIONS="-c standard_conforming_strings=off" -- -d "host=$SOCK port=$PGPORT dbname=h" "$T/rs"
[ "$rc" = 2 ] && grep -qF 'the value of REDSHIFT_IAM_ROLE (from the environment) is not an IAM role ARN' "$T/inj.err" &&
    ok "3: an IAM role value with \\' is refused before anything runs (exit 2)" || fail "3: exit $rc" "$(cat "$T/inj.err")"
[ "$(q "SELECT to_regclass('pwned') IS NULL")" = t ] && ok "3: no table pwned" || fail "3: the value created table pwned"
grep -qaF 'pwned' "$T/inj.out" "$T/inj.err" && fail "3: the value was printed" "$(cat "$T/inj.err")" || ok "3: the value is not printed"
printf '[IAM_ROLE]\nARN=%s\n' "$BAD" >"$T/inj.cfg"
run injcfg -- -d "host=$SOCK port=$PGPORT dbname=h" --config "$T/inj.cfg" "$T/rs"
[ "$rc" = 2 ] && grep -qF '(from [IAM_ROLE] ARN in --config) is not an IAM role ARN' "$T/injcfg.err" &&
    ok "3: the same from dwh.cfg is refused, naming the config" || fail "3: config value: exit $rc" "$(cat "$T/injcfg.err")"
run okrole REDSHIFT_IAM_ROLE=arn:aws:iam::123456789012:role/dwhRole -- -q -d "host=$SOCK port=$PGPORT dbname=h" "$T/rs"
[ "$rc" = 0 ] && ok "3: a valid ARN runs" || fail "3: a valid ARN: exit $rc" "$(cat "$T/okrole.err")"

# ---- 5. secrets in -d strings and libpq messages -----------------------------------------------
mkdir -p "$T/fail"
printf '%s\nSELECT 1/0;\n' "$H" >"$T/fail/01_div.sql"
run pw-space -- -d "host=$SOCK port=$PGPORT dbname=h password=Abc $SECRET" "$T/fail"
[ "$rc" = 2 ] && grep -qF 'invalid -d connection string: expected key=value words' "$T/pw-space.err" &&
    ok "5: password with a space: refused, the form named" || fail "5: password with a space: exit $rc" "$(cat "$T/pw-space.err")"
no_secret "5: password with a space" "$T/pw-space.out" "$T/pw-space.err" "$T/pw-space.json"
run uri-at -- -d "postgresql://postgres:Pa@$SECRET@localhost:1/x" "$T/fail"
[ "$rc" = 2 ] && grep -qF 'percent-encode @' "$T/uri-at.err" && ok "5: URI password with '@': refused" ||
    fail "5: URI password with '@': exit $rc" "$(cat "$T/uri-at.err")"
no_secret "5: URI password with '@'" "$T/uri-at.out" "$T/uri-at.err" "$T/uri-at.json"
run uri-slash -- -d "postgresql://postgres:Pa/$SECRET@localhost:1/x" "$T/fail"
[ "$rc" = 2 ] && ok "5: URI password with '/': refused" || fail "5: URI password with '/': exit $rc" "$(cat "$T/uri-slash.err")"
no_secret "5: URI password with '/'" "$T/uri-slash.out" "$T/uri-slash.err" "$T/uri-slash.json"
run uri-query -- -d "postgresql://postgres@localhost:1/x?password=Sec&$SECRET" "$T/fail"
[ "$rc" = 2 ] && ok "5: URI query tail: refused" || fail "5: URI query tail: exit $rc" "$(cat "$T/uri-query.err")"
no_secret "5: URI query tail" "$T/uri-query.out" "$T/uri-query.err" "$T/uri-query.json"
run dbname-uri -- -d "dbname='postgresql://u:$SECRET@[::1/x'" "$T/fail"
[ "$rc" = 2 ] && ok "5: a dbname holding a bad URI: refused" || fail "5: dbname URI: exit $rc" "$(cat "$T/dbname-uri.err")"
no_secret "5: a dbname holding a bad URI" "$T/dbname-uri.out" "$T/dbname-uri.err" "$T/dbname-uri.json"
# masking by value: PGPASSWORD=e must not turn "connect" into "conn***ct"
run short-pw PGPASSWORD=e -- -q -d "host=/nonexistent/sock port=1 dbname=h user=postgres" "$T/fail"
[ "$rc" = 3 ] && grep -qF 'could not connect: connection to server on socket "/nonexistent/sock/.s.PGSQL.1" failed' "$T/short-pw.err" &&
    ! grep -qF '***' "$T/short-pw.err" && ok "5: PGPASSWORD=e: the message is intact" || fail "5: PGPASSWORD=e: exit $rc" "$(cat "$T/short-pw.err")"
run user-pw PGPASSWORD=postgres -- -q -d "host=/nonexistent/sock port=1 dbname=h user=postgres" "$T/fail"
grep -qF 'user=postgres)' "$T/user-pw.err" && ! grep -qF '***' "$T/user-pw.err" "$T/user-pw.json" &&
    ok "5: PGPASSWORD=postgres: user=postgres shown, nothing masked (which would reveal it)" || fail "5: PGPASSWORD=postgres" "$(cat "$T/user-pw.err")"
# a real run with the password in -d and a failing step: history and --json clean
run pw-history -- -q -d "host=$SOCK port=$PGPORT dbname=h password=$SECRET" "$T/fail"
[ "$rc" = 1 ] && ok "5: a failing step with a password in -d: exit 1" || fail "5: exit $rc" "$(cat "$T/pw-history.err")"
q "SELECT * FROM stargen_history" >"$T/history5.txt"
no_secret "5: stdout, stderr, --json, stargen_history" "$T/pw-history.out" "$T/pw-history.err" "$T/pw-history.json" "$T/history5.txt"

# ---- 9. names and text from outside --------------------------------------------------------------
mkdir -p "$T/data9/items"
NAME9=$'bad\xff\nerror: forged.json'
printf '{"id": "x", "v": "a"}\n' >"$T/data9/items/$NAME9"
q "DELETE FROM stargen_history" >/dev/null
run forged -- -q -d "host=$SOCK port=$PGPORT dbname=h" --data "$T/data9" "$T/m.out/postgres"
[ "$rc" = 1 ] && ok "9: the data error fails the step (exit 1)" || fail "9: exit $rc" "$(cat "$T/forged.err")"
grep -q '^error:' "$T/forged.err" && fail "9: a forged error: line on stderr" "$(cat "$T/forged.err")" ||
    ok "9: no forged error: line on stderr"
grep -qF 'items/bad\xFF\nerror: forged.json:1: column id' "$T/forged.err" && ok "9: the name is printed escaped" ||
    fail "9: the escaped name is missing" "$(cat "$T/forged.err")"
got=$(q "SELECT status || ' ' || error FROM stargen_history WHERE status = 'error'")
case "$got" in
    *'items/bad\xFF\nerror: forged.json:1: column id'*) ok "9: stargen_history records the failure, escaped" ;;
    *) fail "9: stargen_history: $got" ;;
esac
jq -e '.results[] | select(.status == "error") | .error.message | contains("bad\\xFF\nerror: forged.json")' "$T/forged.json" >/dev/null 2>&1 &&
    ok "9: --json holds the name, its invalid byte as the text \\xFF" || fail "9: --json" "$(cat "$T/forged.json")"
# sibling: a step file whose name holds a newline
mkdir -p "$T/stepname"
printf '%s\nSELECT 1/0;\n' "$H" >"$T/stepname/01_x"$'\n'"error: forged.sql"
run stepname -- -d "host=$SOCK port=$PGPORT dbname=h" "$T/stepname"
[ "$rc" = 1 ] && ! grep -q '^error:' "$T/stepname.out" "$T/stepname.err" && grep -qF '01_x\nerror: forged' "$T/stepname.err" &&
    ok "9: a step name with a newline is printed escaped" || fail "9: step name: exit $rc" "$(cat "$T/stepname.out" "$T/stepname.err")"
[ "$(q "SELECT count(*) FROM stargen_history WHERE step LIKE 'x%forged' AND status = 'error'")" = 1 ] &&
    ok "9: the step name is recorded" || fail "9: step name not recorded" "$(q "SELECT step FROM stargen_history")"
# sibling: a server message with a newline and a control byte
mkdir -p "$T/srv"
printf "%s\nDO \$\$ BEGIN RAISE EXCEPTION E'boom\\\\nerror: forged\\\\x1b[31m'; END \$\$;\n" "$H" >"$T/srv/01_raise.sql"
run srv -- -q -d "host=$SOCK port=$PGPORT dbname=h" "$T/srv"
[ "$rc" = 1 ] && ! grep -q '^error:' "$T/srv.err" && ! grep -qP '\x1b' "$T/srv.err" && grep -qF 'boom\nerror: forged\x1B[31m' "$T/srv.err" &&
    ok "9: a server message with a newline and ESC prints on one line, escaped" || fail "9: server message: exit $rc" "$(cat -A "$T/srv.err")"
# sibling: the step folder's own name (main.c, dryrun.c, publish.c)
FOLD=$'bad\x01\nerror: forged\xff'
cp -r "$T/m.out/postgres" "$T/$FOLD"
forged() { grep -aq '^error: forged' "$@"; }
run fold_dry -- --dry-run "$T/$FOLD"
[ "$rc" = 0 ] && ! forged "$T/fold_dry.out" "$T/fold_dry.err" && grep -aqF 'bad\x01\nerror: forged\xFF' "$T/fold_dry.out" &&
    ok "9: --dry-run prints a step folder with a newline escaped" || fail "9: --dry-run folder: exit $rc" "$(cat -A "$T/fold_dry.out" "$T/fold_dry.err" | head -n 20)"
run fold_missing -- --dry-run "$T/no$FOLD"
[ "$rc" = 2 ] && ! forged "$T/fold_missing.err" && grep -aqF 'cannot open step folder' "$T/fold_missing.err" &&
    ok "9: a missing step folder is named escaped" || fail "9: missing folder: exit $rc" "$(cat -A "$T/fold_missing.err")"
run fold_pub -- --publish --dry-run "$T/$FOLD"
[ "$rc" = 2 ] && ! forged "$T/fold_pub.out" "$T/fold_pub.err" && grep -aqF 'bad\x01\nerror: forged\xFF' "$T/fold_pub.err" &&
    ok "9: --publish names the folder escaped" || fail "9: --publish folder: exit $rc" "$(cat -A "$T/fold_pub.out" "$T/fold_pub.err")"
# sibling: a data file that cannot be read, named with a newline (sources.c: preflight and --dry-run)
mkdir -p "$T/data9d/items"
ln -s /nonexistent "$T/data9d/items/x"$'\n'"error: forged"$'\xff'".json"
run dangling_dry -- --dry-run --data "$T/data9d" "$T/m.out/postgres"
run dangling -- -q -d "host=$SOCK port=$PGPORT dbname=h" --data "$T/data9d" "$T/m.out/postgres"
[ "$rc" = 2 ] && ! forged "$T/dangling.err" "$T/dangling_dry.out" "$T/dangling_dry.err" &&
    grep -aqF 'x\nerror: forged\xFF.json: a symbolic link to nothing' "$T/dangling.err" &&
    grep -aqF 'x\nerror: forged\xFF.json: a symbolic link to nothing' "$T/dangling_dry.out" &&
    ok "9: an unreadable data file is named escaped (preflight and --dry-run)" ||
    fail "9: dangling data file: exit $rc" "$(cat -A "$T/dangling.err" "$T/dangling_dry.out" | grep -a forged)"
# sibling: S3 settings from the environment (s3_config.c): a profile name, a region
: >"$T/creds.empty"
run profile AWS_PROFILE=$'p\nerror: forged' AWS_SHARED_CREDENTIALS_FILE="$T/creds.empty" -- -d "host=$SOCK port=$PGPORT dbname=h" --data s3://b/p "$T/m.out/postgres"
[ "$rc" = 2 ] && ! forged "$T/profile.err" && grep -aqF 'profile p\nerror: forged,' "$T/profile.err" &&
    ok "9: an AWS_PROFILE with a newline is named escaped" || fail "9: AWS_PROFILE: exit $rc" "$(cat -A "$T/profile.err")"
printf '[default]\naws_access_key_id=AKIAEXAMPLE\naws_secret_access_key=abcdefgh\n' >"$T/creds.ok"
run region AWS_REGION=$'r\nerror: forged' AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_SHARED_CREDENTIALS_FILE="$T/creds.ok" -- -d "host=$SOCK port=$PGPORT dbname=h" --data s3://b/p "$T/m.out/postgres"
[ "$rc" = 2 ] && ! forged "$T/region.out" "$T/region.err" && grep -aqF 'region r\nerror: forged' "$T/region.out" &&
    ok "9: an AWS_REGION with a newline is printed escaped" || fail "9: AWS_REGION: exit $rc" "$(cat -A "$T/region.out" "$T/region.err")"
# the help text says where placeholders are filled (issue 13 item 2)
"${RUNNER_CMD[@]}" --help | tr '\n' ' ' | grep -q 'filled only where gen declares them' &&
    ok "2: runner --help: placeholders only where gen declares them" || fail "2: runner --help" "$("${RUNNER_CMD[@]}" --help | grep -A3 Placeholder)"
finish

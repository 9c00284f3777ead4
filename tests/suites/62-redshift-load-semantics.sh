#!/usr/bin/env bash
# 62-redshift-load-semantics.sh - the PostgreSQL twin loads what Redshift's COPY loads (issue 12).
#
# Each case: an input on which the engines' native behaviour differs, the result Redshift's
# COPY gives (with the page of docs.aws.amazon.com/redshift/latest/dg/ it comes from), and the
# runner's PostgreSQL load compared with it.  The Redshift side is documented, not run (no
# cluster here); its COPY text is checked in out/redshift.
set -u
cd "${STARGEN_ROOT:-$(dirname "$0")/../..}" || exit 1
export STARGEN_ROOT=$PWD
source tests/lib.sh

T=$(mktemp -d /tmp/stargen-62.XXXXXX)
# shellcheck source=../../tests/lib-pg.sh
source "$STARGEN_ROOT/tests/lib-pg.sh"
cleanup() { pg_remove "$T/pg" >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then
    fail "start PostgreSQL" "$(cat "$T/pgstart.log")"; finish; exit 1
fi
chmod 755 "$T"
unset PGPASSWORD PGSERVICE STARGEN_DATA
# The database's own TimeZone is New York: the runner must still load as Redshift (UTC).
psql -XAtq -c "ALTER DATABASE postgres SET TimeZone = 'America/New_York'" >/dev/null
psql -XAtq -c "ALTER DATABASE postgres SET DateStyle = 'ISO, DMY'" >/dev/null
q() { psql -XAtq -c "SET TimeZone = 'UTC'" -c "$1" 2>&1; }
run() { local name=$1; shift; "${RUNNER_CMD[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err"; rc=$?; }
eqv() { # eqv NAME GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got  [$2]
want [$3]"; fi
}

M=$T/model
mkdir -p "$M"
cat >"$M/schema.yaml" <<'YAML'
version: 1
sources:
  orders:
    s3: s3://shop-data/orders/
    path: orders/
    region: eu-west-1
  songs:
    s3: s3://shop-data/songs/
    path: songs/
    region: eu-west-1
    compression: gzip
staging:
  staging_orders:
    source: orders
    jsonpaths: s3://shop-meta/staging_orders.jsonpaths.json
    columns:
      order_id:    {type: integer, json: id}
      customer_id: {type: integer, json: customer.id}
      first_sku:   {type: varchar(16), json: "items[0].sku"}
      amount:      {type: "decimal(8,2)", json: amount}
      placed_at:   {type: timestamp, json: placed_at}
      placed_tz:   {type: timestamptz, json: placed_at}
      missing:     {type: varchar(8), json: no_such_key}
  staging_rounded:
    source: orders
    jsonpaths: s3://shop-meta/staging_rounded.jsonpaths.json
    decimal_rounding: round
    columns:
      order_id: {type: integer, json: id}
      amount:   {type: "decimal(8,2)", json: amount}
  staging_songs:
    source: songs
    columns:
      title: varchar(64)
tables:
  orders:
    kind: fact
    columns:
      order_id: {type: integer, primary_key: true}
    load:
      from: staging_orders
      map:
        order_id: staging_orders.order_id
YAML
if ! (cd "$M" && "${GEN_CMD[@]}" >"$T/gen.out" 2>&1); then fail "gen compiles the model" "$(cat "$T/gen.out")"; finish; exit 1; fi
ok "gen compiles the model"

# --- generated Redshift COPY ---------------------------------------------------------------------
rs=$(cat "$M/out/redshift/"*_load_staging_rounded.sql)
case "$rs" in *ROUNDEC*) ok "decimal_rounding: round -> ROUNDEC (copy-parameters-data-conversion)" ;;
*) fail "ROUNDEC emitted" "$rs" ;; esac
rs=$(cat "$M/out/redshift/"*_load_staging_songs.sql)
case "$rs" in *GZIP*"'auto ignorecase'"*|*"'auto ignorecase'"*GZIP*) ok "compression: gzip -> GZIP (copy-parameters-file-compression)" ;;
*) fail "GZIP emitted" "$rs" ;; esac
jp=$(tr -d ' \n' <"$M/out/redshift/staging_orders.jsonpaths.json")
eqv "nested paths in bracket notation (copy-usage_notes-copy-from-json)" "$jp" \
    "{\"jsonpaths\":[\"\$['id']\",\"\$['customer']['id']\",\"\$['items'][0]['sku']\",\"\$['amount']\",\"\$['placed_at']\",\"\$['placed_at']\",\"\$['no_such_key']\"]}"

# --- data -----------------------------------------------------------------------------------------
D=$T/data
mkdir -p "$D/orders" "$D/songs"
cat >"$D/orders/a.json" <<'JSON'
{"id": 1, "customer": {"id": 7}, "items": [{"sku": "A-1"}, {"sku": "B-2"}], "amount": 20.259, "placed_at": "2018-11-01 23:30:00"}
{"id": 2, "customer": {"id": 8}, "items": [], "amount": "19.999", "placed_at": "2018-11-01 23:30:00+02:00"}
JSON
printf '{"Title": "Heavy Soul"}\n{"TITLE": "Loud"}\n' | gzip >"$D/songs/part-0.json.gz"

run ok -q --data "$D" --json "$T/ok.json" "$M/out/postgres"
if [ "$rc" = 0 ]; then ok "load runs"; else fail "load runs ($rc)" "$(cat "$T/ok.err")"; fi
# the load warnings are in the --json report too, on the step that loaded (issue 12 items 1-2)
jw() { # jw STEP: that step's warnings, one a line
    python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    if r["name"] == sys.argv[2]: print("\n".join(r["warnings"]))' "$T/ok.json" "$1" 2>&1
}
step_of_orders=$(python3 -c 'import json,sys
print(next((r["name"] for r in json.load(open(sys.argv[1]))["results"] if "orders" in r["name"] and r["warnings"]), ""))' "$T/ok.json" 2>&1)
if jw "$step_of_orders" | grep -q "column missing loaded NULL in all 2 rows: its JSON path \$\['no_such_key'\] never appeared"; then
    ok "--json: never-seen key warning on $step_of_orders"; else fail "--json: never-seen key warning" "$(cat "$T/ok.json")"; fi
if jw "$step_of_orders" | grep -q "1 value carried a time zone"; then
    ok "--json: dropped-offset warning"; else fail "--json: dropped-offset warning" "$(cat "$T/ok.json")"; fi
nwarn=$(python3 -c 'import json,sys
print(sum(len(r["warnings"]) for r in json.load(open(sys.argv[1]))["results"]))' "$T/ok.json" 2>&1)
nerr=$(grep -c "warning:" "$T/ok.err")
eqv "--json holds every load warning stderr printed" "$nwarn" "$nerr"

# item 1: nested members and array elements load (copy-usage_notes-copy-from-json)
eqv "nested member customer.id" "$(q "select string_agg(customer_id::text, ',' order by order_id) from staging_orders")" "7,8"
eqv "array element items[0].sku (empty array: NULL)" "$(q "select coalesce(first_sku, 'NULL') from staging_orders order by order_id" | tr '\n' ' ')" "A-1 NULL "
# item 1: a key that never appears is a loud warning naming key and column
if grep -q "column missing loaded NULL in all 2 rows: its JSON path \$\['no_such_key'\] never appeared" "$T/ok.err"; then
    ok "never-seen key warned"; else fail "never-seen key warned" "$(cat "$T/ok.err")"; fi
# item 3: COPY truncates extra fractional digits unless ROUNDEC: 20.259 -> 20.25 (copy-parameters-data-conversion)
eqv "decimal truncates by default (Redshift COPY, not PostgreSQL's rounding)" "$(q "select string_agg(amount::text, ',' order by order_id) from staging_orders")" "20.25,19.99"
eqv "decimal_rounding: round = ROUNDEC" "$(q "select string_agg(amount::text, ',' order by order_id) from staging_rounded")" "20.26,20.00"
# item 2 + 15: TIMESTAMP ignores the offset, TIMESTAMPTZ converts it; no offset = UTC (r_Datetime_types),
# whatever the database's TimeZone
eqv "timestamp ignores the offset" "$(q "select string_agg(placed_at::text, ',' order by order_id) from staging_orders")" "2018-11-01 23:30:00,2018-11-01 23:30:00"
eqv "timestamptz: offset to UTC, none = UTC (not America/New_York)" "$(q "select string_agg(placed_tz::text, ',' order by order_id) from staging_orders")" "2018-11-01 23:30:00+00,2018-11-01 21:30:00+00"
if grep -q "1 value carried a time zone" "$T/ok.err"; then ok "dropped offsets counted and warned"; else fail "offset warning" "$(cat "$T/ok.err")"; fi
# item 4 + 5: gzip read with compression: gzip; 'auto ignorecase' matches Title/TITLE
eqv "gzip + auto ignorecase (copy-parameters-data-format)" "$(q "select string_agg(title, ',' order by title) from staging_songs")" "Heavy Soul,Loud"

# --- refusals: values Redshift rejects are load errors with file:line ----------------------------
fails() { # fails NAME LINE EXPECTED-TEXT
    local name line=$2 want=$3
    name=$(printf '%s' "$1" | tr -c 'A-Za-z0-9' _)
    printf '%s\n' "$line" >"$D/orders/a.json"
    run "$name" -q --data "$D" --only load_staging_orders "$M/out/postgres"
    if [ "$rc" != 0 ] && grep -qF -- "$want" "$T/$name.err"; then ok "$1"; else fail "$1 ($rc)" "$(cat "$T/$name.err")"; fi
}
fails "NaN into decimal refused (r_Numeric_types201)" '{"id": 1, "amount": "NaN"}' 'orders/a.json:1: column amount: invalid number'
fails "1e999 into decimal refused" '{"id": 1, "amount": 1e999}' 'orders/a.json:1: column amount: numeric field overflow'
fails "now is not a timestamp under the default TIMEFORMAT (r_DATEFORMAT_and_TIMEFORMAT_strings)" '{"id": 1, "placed_at": "now"}' 'orders/a.json:1: column placed_at: invalid timestamp "now"'
fails "05/03/2024 14:22 refused under the default TIMEFORMAT" '{"id": 1, "placed_at": "05/03/2024 14:22"}' 'does not match the default format'
printf '{"id": 1}\n' >"$D/orders/a.json"
printf '{"id": 2}\n' | gzip >"$D/orders/b.json.gz"
run stray -q --data "$D" --only load_staging_orders "$M/out/postgres"
if [ "$rc" != 0 ] && grep -qF "orders/b.json.gz" "$T/stray.err" && grep -qF "gzip-compressed but the source declares no compression" "$T/stray.err"; then
    ok "a .gz file without compression: gzip is a loud error (copy-parameters-data-source-s3: COPY reads every key)"
else fail "stray .gz" "$(cat "$T/stray.err")"; fi
rm -f "$D/orders/b.json.gz"
printf '{"id": 3}\n' >"$D/orders/c.jsonl"
printf '{"id": 4}\n' >"$D/orders/d.JSON"
run every -q --data "$D" --only load_staging_orders "$M/out/postgres"
eqv "c.jsonl and d.JSON are read, as COPY reads every key under the prefix" "$(q "select string_agg(order_id::text, ',' order by order_id) from staging_orders")" "1,3,4"
ln -s nowhere "$D/orders/e.json"
run dangling -q --data "$D" --only load_staging_orders "$M/out/postgres"
if [ "$rc" != 0 ] && grep -qF "orders/e.json: a symbolic link to nothing" "$T/dangling.err"; then ok "dangling symlink fails the step, naming it (issue 13 item 4)"
else fail "dangling symlink" "$(cat "$T/dangling.err")"; fi
rm -f "$D/orders/e.json"
big=$(head -c 70000 /dev/zero | tr '\0' x)
printf '{"title": "%s"}\n' "$big" | gzip >"$D/songs/part-0.json.gz"
run long -q --data "$D" --only load_staging_songs "$M/out/postgres"
if [ "$rc" != 0 ] && grep -qF "value is 70000 bytes, longer than varchar(64)" "$T/long.err"; then ok "over-long string refused"; else fail "over-long string" "$(cat "$T/long.err")"; fi

# --- gen refusals ---------------------------------------------------------------------------------
gen_err() { # gen_err NAME SED-EXPR EXPECTED
    mkdir -p "$T/$1"; sed "$2" "$M/schema.yaml" >"$T/$1/schema.yaml"
    (cd "$T/$1" && "${GEN_CMD[@]}" >"$T/$1.out" 2>&1); local r=$?
    if [ "$r" != 0 ] && grep -qF -- "$3" "$T/$1.out"; then ok "$1"; else fail "$1 ($r)" "$(cat "$T/$1.out")"; fi
}
gen_err "json: \$.customer.id refused with the one spelling" 's/json: customer.id/json: "$.customer.id"/' "starts with '\$': write the path without it"
gen_err "json: a[x] refused" 's/json: "items\[0\].sku"/json: "items[x]"/' 'is not an array element [N]'
gen_err "time_format with a zone refused" 's/    decimal_rounding: round/    decimal_rounding: round\n    time_format: "YYYY-MM-DD HH:MI:SS TZ"/' 'unknown part "TZ"'
finish

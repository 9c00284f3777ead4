#!/usr/bin/env bash
# Kept tables across model changes (issue 11, items 3-5, reproduction 4), on a real
# PostgreSQL.  The model versions tests/migrations/kept/v0.yaml, v1.yaml, ... are
# generated in order into ONE output folder, as a user edits schema.yaml and reruns
# ./gen; between versions the warehouse is loaded with a new batch of orders.  Each
# change (add column, widen, rename, dist/sort, new kept table, removed kept table with
# and without allow_data_loss, narrowing refused, NOT NULL with deletion) must keep the
# rows already loaded: row counts and a checksum of the untouched columns of the first
# batch are compared after every step.  Then: the migration files for both dialects
# against tests/migrations/kept/expected/ (golden), sqlfluff on the Redshift ones,
# `gen --check` with a missing migration, a migration edited after it ran and a live
# table that drifted from schema.state (both refused with nothing changed), and a fresh
# database (migrations recorded as skipped, the steps create the current tables).
set -u
source tests/lib.sh
source tests/lib-pg.sh
K=tests/migrations/kept
if [ -z "$PG_BIN" ] || ! command -v psql >/dev/null; then skip "PostgreSQL is not installed"; finish; exit; fi
tmp=$(mktemp -d); chmod 755 "$tmp"
trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
pg_start "$tmp/pg" >"$tmp/pgstart.log" 2>&1 || { fail "cannot start PostgreSQL" "$(cat "$tmp/pgstart.log")"; finish; exit 1; }
unset PGPASSWORD PGSERVICE STARGEN_DATA
createdb kept && export PGDATABASE=kept
W=$tmp/out D=$tmp/data
q() { psql -XAtq -c "$1" 2>&1; }

# Customers 1..20 (customer 7 has no city); orders FROM..TO: every 10th has no
# created_at, every 7th has a note of 60 characters (only varchar(80) holds it).
batch() { # FROM TO [LONGNOTES]
    rm -rf "$D"; mkdir -p "$D/customers" "$D/orders"
    local i city note ts
    for i in $(seq 1 20); do
        city="\"City$((i % 5))\""; [ "$i" = 7 ] && city=null
        printf '{"customer_id": %d, "name": "Customer %d", "city": %s, "updated_at": "2024-01-0%d 10:00:00"}\n' \
            "$i" "$i" "$city" $((i % 9 + 1))
    done >"$D/customers/part-0.json"
    for i in $(seq "$1" "$2"); do
        note="note $i"; [ -n "${3:-}" ] && [ $((i % 7)) = 0 ] && note=$(printf 'long%056d' "$i")
        ts="\"2024-02-$(printf %02d $((i % 28 + 1))) 0$((i % 10)):30:00\""; [ $((i % 10)) = 0 ] && ts=null
        printf '{"order_id": %d, "customer_id": %d, "amount": %d.%02d, "tax": %d.50, "note": "%s", "created_at": %s}\n' \
            "$i" $((i % 20 + 1)) $((i % 90 + 3)) $((i % 100)) $((i % 7)) "$note" "$ts"
    done >"$D/orders/part-0.json"
}
gen_v() { "${GEN_CMD[@]}" -q -m "$K/$1.yaml" -o "$W" 2>"$tmp/gen.err"; }
load() { "${RUNNER_CMD[@]}" -q --data "$D" "$W/postgres" >"$tmp/run.out" 2>"$tmp/run.err"; }
# the columns of the first batch no model version touches
first_sum() { q "SELECT count(*) || ':' || md5(string_agg(order_id || '/' || customer_id || '/' || amount, ',' ORDER BY order_id)) FROM orders WHERE order_id <= 100 ${1:-}"; }
cust_sum() { q "SELECT count(*) || ':' || md5(string_agg(customer_id || '/' || name || '/' || coalesce($1, '-'), ',' ORDER BY customer_id)) FROM customers"; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected [$3], got [$2]"; fi; }
expect_run() { # NAME: the last load exited 0
    if [ "$rc" = 0 ]; then ok "$1"; else fail "$1 (exit $rc)" "$(cat "$tmp/run.err" "$tmp/run.out")"; fi
}
has() { grep -qF -- "$2" "$1"; }
dump() { pg_dump --no-owner kept | grep -Ev '^.(un)?restrict ' | md5sum; } # pg_dump 15.14+ prints a random \restrict key

# ---- v0: the first load ----
batch 1 100
gen_v v0 || fail "gen v0" "$(cat "$tmp/gen.err")"
load; rc=$?; expect_run "v0 loads"
expect_eq "v0: 100 orders" "$(q 'SELECT count(*) FROM orders')" 100
S1=$(first_sum); C1=$(cust_sum city)
cp -r "$W" "$tmp/out-v0"

# ---- reproduction 4: without the migration the next load fails (42703) ----
gen_v v1 || fail "gen v1" "$(cat "$tmp/gen.err")"
# an out/ folder as gen wrote it before migrations existed: no state, no migrations
mv "$W/postgres/migrations" "$tmp/hidden"; mv "$W/postgres/schema.state" "$tmp/state.v1"
batch 101 200
load; rc=$?
if [ "$rc" != 0 ] && has "$tmp/run.err" 'column "tax" of relation "orders" does not exist'; then
    ok "without the migration the load fails with 42703 (reproduction 4)"
else fail "expected the 42703 failure without the migration (exit $rc)" "$(cat "$tmp/run.err")"; fi
mv "$tmp/hidden" "$W/postgres/migrations"; mv "$tmp/state.v1" "$W/postgres/schema.state"

# ---- v1: add a nullable column ----
if [ -f "$W/postgres/migrations/0001_orders_add_tax.sql" ] && [ -f "$W/redshift/migrations/0001_orders_add_tax.sql" ]; then
    ok "v1: migration 0001_orders_add_tax for both dialects"; else fail "v1: no add-column migration" "$(ls -R "$W")"; fi
# --dry-run lists the migrations a run applies first, with checksum and statements
"${RUNNER_CMD[@]}" --dry-run --data "$D" "$W/postgres" >"$tmp/dry.out" 2>"$tmp/dry.err"; rc=$?
sum1=$(sha256sum "$W/postgres/migrations/0001_orders_add_tax.sql" | cut -c1-64)
if [ "$rc" = 0 ] && grep -q "^migrations: 1 in .*/migrations, applied in this order before the steps" "$tmp/dry.out" &&
    grep -q "^  migration 0001_orders_add_tax.sql  sha256 $sum1\$" "$tmp/dry.out" &&
    grep -q "^    ALTER TABLE orders ADD COLUMN tax" "$tmp/dry.out"; then ok "--dry-run lists the pending migration with its checksum and SQL"
else fail "--dry-run does not list the migration (exit $rc)" "$(cat "$tmp/dry.out" "$tmp/dry.err" | head -n 30)"; fi
load; rc=$?; expect_run "v1 loads after its migration"
has "$tmp/run.out" "" ; expect_eq "v1: 200 orders" "$(q 'SELECT count(*) FROM orders')" 200
expect_eq "v1: first batch untouched" "$(first_sum)" "$S1"
expect_eq "v1: the new batch has tax, the old rows NULL" "$(q "SELECT count(tax) FILTER (WHERE order_id > 100) || '/' || count(tax) FILTER (WHERE order_id <= 100) FROM orders")" "100/0"
expect_eq "v1: history records the migration with its checksum" \
    "$(q "SELECT status || ' ' || checksum FROM stargen_history WHERE step = 'migration:0001_orders_add_tax'")" \
    "success $(sha256sum "$W/postgres/migrations/0001_orders_add_tax.sql" | cut -c1-64)"
expect_eq "v1: customers untouched" "$(cust_sum city)" "$C1"

# ---- v2: widen a varchar ----
gen_v v2 || fail "gen v2" "$(cat "$tmp/gen.err")"
batch 201 300 long
load; rc=$?; expect_run "v2 loads 60-character notes after widening"
expect_eq "v2: note is varchar(80)" "$(q "SELECT character_maximum_length FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'")" 80
expect_eq "v2: 300 orders" "$(q 'SELECT count(*) FROM orders')" 300
expect_eq "v2: first batch untouched" "$(first_sum)" "$S1"
expect_eq "v2: long notes kept" "$(q 'SELECT count(*) FROM orders WHERE length(note) = 60')" 14

# ---- v3: rename a column (renamed_from) ----
gen_v v3 || fail "gen v3" "$(cat "$tmp/gen.err")"
load; rc=$?; expect_run "v3 loads after the rename"
expect_eq "v3: town holds what city held" "$(cust_sum town)" "$C1"
expect_eq "v3: first batch untouched" "$(first_sum)" "$S1"

# ---- v4: distribution and sort keys: a Redshift migration, nothing for PostgreSQL ----
ls "$W/postgres/migrations" >"$tmp/pg.before"
gen_v v4 || fail "gen v4" "$(cat "$tmp/gen.err")"
if cmp -s "$tmp/pg.before" <(ls "$W/postgres/migrations") && [ -f "$W/redshift/migrations/0004_orders_alter.sql" ] &&
    has "$W/redshift/migrations/0004_orders_alter.sql" "ALTER TABLE orders ALTER DISTSTYLE EVEN;"; then
    ok "v4: dist/sort change is a Redshift migration only"; else fail "v4: migrations" "$(ls "$W"/*/migrations)"; fi
load; rc=$?; expect_run "v4 loads"
expect_eq "v4: first batch untouched" "$(first_sum)" "$S1"

# ---- v5: a new kept table (create_star makes it; no migration) ----
gen_v v5 || fail "gen v5" "$(cat "$tmp/gen.err")"
if [ "$(ls "$W/postgres/migrations" | wc -l)" = 3 ]; then ok "v5: a new kept table needs no migration"; else fail "v5: unexpected migration" "$(ls "$W/postgres/migrations")"; fi
load; rc=$?; expect_run "v5 loads the new kept table"
BIG=$(q 'SELECT count(*) FROM big_orders')
expect_eq "v5: big_orders holds the orders over 50" "$BIG" "$(q 'SELECT count(*) FROM orders WHERE amount > 50 AND order_id > 200')"

# ---- v6: removing a kept table: refused, then acknowledged ----
cp -r "$W" "$tmp/out-v5"
if ! gen_v v6-refused && has "$tmp/gen.err" 'error: kept table "big_orders" is gone from the model: dropping it deletes its rows [migration-data-loss]' &&
    has "$tmp/gen.err" 'allow_data_loss: [big_orders]' && diff -r "$tmp/out-v5" "$W" >/dev/null; then
    ok "v6: dropping a kept table is refused (located, named, out/ untouched)"
else fail "v6: drop not refused" "$(cat "$tmp/gen.err")"; fi
grep -q '^v6-refused.yaml:[0-9]*:[0-9]*: error' <(sed "s|$K/||" "$tmp/gen.err") && ok "v6: the refusal is located (FILE:LINE:COL)" || fail "v6: not located" "$(cat "$tmp/gen.err")"
gen_v v6 || fail "gen v6 (acknowledged)" "$(cat "$tmp/gen.err")"
load; rc=$?; expect_run "v6 loads after dropping big_orders"
expect_eq "v6: big_orders is gone" "$(q "SELECT to_regclass('big_orders') IS NULL")" t
expect_eq "v6: first batch untouched" "$(first_sum)" "$S1"
ls "$W/postgres/migrations" >"$tmp/pg.before"
if gen_v v6 && has "$tmp/gen.err" 'warning: allow_data_loss: "big_orders" matches no change that loses data' &&
    cmp -s "$tmp/pg.before" <(ls "$W/postgres/migrations"); then ok "v6 again: the spent acknowledgement is a warning, no new migration"
else fail "v6 again" "$(cat "$tmp/gen.err")"; fi

# ---- v7: narrowing refused; NOT NULL acknowledged deletes exactly the NULL rows ----
cp -r "$W" "$tmp/out-v6"
if ! gen_v v7-refused && has "$tmp/gen.err" 'changing "orders"."note" from varchar(80) to varchar(10) may truncate' &&
    has "$tmp/gen.err" '[migration-data-loss]' && has "$tmp/gen.err" 'allow_data_loss: [orders.note]' &&
    diff -r "$tmp/out-v6" "$W" >/dev/null; then ok "v7: narrowing is refused, out/ untouched"
else fail "v7: narrowing not refused" "$(cat "$tmp/gen.err")"; fi
sed 's/^version: 1$/version: 1\nallow_data_loss: [orders.note]/' "$K/v7-refused.yaml" >"$tmp/v7-ack.yaml"
if "${GEN_CMD[@]}" -q -m "$tmp/v7-ack.yaml" -o "$tmp/out-v6" 2>"$tmp/ack.err"; then ok "v7: the hint's acknowledgement compiles"
else fail "v7: acknowledged narrowing still refused" "$(cat "$tmp/ack.err")"; fi
NULLS=$(q 'SELECT count(*) FROM orders WHERE created_at IS NULL AND order_id <= 200')
KEPT=$(first_sum "AND created_at IS NOT NULL")
gen_v v7 || fail "gen v7" "$(cat "$tmp/gen.err")"
load; rc=$?; expect_run "v7 loads after NOT NULL"
expect_eq "v7: exactly the $NULLS NULL rows of earlier batches were deleted" "$(q 'SELECT count(*) FROM orders WHERE order_id <= 200')" $((200 - NULLS))
expect_eq "v7: the reloaded batch has no NULL created_at" "$(q 'SELECT count(*) FROM orders WHERE created_at IS NULL')" 0
expect_eq "v7: the other first-batch rows untouched" "$(first_sum)" "$KEPT"
expect_eq "v7: created_at is NOT NULL" "$(q "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'created_at'")" NO

# ---- golden migration files (both dialects), review text, sqlfluff ----
# UPDATE=1 re-pins the golden folder from this run (maintainers; never in CI)
if [ "${UPDATE:-0}" = 1 ]; then rm -rf "$K/expected"; cp -r "$W" "$K/expected"; fi
if d=$(diff -r "$K/expected" "$W"); then ok "migrations, schema.state and CHANGES.md match $K/expected"
else fail "generated migrations differ from $K/expected" "$d"; fi
if "${GEN_CMD[@]}" --check -q -m "$K/v7.yaml" -o "$W" 2>"$tmp/check.err"; then ok "gen --check passes on the migrated folder"
else fail "gen --check fails after v7" "$(cat "$tmp/check.err")"; fi
"${GEN_CMD[@]}" --check -m "$K/v1.yaml" -o "$tmp/out-v0" >/dev/null 2>"$tmp/check.err"; rc=$?
if [ "$rc" = 4 ] && has "$tmp/check.err" "0001_orders_add_tax.sql"; then ok "gen --check fails when a needed migration is missing"
else fail "gen --check missed a missing migration (exit $rc)" "$(cat "$tmp/check.err")"; fi
has "$W/CHANGES.md" 'column `created_at` becomes NOT NULL: DATA LOST: the rows where it is NULL are deleted' &&
    has "$W/CHANGES.md" 'redshift/migrations/0006_orders_not_null_created_at.sql`: rebuilds the whole table (deep copy)' &&
    ok "CHANGES.md names the data at risk and the Redshift rewrite" || fail "CHANGES.md" "$(cat "$W/CHANGES.md")"
if command -v sqlfluff >/dev/null; then
    out=$(sqlfluff parse --dialect redshift "$W/redshift/migrations" 2>&1); prc=$?
    if [ $prc = 0 ] && ! grep -q unparsable <<<"$out"; then ok "sqlfluff parses the Redshift migrations"
    else fail "sqlfluff rejects a Redshift migration" "$(grep -B3 -A8 -m3 unparsable <<<"$out")"; fi
else skip "sqlfluff is not installed"; fi

# ---- a migration edited after it ran: refused, nothing changed ----
before=$(dump); H0=$(q 'SELECT count(*) FROM stargen_history')
[ "$(pg_dump --no-owner kept | grep -c '^COPY public.orders ')" = 1 ] || fail "pg_dump gives no data to compare"
cp "$W/postgres/migrations/0002_orders_widen_note.sql" "$tmp/m2"
echo "-- an innocent edit" >>"$W/postgres/migrations/0002_orders_widen_note.sql"
load; rc=$?
if [ "$rc" = 2 ] && has "$tmp/run.err" "0002_orders_widen_note.sql was edited after it ran on this database" &&
    [ "$(dump)" = "$before" ]; then ok "an edited migration is refused (exit 2), nothing changed"
else fail "edited migration not refused (exit $rc)" "$(cat "$tmp/run.err")"; fi
cp "$tmp/m2" "$W/postgres/migrations/0002_orders_widen_note.sql"
mv "$W/postgres/migrations/0001_orders_add_tax.sql" "$tmp/m1"
load; rc=$?
if [ "$rc" = 2 ] && has "$tmp/run.err" "migration 0001_orders_add_tax ran on this database but"; then ok "a removed migration that ran is refused"
else fail "removed migration not refused (exit $rc)" "$(cat "$tmp/run.err")"; fi
mv "$tmp/m1" "$W/postgres/migrations/0001_orders_add_tax.sql"

# ---- drift: a live kept table that differs from schema.state ----
q 'ALTER TABLE orders ADD COLUMN rogue integer; ALTER TABLE orders ALTER COLUMN note TYPE varchar(200)' >/dev/null
before=$(dump)
load; rc=$?
if [ "$rc" = 2 ] && has "$tmp/run.err" 'kept table "orders" differs from' &&
    has "$tmp/run.err" 'column "rogue" integer: in the database, not recorded' &&
    has "$tmp/run.err" 'column "note": the database has varchar(200), the state says varchar(80)' &&
    [ "$(dump)" = "$before" ] && [ "$(q 'SELECT count(*) FROM stargen_history')" = "$H0" ]; then
    ok "drift is refused with a readable diff (exit 2), nothing changed"
else fail "drift not refused (exit $rc)" "$(cat "$tmp/run.err")"; fi
q 'ALTER TABLE orders DROP COLUMN rogue; ALTER TABLE orders ALTER COLUMN note TYPE varchar(80)' >/dev/null
load; rc=$?; expect_run "after undoing the drift the run passes"

# ---- a fresh database: every migration skipped, the steps build the current schema ----
createdb fresh
PGDATABASE=fresh "${RUNNER_CMD[@]}" --data "$D" "$W/postgres" >"$tmp/fresh.out" 2>"$tmp/fresh.err"; rc=$?
if [ "$rc" = 0 ] && [ "$(grep -c ': skipped (' "$tmp/fresh.out")" = 5 ] &&
    [ "$(PGDATABASE=fresh q "SELECT count(*) FROM stargen_history WHERE status = 'skipped'")" = 5 ]; then
    ok "fresh database: 5 migrations recorded as skipped, the run passes"
else fail "fresh database (exit $rc)" "$(cat "$tmp/fresh.err" "$tmp/fresh.out")"; fi
expect_eq "fresh database: orders has the current columns" \
    "$(PGDATABASE=fresh q "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'orders'")" \
    "order_id,customer_id,amount,note,created_at,tax"

# ---- gen refuses to lose a migration: a missing one is an error, never rewritten ----
mv "$W/postgres/migrations/0003_customers_rename_city_to_town.sql" "$tmp/m3"
"${GEN_CMD[@]}" -q -m "$K/v7.yaml" -o "$W" 2>"$tmp/gen.err"; rc=$?
if [ "$rc" = 3 ] && has "$tmp/gen.err" "migration 0003_customers_rename_city_to_town.sql is missing"; then
    ok "gen refuses an output folder that lost a migration (exit 3)"; else fail "lost migration (exit $rc)" "$(cat "$tmp/gen.err")"; fi
mv "$tmp/m3" "$W/postgres/migrations/0003_customers_rename_city_to_town.sql"
finish

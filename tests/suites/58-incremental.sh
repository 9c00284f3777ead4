#!/usr/bin/env bash
# Incremental loads (issue 14), on a private PostgreSQL with the golden model "incremental"
# (daily files of orders whose status changes, customers who move, customers who arrive after
# their orders; kept tables loaded by upsert):
# - each run stages only the files stargen_ledger has not recorded; a run with nothing new
#   changes nothing; loading the days one run each ends in exactly the tables of one full load
#   (every row compared);
# - --dry-run lists exactly the new files; --full-reload stages every file again;
# - a loaded file whose bytes changed is refused with its name (on_changed: error), restaged
#   with on_changed: reload;
# - the ledger under kill -9 at >= 20 points of daily runs: the files recorded as loaded are
#   exactly those whose rows are in the published tables (no file recorded without its rows,
#   no rows without their ledger entry), and a rerun completes exactly.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
source tests/lib-pg.sh
MODEL="$STARGEN_ROOT/tests/golden/incremental/schema.yaml"
tmp=$(mktemp -d); trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT
pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }
OUT="$tmp/out/postgres"
"${GEN_CMD[@]}" -q -m "$MODEL" -o "$tmp/out" || { fail "gen failed on the incremental model"; finish; exit 1; }
run() { "${RUNNER_CMD[@]}" -d "$DB" "$@"; }
q() { psql -X -A -t -d "$DB" -c "$1"; }
# every row of both star tables, in one snapshot
fingerprint() { psql -X -A -t -d "$DB" -c "SELECT (SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM orders x) || ' ' || (SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM customers x)" 2>&1; }

# Eight days of files.  Orders change status over the days (placed -> shipped -> delivered);
# customers move city; some customers' first record arrives days after their first order.
python3 - "$tmp/all" <<'EOF'
import json, os, random, sys
root = sys.argv[1]; random.seed(14)
os.makedirs(root + "/orders"); os.makedirs(root + "/customers")
steps = ["placed", "paid", "shipped", "delivered"]
orders = {}
for day in range(1, 9):
    d = "2024-01-%02d" % day
    with open("%s/orders/%s.json" % (root, d), "w") as f:
        for k in range(40):                      # new orders
            oid = day * 1000 + k
            orders[oid] = 0
            f.write(json.dumps({"order_id": oid, "customer_id": 1 + (oid * 7) % 60, "status": "placed",
                                "amount": "%.2f" % (random.randint(100, 99999) / 100),
                                "updated_at": "%s %02d:%02d:00" % (d, k % 24, k % 60)}) + "\n")
        for oid in sorted(orders):               # some older orders move on
            if orders[oid] < 3 and oid // 1000 < day and random.random() < 0.4:
                orders[oid] += 1
                f.write(json.dumps({"order_id": oid, "customer_id": 1 + (oid * 7) % 60,
                                    "status": steps[orders[oid]], "amount": None,
                                    "updated_at": "%s 23:%02d:00" % (d, oid % 60)}) + "\n")
    with open("%s/customers/%s.json" % (root, d), "w") as f:
        for c in range(1, 61):
            # customer c first appears on day 1 + c % 8 (late for many orders), and moves now and then
            first = 1 + c % 8
            if day == first or (day > first and (c + day) % 5 == 0):
                f.write(json.dumps({"customer_id": c, "name": "cust %d" % c,
                                    "city": "city %d" % ((c * day) % 13),
                                    "updated_at": "%s 12:00:%02d" % (d, c % 60)}) + "\n")
EOF
DAYS=$(ls "$tmp/all/orders" | sed 's/\.json$//')
# data folder holding the first N days
data_upto() { rm -rf "$tmp/d"; mkdir -p "$tmp/d/orders" "$tmp/d/customers"; local n=0
    for d in $DAYS; do n=$((n + 1)); [ $n -gt "$1" ] && break
        cp -p "$tmp/all/orders/$d.json" "$tmp/d/orders/"; cp -p "$tmp/all/customers/$d.json" "$tmp/d/customers/"; done; }

# The reference: one full load of every file.
createdb full; DB=full
if out=$(run -q --data "$tmp/all" "$OUT" 2>&1); then ok "full load of all eight days"; else fail "full load failed" "$out"; finish; exit 1; fi
FULL=$(fingerprint)
[ "$(q "SELECT count(*) FROM stargen_ledger WHERE status = 'loaded'")" = 16 ] && ok "the ledger records the 16 files of the full load" || fail "ledger after the full load: $(q "SELECT status, count(*) FROM stargen_ledger GROUP BY 1")"
# checksums and sizes are those of the files
bad=$(q "SELECT file_key, sha256, size FROM stargen_ledger" | while IFS='|' read -r k s z; do
    f="$tmp/all/$k"; [ "$(sha256sum "$f" | cut -c1-64)" = "$s" ] && [ "$(stat -c %s "$f")" = "$z" ] || echo "$k"; done)
[ -z "$bad" ] && ok "ledger rows carry each file's size and SHA-256" || fail "ledger rows disagree with the files" "$bad"

# Day by day: each run stages only the new day; the end state is the full load's.
createdb daily; DB=daily
declare -a FP
FP[0]="0:- 0:-"
good=1
for n in 1 2 3 4 5 6 7 8; do
    data_upto $n
    out=$(run --data "$tmp/d" "$OUT" 2>&1) || { fail "daily run $n failed" "$out"; good=0; break; }
    staged=$(q "SELECT count(*) FROM stage_orders")
    day=$(echo "$DAYS" | sed -n "${n}p")
    want=$(wc -l <"$tmp/all/orders/$day.json")
    [ "$staged" = "$want" ] || { fail "daily run $n staged $staged order rows, the new day has $want"; good=0; }
    echo "$out" | grep -q "incremental source orders/: 1 file to stage (1 new, 0 again), $((n - 1)) already loaded" ||
        { fail "daily run $n: no line saying one new file" "$out"; good=0; }
    # counts: the day's file has 40 new orders, the rest are status changes of stored ones
    echo "$out" | grep -q "^      orders: 40 inserted, $((want - 40)) updated, 0 unchanged, 0 skipped (of $want read from stage_orders)$" ||
        { fail "daily run $n: orders counts are not 40 inserted, $((want - 40)) updated, 0 unchanged" "$(echo "$out" | grep inserted)"; good=0; }
    FP[$n]=$(fingerprint)
    [ $n = 2 ] && LATE2=$(q "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)")
done
[ $good = 1 ] && ok "eight daily runs each staged only the new day's file"
[ "${FP[8]}" = "$FULL" ] && ok "daily runs end in exactly the tables of the full load (every row)" || fail "daily runs differ from the full load" "${FP[8]} vs $FULL"
late=$(q "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)")
[ "${LATE2:-0}" -gt 0 ] && [ "$late" = 0 ] && [ "$(psql -X -A -t -d full -c "SELECT count(*) FROM orders")" = "$(q "SELECT count(*) FROM orders")" ] &&
    ok "no order dropped for a late customer ($LATE2 orders awaited their customer after day 2; all arrived by day 8)" || fail "late customers: ${LATE2:-?} after day 2, $late at the end"
# nothing new: nothing staged, nothing changed
out=$(run --data "$tmp/d" "$OUT" 2>&1)
[ "$(q "SELECT count(*) FROM stage_orders")" = 0 ] && [ "$(fingerprint)" = "$FULL" ] && echo "$out" | grep -q "0 files to stage" &&
    ok "a run with no new file stages nothing and changes nothing" || fail "a rerun with nothing new changed something" "$out"

# Any order: the days in reverse, then in a shuffled order, one run each (newer wins: an
# upsert keeps the stored row when it is newer, ties broken as the full load breaks them)
data_days() { rm -rf "$tmp/d"; mkdir -p "$tmp/d/orders" "$tmp/d/customers"
    for k in "$@"; do d=$(echo "$DAYS" | sed -n "${k}p")
        cp -p "$tmp/all/orders/$d.json" "$tmp/d/orders/"; cp -p "$tmp/all/customers/$d.json" "$tmp/d/customers/"; done; }
for order in "8 7 6 5 4 3 2 1" "3 8 1 6 2 7 5 4"; do
    db="ord$(echo "$order" | tr -d ' ')"; createdb "$db"; DB=$db
    have="" good=1
    for k in $order; do
        have="$have $k"; data_days $have
        out=$(run -q --data "$tmp/d" "$OUT" 2>&1) || { fail "run of day $k (order $order) failed" "$out"; good=0; break; }
        [ "$(q "SELECT count(*) FROM stargen_ledger WHERE status = 'pending'")" = 0 ] || good=0
    done
    [ $good = 1 ] && [ "$(fingerprint)" = "$FULL" ] && ok "days loaded in the order $order end in exactly the full load's tables" ||
        fail "days loaded in the order $order differ from the full load" "$(fingerprint) vs $FULL"
done
# one batch loaded twice: its ledger rows forgotten, its files staged again: nothing changes
q "DELETE FROM stargen_ledger WHERE file_key LIKE '%$(echo "$DAYS" | sed -n 3p)%'" >/dev/null
out=$(run --json "$tmp/twice.json" --data "$tmp/d" "$OUT" 2>&1)
d3=$(echo "$DAYS" | sed -n 3p)
echo "$out" | grep -q "incremental source orders/: 1 file to stage (1 new" && [ "$(fingerprint)" = "$FULL" ] &&
    echo "$out" | grep -q "^      orders: 0 inserted, 0 updated, $(wc -l <"$tmp/all/orders/$d3.json") unchanged, 0 skipped (of $(wc -l <"$tmp/all/orders/$d3.json") read from stage_orders)$" &&
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); p=[s for s in r["results"] if s["name"]=="publish"][0]; sys.exit(0 if (p["inserted"],p["updated"],p["rows"])==(0,0,0) and p["unchanged"]==int(sys.argv[2]) else 1)' "$tmp/twice.json" "$(( $(wc -l <"$tmp/all/orders/$d3.json") + $(wc -l <"$tmp/all/customers/$d3.json") ))" &&
    ok "a day loaded twice changes nothing (no duplicate, no older status back; counted unchanged in the output and --json)" || fail "a day loaded twice changed the tables" "$out"
# the same without the newer-wins guard (an unconditional upsert) sets statuses back: prove
# the data can tell, loading day 3 then day 2 with and without the guard
sed '/^-- Newer wins/,/^);$/d' "$OUT/05_publish.sql" >"$tmp/np.sql"; cp -r "$OUT" "$tmp/ng"; cp "$tmp/np.sql" "$tmp/ng/05_publish.sql"
for v in guard noguard; do
    createdb "$v"; o="$OUT"; [ $v = noguard ] && o="$tmp/ng"
    data_days 3; "${RUNNER_CMD[@]}" -d "$v" -q --data "$tmp/d" "$o" >/dev/null 2>&1
    data_days 3 2; "${RUNNER_CMD[@]}" -d "$v" -q --data "$tmp/d" "$o" >/dev/null 2>&1
    psql -X -A -t -d "$v" -c "SELECT order_id || ' ' || status || ' ' || updated_at FROM orders ORDER BY 1" >"$tmp/$v.txt"
done
back=$(join "$tmp/guard.txt" "$tmp/noguard.txt" | awk '$3" "$4 != $6" "$7' | wc -l)
[ "$back" -gt 0 ] && ok "without the guard, day 2 after day 3 sets $back orders back to an older status (the data can tell)" || fail "the data cannot show a rollback"

# --dry-run lists exactly the new files
createdb dry; DB=dry
data_upto 3; run -q --data "$tmp/d" "$OUT" >/dev/null 2>&1
data_upto 5
out=$(run --dry-run --data "$tmp/d" "$OUT" 2>&1)
listed=$(echo "$out" | sed -n 's/^    new //p' | sort | tr '\n' ' ')
want=$(for s in customers orders; do for d in $(echo "$DAYS" | sed -n '4,5p'); do echo "$s/$d.json"; done; done | sort | tr '\n' ' ')
[ "$listed" = "$want" ] && ok "--dry-run lists exactly the new files" || fail "--dry-run listed [$listed], want [$want]" "$out"
[ "$(q "SELECT count(*) FROM stargen_ledger")" = 6 ] && ok "--dry-run changes nothing" || fail "--dry-run changed the ledger"

# A changed file: refused with its name (orders: on_changed error); nothing changes
DB=daily
data_upto 8
before=$(fingerprint)
d2=$(echo "$DAYS" | sed -n 2p)
sed -i '1s/"placed"/"lost"/' "$tmp/d/orders/$d2.json"
out=$(run -q --data "$tmp/d" "$OUT" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "orders/$d2.json changed after it was loaded" && [ "$(fingerprint)" = "$before" ] &&
    ok "a changed file is refused with its name (exit 1), nothing changed" || fail "changed file: exit $rc" "$out"
# touched but identical: not a change
cp -p "$tmp/all/orders/$d2.json" "$tmp/d/orders/"; touch "$tmp/d/orders/$d2.json"
out=$(run -q --data "$tmp/d" "$OUT" 2>&1) && [ "$(fingerprint)" = "$before" ] && ok "a touched file with the same bytes is not a change" || fail "a touched file was taken for a changed one" "$out"
# customers: on_changed reload -> restaged, its new content loaded, the ledger row replaced
d8=$(echo "$DAYS" | sed -n 8p)
c8=$(head -1 "$tmp/d/customers/$d8.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["customer_id"])')
sed -i '1s/"city": "[^"]*"/"city": "Reloaded"/' "$tmp/d/customers/$d8.json"
out=$(run --data "$tmp/d" "$OUT" 2>&1)
[ "$(q "SELECT city FROM customers WHERE customer_id = $c8")" = Reloaded ] && [ "$(q "SELECT count(*) FROM stargen_ledger WHERE file_key = 'customers/$d8.json'")" = 1 ] &&
    [ "$(q "SELECT sha256 FROM stargen_ledger WHERE file_key = 'customers/$d8.json'")" = "$(sha256sum "$tmp/d/customers/$d8.json" | cut -c1-64)" ] &&
    ok "on_changed: reload restages a changed file and replaces its ledger row" || fail "on_changed reload" "$out"
# --full-reload: every file staged again; the tables are the full load's
DB=dry; data_upto 8
out=$(run --full-reload --data "$tmp/d" "$OUT" 2>&1)
[ "$(q "SELECT count(*) FROM stage_orders")" = "$(cat "$tmp/all"/orders/*.json | wc -l)" ] && [ "$(fingerprint)" = "$FULL" ] &&
    [ "$(q "SELECT count(*) FROM stargen_ledger")" = 16 ] && ok "--full-reload stages every file and ends in the full load" || fail "--full-reload" "$out"

# kill -9 during daily runs: the ledger's loaded files are exactly those whose rows were published
createdb kills; DB=kills
wait_unlocked() { q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stargen-runner'" >/dev/null
    for _ in $(seq 200); do [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ] && return 0; sleep 0.05; done; return 1; }
trials=0 bad=0 n=1 completed=0 killed=0
data_upto 1
# one undisturbed day-1 run with the delay gives the length of a run; the kill points are
# spread over it (1/12 to 11/12 of it); every 4th run is left to finish
t0=$(date +%s%N)
STARGEN_TEST_STEP_DELAY_MS=40 "${RUNNER_CMD[@]}" -d "$DB" -q --data "$tmp/d" "$OUT" >/dev/null 2>&1
RUN_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
n=2; data_upto 2
# every 4th run is left to finish, so the days advance however slow the machine is
for i in $(seq 1 32); do
    STARGEN_TEST_STEP_DELAY_MS=40 "${RUNNER_CMD[@]}" -d "$DB" -q --data "$tmp/d" "$OUT" >/dev/null 2>&1 &
    pid=$!
    if [ $((i % 4)) != 0 ]; then
        at=$(( RUN_MS * ((i * 7) % 11 + 1) / 12 ))
        sleep "$((at / 1000)).$(printf '%03d' $((at % 1000)))"
        if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); fi
    fi
    wait $pid 2>/dev/null
    wait_unlocked
    trials=$((trials + 1))
    lo=$(q "SELECT count(*) FROM stargen_ledger WHERE status = 'loaded' AND source = 'orders/'" 2>/dev/null || echo 0)
    lc=$(q "SELECT count(*) FROM stargen_ledger WHERE status = 'loaded' AND source = 'customers/'" 2>/dev/null || echo 0)
    fp=$(q "SELECT 1 FROM information_schema.tables WHERE table_name = 'orders'" | grep -q 1 && fingerprint || echo "0:- 0:-")
    if [ "$lo" != "$lc" ] || [ "$fp" != "${FP[$lo]}" ]; then
        bad=$((bad + 1)); fail "kill trial $i: ledger says $lo/$lc files loaded, tables are not those of $lo days" "$fp"
    fi
    # once the current day is published, the next trial brings a new day
    if [ "$lo" = "$n" ] && [ $n -lt 8 ]; then completed=$((completed + 1)); n=$((n + 1)); data_upto $n; fi
done
[ $killed -ge 20 ] && [ $bad = 0 ] && ok "kill -9 at $trials points over a ${RUN_MS} ms run ($killed killed mid-run, $completed days published between kills): ledger and tables always agree" ||
    fail "kill trials: $bad of $trials inconsistent"
[ "$killed" -ge 20 ] && [ "$completed" -ge 5 ] || fail "$killed of $trials trials killed a running runner, $completed days published: the kill points miss the runs"
data_upto 8
out=$(run -q --data "$tmp/d" "$OUT" 2>&1) && [ "$(fingerprint)" = "$FULL" ] && [ "$(q "SELECT count(*) FROM stargen_ledger WHERE status = 'loaded'")" = 16 ] &&
    [ "$(q "SELECT count(*) FROM stargen_ledger WHERE status <> 'loaded'")" = 0 ] &&
    ok "after the kills a rerun completes exactly (the full load's tables, 16 files loaded)" || fail "rerun after kills" "$out"

# gen: a replace table reading an incremental source is refused, with a hint that compiles
sed 's/      mode: upsert/      mode: replace/' "$MODEL" >"$tmp/bad.yaml"
out=$("${GEN_CMD[@]}" -q -m "$tmp/bad.yaml" -o "$tmp/bad" 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "incremental-replace" && ok "a replace table over an incremental source is refused [incremental-replace]" || fail "replace over incremental accepted" "$out"
# [incremental-references] on an identity-keyed dimension: following its hint (natural key as the
# primary key, referenced, the dimension kept) gives a model that compiles
B="$STARGEN_ROOT/tests/badmodels/147-incremental-references-identity/schema.yaml"
out=$("${GEN_CMD[@]}" -q -m "$B" -o "$tmp/b1" 2>&1)
echo "$out" | grep -q 'make a natural key column of "customers" its primary key (no identity), reference that, and give "customers" mode append or upsert' &&
    ok "[incremental-references] on an identity key hints at a natural key" || fail "identity hint" "$out"
python3 - "$B" "$tmp/fixed.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
s = s.replace("      customer_key: {type: bigint, identity: true, primary_key: true}\n      customer_id: {type: integer, not_null: true}",
              "      customer_id: {type: integer, primary_key: true}")
s = s.replace("dedupe: {by: [c.customer_id], latest: c.updated_at}", "dedupe: {latest: c.updated_at}\n      mode: upsert")
s = s.replace("      customer_key: {type: bigint, references: customers.customer_key}\n      customer_id: {type: integer}",
              "      customer_id: {type: integer, references: customers.customer_id}")
s = s.replace('        customer_key: "null"\n', "")
open(sys.argv[2], "w").write(s)
PY
out=$("${GEN_CMD[@]}" -q -m "$tmp/fixed.yaml" -o "$tmp/b2" 2>&1) && ok "the model that follows the hint compiles" || fail "following the hint does not compile" "$out"
finish

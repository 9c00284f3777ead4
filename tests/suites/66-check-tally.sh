#!/usr/bin/env bash
# Tallies (issue 15): a table's NOT NULL, accepted-values and relationship checks are counted
# in one scan, and a check runs its own query only when its count is not zero. Here: the same
# counts and statuses with and without tallies; a tally that cannot run falls back, loudly, to
# one query per check; sample values from the database print escaped on one line.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
tmp=$(mktemp -d)
source tests/lib-pg.sh
trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT
pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }
createdb ta
q() { PGOPTIONS='-c client_min_messages=warning' psql -X -A -t -d ta -c "$1"; }
"${DATAGEN_CMD[@]}" --events 3000 --seed 7 --out "$tmp/data" >/dev/null 2>&1 || fail "datagen failed"
if ! out=$("${RUNNER_CMD[@]}" -q -d dbname=ta --data "$tmp/data" out/postgres 2>&1); then fail "load failed" "$out"; fi

ntally=$(grep -c '^-- stargen:tally ' out/postgres/*_checks.sql)
ntallied=$(grep -c '^-- stargen:check .* tally=' out/postgres/*_checks.sql)
if [ "$ntally" -ge 3 ] && [ "$ntallied" -ge 10 ]; then ok "out/postgres counts $ntallied checks in $ntally tallies"
else fail "expected tallies in out/postgres (tallies $ntally, tallied checks $ntallied)"; fi

# the same checks without tallies: directives' tally= removed, tally statements dropped
cp -r out/postgres "$tmp/plain"
awk '/^-- stargen:tally /{skip=1; next} skip{ if (/;$/) skip=0; next } {print}' out/postgres/*_checks.sql |
    sed -E 's/ tally=[A-Za-z0-9_]+$//' >"$tmp/plain/$(basename out/postgres/*_checks.sql)"
if grep -qE '^-- stargen:tally|^-- stargen:check .* tally=' "$tmp/plain/"*_checks.sql; then fail "could not strip the tallies"; fi

# break a few tallied checks at once (PostgreSQL's own constraints dropped first, as a
# Redshift load bug would leave them)
q "ALTER TABLE users ALTER COLUMN level DROP NOT NULL" >/dev/null
q "UPDATE users SET level = NULL WHERE user_id IN (SELECT user_id FROM users ORDER BY user_id LIMIT 2)" >/dev/null
q "UPDATE users SET gender = 'X' WHERE user_id = (SELECT max(user_id) FROM users)" >/dev/null
q "DELETE FROM artists WHERE artist_id = (SELECT min(artist_id) FROM songs)" >/dev/null
summary() { # DIR: name status failing_rows of every check, from --json
    "${RUNNER_CMD[@]}" -q -d dbname=ta --only checks --json "$tmp/r.json" "$1" >"$tmp/out.txt" 2>&1
    jq -r '.checks[] | .name + " " + .status + " " + (.failing_rows | tostring)' "$tmp/r.json"
}
with=$(summary out/postgres); cp "$tmp/out.txt" "$tmp/with.txt"
without=$(summary "$tmp/plain")
fails=$(grep -c ' fail ' <<<"$with")
if [ -n "$with" ] && [ "$with" = "$without" ] && [ "$fails" -ge 3 ]; then
    ok "tallied and one-query checks give the same statuses and counts ($fails failing)"
else fail "tallies change the results" "$(diff <(echo "$with") <(echo "$without"))"; fi
if grep -q '^  check not_null_users_level  *FAIL 2 rows$' "$tmp/with.txt" && grep -q 'user_id | level' "$tmp/with.txt"; then
    ok "a failing tallied check shows its count and sample rows"
else fail "not_null_users_level output" "$(grep -A4 not_null_users_level "$tmp/with.txt")"; fi

# a tally that cannot run (its statement broken by hand): a warning, then one query per check
sed 's/^FROM users AS t;$/FROM users_missing AS t;/' out/postgres/*_checks.sql >"$tmp/plain/x"
cp -r out/postgres "$tmp/broken" && mv "$tmp/plain/x" "$tmp/broken/$(basename out/postgres/*_checks.sql)"
broken=$(summary "$tmp/broken")
if grep -q 'warning: .*_checks.sql:[0-9]*: tally users: ERROR: .*users_missing' "$tmp/out.txt" &&
    grep -q 'its checks run one query each$' "$tmp/out.txt" && [ "$broken" = "$with" ]; then
    ok "a tally that cannot run is named and its checks still give their counts"
else fail "broken tally" "$(head -5 "$tmp/out.txt")"; fi

# sample values from the database are escaped: an escape sequence prints as text
q "UPDATE users SET level = E'\\x1b[2J' WHERE user_id = (SELECT max(user_id) FROM users)" >/dev/null
"${RUNNER_CMD[@]}" -q -d dbname=ta --only checks out/postgres >"$tmp/esc.txt" 2>&1
if grep -qiF '\x1b[2J' "$tmp/esc.txt" && ! grep -q $'\x1b' "$tmp/esc.txt"; then ok "sample values print escaped (\\x1b)"
else fail "sample value not escaped" "$(grep -A6 accepted_values_users_level "$tmp/esc.txt" | cat -v)"; fi
# ---- checks made cheaper on PostgreSQL, not weaker (issue 15) ----
# check SQL of NAME in FILE, without its final ;
check_sql() { awk -v n="name=$2" '$0 ~ n"( |$)" {f=1; next} f && /^--/ {next} f {print} f && /;$/ {exit}' "$1" | sed 's/;$//'; }
"${RUNNER_CMD[@]}" -q -d dbname=ta --data "$tmp/data" out/postgres >/dev/null 2>&1 || fail "reload failed"
cf=$(ls out/postgres/*_checks.sql)
# a key PostgreSQL enforces (its primary key index) is not scanned: the GROUP BY never runs
plan=$(q "EXPLAIN (ANALYZE, COSTS OFF) $(check_sql "$cf" unique_time_start_time)")
if grep -q 'One-Time Filter: (NOT \$' <<<"$plan" && grep -q 'never executed' <<<"$plan"; then
    ok "unique_time_start_time skips its scan while time's primary key is enforced"
else fail "unique_time_start_time scanned under its primary key" "$plan"; fi
# ... but a weaker index does not count: a primary key over (start_time, hour) lets two rows
# share a start_time, and the check must scan and catch them
q "ALTER TABLE time DROP CONSTRAINT time_pkey; ALTER TABLE time ADD PRIMARY KEY (start_time, hour)" >/dev/null
q "INSERT INTO time SELECT start_time, (hour + 1) % 24, day, week, month, year, weekday FROM time WHERE start_time = (SELECT min(start_time) FROM time)" >/dev/null
"${RUNNER_CMD[@]}" -d dbname=ta --only checks out/postgres >"$tmp/pk.txt" 2>&1
if grep -q '^  check unique_time_start_time  *FAIL 1 row$' "$tmp/pk.txt"; then ok "a primary key over more columns than the key: the duplicate is caught"
else fail "duplicate start_time under a wider key not caught" "$(grep unique_time "$tmp/pk.txt")"; fi
# ... nor a deferred one: inside a transaction (the publish step's) duplicates can exist until COMMIT
n=$(PGOPTIONS='-c client_min_messages=warning' psql -X -A -t -q -d ta <<EOF
ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;
ALTER TABLE users ADD PRIMARY KEY (user_id) DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO users SELECT * FROM users WHERE user_id = (SELECT min(user_id) FROM users);
SELECT count(*) FROM ($(check_sql "$cf" unique_users_user_id)) AS c;
ROLLBACK;
EOF
)
if [ "$n" = 1 ]; then ok "a deferred primary key: the duplicate inside the transaction is caught"
else fail "duplicate under a deferred key: count '$n', want 1"; fi

# the distribution checks: PostgreSQL's form (rows grouped by key, each key hashed once, the
# hex decoded in one cast) gives the same measurements as the digit-by-digit form Redshift
# runs, here on PostgreSQL with every threshold at 0 so both return their row
dist_row() { # FILE NAME
    check_sql "$1" "$2" | sed -E 's#(/\*stargen:dist_(min_rows|max_[a-z_]+)\*/)[0-9.]+#\10#g' |
        PGOPTIONS='-c client_min_messages=warning' psql -X -A -t -q -d ta
}
rsf=$(ls out/redshift/*_checks.sql)
for t in songplays time songs; do
    pg=$(dist_row "$cf" "dist_key_$t"); rs=$(dist_row "$rsf" "dist_key_$t")
    if [ -n "$pg" ] && [ "$pg" = "$rs" ]; then ok "dist_key_$t: the same measurements in both forms ($pg)"
    else fail "dist_key_$t differs" "postgres form: $pg / redshift form: $rs"; fi
done
if ! grep -q "STRPOS('0123456789abcdef'" "$cf" && grep -q "STRPOS('0123456789abcdef'" "$rsf"; then
    ok "the forms differ (PostgreSQL decodes hex in one cast)"; else fail "expected different decoders"; fi
finish

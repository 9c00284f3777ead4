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
finish

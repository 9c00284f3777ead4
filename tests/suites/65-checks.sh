#!/usr/bin/env bash
# Data checks, analytics queries and the generated docs (issue: checks stand in for
# Redshift's unenforced keys). On the real sample every generated check passes; then the
# warehouse is broken on purpose — the way a Redshift load bug would break it, since
# PostgreSQL itself enforces the keys: constraints are dropped first — and each break
# must fail its named check with the right count (counts computed independently with
# plain SQL or jq), exit 4 for `error` checks and 0 for `warn` ones.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
SAMPLE="$STARGEN_ROOT/../shared/data/sparkify-sample"
tmp=$(mktemp -d)

# ---- the docs file: golden-tested with the golden trees; here its Mermaid block ----
check_mermaid() { # FILE: the erDiagram block is well formed
    awk '
    /^```mermaid$/ {inb=1; next}
    inb && /^```$/ {inb=0; done=1; next}
    !inb {next}
    /^erDiagram$/ {seen=1; next}
    /^    [a-z_][a-z0-9_]* \{$/ {if (ent) bad("nested entity"); ent=$1; names[ent]=1; next}
    /^        [a-z][a-z0-9_]* [a-z_][a-z0-9_]*( PK| FK| PK, FK)?$/ {if (!ent) bad("attribute outside an entity"); next}
    /^    \}$/ {if (!ent) bad("unbalanced }"); ent=""; next}
    /^    [a-z_][a-z0-9_]* (\|\||\|o)--o\{ [a-z_][a-z0-9_]* : "[a-z_][a-z0-9_]*"$/ {rel[NR]=$1 " " $3; next}
    {bad("unexpected line: " $0)}
    function bad(m) {print FILENAME ":" NR ": " m; err=1}
    END {
        if (!seen) {print "no erDiagram"; err=1}
        if (!done) {print "unterminated block"; err=1}
        if (ent) {print "unclosed entity " ent; err=1}
        for (r in rel) {split(rel[r], p, " "); if (!(p[1] in names) || !(p[2] in names)) {print "relationship to an unknown entity: " rel[r]; err=1}}
        exit err
    }' "$1"
}
for f in out/schema.md tests/golden/*/out/schema.md; do
    if err=$(check_mermaid "$f" 2>&1); then ok "mermaid block well formed: $f"; else fail "mermaid block broken: $f" "$err"; fi
done
if grep -q '^    songs |o--o{ songplays : "song_id"$' out/schema.md && grep -q '^    users ||--o{ songplays : "user_id"$' out/schema.md; then
    ok "schema.md relates songplays to users (required) and songs (optional)"; else fail "schema.md relationships wrong"; fi
if grep -q '^| start_time | timestamp | not null |  | `timestamp '"'"'epoch'"'"' + e.ts / 1000 \* interval '"'"'1 second'"'"'` ← staging_events.ts |$' out/schema.md &&
   grep -q '^| hour | smallint | not null |  | `extract(hour from sp.start_time)` ← staging_events.ts |$' out/schema.md; then
    ok "lineage traces time.hour through songplays back to staging_events.ts"; else fail "lineage lines missing from out/schema.md"; fi

if [ ! -d "$SAMPLE" ]; then skip "../shared/data/sparkify-sample absent: the checks and analytics tests need it"; rm -rf "$tmp"; finish; exit; fi
source tests/lib-pg.sh
trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT
pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }
createdb sp
q() { PGOPTIONS='-c client_min_messages=warning' psql -X -A -t -d sp -c "$1"; }
load() { "${RUNNER_CMD[@]}" -q -d dbname=sp --data "$SAMPLE" "${@:-out/postgres}"; }

# ---- every generated check passes on the correct pipeline ----
out=$("${RUNNER_CMD[@]}" -d dbname=sp --data "$SAMPLE" out/postgres 2>&1); rc=$?
nchecks=$(grep -c 'stargen:check' out/postgres/*_checks.sql)
if [ $rc = 0 ] && grep -q "^checks: $nchecks run, $nchecks passed, 0 failed, 0 warned$" <<<"$out"; then ok "all $nchecks checks pass on the sample"
else fail "checks on the sample (exit $rc)" "$(grep -E 'check|error' <<<"$out" | grep -v ' pass$' | head)"; fi

# ---- analytics: values against figures computed from the raw JSON with jq ----
events() { find "$SAMPLE/log_data" -name '*.json' -print0 | sort -z | xargs -0 cat | jq -c 'select(.page == "NextSong" and .userId != "")'; }
events >"$tmp/ev.json"
"${RUNNER_CMD[@]}" -q -d dbname=sp --report --csv "$tmp/csv" out/postgres >"$tmp/report.txt" 2>&1 || fail "runner --report failed" "$(cat "$tmp/report.txt")"
want=$(jq -r .level "$tmp/ev.json" | sort | uniq -c | awk '{print $2 "," $1}' | sort)
got=$(tail -n +2 "$tmp/csv/plays_by_level.csv" | tr -d '\r' | cut -d, -f1,2 | sort)
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "plays_by_level matches jq ($(tr '\n' ' ' <<<"$want"))"; else fail "plays_by_level" "jq: $want / report: $got"; fi
want=$(jq -r '.ts / 1000 | floor | strftime("%w")' "$tmp/ev.json" | sort | uniq -c | awk '{print $2 "," $1}' | sort -n)
got=$(tail -n +2 "$tmp/csv/plays_per_weekday.csv" | tr -d '\r' | sort -n)
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "plays_per_weekday matches jq"; else fail "plays_per_weekday" "jq: $want / report: $got"; fi
want=$(jq -r '.ts / 1000 | floor | strftime("%H") | tonumber' "$tmp/ev.json" | sort -n | uniq -c | sort -k1,1nr -k2,2n | head -3 | awk '{print $2 "," $1}')
got=$(tail -n +2 "$tmp/csv/busiest_hours.csv" | tr -d '\r' | head -3)
if [ "$want" = "$got" ]; then ok "busiest_hours top 3 match jq"; else fail "busiest_hours" "jq: $want / report: $got"; fi
want=$(jq -r .userId "$tmp/ev.json" | sort | uniq -c | sort -k1,1nr -k2,2n | head -1 | awk '{print $2 "," $1}')
got=$(tail -n +2 "$tmp/csv/most_active_users.csv" | tr -d '\r' | head -1 | awk -F, '{print $1 "," $5}')
if [ "$want" = "$got" ]; then ok "most_active_users top listener matches jq ($want)"; else fail "most_active_users" "jq: $want / report: $got"; fi
n=$(grep -c '^== ' "$tmp/report.txt"); nq=$(ls out/postgres/queries/*.sql | wc -l)
if [ "$n" = "$nq" ] && grep -q '^== most_played_songs: The songs played most. (1 row)$' "$tmp/report.txt"; then ok "report prints all $nq queries as titled tables"; else fail "report printed $n of $nq queries"; fi

# ---- break it on purpose; each break fails its named check with the right count ----
expect_check() { # NAME STATUS COUNT: a line of the last --only checks output
    if grep -qE "^  check $1 +$2( $3 rows?)?$" "$tmp/checks.out"; then ok "$1: $2 ${3:-}"
    else fail "$1: want $2 ${3:-}" "$(grep -E "check $1 " "$tmp/checks.out")"; fi
}
only_checks() { "${RUNNER_CMD[@]}" -d dbname=sp --only checks out/postgres >"$tmp/checks.out" 2>&1; echo $?; }

# a dimension loaded without dedupe: duplicate keys (PostgreSQL's key dropped, as in Redshift)
q "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE" >/dev/null
q "INSERT INTO users SELECT * FROM users WHERE user_id IN (15, 49)" >/dev/null
rc=$(only_checks)
expect_check unique_users_user_id FAIL 2
if [ "$rc" = 4 ]; then ok "a failed error check exits 4"; else fail "exit $rc, want 4"; fi
if grep -q 'user_id | copies' "$tmp/checks.out" && grep -qE '^ +15 \| +2$' "$tmp/checks.out"; then ok "failed check shows its offending rows"; else fail "no sample rows shown" "$(cat "$tmp/checks.out" | head -20)"; fi
load  # a clean reload restores everything

# a mapping that nulls a NOT NULL column
q "ALTER TABLE users ALTER COLUMN level DROP NOT NULL" >/dev/null
nulls=$(q "WITH u AS (UPDATE users SET level = NULL WHERE user_id IN (SELECT user_id FROM users ORDER BY user_id LIMIT 3) RETURNING 1) SELECT count(*) FROM u")
rc=$(only_checks)
expect_check not_null_users_level FAIL "$nulls"
load

# a fact row whose user is missing from users
orphans=$(q "SELECT count(*) FROM songplays WHERE user_id = 97")
# (no foreign key to drop: PostgreSQL declares none, as Redshift enforces none)
q "DELETE FROM users WHERE user_id = 97" >/dev/null
rc=$(only_checks)
expect_check relationships_songplays_user_id__users_user_id FAIL "$orphans"
load

# a level "premium", through a model mapping (gen accepts it: the value is only known at run time)
mkdir -p "$tmp/model"
sed "s/        level:      e.level\$/        level:      case when e.level = 'paid' then 'premium' else e.level end/" schema.yaml >"$tmp/model/schema.yaml"
if grep -q "'premium'" "$tmp/model/schema.yaml" && "${GEN_CMD[@]}" -q -m "$tmp/model/schema.yaml" -o "$tmp/model/out"; then
    paid=$(q "SELECT count(*) FROM users WHERE level = 'paid'")
    "${RUNNER_CMD[@]}" -d dbname=sp --data "$SAMPLE" --json "$tmp/run.json" "$tmp/model/out/postgres" >"$tmp/checks.out" 2>&1; rc=$?
    expect_check accepted_values_users_level FAIL "$paid"
    j=$(jq -r '.status + " " + (.checks[] | select(.name == "accepted_values_users_level") | .status + " " + (.failing_rows | tostring))' "$tmp/run.json" 2>&1)
    if [ "$j" = "checks_failed fail $paid" ]; then ok "--json reports the failed check and its count"; else fail "--json checks: '$j'"; fi
    if [ $rc = 4 ] && grep -q 'nothing was published' "$tmp/checks.out" && [ "$(q "SELECT count(*) FROM users WHERE level = 'premium'")" = 0 ]; then
        ok "a failed error check exits 4 and publishes nothing (the previous tables stay)"; else fail "exit $rc after a failed check, want 4 and nothing published"; fi
else fail "could not build the premium model"; fi
load

# a warn check alone does not fail the run
q "INSERT INTO songplays (start_time, user_id, level, session_id) VALUES (TIMESTAMP '1999-12-31 23:59:59', 15, 'paid', 1)" >/dev/null
q "INSERT INTO time VALUES (TIMESTAMP '1999-12-31 23:59:59', 23, 31, 52, 12, 1999, 5)" >/dev/null
rc=$(only_checks)
expect_check songplays_after_launch WARN 1
expect_check songplays_match_nextsong_events FAIL 1
load
q "INSERT INTO time VALUES (TIMESTAMP '1999-12-31 23:59:59', 23, 31, 52, 12, 1999, 5)" >/dev/null
q "UPDATE songplays SET start_time = TIMESTAMP '1999-12-31 23:59:59' WHERE songplay_id = (SELECT min(songplay_id) FROM songplays)" >/dev/null
rc=$(only_checks)
expect_check songplays_after_launch WARN 1
if [ "$rc" = 0 ]; then ok "only warn checks failing: exit 0"; else fail "exit $rc with only a warn check failing, want 0" "$(cat "$tmp/checks.out")"; fi
# min_rows reads at most the rows it needs (LIMIT, src/gen/emit_datachecks.c): it passes at
# exactly the table's row count, and one more fails and shows the count found
nu=$(q "SELECT count(*) FROM users")
for t in "$nu PASS" "$((nu + 1)) FAIL"; do
    set -- $t
    sed "s/^    min_rows: {from: songplays, rows: 1}\$/    min_rows: {from: users, rows: $1}/" schema.yaml >"$tmp/model/schema.yaml"
    if ! grep -q "rows: $1}" "$tmp/model/schema.yaml" || ! "${GEN_CMD[@]}" -q -m "$tmp/model/schema.yaml" -o "$tmp/model/out"; then
        fail "could not build the min_rows $1 model"; continue
    fi
    "${RUNNER_CMD[@]}" -d dbname=sp --only checks "$tmp/model/out/postgres" >"$tmp/checks.out" 2>&1
    if [ "$2" = PASS ]; then
        expect_check songplays_not_empty pass ""
    else
        expect_check songplays_not_empty FAIL 1
        if grep -qE "^ +$nu \| +$1\$" "$tmp/checks.out"; then ok "min_rows $1 on $nu users shows found_rows $nu"
        else fail "min_rows sample row" "$(grep -A4 'check songplays_not_empty' "$tmp/checks.out")"; fi
    fi
done
finish

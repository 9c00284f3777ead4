#!/usr/bin/env bash
# explain.sh - the EXPLAIN (ANALYZE, BUFFERS) evidence behind BENCH.md's "Where the gap is"
# (bench code, not the product).
#
#   src/bench/explain.sh EVENTS            # e.g. 1000000; writes build/explain/EVENTS.txt
#
# Generates the data (seed 42), loads it once with ./runner into a private PostgreSQL (default
# settings), then, each in BEGIN … ROLLBACK with the runner's session settings (work_mem 256MB,
# jit off: src/runner/tuning.c): the generated users, songplays and time steps with their INSERT
# under EXPLAIN (ANALYZE, BUFFERS); the hand floor's songplays INSERT (src/bench/hand.sql) the
# same way; the checks step's tallies, and each check they cover run alone as the runner ran it
# before tallies (SELECT count(*) FROM (check) AS c), with \timing; every other check's count
# query under EXPLAIN (ANALYZE, BUFFERS).
set -u
cd "$(dirname "$0")/../.." || exit 1
EVENTS="${1:?usage: src/bench/explain.sh EVENTS}"
E=$(realpath -m build/explain)
mkdir -p "$E"
OUT="$E/$EVENTS.txt"
source tests/lib-pg.sh
PGD="$E/pg"
trap 'pg_remove "$PGD" >/dev/null 2>&1; rm -rf "$E/data"' EXIT
pg_remove "$PGD" >/dev/null 2>&1
PGPORT_PRIVATE=5440 pg_start "$PGD" || exit 1
createdb explain && export PGDATABASE=explain
rm -rf "$E/data"
build/rel/sparkify-data --events "$EVENTS" --seed 42 --out "$E/data" >&2 || exit 1
./runner -q -d dbname=explain --data "$E/data" out/postgres >&2 || exit 1
psql -X -q -c "VACUUM" >/dev/null # hint bits and visibility as after autovacuum; no ANALYZE

SETTINGS="SET work_mem = '256MB'; SET jit = off;"
# A step file with "EXPLAIN (ANALYZE, BUFFERS)" before its INSERT, in a transaction rolled back.
explain_step() {
    printf '\\timing on\n%s\nBEGIN;\n' "$SETTINGS"
    sed -e '/^--/d' -e 's/^INSERT INTO/EXPLAIN (ANALYZE, BUFFERS) INSERT INTO/' "$1"
    printf 'ROLLBACK;\n'
}
{
    for f in out/postgres/*_load_users.sql out/postgres/*_load_songplays.sql; do
        echo "==== $(basename "$f")"
        explain_step "$f" | psql -X -q 2>&1 | grep -v '^DROP\|^CREATE\|^BEGIN\|^ROLLBACK\|^SET'
    done
    # time reads songplays__stargen_new: build it first in the same transaction
    echo "==== $(basename out/postgres/*_load_time.sql) (after the songplays step, same transaction)"
    {
        printf '\\timing on\n%s\nBEGIN;\n' "$SETTINGS"
        sed -e '/^--/d' out/postgres/*_load_songplays.sql
        sed -e '/^--/d' -e 's/^INSERT INTO/EXPLAIN (ANALYZE, BUFFERS) INSERT INTO/' out/postgres/*_load_time.sql
        printf 'ROLLBACK;\n'
    } | psql -X -q 2>&1 | grep -v '^DROP\|^CREATE\|^BEGIN\|^ROLLBACK\|^SET\|^INSERT'
    echo "==== hand.sql songplays"
    {
        printf '\\timing on\nBEGIN;\nTRUNCATE songplays;\nEXPLAIN (ANALYZE, BUFFERS) '
        awk '/^INSERT INTO songplays/,/;$/' src/bench/hand.sql
        printf 'ROLLBACK;\n'
    } | psql -X -q 2>&1 | grep -v '^BEGIN\|^ROLLBACK\|^TRUNCATE'
    echo "==== checks: each tally, then each check it covers alone; the other checks"
    awk '
        /^-- stargen:tally / { name = $3; sub("name=", "", name); mode = "tally"; buf = ""; next }
        /^-- stargen:check / { name = $3; sub("name=", "", name); mode = "alone"
            for (i = 3; i <= NF; i++) if ($i ~ /^tally=/) mode = "check"; buf = ""; next }
        mode != "" && /^--/ { next }
        mode != "" { buf = buf $0 "\n"; if ($0 ~ /;$/) {
            sub(/;\n$/, "", buf)
            if (mode == "tally") printf "\\echo tally %s\nEXPLAIN (ANALYZE, BUFFERS) %s;\n%s;\n", name, buf, buf
            else if (mode == "check") printf "SELECT count(*) FROM (%s) AS c;\n", buf
            else printf "\\echo check %s (no tally)\nEXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM (%s) AS c;\n", name, buf
            mode = "" } }
    ' out/postgres/*_checks.sql | { printf '\\timing on\n%s\n' "$SETTINGS"; cat; } | psql -X -q 2>&1
} >"$OUT"
echo "explain.sh: wrote $OUT" >&2

#!/usr/bin/env bash
# Executes every generated PostgreSQL script for real: each golden model's steps run
# in order through psql (one transaction per step, the way the runner runs them) on a
# private PostgreSQL, twice, so the DDL, the load SQL with its dedupe and load modes,
# and the rerun path are all accepted by PostgreSQL 15. The client-side COPY statements
# are left out here (no data); the runner's suites load real data.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
source tests/lib-pg.sh
if [ -z "$PG_BIN" ] || ! command -v psql >/dev/null; then skip "PostgreSQL is not installed"; finish; exit; fi
tmp=$(mktemp -d); trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT
pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }

run_steps() { # DIR DB
    local f
    for f in "$1"/[0-9]*.sql "$1"/queries/*.sql; do
        [ -e "$f" ] || continue
        sed '/^COPY .* FROM STDIN/d' "$f" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$2" -f - >/dev/null 2>"$tmp/err" || {
            echo "$f: $(cat "$tmp/err")"; return 1; }
    done
}
for dir in out tests/golden/*/out; do
    name=$(echo "$dir" | tr '/' '_')
    createdb -h "$PGHOST" "$name" 2>/dev/null
    for pass in 1 2; do
        if err=$(run_steps "$dir/postgres" "$name"); then ok "postgres runs $dir (pass $pass)"
        else fail "postgres rejects $dir (pass $pass)" "$err"; fi
    done
done
finish

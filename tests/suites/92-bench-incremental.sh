#!/usr/bin/env bash
# 92-bench-incremental.sh - keeps `make bench`'s incremental part working: runs
# src/bench/incremental.sh at the smoke size (BENCH_SMOKE=1: 3,000 events over 5 days, 3
# rounds of the three routes) and checks that it completes, that every round found the three
# routes' star tables equal, and that it prints its table; then once more with a runner that
# loses a row in one route, which the bench must catch (MISMATCH, exit 1). It asserts no time.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
source tests/lib-pg.sh
if [ -z "$PG_BIN" ]; then skip "PostgreSQL server binaries not found"; finish; exit; fi
tmp=$(mktemp -d /tmp/stargen-bench-inc.XXXXXX)
trap 'pg_remove "$tmp/b/pg" >/dev/null 2>&1; pg_remove "$tmp/s/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

BENCH_SMOKE=1 BENCH_DIR="$tmp/b" RUNNER="$RUNNER_PROG" DATAGEN="$DATAGEN_PROG" \
    src/bench/incremental.sh >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok "incremental.sh completes" || fail "incremental.sh exited $rc" "$(tail -n 20 "$tmp/err")"
n=$(grep -c "the three routes' star tables are equal" "$tmp/err")
[ "$n" = 3 ] && ok "3 rounds, each with equal tables on the three routes" || fail "$n rounds with equal tables, want 3" "$(cat "$tmp/err")"
grep -qF "## Issue 14: a day's incremental run against a full reload" "$tmp/out" &&
    ok "prints its section" || fail "no section heading" "$(cat "$tmp/out")"
for r in incremental full-reload fresh; do
    grep -qE "^\| $r \| .* \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$" "$tmp/out" &&
        ok "table row for $r" || fail "no table row for $r" "$(cat "$tmp/out")"
done
[ "$(awk -F'\t' 'NR > 1 && $3 > 0' "$tmp/b/results.tsv" | wc -l)" = 9 ] &&
    ok "results.tsv: 9 timed runs" || fail "results.tsv does not hold 9 timed runs" "$(cat "$tmp/b/results.tsv")"
grep -q "| incremental | day 5's file (" "$tmp/out" && grep -q "log_data/[0-9/-]*-events.json" "$tmp/err" &&
    ok "the incremental route stages the last day's file" || fail "the last day's file is not named" "$(cat "$tmp/err")"

# a runner that drops one user after the fresh route's second round: the bench must notice
cat >"$tmp/lossy" <<EOS
#!/usr/bin/env bash
"$RUNNER_PROG" "\$@" || exit
case " \$* " in *" dbname=fresh_2 "*) psql -X -q -d fresh_2 -c "DELETE FROM users WHERE user_id = (SELECT min(user_id) FROM users)" ;; esac
EOS
chmod +x "$tmp/lossy"
BENCH_SMOKE=1 BENCH_DIR="$tmp/s" RUNNER="$tmp/lossy" DATAGEN="$DATAGEN_PROG" \
    src/bench/incremental.sh >"$tmp/out2" 2>"$tmp/err2"
rc=$?
[ $rc = 1 ] && grep -q "MISMATCH round 2: fresh's tables differ" "$tmp/err2" &&
    ok "a route that lost a row is caught (MISMATCH, exit 1)" || fail "a lost row went unnoticed (exit $rc)" "$(tail -n 20 "$tmp/err2")"
finish

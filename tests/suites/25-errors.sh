#!/usr/bin/env bash
# 25-errors.sh - the bad-input catalogue docs/errors.md, entry by entry.
#
#   1. docs/errors.md is exactly what tests/errors/make-doc.sh writes from the cases
#      (a page that drifts from the cases, or cases that drift from the page, fail);
#   2. every tests/errors/cases/NNN-name/case.sh, run in a fresh folder holding
#      tests/errors/fixture/schema.yaml and tests/errors/steps/ (as steps/), gives exactly
#      expected.stderr and expected.exit (the private server's socket folder, port, the
#      case folder, the programs' paths and a temp file's pid are replaced by SOCKET,
#      PORT, WORK, gen/runner and PID first).
# The model entries of the page come from tests/badmodels/, whose cases
# tests/suites/20-badmodels.sh runs; this suite checks that the page matches them.
#
#   UPDATE=1 tests/suites/25-errors.sh     re-pin expected.* (maintainers; never in CI)
# Env: GEN, RUNNER.  Ends with "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
ROOT=$STARGEN_ROOT
UPDATE=${UPDATE:-0}

T=$(mktemp -d "${TMPDIR:-/tmp}/stargen-errors.XXXXXX") || exit 1
chmod 755 "$T"
source tests/lib-pg.sh
cleanup() { pg_remove "$T/pg" >/dev/null 2>&1; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGPORT_PRIVATE=$((20000 + RANDOM % 20000))
unset PGPASSWORD PGOPTIONS PGSERVICE STARGEN_DATA REDSHIFT_IAM_ROLE

# ---- 1. the page --------------------------------------------------------------------------
if [ "$UPDATE" = 0 ]; then
    if tests/errors/make-doc.sh "$T/errors.md" 2>"$T/make-doc.err"; then
        if cmp -s "$T/errors.md" docs/errors.md; then
            ok "docs/errors.md is what tests/errors/make-doc.sh writes"
        else
            fail "docs/errors.md differs from the cases: run tests/errors/make-doc.sh and commit" \
                "$(diff -u --label docs/errors.md --label generated docs/errors.md "$T/errors.md" | head -n 30)"
        fi
    else
        fail "tests/errors/make-doc.sh failed" "$(cat "$T/make-doc.err")"
    fi
fi

# ---- 2. the cases -------------------------------------------------------------------------
if ! pg_start "$T/pg" >"$T/pgstart.log" 2>&1; then
    fail "cannot start PostgreSQL" "$(cat "$T/pgstart.log")"
    finish
    exit 1
fi
psql -X -q -c "CREATE ROLE pwuser LOGIN PASSWORD 'right'" >/dev/null
HBA=$(psql -X -A -t -q -c "SHOW hba_file")
{ echo "local all pwuser scram-sha-256"; cat "$HBA"; } >"$T/hba" && cat "$T/hba" >"$HBA"
psql -X -q -c "SELECT pg_reload_conf()" >/dev/null

gen() { "${GEN_CMD[@]}" "$@"; }
runner() { "${RUNNER_CMD[@]}" "$@"; }
# first_lines N CMD...: CMD's first N lines of stderr (the usage text after them is cut);
# CMD's exit status
first_lines() {
    local n=$1 rc
    shift
    "$@" 2>"$T/first_lines.err"
    rc=$?
    head -n "$n" "$T/first_lines.err" >&2
    return $rc
}
normalize() { # normalize WORKDIR < stderr
    sed -e "s|$1|WORK|g" -e "s|$GEN_PROG|gen|g" -e "s|$RUNNER_PROG|runner|g" \
        -e 's|\.tmp\.[0-9][0-9]*|.tmp.PID|g' -e "s|$PGHOST|SOCKET|g" -e "s|\.s\.PGSQL\.$PGPORT|.s.PGSQL.PORT|g" \
        -e "s|port=$PGPORT|port=PORT|g" -e "s|port $PGPORT|port PORT|g"
}
n=0
for c in tests/errors/cases/*/; do
    c=${c%/}
    name=$(basename "$c")
    [ -f "$c/case.sh" ] || continue
    n=$((n + 1))
    w=$T/cases/$name
    mkdir -p "$w"
    cp tests/errors/fixture/schema.yaml "$w/schema.yaml"
    cp -r tests/errors/steps "$w/steps"
    # shellcheck disable=SC1090
    (cd "$w" && source "$ROOT/$c/case.sh") >"$T/$name.out" 2>"$T/$name.err.raw" </dev/null
    rc=$?
    normalize "$w" <"$T/$name.err.raw" >"$T/$name.err"
    if [ "$UPDATE" = 1 ]; then
        cp "$T/$name.err" "$c/expected.stderr"
        echo "$rc" >"$c/expected.exit"
        echo "pinned $name (exit $rc)"
        ok "$name"
        continue
    fi
    problems=""
    [ "$rc" = "$(cat "$c/expected.exit" 2>/dev/null)" ] || problems="exit $rc, expected $(cat "$c/expected.exit" 2>/dev/null)"
    if ! cmp -s "$c/expected.stderr" "$T/$name.err"; then
        problems="$problems
$(diff -u --label expected.stderr --label actual "$c/expected.stderr" "$T/$name.err" | head -n 30)"
    fi
    if [ -z "$problems" ]; then ok "$name"; else fail "$name" "$problems"; fi
    chmod -R u+rwx "$w" 2>/dev/null
    rm -rf "$w"
done
[ "$n" -gt 0 ] || fail "no case in tests/errors/cases"
finish

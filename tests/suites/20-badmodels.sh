#!/usr/bin/env bash
# Bad-model corpus: every folder tests/badmodels/NNN-*/ and ok-*/ is one test
# (see tests/badmodels/README.md), plus gen's exit codes for --check and usage errors.
#
#   GEN=./gen tests/suites/20-badmodels.sh          # GEN may carry a wrapper:
#   GEN="valgrind -q --error-exitcode=1 $PWD/gen" tests/suites/20-badmodels.sh
#   UPDATE=1 tests/suites/20-badmodels.sh           # maintainers: re-pin expected.* (never in CI)
#
# Each case is copied to a temp dir and run there as `$GEN -m schema.yaml -o OUT`.
# For failing cases OUT/ is pre-filled with a sentinel and a copy of out/postgres/,
# and must be byte-identical afterwards.  The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh # GEN_CMD: $GEN as absolute words (it may carry a wrapper)
ROOT=$STARGEN_ROOT
CORPUS=$ROOT/tests/badmodels

TMP=$(mktemp -d "${TMPDIR:-/tmp}/stargen-badmodels.XXXXXX") || exit 1
cleanup() { chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

n=0
# bad NAME [DETAIL-LINE...]: one failed test, its details one per line
bad() {
    local name=$1
    shift
    if [ $# -gt 0 ]; then fail "$name" "$(printf '%s\n' "$@")"; else fail "$name"; fi
}

# Pre-fills an output folder: a sentinel and a copy of the committed out/postgres/.
prefill() {
    mkdir -p "$1/postgres"
    printf 'sentinel: gen must neither change nor remove this file\n' >"$1/SENTINEL.txt"
    if [ -d "$ROOT/out/postgres" ]; then
        cp -p "$ROOT"/out/postgres/* "$1/postgres/" 2>/dev/null
    fi
    printf -- '-- a hand-edited file gen must not touch on error\n' >"$1/postgres/00_drop.sql"
}

run_case() {
    local src=$1 name dir want_exit got_exit
    name=$(basename "$src")
    dir=$TMP/$name
    rm -rf "$dir"
    cp -a "$src" "$dir"
    if [ -f "$dir/make-input.sh" ]; then
        if ! sh "$dir/make-input.sh" "$dir" >"$TMP/make-input.log" 2>&1; then
            bad "$name: make-input.sh failed" "$(cat "$TMP/make-input.log")"
            return
        fi
    fi
    want_exit=$(cat "$src/expected.exit" 2>/dev/null)
    local fresh=0
    case "$name" in ok-*) fresh=1 ;; esac
    if [ "$fresh" = 0 ]; then
        prefill "$dir/OUT"
        cp -a "$dir/OUT" "$TMP/$name.before"
    fi
    (cd "$dir" && exec "${GEN_CMD[@]}" -m schema.yaml -o OUT) >"$dir.stdout" 2>"$dir.stderr" </dev/null
    got_exit=$?
    if [ "$UPDATE" = 1 ]; then
        cp "$dir.stderr" "$src/expected.stderr"
        echo "$got_exit" >"$src/expected.exit"
        echo "updated $name (exit $got_exit)"
        ok "$name"
        return
    fi
    local problems=()
    if [ ! -f "$src/expected.stderr" ] || [ -z "$want_exit" ]; then
        bad "$name: expected.stderr or expected.exit is missing (run with UPDATE=1 to pin)"
        return
    fi
    [ "$got_exit" = "$want_exit" ] || problems+=("exit code $got_exit, expected $want_exit")
    if ! cmp -s "$src/expected.stderr" "$dir.stderr"; then
        problems+=("stderr differs from expected.stderr:")
        while IFS= read -r l; do problems+=("$l"); done < <(
            diff -u --label expected.stderr --label actual.stderr "$src/expected.stderr" "$dir.stderr" | head -n 60)
    fi
    [ -s "$dir.stdout" ] && problems+=("unexpected output on stdout: $(head -c 200 "$dir.stdout")")
    if [ "$fresh" = 0 ]; then
        if ! diff -r --no-dereference "$TMP/$name.before" "$dir/OUT" >"$TMP/outdiff" 2>&1; then
            problems+=("OUT/ was changed by a failing run:")
            while IFS= read -r l; do problems+=("$l"); done < <(head -n 20 "$TMP/outdiff")
        fi
    fi
    if [ "$name" = ok-reserved-words ] && [ "$got_exit" = 0 ]; then
        local f w
        # star tables are built under shadow names and renamed in by the publish step
        for f in "$dir"/OUT/postgres "$dir"/OUT/redshift; do
            for w in 'ALTER TABLE user__stargen_new RENAME TO "user"' 'ALTER TABLE order__stargen_new RENAME TO "order"' \
                'CREATE TABLE IF NOT EXISTS "user" (LIKE user__stargen_new)' '"timestamp" TIMESTAMP NOT NULL' \
                '"user" INTEGER NOT NULL' 'INNER JOIN user__stargen_new AS u'; do
                cat "$f"/*.sql 2>/dev/null | grep -qF "$w" || problems+=("${f#"$dir"/} lacks: $w")
            done
        done
        grep -qF 'REFERENCES user__stargen_new ("user")' "$dir"/OUT/redshift/04_load_order.sql 2>/dev/null ||
            problems+=('OUT/redshift/04_load_order.sql lacks: REFERENCES user__stargen_new ("user")')
    fi
    if [ ${#problems[@]} -gt 0 ]; then
        bad "$name" "${problems[@]}"
    else
        ok "$name"
    fi
    rm -rf "$dir" "$TMP/$name.before" "$dir.stdout" "$dir.stderr"
}

UPDATE=${UPDATE:-0}
for src in "$CORPUS"/[0-9][0-9][0-9]-*/ "$CORPUS"/ok-*/; do
    src=${src%/}
    [ -d "$src" ] || continue
    n=$((n + 1))
    if [ "$(basename "$src")" = 302-input-unreadable ] && [ "$(id -u)" = 0 ]; then
        skip "302-input-unreadable: running as root, which can read a mode-000 file"
        continue
    fi
    run_case "$src"
done
[ "$UPDATE" = 1 ] && { finish; exit; }

# ---- gen on the real model, --check, usage errors ----------------------------
g() { (cd "$TMP" && exec "${GEN_CMD[@]}" "$@") >"$TMP/g.out" 2>"$TMP/g.err" </dev/null; echo $?; }
expect() { # expect NAME WANT_EXIT GOT_EXIT [grep-pattern-in-stderr...]
    local name=$1 want=$2 got=$3
    shift 3
    local problems=()
    [ "$got" = "$want" ] || problems+=("exit code $got, expected $want")
    local p
    for p in "$@"; do
        grep -qF -- "$p" "$TMP/g.err" || problems+=("stderr lacks: $p")
    done
    if [ ${#problems[@]} -gt 0 ]; then
        bad "$name" "${problems[@]}" "stderr was:" "$(head -n 20 "$TMP/g.err")"
    else
        ok "$name"
    fi
}

FRESH=$TMP/fresh-out
rc=$(g -m "$ROOT/schema.yaml" -o "$FRESH")
expect "sparkify-compiles" 0 "$rc" "gen: $ROOT/schema.yaml -> $FRESH/:"
if [ ! -s "$FRESH/postgres/00_drop.sql" ] || [ ! -s "$FRESH/redshift/00_drop.sql" ]; then
    bad "sparkify-compiles: $FRESH lacks postgres/00_drop.sql or redshift/00_drop.sql"
fi

rc=$(g -m "$ROOT/schema.yaml" -o "$FRESH" --check)
expect "check-up-to-date" 0 "$rc" "matches"

EDITED=$FRESH/redshift/05_load_songs.sql
cp -a "$FRESH" "$TMP/check-before"
printf -- '-- a hand edit\n' >>"$EDITED"
cp -p "$EDITED" "$TMP/edited.sql"
rc=$(g -m "$ROOT/schema.yaml" -o "$FRESH" --check)
expect "check-edited-file" 4 "$rc" "$EDITED: differs" "is stale: 1 file"
cmp -s "$EDITED" "$TMP/edited.sql" || bad "check-edited-file: --check rewrote $EDITED"
cp -p "$TMP/check-before/redshift/05_load_songs.sql" "$EDITED"

printf 'select 1;\n' >"$FRESH/postgres/99_old_step.sql"
rc=$(g -m "$ROOT/schema.yaml" -o "$FRESH" --check)
expect "check-stale-extra-file" 4 "$rc" "$FRESH/postgres/99_old_step.sql: stale"
[ -f "$FRESH/postgres/99_old_step.sql" ] || bad "check-stale-extra-file: --check removed the stale file"
rm -f "$FRESH/postgres/99_old_step.sql"

rc=$(g -m "$ROOT/schema.yaml" -o "$TMP/usage-out" --target mysql)
expect "usage-unknown-target" 2 "$rc" 'unknown target "mysql"'
rc=$(g -m "$ROOT/schema.yaml" -o "$TMP/usage-out" extra-argument)
expect "usage-extra-argument" 2 "$rc" 'unexpected argument "extra-argument"' "usage: gen"
rc=$(g -m "$ROOT/schema.yaml" -o "$TMP/usage-out" --no-such-option)
expect "usage-unknown-option" 2 "$rc" "usage: gen"
rc=$(g -m "$ROOT/schema.yaml" -o)
expect "usage-missing-argument" 2 "$rc" "usage: gen"
[ -e "$TMP/usage-out" ] && bad "usage errors: gen created $TMP/usage-out"

finish

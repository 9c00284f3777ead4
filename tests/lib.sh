# lib.sh - shared helpers for the test suites: counting and reporting.
# Source it; call ok/fail NAME [DETAIL]; call finish at the end (prints the count line).
PASSED=0 FAILED=0 SKIPPED=0
ok() { PASSED=$((PASSED + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -n 40; return 0; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "skipped: $1"; }
# check NAME CMD...: ok if CMD exits 0
check() { local n=$1; shift; if "$@" >/tmp/stargen-check.$$ 2>&1; then ok "$n"; else fail "$n" "$(cat /tmp/stargen-check.$$)"; fi; rm -f /tmp/stargen-check.$$; }
finish() {
    if [ "$SKIPPED" != 0 ]; then echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"; else echo "$PASSED passed, $FAILED failed"; fi
    [ "$FAILED" = 0 ]
}
# Absolute path of a command that may be relative to the repo root.
abs_cmd() { case "$1" in ./*|build/*) echo "$STARGEN_ROOT/${1#./}" ;; *) echo "$1" ;; esac; }

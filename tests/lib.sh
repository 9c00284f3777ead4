# shellcheck shell=bash
# lib.sh - the test library every suite sources (after git's t/test-lib.sh): where the repository
# is, the programs under test, and counting and reporting. A suite starts with
#
#   cd "$(dirname "$0")/../.." || exit 1
#   source tests/lib.sh
#
# and ends with `finish`, which prints the count line tests/run sums. tests/lib-pg.sh adds a
# private PostgreSQL.
#
# STARGEN_ROOT   the repository root, absolute (exported).
# The programs, set here once from the environment (the Makefile and tests/run pass them):
#   GEN      (default ./gen)                     the generator; may carry a wrapper, e.g. make
#   UNIT     (default build/rel/unit-tests)      valgrind's GEN="valgrind -q ... /path/gen"
#   RUNNER   (default ./runner)
#   DATAGEN  (default build/rel/sparkify-data)
# Each is split into words and every word that names a path relative to the repository
# (./gen, build/asan/runner) is made absolute, so a suite may call them from any folder. Each is
# then available two ways: GEN_CMD (UNIT_CMD, RUNNER_CMD, DATAGEN_CMD), an array to call it
# with ("${GEN_CMD[@]}" -q -o out), and GEN (...) itself, the same words as one exported string
# for child scripts and messages. GEN_PROG (UNIT_PROG, RUNNER_PROG, DATAGEN_PROG) is the
# program file itself, the last word, for copying it or matching it in output.
#
# Counting: ok NAME; fail NAME [DETAIL]; skip REASON [N] (N tests skipped, default 1);
# check NAME CMD... (ok when CMD exits 0, else fail with its output); finish.

STARGEN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export STARGEN_ROOT

PASSED=0 FAILED=0 SKIPPED=0
ok() { PASSED=$((PASSED + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -n 40; return 0; }
skip() { SKIPPED=$((SKIPPED + ${2:-1})); echo "skipped: $1"; }
# check NAME CMD...: ok if CMD exits 0
check() { local n=$1; shift; if "$@" >/tmp/stargen-check.$$ 2>&1; then ok "$n"; else fail "$n" "$(cat /tmp/stargen-check.$$)"; fi; rm -f /tmp/stargen-check.$$; }
finish() {
    if [ "$SKIPPED" != 0 ]; then echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"; else echo "$PASSED passed, $FAILED failed"; fi
    [ "$FAILED" = 0 ]
}

# abs_cmd WORD: WORD made absolute when it names a path relative to the repository root.
abs_cmd() {
    case "$1" in
        /*) echo "$1" ;;
        ./* | build/*) echo "$STARGEN_ROOT/${1#./}" ;;
        */*) if [ -e "$STARGEN_ROOT/$1" ]; then echo "$STARGEN_ROOT/$1"; else echo "$1"; fi ;;
        *) echo "$1" ;;
    esac
}

# _lib_program NAME DEFAULT: sets NAME_CMD, NAME and NAME_PROG from $NAME (or DEFAULT).
_lib_program() {
    local -n _lib_cmd=${1}_CMD
    local _lib_words _lib_w
    read -r -a _lib_words <<<"${!1:-$2}"
    _lib_cmd=()
    for _lib_w in "${_lib_words[@]}"; do _lib_cmd+=("$(abs_cmd "$_lib_w")"); done
    printf -v "$1" '%s' "${_lib_cmd[*]}"
    printf -v "${1}_PROG" '%s' "${_lib_cmd[${#_lib_cmd[@]} - 1]}"
    export "${1?}"
}
_lib_program GEN ./gen
_lib_program UNIT build/rel/unit-tests
_lib_program RUNNER ./runner
_lib_program DATAGEN build/rel/sparkify-data
# cpu_us CMD...: runs CMD (output discarded) and prints the user+system CPU time it used, in
# microseconds; returns CMD's exit status. Scaling tests compare these, not wall times: CPU time
# measures the work an algorithm does, which other load on the machine (or a disk sync that
# waits for someone else's writes) does not inflate.
cpu_us() {
    python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(int((r.ru_utime + r.ru_stime) * 1e6))
sys.exit(rc if rc >= 0 else 128 - rc)' "$@"
}
# instrumented_gen: true when GEN runs under a sanitizer or valgrind (make asan, make valgrind,
# make fuzz), whose allocators change how time grows with the input. The time-ratio suites skip
# there, saying so; `make test` runs them on the release build.
instrumented_gen() {
    case "$GEN" in *valgrind* | */build/asan/* | */build/fuzz/*) return 0 ;; esac
    return 1
}

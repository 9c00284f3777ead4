#!/usr/bin/env bash
# Unit tests: scanner, parser, types, quoting, resolver, JSON reader, common helpers
# (tests/unit/*.c). The C harness counts its own tests and prints "N passed, N failed" last;
# those counts become this suite's. A nonzero exit it does not explain by a failed test (a
# crash, a valgrind error under `make valgrind`) is one more failure.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

"${UNIT_CMD[@]}" >"$T/out" 2>&1
rc=$?
grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$T/out"
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$T/out" | tail -n 1)
if [ -z "$last" ]; then
    fail "unit-tests printed no count (exit $rc)" "$(tail -n 20 "$T/out")"
else
    read -r p _ f _ <<<"$last"
    PASSED=$((PASSED + p)) FAILED=$((FAILED + f))
    [ "$rc" != 0 ] && [ "$f" = 0 ] && fail "unit-tests exited $rc with no failed test" "$(tail -n 20 "$T/out")"
fi
finish

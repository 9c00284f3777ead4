#!/usr/bin/env bash
# Every generated Redshift script must parse with sqlfluff's Redshift dialect.
# (A clean parse proves syntax only; semantics are pinned by golden files and gen's checks.)
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
if ! command -v sqlfluff >/dev/null; then
    skip "sqlfluff is not installed (apt-get install sqlfluff); CI installs it"
    finish; exit
fi
for d in out/redshift tests/golden/*/out/redshift; do
    out=$(sqlfluff parse --dialect redshift "$d" 2>&1)
    rc=$?
    if [ $rc = 0 ] && ! grep -q unparsable <<<"$out"; then ok "sqlfluff $d"
    else fail "sqlfluff rejects $d" "$(grep -B3 -A8 -m3 unparsable <<<"$out")"; fi
done
finish

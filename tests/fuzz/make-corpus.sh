#!/usr/bin/env bash
# make-corpus.sh - rebuilds the seed corpora tests/fuzz/corpus/<harness>/ from the
# tests' own inputs.  Run it from anywhere after the test inputs change, review
# the diff, commit.  Files are named by the SHA-1 of their contents (libFuzzer's
# convention), so re-running is idempotent.
#
#   fuzz_model  every schema.yaml of the repository (Sparkify, golden models,
#               the bad-model corpus and its pending cases, tests/errors) under 64 KiB
#   fuzz_expr   every INPUT of tests/unit/expr_cases.txt and type_cases.txt
#               (escapes decoded), and every mapping/where/on of schema.yaml
#   fuzz_json   the runner fixtures' data files and jsonpaths documents, the first
#               lines of the Sparkify sample when present, and hand-written
#               documents for each column type of the harness (tests/fuzz/seeds-json.txt),
#               each behind its options byte (see fuzz_json.c)
set -eu
cd "$(dirname "$0")/../.."
C=tests/fuzz/corpus
rm -rf "$C"
mkdir -p "$C/fuzz_model" "$C/fuzz_expr" "$C/fuzz_json"

put() { # put HARNESS < data
    local tmp
    tmp=$(mktemp)
    cat >"$tmp"
    mv "$tmp" "$C/$1/$(sha1sum <"$tmp" | cut -c1-40)"
}

# ---- models
find . -type f -name schema.yaml -size -64k -not -path './build/*' -not -path './.git/*' | sort |
    while read -r f; do put fuzz_model <"$f"; done

# ---- expressions
for f in tests/unit/expr_cases.txt tests/unit/type_cases.txt; do
    grep -v '^#' "$f" | grep -F ' => ' | sed -E 's/ (=>|->) .*//; s/^(type|order|range)://' |
        while IFS= read -r line; do
            # shellcheck disable=SC2059
            printf '%b' "$line" | put fuzz_expr
        done
done
grep -E '^ +[a-z_]+: ' schema.yaml | sed -E 's/^ +(where|on|latest|[a-z_]+): //' |
    grep -E '[a-z]\.[a-z]|\(' | sort -u | while IFS= read -r line; do
    printf '%s' "$line" | sed -E "s/^\"(.*)\"$/\\1/" | put fuzz_expr
done

# ---- JSON sources: options byte + contents
opt() { printf "\\x$1"; }
find tests/runner/data -type f -name '*.json' | sort | while read -r f; do
    { opt 01; cat "$f"; } | put fuzz_json
    { opt 6d; cat "$f"; } | put fuzz_json
done
find tests/runner out -name '*.jsonpaths.json' | sort | while read -r f; do
    { opt 10; cat "$f"; } | put fuzz_json
done
S=${STARGEN_SAMPLE:-../shared/data/sparkify-sample}
if [ -d "$S" ]; then
    find "$S/log_data" -type f -name '*.json' | sort | head -n 2 | while read -r f; do
        { opt 01; head -c 6000 "$f"; } | put fuzz_json
    done
    find "$S/song_data" -type f -name '*.json' | sort | head -n 3 | while read -r f; do
        { opt 00; cat "$f"; } | put fuzz_json
    done
fi
# seeds-json.txt: one document per line, "OPT<TAB>TEXT" with OPT two hex digits; TEXT
# escapes decoded by printf %b (\n, \t, \\, \xNN).
grep -v '^#' tests/fuzz/seeds-json.txt | while IFS=$'\t' read -r o text; do
    [ -n "$o" ] || continue
    { opt "$o"; printf '%b' "$text"; } | put fuzz_json
done
for h in fuzz_model fuzz_expr fuzz_json; do
    echo "$h: $(find "$C/$h" -type f | wc -l) seeds"
done

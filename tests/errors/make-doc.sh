#!/usr/bin/env bash
# make-doc.sh - writes docs/errors.md, the bad-input catalogue, from the cases that test it:
#
#   tests/errors/intro.md          the page's opening prose (copied as is)
#   tests/badmodels/NNN-*/         gen's model errors: schema.yaml (or make-input.sh),
#                                  expected.stderr, expected.exit (tests/suites/20-badmodels.sh)
#   tests/errors/cases/NNN-*/      gen's command-line errors and every runner error:
#                                  case.sh, expected.stderr, expected.exit
#                                  (tests/suites/25-errors.sh)
#
#   tests/errors/make-doc.sh            rewrite docs/errors.md
#   tests/errors/make-doc.sh FILE       write FILE instead (25-errors.sh diffs it with the doc)
#
# Nothing in the page is written by hand except intro.md and the `# title:` / `# about:`
# lines of each case.sh (and the README table of tests/badmodels for the model cases'
# titles, which are their folder names).  Output is deterministic (sorted, no dates).
set -eu
cd "$(dirname "$0")/../.."
OUT=${1:-docs/errors.md}
E=tests/errors
B=tests/badmodels

# The lines of a model around each error position it reports (LINE:COL pairs in
# expected.stderr), numbered, with one line of context before; gaps shown as "…".
model_excerpt() {
    local dir=$1 lines
    lines=$(grep -oE '^schema\.yaml:[0-9]+:' "$dir/expected.stderr" | cut -d: -f2 | sort -nu | head -n 6)
    if [ -z "$lines" ]; then
        awk 'NR <= 12 { printf "%4d  %s\n", NR, $0 } NR == 13 { print "   …" }' "$dir/schema.yaml"
        return
    fi
    awk -v want="$(echo $lines)" '
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { keep[w[i]] = 1; keep[w[i] - 1] = 1 } }
        { text[NR] = $0 }
        END {
            last = 0
            for (l = 1; l <= NR; l++) if (l in keep) {
                if (last && l > last + 1) print "   …"
                printf "%4d  %s\n", l, text[l]
                last = l
            }
        }' "$dir/schema.yaml" | sed 's/\t/→/g; s/\r/␍/g'
}

# A case.sh without its header comments (the lines starting with "# title:" etc.).
case_body() { grep -vE '^# (title|about|needs):' "$1/case.sh" | sed '/./,$!d'; }
field() { sed -n "s/^# $2: //p" "$1/case.sh" | head -n 1; }
fence() { printf '```%s\n' "$1"; cat; printf '```\n'; }
# A message block: the exact stderr; non-printing bytes made visible.
message() { LC_ALL=C sed 's/\t/→/g; s/\r/␍/g; s/\x1b/␛/g' "$1/expected.stderr"; }

{
    cat "$E/intro.md"
    ncases=$(find "$E/cases" -mindepth 1 -maxdepth 1 -type d | wc -l)
    nmodels=$(find "$B" -mindepth 1 -maxdepth 1 -type d -name '[0-9][0-9][0-9]-*' | wc -l)
    printf '\n%d entries: %d model errors (gen) and %d command-line, data and run errors (gen and runner).\n' \
        $((ncases + nmodels)) "$nmodels" "$ncases"

    printf '\n## Contents\n\n'
    printf -- '- [Model errors (gen)](#model-errors-gen)\n'
    printf -- '- [gen: command line and output folder](#gen-command-line-and-output-folder)\n'
    printf -- '- [runner: command line, step folder and config](#runner-command-line-step-folder-and-config)\n'
    printf -- '- [runner: connection](#runner-connection)\n'
    printf -- '- [runner: data](#runner-data)\n'
    printf -- '- [runner: steps failing on the server](#runner-steps-failing-on-the-server)\n'

    printf '\n## Model errors (gen)\n\n'
    printf 'Each entry is a folder of `tests/badmodels/` (see its README): the lines of the model around\n'
    printf 'each reported position, then gen'"'"'s exact stderr for `gen -m schema.yaml -o OUT` and its exit\n'
    printf 'code. The whole model is in the folder.\n'
    for d in "$B"/[0-9][0-9][0-9]-*/; do
        d=${d%/}
        name=$(basename "$d")
        printf '\n### %s\n\n' "$name"
        if [ -f "$d/make-input.sh" ]; then
            printf 'Input made by `make-input.sh`:\n\n'
            sed '1{/^#!/d}' "$d/make-input.sh" | fence sh
        elif [ -d "$d/schema.yaml" ]; then
            printf 'Input: `schema.yaml` is a directory.\n'
        elif [ -f "$d/schema.yaml" ]; then
            printf 'Input (`schema.yaml`, numbered lines):\n\n'
            model_excerpt "$d" | fence yaml
        fi
        printf '\nExit %s; stderr:\n\n' "$(cat "$d/expected.exit")"
        message "$d" | fence text
        if [ "$name" = 302-input-unreadable ]; then
            printf '\nNot run as root (root reads a mode-000 file); the suites say SKIP.\n'
        fi
    done

    section() { # section TITLE PREFIX: the cases whose folder names start with PREFIX
        printf '\n## %s\n' "$1"
        local d name title about needs
        for d in "$E"/cases/$2*/; do
            d=${d%/}
            [ -f "$d/case.sh" ] || continue
            name=$(basename "$d")
            title=$(field "$d" title)
            about=$(field "$d" about)
            needs=$(field "$d" needs)
            printf '\n### %s: %s\n\n' "$name" "$title"
            [ -n "$about" ] && printf '%s\n\n' "$about"
            printf 'Input (run in an empty folder holding `schema.yaml` and `steps/` from `tests/errors/fixture/`%s):\n\n' \
                "$([ -n "$needs" ] && echo "; needs $needs")"
            case_body "$d" | fence sh
            printf '\nExit %s; stderr:\n\n' "$(cat "$d/expected.exit")"
            if [ -s "$d/expected.stderr" ]; then message "$d" | fence text; else printf '(nothing)\n'; fi
        done
    }
    section 'gen: command line and output folder' g
    section 'runner: command line, step folder and config' r0
    section 'runner: connection' r1
    section 'runner: data' r2
    section 'runner: steps failing on the server' r3
    section 'runner: hostile input (placeholders, secrets, names from outside)' r4
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"

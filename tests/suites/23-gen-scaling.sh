#!/usr/bin/env bash
# 23-gen-scaling.sh - gen's time grows about linearly with its input (issue 13, item 6):
# for the expression parser and the diagnostics, doubling the input may at most ~2.5x the
# time.  Ratios are measured in the same run (never an absolute time); each size is
# grown until one run takes long enough to time, and each time is the best of three.
# Before the fix, the caret underline recounted its characters on every step: a 16,000-
# term `and` chain took 30 s and every case here had a ratio near 4.
set -u
source tests/lib.sh
if instrumented_gen; then
    skip "time ratios are measured on the release build (make test), not under a sanitizer or valgrind"
    finish
    exit
fi
ROOT=$STARGEN_ROOT
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
MAX_RATIO=${MAX_RATIO:-2.5}
WHERE="      where: e.page = 'NextSong' and e.user_id is not null"
grep -qxF "$WHERE" "$ROOT/schema.yaml" || { fail "setup: schema.yaml lacks the users where clause"; finish; exit; }

# repeat S N: S written N times (fast: doubling)
repeat() { local s=$1 n=$2 out=""; while [ "$n" -gt 0 ]; do [ $((n & 1)) = 1 ] && out+=$s; s+=$s; n=$((n >> 1)); done; printf '%s' "$out"; }

# model KIND N FILE: the sparkify model with one clause grown to size N
model() {
    local kind=$1 n=$2 f=$3 line
    case $kind in
    and-chain) line="      where: e.page = 'NextSong'$(repeat ' and e.user_id is not null' "$n")" ;;   # parser, too deep: one error
    in-list) line="      where: e.user_id in (0$(repeat ', 1' "$n"))" ;;                               # parser, accepted
    many-errors) line="      where: e.user_id in (e.nope$(repeat ', e.nope' "$n"))" ;;                    # diagnostics: n errors
    long-literal) line="      where: e.level = '$(repeat x "$n")' and e.user_id is not null" ;;          # lexer, accepted
    *) echo "unknown kind $kind" >&2; return 1 ;;
    esac
    printf '%s\n' "$line" >"$tmp/line"
    awk -v w="$WHERE" 'NR == FNR { l = $0; next } !done && $0 == w { print l; done = 1; next } { print }' \
        "$tmp/line" "$ROOT/schema.yaml" >"$f"
}
# literal into varchar(16): the caret underline under a value of n characters
model_varchar() {
    printf '        level:      "'"'"'%s'"'"'"\n' "$(repeat x "$2")" >"$tmp/line"
    awk 'NR == FNR { l = $0; next } !done && $0 == "        level:      e.level" { print l; done = 1; next } { print }' \
        "$tmp/line" "$ROOT/schema.yaml" >"$1"
}

# usecs FILE: best of three CPU times (user+system, tests/lib.sh cpu_us) of gen on FILE, in
# microseconds
usecs() {
    local best="" i t0 t1 d
    for i in 1 2 3; do
        d=$(cpu_us "${GEN_CMD[@]}" -q -m "$1" -o "$tmp/out")
        { [ -z "$best" ] || [ "$d" -lt "$best" ]; } && best=$d
    done
    echo "$best"
}

# ratio NAME MAKER KIND N0: grows N until a run takes 100 ms, then times N and 2N
ratio() {
    local name=$1 maker=$2 kind=$3 n=$4 t1 t2
    while :; do
        $maker "$kind" "$n" "$tmp/m1.yaml" || { fail "$name: cannot build the model"; return; }
        if [ "$(stat -c %s "$tmp/m1.yaml")" -le "$n" ]; then fail "$name: the model did not grow to $n"; return; fi
        t1=$(usecs "$tmp/m1.yaml")
        [ "$t1" -ge 100000 ] || [ "$n" -ge 4000000 ] && break
        n=$((n * 2))
    done
    $maker "$kind" $((n * 2)) "$tmp/m2.yaml"; t2=$(usecs "$tmp/m2.yaml")
    local r; r=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b / a }')
    local msg="$name: n=$n ${t1}us, 2n ${t2}us, ratio $r (max $MAX_RATIO)"
    if awk -v r="$r" -v m="$MAX_RATIO" 'BEGIN { exit !(r <= m) }'; then ok "$msg"; [ -n "${VERBOSE:-}" ] || echo "     $msg"
    else fail "$msg"; fi
}
varchar_maker() { model_varchar "$3" "$2"; }

# sanity: the grown models are what they claim (so a ratio is measured on the right path)
model and-chain 2000 "$tmp/s.yaml"
if "${GEN_CMD[@]}" -q -m "$tmp/s.yaml" -o "$tmp/s" 2>&1 | grep -q "expression too deeply nested"; then ok "and-chain model reaches the parser's depth limit"
else fail "and-chain model: no depth error"; fi
model many-errors 50 "$tmp/s.yaml"
if [ "$("${GEN_CMD[@]}" -q -m "$tmp/s.yaml" -o "$tmp/s" 2>&1 | tail -n 1)" = "gen: 51 errors in $tmp/s.yaml; $tmp/s/ was not changed" ]; then ok "many-errors model reports one error per term"
else fail "many-errors model" "$("${GEN_CMD[@]}" -q -m "$tmp/s.yaml" -o "$tmp/s" 2>&1 | tail -n 1)"; fi
for k in in-list long-literal; do
    model $k 100 "$tmp/s.yaml"
    if "${GEN_CMD[@]}" -q -m "$tmp/s.yaml" -o "$tmp/s" 2>/dev/null; then ok "$k model compiles"; else fail "$k model does not compile"; fi
done
model_varchar "$tmp/s.yaml" 100
if "${GEN_CMD[@]}" -q -m "$tmp/s.yaml" -o "$tmp/s" 2>&1 | grep -q "may not fit songplays.level"; then ok "varchar model reports the literal"
else fail "varchar model: no string-length error"; fi

ratio "expression parser: and-chain past the depth limit" model and-chain 4000
ratio "expression parser: in-list" model in-list 4000
ratio "expression lexer: long literal" model long-literal 100000
ratio "diagnostics: one error per term" model many-errors 2000
ratio "diagnostics: caret under a long literal" varchar_maker x 100000
finish

#!/usr/bin/env bash
# 17-gen-output.sh - gen shares its output folder with its user (issue 13, items 1 and 7):
# it replaces or removes only files it wrote (manifest or header), refuses a folder holding
# the model or a foreign file where the runner reads, serialises concurrent runs with a
# lock, writes through unique O_EXCL|O_NOFOLLOW temp names, and changes nothing when a
# destination cannot be replaced.
set -u
source tests/lib.sh
ROOT=$STARGEN_ROOT
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

A=$tmp/a/schema.yaml B=$tmp/b/schema.yaml C=$tmp/c/schema.yaml
mkdir -p "$tmp/a" "$tmp/b" "$tmp/c"
cp "$ROOT/schema.yaml" "$A"
# B: one column wider (02_create_star.sql of both dialects and schema.md change)
sed 's/title:     {type: varchar(256), not_null: true}/title:     {type: varchar(300), not_null: true}/' "$A" >"$B"
# C: without the last query (queries/06_plays_per_weekday.sql goes stale)
sed '/^  plays_per_weekday:$/,$d' "$A" >"$C"
cmp -s "$A" "$B" && fail "setup: model B equals A"
cmp -s "$A" "$C" && fail "setup: model C equals A"

# a listing of every path, type and content hash under a folder
snap() { (cd "$1" && find . -printf '%y %p %l\n' | sort && find . -type f -exec md5sum {} + | sort -k2); }

# --- item 1: gen never deletes what it did not write -------------------------------
d=$tmp/here; mkdir -p "$d"; cp "$A" "$d/schema.yaml"
echo 'host=x' >"$d/dwh.cfg"; echo notes >"$d/NOTES.md"
before=$(snap "$d")
err=$(cd "$d" && "${GEN_CMD[@]}" -o . 2>&1); rc=$?
if [ $rc = 3 ] && [ "$(snap "$d")" = "$before" ] && grep -q 'gen: error: the output folder . holds the model schema.yaml' <<<"$err"; then
    ok "gen -o . next to the model refuses and changes nothing"
else fail "gen -o . next to the model (exit $rc)" "$err"; fi

o=$tmp/o1; mkdir -p "$o"; echo notes >"$o/NOTES.md"; echo 'x=1' >"$o/dwh.cfg"; : >"$o/.gitkeep"; echo readme >"$o/README.md"
err=$("${GEN_CMD[@]}" -q -m "$A" -o "$o" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$(cat "$o/NOTES.md" "$o/dwh.cfg" "$o/README.md" 2>/dev/null)" = $'notes\nx=1\nreadme' ] && [ -e "$o/.gitkeep" ]; then
    ok "the user's files at the top of out/ survive gen"; else fail "user files at the top of out/ (exit $rc)" "$err $(ls -A "$o")"; fi
err=$("${GEN_CMD[@]}" -m "$A" -o "$o" --check 2>&1); rc=$?
if [ $rc = 0 ]; then ok "--check ignores the user's files at the top of out/"; else fail "--check with user files (exit $rc)" "$err"; fi
if [ -f "$o/.stargen-manifest" ] && grep -qx 'postgres/00_drop.sql' "$o/.stargen-manifest" &&
    ! grep -q 'NOTES.md\|README.md' "$o/.stargen-manifest"; then ok "the manifest lists gen's files only"
else fail "manifest" "$(cat "$o/.stargen-manifest" 2>&1)"; fi

# a generated file the model no longer produces is removed; so is one still carrying the header
err=$("${GEN_CMD[@]}" -q -m "$C" -o "$o" 2>&1); rc=$?
if [ $rc = 0 ] && [ ! -e "$o/postgres/queries/06_plays_per_weekday.sql" ] && [ -e "$o/NOTES.md" ] &&
    ! grep -q 06_plays "$o/.stargen-manifest"; then ok "stale generated files are removed, listed ones only"
else fail "stale generated file (exit $rc)" "$err"; fi

# a foreign file where the runner reads: gen refuses, changes nothing; --check calls it stale
"${GEN_CMD[@]}" -q -m "$A" -o "$o"
echo 'select 1;' >"$o/postgres/99_mine.sql"
before=$(snap "$o")
err=$("${GEN_CMD[@]}" -q -m "$B" -o "$o" 2>&1); rc=$?
if [ $rc = 3 ] && [ "$(snap "$o")" = "$before" ] && grep -q "99_mine.sql was not written by gen" <<<"$err"; then
    ok "a foreign file in postgres/ stops gen; nothing changes"; else fail "foreign file in postgres/ (exit $rc)" "$err"; fi
err=$("${GEN_CMD[@]}" -m "$A" -o "$o" --check 2>&1); rc=$?
if [ $rc = 4 ] && grep -q "99_mine.sql: stale (not written by gen" <<<"$err"; then ok "--check reports a foreign file in postgres/"
else fail "--check foreign file (exit $rc)" "$err"; fi
rm -f "$o/postgres/99_mine.sql"
: >"$o/postgres/.gitkeep"
err=$("${GEN_CMD[@]}" -q -m "$A" -o "$o" 2>&1 && "${GEN_CMD[@]}" -q -m "$A" -o "$o" --check 2>&1); rc=$?
if [ $rc = 0 ] && [ -e "$o/postgres/.gitkeep" ]; then ok "a dot file in postgres/ is left alone"; else fail ".gitkeep in postgres/ (exit $rc)" "$err"; fi

# a generated file edited by hand (header gone) is not removed silently, nor replaced silently
"${GEN_CMD[@]}" -q -m "$A" -o "$o"
f=$o/postgres/queries/06_plays_per_weekday.sql
sed -i 1d "$f"; cp "$f" "$tmp/edited"
before=$(snap "$o")
err=$("${GEN_CMD[@]}" -q -m "$C" -o "$o" 2>&1); rc=$?
if [ $rc = 3 ] && cmp -s "$f" "$tmp/edited" && [ "$(snap "$o")" = "$before" ] && grep -q "edited since gen wrote it; not removing it" <<<"$err"; then
    ok "an edited stale file: gen refuses to remove it"; else fail "edited stale file (exit $rc)" "$err"; fi
err=$("${GEN_CMD[@]}" -m "$C" -o "$o" --check 2>&1); rc=$?
if [ $rc = 4 ] && grep -q "06_plays_per_weekday.sql: stale, and edited by hand" <<<"$err"; then ok "--check names an edited stale file"
else fail "--check edited stale (exit $rc)" "$err"; fi
err=$("${GEN_CMD[@]}" -q -m "$A" -o "$o" 2>&1); rc=$?
if [ $rc = 0 ] && grep -q "gen: warning: replaced .*06_plays_per_weekday.sql, which had been edited" <<<"$err" &&
    "${GEN_CMD[@]}" -q -m "$A" -o "$o" --check; then ok "an edited file gen still produces is replaced with a warning"
else fail "edited file replaced (exit $rc)" "$err"; fi

# a file gen would write exists but is the user's: refused
o2=$tmp/o2; mkdir -p "$o2"; echo 'my notes' >"$o2/schema.md"
err=$("${GEN_CMD[@]}" -q -m "$A" -o "$o2" 2>&1); rc=$?
if [ $rc = 3 ] && [ "$(cat "$o2/schema.md")" = "my notes" ] && [ ! -e "$o2/.stargen-manifest" ] &&
    grep -q "schema.md exists and was not written by gen" <<<"$err"; then ok "a user's file at a name gen writes is not replaced"
else fail "user's schema.md (exit $rc)" "$err"; fi

# migration: an out/ from before the manifest (headers only) is adopted
o3=$tmp/o3; "${GEN_CMD[@]}" -q -m "$A" -o "$o3"; rm -f "$o3/.stargen-manifest"
err=$("${GEN_CMD[@]}" -m "$C" -o "$o3" 2>&1); rc=$?
if [ $rc = 0 ] && [ -f "$o3/.stargen-manifest" ] && [ ! -e "$o3/redshift/queries/06_plays_per_weekday.sql" ] &&
    "${GEN_CMD[@]}" -q -m "$C" -o "$o3" --check; then ok "an out/ without a manifest is adopted by its headers"
else fail "migration (exit $rc)" "$err"; fi
rm -f "$o3/.stargen-manifest"
err=$("${GEN_CMD[@]}" -m "$C" -o "$o3" --check 2>&1); rc=$?
if [ $rc = 4 ] && grep -q ".stargen-manifest: missing" <<<"$err"; then ok "--check wants the manifest"; else fail "--check without manifest (exit $rc)" "$err"; fi
printf 'postgres/../../etc/passwd\n' >"$o3/.stargen-manifest"
err=$("${GEN_CMD[@]}" -q -m "$C" -o "$o3" 2>&1); rc=$?
if [ $rc = 3 ] && grep -q "not a file gen writes" <<<"$err"; then ok "a manifest naming a path outside out/ is refused"
else fail "bad manifest (exit $rc)" "$err"; fi

# --- item 7: writing out/ is safe -------------------------------------------------
# 4 concurrent gens of one model, 10 rounds: every run exits 0 and out/ matches
o4=$tmp/o4; bad=0; log=""
for round in $(seq 10); do
    rm -rf "$o4"; pids=()
    for k in 1 2 3 4; do "${GEN_CMD[@]}" -q -m "$A" -o "$o4" 2>>"$tmp/conc.err" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || { bad=$((bad + 1)); }; done
    "${GEN_CMD[@]}" -q -m "$A" -o "$o4" --check 2>>"$tmp/conc.err" || bad=$((bad + 1))
    [ -z "$(find "$o4" -name '*.stargen-*-*')" ] || { bad=$((bad + 1)); log+=" temp left"; }
done
if [ $bad = 0 ]; then ok "4 concurrent gens of one model: 40 of 40 exit 0, out/ matches"
else fail "concurrent gens: $bad failures$log" "$(head -5 "$tmp/conc.err")"; fi

# two different models at once, 10 rounds: both exit 0, out/ is exactly one of them
o5=$tmp/o5; bad=0; : >"$tmp/two.err"
for round in $(seq 10); do
    "${GEN_CMD[@]}" -q -m "$A" -o "$o5" 2>>"$tmp/two.err" & pa=$!
    "${GEN_CMD[@]}" -q -m "$C" -o "$o5" 2>>"$tmp/two.err" & pc=$!
    wait $pa; ra=$?; wait $pc; rc_=$?
    ma=0; mc=0
    "${GEN_CMD[@]}" -q -m "$A" -o "$o5" --check 2>/dev/null && ma=1
    "${GEN_CMD[@]}" -q -m "$C" -o "$o5" --check 2>/dev/null && mc=1
    if [ $ra != 0 ] || [ $rc_ != 0 ] || [ $((ma + mc)) != 1 ]; then bad=$((bad + 1)); fi
done
if [ $bad = 0 ]; then ok "two models at once: both exit 0 and out/ matches exactly one"
else fail "two models at once: $bad of 10 rounds wrong" "$(head -5 "$tmp/two.err")"; fi

# a destination that is a directory: refused before anything is renamed
o6=$tmp/o6; "${GEN_CMD[@]}" -q -m "$A" -o "$o6"
rm "$o6/redshift/10_checks.sql"; mkdir "$o6/redshift/10_checks.sql"
before=$(snap "$o6")
err=$("${GEN_CMD[@]}" -q -m "$B" -o "$o6" 2>&1); rc=$?
if [ $rc = 3 ] && [ "$(snap "$o6")" = "$before" ] && grep -q "cannot replace .*10_checks.sql: it is a directory" <<<"$err"; then
    ok "a directory at a destination: exit 3, schema.md and every other file unchanged"
else fail "directory at destination (exit $rc)" "$err"; fi
rmdir "$o6/redshift/10_checks.sql"
ln -s "$tmp/victim" "$o6/redshift/10_checks.sql"; echo victim >"$tmp/victim"
before=$(snap "$o6")
err=$("${GEN_CMD[@]}" -q -m "$B" -o "$o6" 2>&1); rc=$?
if [ $rc = 3 ] && [ "$(snap "$o6")" = "$before" ] && [ "$(cat "$tmp/victim")" = victim ]; then
    ok "a symlink at a destination: refused, its target untouched"; else fail "symlink at destination (exit $rc)" "$err"; fi
rm "$o6/redshift/10_checks.sql"

# symlinks at the temp names gen will try: never written through, skipped
o7=$tmp/o7; "${GEN_CMD[@]}" -q -m "$A" -o "$o7"; echo victim >"$tmp/victim2"
ln -s "$tmp/victim2" "$o7/postgres/.stargen-tmp-02_create_star.sql"
# the shell's PID ($$) is gen's after exec: plant every name its counter will try first
bash -c 'for f in postgres/02_create_star.sql redshift/02_create_star.sql schema.md; do
             d=$(dirname "$1/$f") b=$(basename "$f")
             for n in $(seq 1 40); do ln -s "$2" "$d/.$b.stargen-$$-$n"; done
         done
         exec "$3" -q -m "$4" -o "$1"' _ "$o7" "$tmp/victim2" "${GEN_CMD[@]}" "$B" 2>"$tmp/sym.err"; rc=$?
links=$(find "$o7" -type l | wc -l)
if [ $rc = 0 ] && [ "$(cat "$tmp/victim2")" = victim ] && [ "$links" = 121 ] &&
    "${GEN_CMD[@]}" -q -m "$B" -o "$o7" --check; then ok "symlinks at temp names: not written through, left alone, gen succeeds"
else fail "symlinks at temp names (exit $rc, $links links)" "$(cat "$tmp/sym.err")"; fi

# leftovers of an interrupted gen (regular files at temp names) are removed
"${GEN_CMD[@]}" -q -m "$A" -o "$o7"
echo x >"$o7/postgres/.00_drop.sql.stargen-999999-3"
err=$("${GEN_CMD[@]}" -m "$A" -o "$o7" --check 2>&1); rc=$?
if [ $rc = 4 ] && grep -q "stargen-999999-3: stale (left by an interrupted gen" <<<"$err"; then ok "--check reports a leftover temp file"
else fail "--check leftover (exit $rc)" "$err"; fi
"${GEN_CMD[@]}" -q -m "$A" -o "$o7"
if [ ! -e "$o7/postgres/.00_drop.sql.stargen-999999-3" ]; then ok "leftover temp files are removed"; else fail "leftover kept"; fi

finish

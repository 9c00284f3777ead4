#!/usr/bin/env bash
# Golden trees: each tests/golden/<case>/schema.yaml must compile to exactly
# tests/golden/<case>/out/, and the repository's schema.yaml to the committed out/.
# Also: determinism across locale, time zone and working directory; minimal rewrites;
# removal of files the model no longer produces.
set -u
source tests/lib.sh
GEN=$(abs_cmd "$GEN")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if out=$($GEN --check -q 2>&1); then ok "sparkify: out/ matches schema.yaml"; else fail "sparkify: out/ is stale" "$out"; fi

for dir in tests/golden/*/; do
    c=$(basename "$dir")
    rm -rf "$tmp/o"
    if ! err=$($GEN -q -m "$dir/schema.yaml" -o "$tmp/o" 2>&1); then fail "golden $c: gen failed" "$err"; continue; fi
    if d=$(diff -ru "$dir/out" "$tmp/o"); then ok "golden $c"; else fail "golden $c differs" "$d"; fi
done

# Determinism: another locale, time zone and working directory give the same bytes.
mkdir -p "$tmp/elsewhere"; cp schema.yaml "$tmp/elsewhere/"
(cd "$tmp/elsewhere" && LC_ALL=C.UTF-8 TZ=Pacific/Chatham $GEN -q -o o1 && LANG=de_DE.UTF-8 TZ=UTC $GEN -q -o o2)
if d=$(diff -r "$tmp/elsewhere/o1" out) && diff -r "$tmp/elsewhere/o2" out >/dev/null; then
    ok "deterministic across locale, TZ and cwd"; else fail "output depends on the environment" "$d"; fi

# Unchanged files are not rewritten; a changed model rewrites only what changed.
cp -r "$tmp/elsewhere/o1" "$tmp/mt"
find "$tmp/mt" -type f -exec touch -d '2001-01-01' {} +
(cd "$tmp/elsewhere" && $GEN -q -o "$tmp/mt")
if [ -z "$(find "$tmp/mt" -type f -newermt '2002-01-01')" ]; then ok "unchanged files keep their mtime"; else fail "unchanged files were rewritten" "$(find "$tmp/mt" -newermt 2002-01-01)"; fi
sed -i 's/title:     {type: varchar(256), not_null: true}/title:     {type: varchar(300), not_null: true}/' "$tmp/elsewhere/schema.yaml"
(cd "$tmp/elsewhere" && $GEN -q -o "$tmp/mt")
changed=$(find "$tmp/mt" -type f -newermt '2002-01-01' | sed "s|$tmp/mt/||" | sort | tr '\n' ' ')
if [ "$changed" = "postgres/05_load_songs.sql redshift/05_load_songs.sql schema.md " ]; then ok "a one-line model change rewrites only the affected files"
else fail "unexpected rewrites" "$changed"; fi

# Files the model no longer produces are removed; leftovers of a crashed run too.
echo stale >"$tmp/mt/postgres/99_old.sql"; echo x >"$tmp/mt/redshift/.stargen-tmp-01_x.sql"
(cd "$tmp/elsewhere" && $GEN -q -o "$tmp/mt")
if [ ! -e "$tmp/mt/postgres/99_old.sql" ] && [ ! -e "$tmp/mt/redshift/.stargen-tmp-01_x.sql" ]; then ok "stale files removed"; else fail "stale files kept"; fi

# --target writes one dialect only and leaves the other folder alone.
rm -rf "$tmp/t"; $GEN -q -t redshift -o "$tmp/t"
if [ -d "$tmp/t/redshift" ] && [ ! -e "$tmp/t/postgres" ]; then ok "--target redshift"; else fail "--target redshift wrote $(ls "$tmp/t")"; fi

# Every generated file: LF only, final newline, no trailing spaces, no absolute paths.
bad=$(for f in $(find out tests/golden/*/out -type f); do
    if grep -q $'\r' "$f" || grep -qE ' +$' "$f" || [ -n "$(tail -c1 "$f")" ] || grep -q "$STARGEN_ROOT" "$f"; then echo "$f"; fi; done)
if [ -z "$bad" ]; then ok "generated files are clean text"; else fail "badly formed generated files" "$bad"; fi
finish

#!/usr/bin/env bash
# Sparkify, daily (issue 14 items 6 and 7), on a private PostgreSQL with the shipped model
# examples/sparkify-daily (incremental log_data and song_data, every table kept):
# - its committed out/ is current (gen --check), and a stale copy is caught; its Redshift
#   scripts parse with sqlfluff;
# - songplays' natural key (user_id, session_id, item_in_session) is unique among the NextSong
#   events of a known user, on datagen data and on the real sample (when present);
# - a first load of all days but the last, the next day, a rerun and an old day replayed:
#   every kept table's inserted / updated / unchanged / skipped counts, in the progress lines,
#   --json and stargen_history, equal counts computed here in python from the input files
#   (not from the runner), and the runs name exactly the new files;
# - the tables end equal to one full load of the same data, and to the main model's tables
#   (songplays matched to the same songs through the kept songs table);
# - a stargen_history table of an older runner (without the count columns) is upgraded in
#   place, its rows kept, on PostgreSQL and on the Redshift stand-in (no ADD COLUMN IF NOT
#   EXISTS there: the runner reads the catalog first).
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
source tests/lib-pg.sh
EX="$STARGEN_ROOT/examples/sparkify-daily"
tmp=$(mktemp -d); trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT

# ---- the committed out/ is current; a stale one fails
"${GEN_CMD[@]}" --check -q -m "$EX/schema.yaml" -o "$EX/out" &&
    ok "examples/sparkify-daily/out matches its schema.yaml (gen --check)" ||
    fail "examples/sparkify-daily/out is stale: run ./gen -m examples/sparkify-daily/schema.yaml -o examples/sparkify-daily/out and commit"
cp -r "$EX" "$tmp/stale"
echo "-- edited" >>"$tmp/stale/out/postgres/05_publish.sql"
"${GEN_CMD[@]}" --check -q -m "$tmp/stale/schema.yaml" -o "$tmp/stale/out" >/dev/null 2>&1
check "a stale copy of that out/ is caught (exit 4)" test $? = 4

# its Redshift scripts parse (syntax only, as suite 40 does for the other models)
if command -v sqlfluff >/dev/null; then
    out=$(sqlfluff parse --dialect redshift "$EX/out/redshift" 2>&1)
    [ $? = 0 ] && ! grep -q unparsable <<<"$out" && ok "sqlfluff parses $EX/out/redshift" ||
        fail "sqlfluff rejects $EX/out/redshift" "$(grep -B3 -A8 -m3 unparsable <<<"$out")"
else
    skip "sqlfluff is not installed (apt-get install sqlfluff)"
fi

pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }
OUT="$EX/out/postgres"
run() { local db=$1; shift; "${RUNNER_CMD[@]}" -d "dbname=$db" "$@"; }
q() { psql -X -A -t -d "$1" -c "$2"; }

# ---- data: seven days from the project's generator
"${DATAGEN_CMD[@]}" --events 6000 --days 7 --seed 91 --songs-per-file 2 --out "$tmp/all" >/dev/null 2>&1 ||
    { fail "datagen failed"; finish; exit 1; }
mapfile -t LOGS < <(cd "$tmp/all" && find log_data -type f | sort)
[ ${#LOGS[@]} = 7 ] || fail "datagen wrote ${#LOGS[@]} log files, want 7"

# The expected counts, from the files alone: python keeps its own model of the warehouse
# (state.json) and prints the runner's count lines for a batch of new files.
cat >"$tmp/expect.py" <<'EOF'
import json, os, sys
root, state_path, files = sys.argv[1], sys.argv[2], sys.argv[3:]
st = json.load(open(state_path)) if os.path.exists(state_path) else {
    "users": {}, "time": [], "plays": [], "songs": [], "artists": []}
users = st["users"]; time = set(st["time"]); plays = set(map(tuple, st["plays"]))
songs = set(st["songs"]); artists = set(st["artists"])
events, songrows = [], []
for f in files:
    for line in open(os.path.join(root, f)):
        if line.strip():
            (events if f.startswith("log_data/") else songrows).append(json.loads(line))
def blank(v): return v is None or v == ""
plays_in = [e for e in events if e.get("page") == "NextSong" and not blank(e.get("userId"))]
out = []
def line(t, i, u, c, read, src, accounted):
    out.append("      %s: %d inserted, %d updated, %d unchanged, %d skipped (of %d read from %s)"
               % (t, i, u, c, read - accounted, read, src))
# artists, songs: upsert by id, unconditional
for t, key, cond, have in (("artists", "artist_id", lambda s: not blank(s.get("artist_id")) and not blank(s.get("artist_name")), artists),
                           ("songs", "song_id", lambda s: not blank(s.get("song_id")) and not blank(s.get("title")) and not blank(s.get("artist_id")), songs)):
    keys = {s[key] for s in songrows if cond(s)}
    line(t, len(keys - have), len(keys & have), 0, len(songrows), "staging_songs", len(keys))
    have |= keys
# time: append, one row per second of a play
secs = {e["ts"] // 1000 for e in plays_in}
line("time", len(secs - time), 0, 0, len(events), "staging_events", len(secs - time))
time |= secs
# users: upsert, newer wins by ts (a full tie keeps the stored row: unchanged)
best = {}
for e in plays_in:
    u = str(int(e["userId"]))
    if u not in best or e["ts"] > best[u]:
        best[u] = e["ts"]
ins = upd = unch = 0
for u, ts in best.items():
    if u not in users: ins += 1; users[u] = ts
    elif users[u] >= ts: unch += 1
    else: upd += 1; users[u] = ts
line("users", ins, upd, unch, len(events), "staging_events", len(best))
# songplays: append on (user_id, session_id, item_in_session)
keys = {(int(e["userId"]), e["sessionId"], e["itemInSession"]) for e in plays_in}
line("songplays", len(keys - plays), 0, 0, len(events), "staging_events", len(keys - plays))
plays |= keys
json.dump({"users": users, "time": sorted(time), "plays": sorted(plays), "songs": sorted(songs),
           "artists": sorted(artists)}, open(state_path, "w"))
print("\n".join(sorted(out)))
EOF
counts() { grep -E '^      [a-z]+: -?[0-9]+ inserted' | sort; }
# totals of the expected lines: inserted updated unchanged skipped
totals() { awk '{i+=$2; u+=$4; c+=$6; s+=$8} END {print i+0, u+0, c+0, s+0}'; }
json_totals() { python3 -c 'import json,sys; p=[s for s in json.load(open(sys.argv[1]))["results"] if s["name"]=="publish"][0]; print(p["inserted"], p["updated"], p["unchanged"], p["skipped"])' "$1"; }
hist_totals() { q "$1" "SELECT inserted || ' ' || updated || ' ' || unchanged || ' ' || skipped FROM stargen_history WHERE step = 'publish' ORDER BY started_at DESC LIMIT 1"; }

# verify LABEL JSON OUTPUT: the run's count lines, --json and history against python's
verify() {
    local label=$1 js=$2 out=$3 want got
    want=$(cat "$tmp/want")
    got=$(echo "$out" | counts)
    [ "$got" = "$want" ] && ok "$label: every table's counts equal the data's" ||
        fail "$label: counts differ from the data's" "$(diff <(echo "$want") <(echo "$got"))"
    want=$(totals <"$tmp/want")
    [ "$(json_totals "$js")" = "$want" ] && ok "$label: --json has the totals" ||
        fail "$label: --json totals $(json_totals "$js"), want $want"
    [ "$(hist_totals inc)" = "$want" ] && ok "$label: stargen_history has the totals" ||
        fail "$label: history totals $(hist_totals inc), want $want"
}

# a view of the data with only some of the files (hard links keep size and mtime)
mkdir -p "$tmp/inc"
link() { local f; for f in "$@"; do mkdir -p "$tmp/inc/$(dirname "$f")"; ln "$tmp/all/$f" "$tmp/inc/$f"; done; }
mapfile -t SONGS < <(cd "$tmp/all" && find song_data -type f | sort)
link "${SONGS[@]}" "${LOGS[@]:0:6}"

createdb inc
# the history of an older runner (before the count columns), with one row
q inc "CREATE TABLE stargen_history (run_id VARCHAR(64) NOT NULL, step VARCHAR(256) NOT NULL, file VARCHAR(256) NOT NULL, checksum CHAR(64) NOT NULL, rows BIGINT, seconds DOUBLE PRECISION, status VARCHAR(16) NOT NULL, started_at TIMESTAMP NOT NULL, error VARCHAR(4096)); INSERT INTO stargen_history VALUES ('old-run', 'publish', '05_publish.sql', repeat('a', 64), 42, 1.5, 'success', '2020-01-01 00:00:00', NULL)" >/dev/null

# run 1: all days but the last
python3 "$tmp/expect.py" "$tmp/all" "$tmp/state.json" "${SONGS[@]}" "${LOGS[@]:0:6}" >"$tmp/want"
out=$(run inc --json "$tmp/j1.json" --data "$tmp/inc" "$OUT" 2>&1) || fail "first load failed" "$out"
echo "$out" | grep -q "incremental source log_data/: 6 files to stage (6 new, 0 again), 0 already loaded" &&
    ok "first load: stages the 6 days" || fail "first load: not 6 new log files" "$out"
verify "first load (6 days)" "$tmp/j1.json" "$out"
[ "$(q inc "SELECT count(*) || ' ' || sum(rows) FROM stargen_history WHERE run_id = 'old-run'")" = "1 42" ] &&
    [ "$(q inc "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'stargen_history' AND ordinal_position > 9")" = "inserted,updated,unchanged,skipped" ] &&
    [ "$(q inc "SELECT count(*) FROM stargen_history WHERE run_id = 'old-run' AND inserted IS NULL AND skipped IS NULL")" = 1 ] &&
    ok "an older stargen_history (PostgreSQL) gains the four count columns in place, its row kept" ||
    fail "the older stargen_history was not upgraded in place" "$(psql -X -d inc -c '\d stargen_history' 2>&1)"
[ "$(q inc "SELECT count(*) FROM stargen_history WHERE step = 'create_star' AND inserted IS NULL AND skipped IS NULL AND status = 'success'")" -ge 1 ] &&
    ok "steps without kept-table loads have NULL counts in history" || fail "a step without counts has non-NULL counts"

# run 2: the next day stages only its file
link "${LOGS[6]}"
python3 "$tmp/expect.py" "$tmp/all" "$tmp/state.json" "${LOGS[6]}" >"$tmp/want"
out=$(run inc --json "$tmp/j2.json" --data "$tmp/inc" "$OUT" 2>&1) || fail "next-day run failed" "$out"
echo "$out" | grep -q "incremental source log_data/: 1 file to stage (1 new, 0 again), 6 already loaded" &&
    echo "$out" | grep -q "incremental source song_data/: 0 files to stage (0 new, 0 again), ${#SONGS[@]} already loaded" &&
    ok "next day: stages 1 new log file and no song file" || fail "next day: not exactly the new file" "$out"
verify "next day" "$tmp/j2.json" "$out"

# run 3: nothing new
python3 "$tmp/expect.py" "$tmp/all" "$tmp/state.json" >"$tmp/want"
out=$(run inc --json "$tmp/j3.json" --data "$tmp/inc" "$OUT" 2>&1) || fail "rerun failed" "$out"
echo "$out" | grep -q "incremental source log_data/: 0 files to stage (0 new, 0 again), 7 already loaded" &&
    ok "rerun: stages nothing" || fail "rerun staged something" "$out"
verify "rerun" "$tmp/j3.json" "$out"

# run 4: an old day replayed (its ledger rows forgotten): nothing changes, counted unchanged/skipped
q inc "DELETE FROM stargen_ledger WHERE file_key LIKE '%$(basename "${LOGS[2]}")'" >/dev/null
python3 "$tmp/expect.py" "$tmp/all" "$tmp/state.json" "${LOGS[2]}" >"$tmp/want"
out=$(run inc --json "$tmp/j4.json" --data "$tmp/inc" "$OUT" 2>&1) || fail "replay failed" "$out"
verify "an old day replayed" "$tmp/j4.json" "$out"
grep -q "users: 0 inserted, 0 updated, [1-9][0-9]* unchanged" "$tmp/want" &&
    grep -q "songplays: 0 inserted, 0 updated, 0 unchanged, [1-9][0-9]* skipped" "$tmp/want" &&
    ok "the replay's expected counts are all unchanged or skipped (the comparison above means something)" ||
    fail "the replay's expected counts are not what a replay gives" "$(cat "$tmp/want")"

# ---- the same tables as one full load, and as the main model's
fp() { q "$1" "SELECT count(*) || ':' || md5(string_agg(x::text, '|' ORDER BY x::text)) FROM ($2) x"; }
createdb full
out=$(run full --data "$tmp/all" "$OUT" 2>&1) || fail "full load failed" "$out"
same=1
for t in songplays users songs artists time; do
    [ "$(fp inc "SELECT * FROM $t")" = "$(fp full "SELECT * FROM $t")" ] || { same=0; fail "$t differs between the daily runs and one full load"; }
done
[ $same = 1 ] && ok "the daily runs end in the tables of one full load (every row of the five tables)"
# resumed at the publish step, the staging loads did not run in this run: skipped is not known
out=$(run full --from publish --json "$tmp/jr.json" --data "$tmp/all" "$OUT" 2>&1)
echo "$out" | grep -q "^      songplays: 0 inserted, 0 updated, 0 unchanged$" &&
    python3 -c 'import json,sys; p=[s for s in json.load(open(sys.argv[1]))["results"] if s["name"]=="publish"][0]; sys.exit(0 if p["skipped"] is None and p["inserted"] == 0 else 1)' "$tmp/jr.json" &&
    [ "$(q full "SELECT coalesce(skipped::text, 'NULL') || ' ' || inserted FROM stargen_history WHERE step = 'publish' ORDER BY started_at DESC LIMIT 1")" = "NULL 0" ] &&
    ok "--from publish: no staging count this run, so skipped is left out (line), null (--json), NULL (history)" ||
    fail "--from publish: skipped should be unknown" "$out"
createdb main
out=$(run main --data "$tmp/all" "$STARGEN_ROOT/out/postgres" 2>&1) || fail "main model failed" "$out"
[ "$(fp inc "SELECT user_id, session_id, start_time, level, song_id, artist_id, location, user_agent FROM songplays")" = \
  "$(fp main "SELECT user_id, session_id, start_time, level, song_id, artist_id, location, user_agent FROM songplays")" ] &&
    [ "$(q main "SELECT count(song_id) FROM songplays")" -gt 0 ] &&
    ok "songplays equal the main model's, song and artist matches included ($(q main "SELECT count(song_id) FROM songplays") matched)" ||
    fail "songplays differ from the main model's"
for t in "users:user_id, first_name, last_name, gender, level" "songs:song_id, title, artist_id, year, duration" "artists:*" "time:*"; do
    [ "$(fp inc "SELECT ${t#*:} FROM ${t%%:*}")" = "$(fp main "SELECT ${t#*:} FROM ${t%%:*}")" ] &&
        ok "${t%%:*} equal the main model's" || fail "${t%%:*} differ from the main model's"
done

# ---- songplays' natural key is unique in the data
cat >"$tmp/unique.py" <<'EOF'
import glob, json, sys
n, keys = 0, set()
for f in glob.glob(sys.argv[1] + "/log_data/**/*.json", recursive=True):
    for line in open(f):
        if not line.strip(): continue
        e = json.loads(line)
        if e.get("page") != "NextSong" or e.get("userId") in ("", None): continue
        n += 1; keys.add((int(e["userId"]), e["sessionId"], e["itemInSession"]))
print(n, len(keys)); sys.exit(0 if n == len(keys) and n > 0 else 1)
EOF
check "songplays key (user_id, session_id, item_in_session) unique on datagen data" python3 "$tmp/unique.py" "$tmp/all"
"${DATAGEN_CMD[@]}" --events 200000 --days 30 --seed 42 --out "$tmp/big" >/dev/null 2>&1 &&
    check "... and on 200,000 datagen events" python3 "$tmp/unique.py" "$tmp/big"
rm -rf "$tmp/big"
if [ -d "$STARGEN_ROOT/../shared/data/sparkify-sample/log_data" ]; then
    check "... and on the real Sparkify sample" python3 "$tmp/unique.py" "$STARGEN_ROOT/../shared/data/sparkify-sample"
else
    skip "the real Sparkify sample is absent (../shared/data/sparkify-sample)"
fi

# ---- the Redshift stand-in: an older history table upgraded by reading the catalog
createdb rs && psql -X -q -v ON_ERROR_STOP=1 -d rs -f tests/standin-redshift.sql >/dev/null &&
    q rs "ALTER DATABASE rs SET search_path = rsfake, pg_catalog, public" >/dev/null &&
    q rs "ALTER DATABASE rs SET log_statement = 'ddl'" >/dev/null &&
    q rs "CREATE TABLE rsfake.stargen_history (run_id VARCHAR(64) NOT NULL, step VARCHAR(256) NOT NULL, file VARCHAR(256) NOT NULL, checksum CHAR(64) NOT NULL, rows BIGINT, seconds DOUBLE PRECISION, status VARCHAR(16) NOT NULL, started_at TIMESTAMP NOT NULL, error VARCHAR(4096)); INSERT INTO rsfake.stargen_history VALUES ('old-run', 'drop', '00_drop.sql', repeat('b', 64), 0, 0.1, 'success', '2020-01-01', NULL)" >/dev/null ||
    fail "cannot set up the Redshift stand-in"
# the server logs the DDL it is sent (log_statement): Redshift would refuse ADD COLUMN IF NOT
# EXISTS, and takes one column per ALTER TABLE
out=$(REDSHIFT_IAM_ROLE='arn:aws:iam::123456789012:role/standin' run rs --only drop "$EX/out/redshift" 2>&1)
alters=$(grep -o 'statement: ALTER TABLE stargen_history ADD .*' "$tmp/pg/server.log")
[ "$(echo "$alters" | grep -c .)" = 4 ] && ! echo "$alters" | grep -qi "if not exists\|,"  &&
    ok "Redshift stand-in: four ALTER TABLE ... ADD COLUMN, one column each, no IF NOT EXISTS" ||
    fail "Redshift stand-in: the upgrade's statements are not four plain ADD COLUMNs" "$alters"
[ "$(q rs "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'rsfake' AND table_name = 'stargen_history' AND ordinal_position > 9")" = "inserted,updated,unchanged,skipped" ] &&
    [ "$(q rs "SELECT count(*) FROM rsfake.stargen_history WHERE run_id = 'old-run' AND rows = 0")" = 1 ] &&
    ok "an older stargen_history (Redshift stand-in) gains the count columns in place, its row kept" ||
    fail "the older stargen_history was not upgraded on the Redshift stand-in" "$out"
out=$(REDSHIFT_IAM_ROLE='arn:aws:iam::123456789012:role/standin' run rs --only drop "$EX/out/redshift" 2>&1) &&
    ok "a second run finds the columns there and adds nothing" || fail "the second run on the upgraded table failed" "$out"
finish

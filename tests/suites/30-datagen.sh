#!/usr/bin/env bash
# Data generator (sparkify-data): determinism, JSON shape of both file kinds,
# the realistic-shape promises (page mix, logged-out share, matched share,
# level changes, escapes), the refusal to overwrite, and the CLI errors.
# Needs jq.  DATAGEN names the binary (default ./build/rel/sparkify-data).
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
EVENTS=20000

# between NAME VALUE LO HI: integer range check (inclusive).
between() {
    if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then ok "$1"; else fail "$1: $2 not in [$3, $4]"; fi
}
tree_sum() { (cd "$1" && find log_data song_data -type f | LC_ALL=C sort | xargs sha256sum | sha256sum); }
# All files of a folder as one NDJSON stream (the files have no final newline).
cat_ndjson() { find "$1" -type f -name '*.json' | LC_ALL=C sort | while read -r f; do cat "$f"; echo; done; }

if ! command -v jq >/dev/null; then
    fail "jq not found"
    finish
    exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --- runs -------------------------------------------------------------------
"${DATAGEN_CMD[@]}" --events $EVENTS --seed 7 --out "$T/a" 2>"$T/a.err"
check "run a exits 0" [ $? = 0 ]
check "summary line" grep -Eq "^sparkify-data: [0-9]+ files .*$EVENTS events, [0-9]+ NextSong, [0-9]+ matched .* songs, [0-9]+ artists, [0-9]+ users, [0-9]+ bytes" "$T/a.err"
"${DATAGEN_CMD[@]}" --events $EVENTS --seed 7 --out "$T/b" 2>/dev/null
"${DATAGEN_CMD[@]}" --events $EVENTS --seed 8 --out "$T/c" 2>/dev/null
check "same seed, identical trees" [ "$(tree_sum "$T/a")" = "$(tree_sum "$T/b")" ]
check "other seed, different trees" [ "$(tree_sum "$T/a")" != "$(tree_sum "$T/c")" ]
check "no temporary folder left" [ -z "$(find "$T/a" -maxdepth 1 -name '.tmp-*')" ]

# --- log files ----------------------------------------------------------------
cat_ndjson "$T/a/log_data" >"$T/ev.json"
check "every log line parses" jq -e . "$T/ev.json"
n=$(jq -s length "$T/ev.json")
check "event count is --events ($n)" [ "$n" = $EVENTS ]
keys=$(jq -r 'keys_unsorted | join(",")' "$T/ev.json" | sort -u)
want="artist,auth,firstName,gender,itemInSession,lastName,length,level,location,method,page,registration,sessionId,song,status,ts,userAgent,userId"
check "18 keys in order in every event" [ "$keys" = "$want" ]
with_nl=0
for f in $(find "$T/a/log_data" -type f); do [ "$(tail -c 1 "$f" | wc -l)" = 0 ] || with_nl=$((with_nl + 1)); done
check "no final newline in log files" [ $with_nl = 0 ]
check "log files named log_data/YYYY/MM/YYYY-MM-DD-events.json" \
    [ -z "$(find "$T/a/log_data" -type f | grep -Ev '/log_data/[0-9]{4}/[0-9]{2}/[0-9]{4}-[0-9]{2}-[0-9]{2}-events\.json$')" ]
wrong_day=$(cd "$T/a/log_data" && find . -type f | while read -r f; do
    d=$(basename "$f" -events.json)
    jq -r --arg d "$d" 'select((.ts / 1000 | floor | todate[0:10]) != $d) | .ts' "$f"
done | wc -l)
check "every event is in the file of its UTC day" [ "$wrong_day" = 0 ]
unsorted=$(find "$T/a/log_data" -type f | while read -r f; do jq -s '[.[].ts] | . != sort' "$f"; done | grep -c true)
check "events sorted by ts in each file" [ "$unsorted" = 0 ]
check "value kinds (userId string, ts int, registration float, length number|null)" jq -se '
    all(.[]; (.userId | type) == "string" and (.ts | type) == "number" and .ts == (.ts | floor)
        and (.registration == null or (.registration | type) == "number")
        and ((.length | type) == "number" or .length == null)
        and (.sessionId | type) == "number" and (.status | IN(200, 307, 404))
        and (.method | IN("GET", "PUT")))' "$T/ev.json"
check "registration written as float (1540991795796.0)" grep -Eq '"registration":1[0-9]{12}\.0,' "$T/ev.json"
check "NextSong has artist, song and length; other pages null" jq -se '
    all(.[]; if .page == "NextSong" then .artist != null and .song != null and .length != null
             else .artist == null and .song == null and .length == null end)' "$T/ev.json"
check "logged-out events: userId \"\" and null person fields" jq -se '
    all(.[] | select(.auth == "Logged Out");
        .userId == "" and .firstName == null and .lastName == null and .gender == null
        and .location == null and .userAgent == null and .registration == null
        and (.page | IN("Home", "Login", "About", "Help")))' "$T/ev.json"
check "sessions: itemInSession runs 0,1,2... in ts order" jq -se '
    group_by(.sessionId) | all(sort_by(.ts, .itemInSession) | map(.itemInSession) == [range(0; length)])' "$T/ev.json"

ns=$(jq -s 'map(select(.page == "NextSong")) | length' "$T/ev.json")
lo=$(jq -s 'map(select(.auth == "Logged Out")) | length' "$T/ev.json")
between "NextSong share (per mille)" $((ns * 1000 / n)) 800 900
between "logged-out share (per mille)" $((lo * 1000 / n)) 20 50
pages=$(jq -r .page "$T/ev.json" | sort -u | tr '\n' ,)
for p in Home Login Logout Settings Downgrade Upgrade Help About "Submit Upgrade" "Submit Downgrade"; do
    check "page $p present" grep -q ",$p," <<<",$pages"
done
changed=$(jq -s '[.[] | select(.userId != "")] | group_by(.userId)
    | (map(select(map(.level) | unique | length > 1)) | length) * 100 / length | floor' "$T/ev.json")
between "users whose level changes (%)" "$changed" 20 100
last_differs=$(jq -s '[.[] | select(.userId != "")] | group_by(.userId)
    | map(sort_by(.ts) | select(.[0].level != .[-1].level)) | length' "$T/ev.json")
between "users whose latest level differs from the first" "$last_differs" 5 100000
dup_ts=$(jq -r .ts "$T/ev.json" | sort | uniq -d | wc -l)
between "ts collisions are rare (per mille of events)" $((dup_ts * 1000 / n)) 0 20
check 'logs use \u escapes' grep -q '\\u00' "$T/ev.json"
check 'logs escape / as \/' grep -q 'Mozilla\\/5.0' "$T/ev.json"
check 'logs hold escaped embedded quotes' grep -q '"userAgent":"\\"Mozilla' "$T/ev.json"
check 'no raw non-ASCII bytes in logs' [ "$(LC_ALL=C grep -c -P '[\x80-\xff]' "$T/ev.json")" = 0 ]

# --- song files ---------------------------------------------------------------
cat_ndjson "$T/a/song_data" >"$T/songs.json"
check "every song file parses" jq -e . "$T/songs.json"
skeys=$(jq -r 'keys_unsorted | join(",")' "$T/songs.json" | sort -u)
check "song keys in order" [ "$skeys" = "num_songs,artist_id,artist_latitude,artist_longitude,artist_location,artist_name,song_id,title,duration,year" ]
f1=$(find "$T/a/song_data" -type f | LC_ALL=C sort | head -n 1)
check "song file spacing like the real data" grep -Eq '^\{"num_songs": 1, "artist_id": "AR[A-Z0-9]{16}", "artist_latitude": ' "$f1"
check "song files sit in A/B/C/ folders named by track id chars 3-5" [ -z "$(cd "$T/a/song_data" &&
    find . -type f | grep -Ev '^\./(.)/(.)/(.)/TR\1\2\3[A-Z0-9]{13}\.json$')" ]
check 'song files use \u escapes' grep -q '\\u00' "$T/songs.json"
check "some artists spelled two ways" jq -se 'group_by(.artist_id) | any(map(.artist_name) | unique | length > 1)' "$T/songs.json"
check "some titles shared by different artists" jq -se 'group_by(.title) | any(map(.artist_id) | unique | length > 1)' "$T/songs.json"
null_ll=$(jq -s '(map(select(.artist_latitude == null)) | length) * 100 / length | floor' "$T/songs.json")
between "songs with null coordinates (%)" "$null_ll" 35 75

# Matched share: join NextSong events to songs on title, artist and duration.
matched=$(jq -n --slurpfile s "$T/songs.json" '
    ($s | map({key: ([.title, .artist_name, .duration] | tojson), value: 1}) | from_entries) as $set
    | [inputs | select(.page == "NextSong") | [.song, .artist, .length] | tojson | select($set[.])] | length' "$T/ev.json")
between "matched share within 5 points of 30% (per mille)" $((matched * 1000 / ns)) 250 350
said=$(sed -E 's/.* ([0-9]+) matched.*/\1/' "$T/a.err")
check "joined count equals the summary's matched count ($matched vs $said)" [ "$matched" = "$said" ]

# --- options --------------------------------------------------------------------
"${DATAGEN_CMD[@]}" --events 2000 --match-pct 80 --songs 150 --songs-per-file 4 --out "$T/d" 2>/dev/null
check "--songs-per-file 4: ceil(150/4) files" [ "$(find "$T/d/song_data" -type f | wc -l)" = 38 ]
check "--songs-per-file 4: 150 songs, one per line" [ "$(cat_ndjson "$T/d/song_data" | jq -s length)" = 150 ]
"${DATAGEN_CMD[@]}" --events 3000 --days 3 --start 2020-02-28 --out "$T/e" 2>/dev/null
check "--start and --days pick the day files" [ "$(cd "$T/e/log_data" && find . -type f | sort | tr '\n' ' ')" = \
    "./2020/02/2020-02-28-events.json ./2020/02/2020-02-29-events.json ./2020/03/2020-03-01-events.json " ]

# --- refusal, --force -----------------------------------------------------------
before=$(tree_sum "$T/a")
"${DATAGEN_CMD[@]}" --events 100 --out "$T/a" 2>"$T/refuse.err"
check "existing output refused with exit 2" [ $? = 2 ]
check "refusal says why" grep -q "already exists" "$T/refuse.err"
check "refused run left the tree alone" [ "$(tree_sum "$T/a")" = "$before" ]
"${DATAGEN_CMD[@]}" --events 100 --seed 1 --out "$T/a" --force 2>/dev/null
check "--force exits 0" [ $? = 0 ]
check "--force replaced the tree" [ "$(tree_sum "$T/a")" != "$before" ]
"${DATAGEN_CMD[@]}" --events $EVENTS --seed 7 --out "$T/a" --force 2>/dev/null
check "--force output equals a fresh run" [ "$(tree_sum "$T/a")" = "$before" ]

# --- CLI --------------------------------------------------------------------------
"${DATAGEN_CMD[@]}" --help >"$T/help.out" 2>&1
check "--help exits 0" [ $? = 0 ]
check "--help prints usage" grep -q "usage: sparkify-data" "$T/help.out"
for args in "--events abc" "--events 0" "" "--events 10 --bogus 1" "--events 10 --match-pct 101" \
    "--events 10 --start 2018-02-30" "--events 10 --songs-per-file" "--events 10 stray"; do
    # shellcheck disable=SC2086
    "${DATAGEN_CMD[@]}" $args --out "$T/x" >/dev/null 2>"$T/bad.err"
    rc=$?
    if [ $rc = 2 ] && grep -q "^sparkify-data: " "$T/bad.err"; then ok "bad args '$args'"; else fail "bad args '$args': exit $rc"; fi
done
check "bad args wrote nothing" [ ! -e "$T/x/log_data" ]

finish

#!/usr/bin/env bash
# End to end on the real Sparkify sample: the committed out/postgres, run by ./runner on a
# private PostgreSQL, must give exactly the row counts of design.md, users with the level of
# their latest event, exactly one song match; a rerun gives the same tables. Expected values
# that are not fixed numbers are computed independently from the JSON with jq.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
SAMPLE="$STARGEN_ROOT/../shared/data/sparkify-sample"
if [ ! -d "$SAMPLE" ]; then skip "../shared/data/sparkify-sample absent: the end-to-end sample tests need it"; finish; exit; fi
source tests/lib-pg.sh
tmp=$(mktemp -d); trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT
pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }
createdb sparkify
q() { psql -X -A -t -d sparkify -c "$1"; }

if out=$("${RUNNER_CMD[@]}" -q -d dbname=sparkify --data "$SAMPLE" out/postgres 2>&1); then ok "runner loads the sample"
else fail "runner failed on the sample" "$out"; finish; exit 1; fi

declare -A want=([staging_events]=8056 [staging_songs]=71 [songplays]=6820 [users]=96 [songs]=71 [artists]=69 [time]=6813)
counts() { for t in staging_events staging_songs songplays users songs artists time; do echo "$t $(q "SELECT count(*) FROM $t")"; done; }
counts >"$tmp/counts1"
while read -r t n; do
    if [ "$n" = "${want[$t]}" ]; then ok "$t has ${want[$t]} rows"; else fail "$t has $n rows, want ${want[$t]}"; fi
done <"$tmp/counts1"

m=$(q "SELECT count(*) FROM songplays WHERE song_id IS NOT NULL AND artist_id IS NOT NULL")
if [ "$m" = 1 ]; then ok "exactly one songplay matches a song"; else fail "$m songplays match a song, want 1"; fi

# users keep the level of their latest NextSong event: computed from the raw JSON with jq
find "$SAMPLE/log_data" -name '*.json' -print0 | sort -z | xargs -0 cat |
    jq -r 'select(.page == "NextSong" and .userId != "") | "\(.userId) \(.ts) \(.level)"' |
    sort -k1,1n -k2,2nr | awk '!seen[$1]++ {print $1, $3}' >"$tmp/levels.jq"
q "SELECT user_id || ' ' || level FROM users ORDER BY user_id" >"$tmp/levels.db"
if d=$(diff "$tmp/levels.jq" "$tmp/levels.db"); then ok "every user has the level of their latest event ($(wc -l <"$tmp/levels.db") users)"
else fail "user levels differ from the latest event's" "$d"; fi
switched=$(find "$SAMPLE/log_data" -name '*.json' -print0 | xargs -0 cat | jq -r 'select(.page == "NextSong" and .userId != "") | "\(.userId) \(.level)"' | sort -u | awk '{print $1}' | uniq -d | wc -l)
if [ "$switched" -gt 0 ]; then ok "the sample has $switched users who switched level (the latest-level rule is exercised)"; else fail "no user switched level"; fi

# start_time from epoch milliseconds; time's parts agree with PostgreSQL's own arithmetic
ts=$(find "$SAMPLE/log_data" -name '2018-11-30-events.json' -exec head -n1 {} \; | jq -r .ts)
st=$(q "SELECT to_char(start_time, 'YYYY-MM-DD HH24:MI:SS') FROM songplays WHERE start_time = TIMESTAMP 'epoch' + $ts / 1000 * INTERVAL '1 second' LIMIT 1")
want_st=$(date -u -d "@$((ts / 1000))" '+%Y-%m-%d %H:%M:%S')
if [ "$st" = "$want_st" ]; then ok "start_time of ts $ts is $want_st (UTC)"; else fail "start_time of ts $ts is '$st', want '$want_st'"; fi
bad=$(q "SELECT count(*) FROM time WHERE hour <> extract(hour FROM start_time) OR weekday <> extract(dow FROM start_time) OR week <> extract(week FROM start_time) OR year <> extract(year FROM start_time)")
if [ "$bad" = 0 ]; then ok "time parts agree with start_time"; else fail "$bad time rows disagree with their start_time"; fi

# decoded escapes: \/ in user agents, \uXXXX in names
n=$(q "SELECT count(*) FROM staging_events WHERE user_agent LIKE '%\\/%' ESCAPE '!'")
if [ "$n" = 0 ] && [ "$(q "SELECT count(*) FROM staging_events WHERE user_agent LIKE 'Mozilla/5.0%'")" -gt 0 ]; then ok "\\/ decoded to /"; else fail "\\/ not decoded ($n rows keep a backslash)"; fi
uni=$(find "$SAMPLE" -name '*.json' -print0 | xargs -0 cat | jq -r '.. | strings' | LC_ALL=C grep -c '[^ -~]' || true)
dbuni=$(q "SELECT (SELECT count(*) FROM staging_events WHERE octet_length(coalesce(artist,'') || coalesce(song,'') || coalesce(location,'') || coalesce(first_name,'') || coalesce(last_name,'') || coalesce(user_agent,'')) <> length(coalesce(artist,'') || coalesce(song,'') || coalesce(location,'') || coalesce(first_name,'') || coalesce(last_name,'') || coalesce(user_agent,''))) + (SELECT count(*) FROM staging_songs WHERE octet_length(coalesce(title,'') || coalesce(artist_name,'') || coalesce(artist_location,'')) <> length(coalesce(title,'') || coalesce(artist_name,'') || coalesce(artist_location,'')))")
if [ "$dbuni" -gt 0 ] && [ "$dbuni" -le "$uni" ]; then ok "\\uXXXX decoded to UTF-8 ($dbuni rows hold non-ASCII text)"; else fail "non-ASCII rows: db $dbuni, json strings $uni"; fi

# no duplicate keys anywhere (PostgreSQL enforces them; check the dedupe of songplays too)
dup=$(q "SELECT count(*) FROM (SELECT user_id, session_id, start_time, count(*) FROM songplays GROUP BY 1, 2, 3 HAVING count(*) > 1) d")
if [ "$dup" = 0 ]; then ok "one songplay per event"; else fail "$dup events have several songplays"; fi

# a rerun gives the same tables, not twice the rows
dump() { for t in staging_events staging_songs users songs artists time; do q "SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM $t x"; done
         q "SELECT md5(string_agg(row(start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)::text, '|' ORDER BY row(start_time, user_id, session_id)::text)) FROM songplays"; }
dump >"$tmp/dump1"
if out=$("${RUNNER_CMD[@]}" -q -d dbname=sparkify --data "$SAMPLE" out/postgres 2>&1); then ok "rerun succeeds"; else fail "rerun failed" "$out"; fi
counts >"$tmp/counts2"; dump >"$tmp/dump2"
if cmp -s "$tmp/counts1" "$tmp/counts2"; then ok "rerun: same row counts"; else fail "rerun changed the counts" "$(diff "$tmp/counts1" "$tmp/counts2")"; fi
if cmp -s "$tmp/dump1" "$tmp/dump2"; then ok "rerun: same contents"; else fail "rerun changed the contents"; fi

# every step recorded in the history table, twice
h=$(q "SELECT count(*) FROM stargen_history WHERE status = 'success'" 2>&1)
steps=$(ls out/postgres/[0-9]*.sql | wc -l)
if [ "$h" = $((2 * steps)) ]; then ok "history records 2 runs x $steps steps"; else fail "history holds '$h' successful steps, want $((2 * steps))"; fi
finish

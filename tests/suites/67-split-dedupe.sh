#!/usr/bin/env bash
# A replace table's dedupe ranked only where keys repeat (issue 15, src/gen/emit.c): songplays'
# generated step must keep exactly the rows that ranking every row by its dedupe key keeps.
# Data built to hit every case: keys once and repeated, NULL key parts (once and twice),
# several songs per event (ties on trailing blanks, a NULL song_id), rows the WHERE drops,
# NULL join keys. The reference is the full ranking the generator wrote before the split.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
tmp=$(mktemp -d)
source tests/lib-pg.sh
trap 'pg_remove "$tmp/pg"; rm -rf "$tmp"' EXIT
pg_start "$tmp/pg" || { fail "cannot start PostgreSQL"; finish; exit 1; }
createdb sd
psqlq() { PGOPTIONS='-c client_min_messages=warning' psql -X -A -t -q -v ON_ERROR_STOP=1 -d sd "$@"; }

step=$(ls out/postgres/*_load_songplays.sql)
if grep -q '^WITH stargen_repeated AS' "$step" && grep -q '^UNION ALL$' "$step"; then ok "songplays is loaded by the split dedupe"
else fail "songplays' step has no split dedupe: this suite tests nothing"; fi

sed -n '/^CREATE/,$p' out/postgres/01_create_staging.sql | psqlq >/dev/null || fail "staging tables"
psqlq <<'SQL' >/dev/null || fail "test data"
INSERT INTO staging_songs (song_id, title, artist_id, artist_name, duration, year, num_songs) VALUES
 ('SB', 'Song', 'AR2', 'Artist', 100, 2000, 1),
 ('SA', 'Song ', 'AR9', 'Artist', 100, 2000, 1),
 ('SA ', 'Song', 'AR1', 'Artist  ', 100, 2000, 1),
 ('SC', 'Other', 'AR3', 'Artist', 50, 2000, 1),
 (NULL, 'Other', 'AR0', 'Artist', 50, 2000, 1),
 ('SD', 'Solo', 'AR4', 'Band', 10, 2000, 1),
 ('SE', NULL, 'AR5', 'Band', 10, 2000, 1);
INSERT INTO staging_events (user_id, session_id, item_in_session, ts, page, level, song, artist, length, location, user_agent) VALUES
 (1, 1, 0, 1000, 'NextSong', 'free', 'Song', 'Artist', 100, 'L1', 'UA'),
 (1, 1, 1, 2000, 'NextSong', 'free', 'Other', 'Artist', 50, 'L1', 'UA'),
 (1, 1, 2, 3000, 'NextSong', 'paid', 'Song', 'Artist', 100, 'L2', 'UA'),
 (1, 1, 2, 3000, 'NextSong', 'free', 'Solo', 'Band', 10, 'L3', 'UA'),
 (2, 9, NULL, 4000, 'NextSong', 'free', 'Solo', 'Band', 10, 'L4', 'UA'),
 (2, 9, NULL, 4000, 'NextSong', 'free', 'Song', 'Artist', 100, 'L0', 'UA'),
 (3, 5, NULL, 9000, 'NextSong', 'paid', 'Nope', 'X', 1, NULL, NULL),
 (4, 6, 1, 5000, 'NextSong', 'paid ', 'Song', 'Artist', 100, 'L5 ', 'UA'),
 (4, 6, 1, 5000, 'NextSong', 'paid', 'Song', 'Artist', 100, 'L5', 'UA'),
 (5, 7, 0, 6000, 'Home', 'free', 'Song', 'Artist', 100, 'L6', 'UA'),
 (NULL, 7, 0, 7000, 'NextSong', 'free', 'Song', 'Artist', 100, 'L7', 'UA'),
 (6, 8, 0, 8000, 'NextSong', 'free', NULL, 'Band', 10, 'L8', 'UA'),
 (7, 1, 0, 1000, 'NextSong', 'free', 'Song', 'Artist', 100, 'L9', 'UA');
SQL

cols="start_time, user_id, level, song_id, artist_id, session_id, location, user_agent"
# the generated step, then the reference ranking of every row (the step before the split)
{ echo 'BEGIN;'; sed '/^--/d' "$step"; echo 'COMMIT;'; } | psqlq >/dev/null || fail "the generated songplays step failed"
psqlq >/dev/null <<SQL || fail "the reference query failed"
CREATE TABLE reference AS
SELECT start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM (
    SELECT
        start_time, user_id, level, song_id, artist_id, session_id, location, user_agent,
        ROW_NUMBER() OVER (
            PARTITION BY stargen_by1, stargen_by2, stargen_by3, stargen_by4
            ORDER BY start_time ASC NULLS LAST,
                user_id ASC NULLS LAST,
                RTRIM(level) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(level) ASC,
                RTRIM(song_id) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(song_id) ASC,
                RTRIM(artist_id) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(artist_id) ASC,
                session_id ASC NULLS LAST,
                RTRIM(location) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(location) ASC,
                RTRIM(user_agent) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(user_agent) ASC
        ) AS stargen_rn
    FROM (
        SELECT
            TIMESTAMP 'epoch' + e.ts / 1000 * INTERVAL '1 second' AS start_time,
            e.user_id,
            e.level,
            s.song_id,
            s.artist_id,
            e.session_id,
            e.location,
            e.user_agent,
            e.user_id AS stargen_by1,
            e.session_id AS stargen_by2,
            e.item_in_session AS stargen_by3,
            e.ts AS stargen_by4
        FROM staging_events AS e
        LEFT JOIN staging_songs AS s
            ON RTRIM(s.title) = RTRIM(e.song) AND RTRIM(s.artist_name) = RTRIM(e.artist) AND s.duration = e.length
        WHERE RTRIM(e.page) = 'NextSong' AND e.user_id IS NOT NULL
    ) AS mapped
) AS ranked
WHERE stargen_rn = 1;
SQL
got=$(psqlq -c "SELECT $cols FROM songplays__stargen_new ORDER BY user_id, start_time, session_id")
want=$(psqlq -c "SELECT $cols FROM reference ORDER BY user_id, start_time, session_id")
diffs=$(psqlq -c "SELECT count(*) FROM ((SELECT $cols FROM songplays__stargen_new EXCEPT ALL SELECT * FROM reference) UNION ALL (SELECT * FROM reference EXCEPT ALL SELECT $cols FROM songplays__stargen_new)) AS d")
n=$(wc -l <<<"$want")
if [ "$diffs" = 0 ] && [ "$got" = "$want" ] && [ "$n" = 8 ]; then ok "the split dedupe keeps the rows of the full ranking ($n rows)"
else fail "split dedupe differs from the full ranking ($diffs rows differ)" "$(diff <(echo "$want") <(echo "$got"))"; fi
# the cases the data was built for, spelled out
if grep -qx '1970-01-01 00:00:01|1|free|SA|AR9|1|L1|UA' <<<"$got"; then ok "a key seen once takes the lowest song of several matches (trailing blanks ignored, then shorter first)"
else fail "lookup pick wrong" "$got"; fi
if grep -qx '1970-01-01 00:00:03|1|free|SD|AR4|1|L3|UA' <<<"$got" && ! grep -q '|L2|' <<<"$got"; then ok "a repeated key keeps one row, ranked as before"
else fail "repeated key" "$got"; fi
if [ "$(grep -c '^1970-01-01 00:00:04|2|' <<<"$got")" = 1 ]; then ok "a key with a NULL part seen twice keeps one row"
else fail "NULL key part" "$got"; fi
# users: a natural key with `latest` ranks only the rows at each key's latest ts; the same
# reference check against the full ranking (ties at the latest ts, a user whose every ts is
# NULL, a NULL ts beside a real one, trailing blanks)
ustep=$(ls out/postgres/*_load_users.sql)
if grep -q '^WITH stargen_key_latest AS' "$ustep"; then ok "users is loaded from its latest-value candidates"
else fail "users' step does not rank only the latest rows: this part tests nothing"; fi
psqlq <<'SQL' >/dev/null || fail "users test data"
INSERT INTO staging_events (user_id, session_id, item_in_session, ts, page, level, first_name, last_name, gender) VALUES
 (10, 1, 0, 100, 'NextSong', 'free', 'Ann', 'A', 'F'),
 (10, 1, 1, 300, 'NextSong', 'paid', 'Ann', 'B', 'F'),
 (10, 1, 2, 300, 'NextSong', 'free', 'Ann', 'B', 'F'),
 (10, 1, 3, 300, 'NextSong', 'paid ', 'Ann', 'B', 'F'),
 (10, 1, 4, 900, 'Home', 'free', 'Zed', 'Z', 'M'),
 (11, 2, 0, NULL, 'NextSong', 'paid', 'Bob', 'C', 'M'),
 (11, 2, 1, NULL, 'NextSong', 'free', 'Bob', 'C', 'M'),
 (12, 3, 0, NULL, 'NextSong', 'paid', 'Cy', 'D', 'M'),
 (12, 3, 1, 50, 'NextSong', 'free', 'Cy', 'D', 'M');
SQL
ucols="user_id, first_name, last_name, gender, level"
{ echo 'BEGIN;'; sed '/^--/d' "$ustep"; echo 'COMMIT;'; } | psqlq >/dev/null || fail "the generated users step failed"
psqlq >/dev/null <<SQL || fail "the users reference query failed"
CREATE TABLE reference_users AS
SELECT user_id, first_name, last_name, gender, level
FROM (
    SELECT
        user_id, first_name, last_name, gender, level,
        ROW_NUMBER() OVER (
            PARTITION BY user_id
            ORDER BY stargen_latest DESC NULLS LAST,
                RTRIM(first_name) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(first_name) ASC,
                RTRIM(last_name) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(last_name) ASC,
                RTRIM(gender) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(gender) ASC,
                RTRIM(level) COLLATE "C" ASC NULLS LAST, OCTET_LENGTH(level) ASC
        ) AS stargen_rn
    FROM (
        SELECT
            e.user_id,
            e.first_name,
            e.last_name,
            e.gender,
            e.level,
            e.ts AS stargen_latest
        FROM staging_events AS e
        WHERE RTRIM(e.page) = 'NextSong' AND e.user_id IS NOT NULL
    ) AS mapped
) AS ranked
WHERE stargen_rn = 1;
SQL
got=$(psqlq -c "SELECT $ucols FROM users__stargen_new ORDER BY user_id")
want=$(psqlq -c "SELECT $ucols FROM reference_users ORDER BY user_id")
nu=$(psqlq -c "SELECT count(*) FROM reference_users")
if [ "$got" = "$want" ] && [ "$nu" = 9 ]; then ok "users: the same $nu rows as the full ranking"
else fail "users differ from the full ranking" "$(diff <(echo "$want") <(echo "$got"))"; fi
if grep -qx '10|Ann|B|F|free' <<<"$got" && grep -qx '11|Bob|C|M|free' <<<"$got" && grep -qx '12|Cy|D|M|free' <<<"$got"; then
    ok "users: ties at the latest ts, all-NULL and partly NULL ts keep the ranking's row"
else fail "users picks" "$got"; fi
finish

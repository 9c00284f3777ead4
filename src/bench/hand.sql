-- hand.sql - the hand-written floor of `make bench` (bench code, not the product; BENCH.md).
--
-- What a careful PostgreSQL engineer writes by hand for Sparkify, given the staging data already
-- typed as TSV (making the TSV is not timed): COPY it into the same UNLOGGED staging tables
-- (TRUNCATE + FREEZE, as the runner does), then the minimal transforms. Primary keys declared,
-- no foreign keys, no dedupe window, no checks, default session settings.
-- bench.sh replaces @TSV@ with the folder of the TSV files and @STAGING_DDL@ with the generated
-- 01_create_staging.sql (the staging tables are the same on every route). Each `@@mark` line
-- prints the server clock after a step; bench.sh takes the per-step seconds from them.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
SELECT '@@mark start start ' || extract(epoch FROM clock_timestamp());

\i @STAGING_DDL@

CREATE TABLE artists (
    artist_id VARCHAR(32) PRIMARY KEY,
    name VARCHAR(256) NOT NULL,
    location VARCHAR(256),
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION
);
CREATE TABLE songs (
    song_id VARCHAR(32) PRIMARY KEY,
    title VARCHAR(256) NOT NULL,
    artist_id VARCHAR(32) NOT NULL,
    year SMALLINT,
    duration DOUBLE PRECISION
);
CREATE TABLE users (
    user_id INTEGER PRIMARY KEY,
    first_name VARCHAR(256),
    last_name VARCHAR(256),
    gender CHAR(1),
    level VARCHAR(16) NOT NULL
);
CREATE TABLE songplays (
    songplay_id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 0 MINVALUE 0) PRIMARY KEY,
    start_time TIMESTAMP NOT NULL,
    user_id INTEGER NOT NULL,
    level VARCHAR(16) NOT NULL,
    song_id VARCHAR(32),
    artist_id VARCHAR(32),
    session_id INTEGER NOT NULL,
    location VARCHAR(256),
    user_agent VARCHAR(512)
);
CREATE TABLE time (
    start_time TIMESTAMP PRIMARY KEY,
    hour SMALLINT NOT NULL,
    day SMALLINT NOT NULL,
    week SMALLINT NOT NULL,
    month SMALLINT NOT NULL,
    year SMALLINT NOT NULL,
    weekday SMALLINT NOT NULL
);
SELECT '@@mark create create ' || extract(epoch FROM clock_timestamp());

BEGIN;
TRUNCATE staging_events;
\copy staging_events (artist, auth, first_name, gender, item_in_session, last_name, length, level, location, method, page, registration, session_id, song, status, ts, user_agent, user_id) FROM '@TSV@/staging_events.tsv' WITH (FORMAT text, FREEZE)
COMMIT;
SELECT '@@mark staging load_staging_events ' || extract(epoch FROM clock_timestamp());

BEGIN;
TRUNCATE staging_songs;
\copy staging_songs (num_songs, artist_id, artist_latitude, artist_longitude, artist_location, artist_name, song_id, title, duration, year) FROM '@TSV@/staging_songs.tsv' WITH (FORMAT text, FREEZE)
COMMIT;
SELECT '@@mark staging load_staging_songs ' || extract(epoch FROM clock_timestamp());

-- artists: one row per artist_id, whichever comes first in the sort (no tie-break)
INSERT INTO artists (artist_id, name, location, latitude, longitude)
SELECT DISTINCT ON (artist_id)
    artist_id, artist_name, NULLIF(artist_location, ''), artist_latitude, artist_longitude
FROM staging_songs
ORDER BY artist_id;
SELECT '@@mark transform load_artists ' || extract(epoch FROM clock_timestamp());

-- songs: the first row of each song_id in scan order wins
INSERT INTO songs (song_id, title, artist_id, year, duration)
SELECT song_id, title, artist_id, year, duration
FROM staging_songs
ON CONFLICT (song_id) DO NOTHING;
SELECT '@@mark transform load_songs ' || extract(epoch FROM clock_timestamp());

-- users: the latest NextSong event of each user (ties at the same ts: any of them)
INSERT INTO users (user_id, first_name, last_name, gender, level)
SELECT DISTINCT ON (user_id) user_id, first_name, last_name, gender, level
FROM staging_events
WHERE page = 'NextSong' AND user_id IS NOT NULL
ORDER BY user_id, ts DESC;
SELECT '@@mark transform load_users ' || extract(epoch FROM clock_timestamp());

-- songplays: one INSERT ... SELECT, events left-joined to songs on title, artist and duration
INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT TIMESTAMP 'epoch' + e.ts / 1000 * INTERVAL '1 second',
    e.user_id, e.level, s.song_id, s.artist_id, e.session_id, e.location, e.user_agent
FROM staging_events AS e
LEFT JOIN staging_songs AS s
    ON s.title = e.song AND s.artist_name = e.artist AND s.duration = e.length
WHERE e.page = 'NextSong' AND e.user_id IS NOT NULL;
SELECT '@@mark transform load_songplays ' || extract(epoch FROM clock_timestamp());

-- time: the distinct start times with their parts
INSERT INTO time (start_time, hour, day, week, month, year, weekday)
SELECT start_time, EXTRACT(HOUR FROM start_time), EXTRACT(DAY FROM start_time),
    EXTRACT(WEEK FROM start_time), EXTRACT(MONTH FROM start_time),
    EXTRACT(YEAR FROM start_time), EXTRACT(DOW FROM start_time)
FROM (SELECT DISTINCT start_time FROM songplays) AS d;
SELECT '@@mark transform load_time ' || extract(epoch FROM clock_timestamp());

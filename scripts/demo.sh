#!/usr/bin/env bash
# demo.sh - the main job on the embedded PostgreSQL (`make demo`).
#
# Installs what is missing (as root, with apt-get; otherwise prints the command), builds,
# generates a Sparkify-shaped dataset with the project's own generator, starts a private
# PostgreSQL in .pg/ (unix socket only, no TCP), compiles schema.yaml, runs the pipeline
# with ./runner (ending with the data checks), prints the analytics queries and every
# table's row count; then Sparkify, daily (examples/sparkify-daily: incremental sources, kept
# tables) on the same files: a first load of every day but the last, the next day (one new
# file staged), a rerun (nothing new), with the counts of each run; and stops the server again.
# EVENTS=N sets the dataset size (default 20000); running it twice works.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS="${EVENTS:-20000}"
SEED="${SEED:-42}"

scripts/install-deps.sh demo

echo "== build"
make -s all

echo "== data: $EVENTS events (seed $SEED) into data/"
./build/rel/sparkify-data --events "$EVENTS" --seed "$SEED" --out data --force

source tests/lib-pg.sh
echo "== private PostgreSQL in .pg/ (socket only)"
pg_start .pg
trap 'pg_stop .pg' EXIT
psql -X -q -tAc "SELECT 1 FROM pg_database WHERE datname = 'sparkify'" | grep -q 1 ||
    createdb sparkify

echo "== gen: schema.yaml -> out/"
./gen

echo "== runner: out/postgres -> database sparkify"
./runner -d dbname=sparkify --data data out/postgres

echo "== analytics: ./runner --report (queries from schema.yaml)"
./runner -q -d dbname=sparkify --report out/postgres

echo
echo "== row counts"
psql -X -d sparkify -c "
SELECT 'staging_events' AS table_name, count(*) AS row_count FROM staging_events
UNION ALL SELECT 'staging_songs', count(*) FROM staging_songs
UNION ALL SELECT 'songplays', count(*) FROM songplays
UNION ALL SELECT 'users', count(*) FROM users
UNION ALL SELECT 'songs', count(*) FROM songs
UNION ALL SELECT 'artists', count(*) FROM artists
UNION ALL SELECT 'time', count(*) FROM time"

# ---- Sparkify, daily: the same files, one day at a time
DAILY=examples/sparkify-daily
echo
echo "== daily: gen $DAILY/schema.yaml -> $DAILY/out/ (incremental sources, every table kept)"
./gen -m "$DAILY/schema.yaml" -o "$DAILY/out"
PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists sparkify_daily
createdb sparkify_daily
# data/daily/: a view of data/ (hard links: same bytes, size and mtime) that grows by a day
rm -rf data/daily
mapfile -t logs < <(cd data && find log_data -type f -name '*.json' | sort)
link() {
    local f
    for f in "$@"; do
        mkdir -p "data/daily/$(dirname "$f")"
        ln "data/$f" "data/daily/$f"
    done
}
link $(cd data && find song_data -type f -name '*.json' | sort) "${logs[@]:0:${#logs[@]}-1}"
# the step lines, the new files and the counts; the passing data checks are left out
daily() { ./runner -d dbname=sparkify_daily --data data/daily "$DAILY/out/postgres" | grep -v '^  check .* pass$'; }
echo "== daily 1/3: first load, every day but the last ($(( ${#logs[@]} - 1 )) log files)"
daily
echo
echo "== daily 2/3: the next day arrives (${logs[-1]}): only its file is staged"
link "${logs[-1]}"
daily
echo
echo "== daily 3/3: the same again: nothing new to load"
daily
echo
echo "== daily: what each run did (stargen_history, publish step)"
psql -X -d sparkify_daily -c "
SELECT row_number() OVER (ORDER BY started_at) AS run, rows, inserted, updated, unchanged, skipped
FROM stargen_history WHERE step = 'publish' ORDER BY started_at"
psql -X -d sparkify_daily -c "
SELECT 'songplays' AS table_name, count(*) AS row_count FROM songplays
UNION ALL SELECT 'users', count(*) FROM users
UNION ALL SELECT 'songs', count(*) FROM songs
UNION ALL SELECT 'artists', count(*) FROM artists
UNION ALL SELECT 'time', count(*) FROM time"

cat <<EOM
== done; the server is stopped again. To look around:
  source tests/lib-pg.sh && pg_start .pg && psql -d sparkify   (or -d sparkify_daily)
  ... and when finished: pg_stop .pg
EOM

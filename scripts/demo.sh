#!/usr/bin/env bash
# demo.sh - the main job on the embedded PostgreSQL (`make demo`).
#
# Installs what is missing (as root, with apt-get; otherwise prints the command), builds,
# generates a Sparkify-shaped dataset with the project's own generator, starts a private
# PostgreSQL in .pg/ (unix socket only, no TCP), compiles schema.yaml, runs the pipeline
# with ./runner (ending with the data checks), prints the analytics queries and every
# table's row count, and stops the server again.
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

cat <<EOM
== done; the server is stopped again. To look around:
  source tests/lib-pg.sh && pg_start .pg && psql -d sparkify
  ... and when finished: pg_stop .pg
EOM

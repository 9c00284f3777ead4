# title: an empty file
# about: Not an error: an empty file holds no object and loads no row (Redshift's COPY does the same).
# needs: a PostgreSQL server
mkdir -p data/events
: >data/events/empty.json
runner -q --data data steps

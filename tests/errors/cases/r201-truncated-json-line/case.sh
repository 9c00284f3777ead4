# title: a truncated JSON line
# about: The last object of a file ends early (a partial upload).
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "name": "a"}\n{"id": 2, "na' >data/events/part-1.json
runner -q --data data steps

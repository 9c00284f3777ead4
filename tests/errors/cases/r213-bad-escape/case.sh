# title: an invalid escape in a string
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "name": "a\\qb"}\n' >data/events/a.json
runner -q --data data steps

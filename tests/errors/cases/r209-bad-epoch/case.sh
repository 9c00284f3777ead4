# title: a string where epoch milliseconds are expected
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "ts": "soon"}\n' >data/events/a.json
runner -q --data data steps

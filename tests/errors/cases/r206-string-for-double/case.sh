# title: a string where a double precision is expected
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "score": "high"}\n' >data/events/a.json
runner -q --data data steps

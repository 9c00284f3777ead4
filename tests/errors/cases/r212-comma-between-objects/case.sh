# title: objects separated by commas
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1},\n{"id": 2}\n' >data/events/a.json
runner -q --data data steps

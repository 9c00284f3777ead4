# title: a JSON array instead of objects
# needs: a PostgreSQL server
mkdir -p data/events
printf '[{"id": 1}]\n' >data/events/a.json
runner -q --data data steps

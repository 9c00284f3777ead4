# title: an integer too large for its column
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 3000000000}\n' >data/events/a.json
runner -q --data data steps
